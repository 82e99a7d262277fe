"""How the server process hands memory back (glibc's allocator settings).

A 40-megapixel photo passes through buffers of 16 to 160 MB (Pillow's
decoder blocks, numpy arrays).  glibc raises its mmap threshold after the
first large buffer is freed, so later buffers under 32 MB come from the heap,
where freed memory stays with the process; and every Streamlit script thread
gets a malloc arena of its own.  Set once at start, the same effect as
``MALLOC_MMAP_THRESHOLD_`` and ``MALLOC_ARENA_MAX`` in the environment
(which Streamlit Community Cloud does not let an app set): every buffer of
4 MB or more is mapped on its own and returned to the system when freed.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools

#: mallopt parameters (glibc's malloc.h).
_M_MMAP_THRESHOLD = -3
_M_ARENA_MAX = -8
MMAP_THRESHOLD = 4 * 2**20
ARENA_MAX = 2


@functools.cache
def return_large_buffers() -> bool:
    """Apply the allocator settings once; False where there is no glibc."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    try:
        libc = ctypes.CDLL(name)
        mallopt = libc.mallopt
    except (OSError, AttributeError):
        return False
    ok = mallopt(_M_MMAP_THRESHOLD, MMAP_THRESHOLD) == 1
    return mallopt(_M_ARENA_MAX, ARENA_MAX) == 1 and ok
