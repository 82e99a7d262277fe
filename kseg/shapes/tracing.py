"""Tracing a mask's pixel boundaries into closed loops (compiled, numba).

Every edge between a pixel inside the mask and one outside (or the image's
border) is walked exactly once, with the inside on the right (in image
coordinates, y down: outer boundaries run clockwise on screen, holes
counter-clockwise); where two regions touch only at a corner, the walk
turns so that each loop stays with one region.  Straight runs are merged,
so a loop is its corners.  Filled with the even-odd rule (or non-zero),
the loops cover exactly the mask's pixels (their SVG path data:
:mod:`kseg.shapes.pathdata`).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["trace_loops"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

# Directions: right, down, left, up (clockwise on screen), as bits.
_DX = np.array([1, 0, -1, 0], dtype=np.int64)
_DY = np.array([0, 1, 0, -1], dtype=np.int64)


@_jit
def _outgoing(mask: np.ndarray) -> tuple[np.ndarray, int]:
    """(H + 1, W + 1) bits of the boundary edges leaving each grid vertex
    (1 right, 2 down, 4 left, 8 up), and how many edges there are."""
    h, w = mask.shape
    out = np.zeros((h + 1, w + 1), dtype=np.uint8)
    n = 0
    for y in range(h):
        for x in range(w):
            if not mask[y, x]:
                continue
            if y == 0 or not mask[y - 1, x]:  # top edge, left to right
                out[y, x] |= 1
                n += 1
            if x == w - 1 or not mask[y, x + 1]:  # right edge, downwards
                out[y, x + 1] |= 2
                n += 1
            if y == h - 1 or not mask[y + 1, x]:  # bottom edge, right to left
                out[y + 1, x + 1] |= 4
                n += 1
            if x == 0 or not mask[y, x - 1]:  # left edge, upwards
                out[y + 1, x] |= 8
                n += 1
    return out, n


@_jit
def trace_loops(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The boundary loops of the (H, W) bool ``mask``.

    Returns ``corners`` (m, 2) int32 (x, y) grid points and ``starts``
    (loops + 1,) int64: loop i is ``corners[starts[i]:starts[i + 1]]``,
    closed back to its first corner; loops start at their top-left corner,
    in raster order of it.
    """
    out, n = _outgoing(mask)
    corners = np.empty((n, 2), dtype=np.int32)
    starts = np.empty(n + 1, dtype=np.int64)
    m = 0
    loops = 0
    hh, ww = out.shape
    for y0 in range(hh):
        for x0 in range(ww):
            while out[y0, x0]:
                starts[loops] = m
                loops += 1
                x, y = x0, y0
                d = -1
                while True:
                    bits = out[y, x]
                    if d < 0:  # the loop's first corner: its first edge
                        nd = 0
                        while not bits & (1 << nd):
                            nd += 1
                    else:  # right turn, straight on, left turn
                        nd = -1
                        for t in (1, 0, 3):
                            c = (d + t) % 4
                            if bits & (1 << c):
                                nd = c
                                break
                    if nd != d:
                        corners[m, 0] = x
                        corners[m, 1] = y
                        m += 1
                    out[y, x] = bits & ~(1 << nd)
                    x += _DX[nd]
                    y += _DY[nd]
                    d = nd
                    if x == x0 and y == y0:
                        break
    starts[loops] = m
    return corners[:m].copy(), starts[: loops + 1].copy()
