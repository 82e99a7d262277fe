"""How the server process hands memory back (glibc's allocator).

A 40-megapixel photo passes through buffers of 16 to 160 MB (Pillow's
decoder blocks, numpy arrays), and every Streamlit script thread would get a
malloc arena of its own, each keeping the memory freed in it.  Two settings,
made once at start (Streamlit Community Cloud does not let an app set the
environment, so ``MALLOC_ARENA_MAX`` cannot be used there):

- at most two malloc arenas (``mallopt(M_ARENA_MAX, 2)``);
- freed heap memory is handed back with ``malloc_trim(0)`` at the end of each
  job (a page run or a download), when the server is idle, and before a step
  would wait for memory (the admission queue calls :func:`trim` first); not
  after every buffer: mapping every large buffer afresh (``M_MMAP_THRESHOLD``
  = 4 MB, as before) cost a 40 MP upload and k change about 0.8 s of page
  faults in the kernel, where reusing freed heap memory within a job costs
  about 0.3 s.

And one setting for Python's own collector: what the process holds once it
has started (Streamlit, the engine's compiled kernels, numpy, the page's
modules: about 150,000 objects) is frozen out of the cyclic garbage
collector's sight (:func:`freeze_startup_heap`; kernels loaded later, by
:func:`freeze_loaded_kernels`).  Streamlit collects garbage
after every script run unless told not to (``runner.postScriptGC``, off in
this project's config.toml); walking that heap took about 0.2 s a run,
holding the interpreter lock, so every session's messages (a new visitor's
first screen, the end of any rerun) waited for it, and Python's own full
collections still walk what is not frozen.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import gc

#: mallopt parameter (glibc's malloc.h).
_M_ARENA_MAX = -8
ARENA_MAX = 2


@functools.cache
def _libc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    if name is None:
        return None
    try:
        libc = ctypes.CDLL(name)
        libc.mallopt, libc.malloc_trim  # noqa: B018 - both must exist (glibc)
    except (OSError, AttributeError):
        return None
    return libc


@functools.cache
def limit_arenas() -> bool:
    """Apply the arena limit once; False where there is no glibc."""
    libc = _libc()
    return libc is not None and libc.mallopt(_M_ARENA_MAX, ARENA_MAX) == 1


def trim(nbytes: int = 0) -> int:
    """Hand freed heap memory back to the system; returns 0 (what it freed
    shows in the resident memory, which the caller reads again).  The
    signature fits the admission queue's shrinkers."""
    libc = _libc()
    if libc is not None:
        libc.malloc_trim(0)
    return 0


def freeze_loaded_kernels() -> int:
    """Freeze what loading the engine's kernels after start made (numba's
    and LLVM's objects for every kernel: a server started without them, as
    a free host starts it, loads them in the background after its first
    page run, so :func:`freeze_startup_heap` never saw them, and every
    collection after a script run walked them again).  Returns how many
    objects are frozen in all."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()


@functools.cache
def freeze_startup_heap() -> int:
    """Once per process, collect garbage and move every object tracked so
    far into the collector's permanent generation (:func:`gc.freeze`), so
    that later full collections walk only what was made since.  Frozen
    objects are still freed when nothing refers to them; only cycles among
    them are never collected, which is why this runs once, at the first
    page run, before any photo.  Returns how many objects were frozen."""
    gc.collect()
    gc.freeze()
    return gc.get_freeze_count()
