"""Tracing a mask's pixel boundaries into closed loops (compiled, numba).

Every edge between a pixel inside the mask and one outside (or the image's
border) is walked exactly once, with the inside on the right (in image
coordinates, y down: outer boundaries run clockwise on screen, holes
counter-clockwise); where two regions touch only at a corner, the walk
turns so that each loop stays with one region.  Straight runs are merged,
so a loop is its corners.  Filled with the even-odd rule (or non-zero),
the loops cover exactly the mask's pixels.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["exact_path", "poles", "regions", "small_regions", "smooth_path", "trace_loops"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

# Directions: right, down, left, up (clockwise on screen), as bits.

#: How far (pixels) the smooth outline cuts each corner of the staircase:
#: a quarter pixel straightens diagonal staircases and keeps a thin region's
#: area (half a pixel lost 3-5 % of the thin colours of the samples).
CUT = 0.25
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


@_jit
def _put_int(buf: np.ndarray, n: int, v: int) -> int:
    """Write the decimal ``v`` into ``buf`` at ``n``; returns the new end."""
    if v < 0:
        buf[n] = 45  # "-"
        n += 1
        v = -v
    digits = np.empty(20, dtype=np.uint8)
    k = 0
    while True:
        digits[k] = 48 + v % 10
        k += 1
        v //= 10
        if v == 0:
            break
    for i in range(k - 1, -1, -1):
        buf[n] = digits[i]
        n += 1
    return n


@_jit
def exact_path(corners: np.ndarray, starts: np.ndarray) -> np.ndarray:
    """SVG path data of the loops: ``M x y`` then relative ``h``/``v``
    runs, each loop closed with ``z``; ASCII bytes."""
    buf = np.empty(24 * corners.shape[0] + 8, dtype=np.uint8)
    n = 0
    for i in range(starts.shape[0] - 1):
        a, b = starts[i], starts[i + 1]
        buf[n] = 77  # "M"
        n = _put_int(buf, n + 1, corners[a, 0])
        buf[n] = 32
        n = _put_int(buf, n + 1, corners[a, 1])
        for j in range(a + 1, b):
            dx = corners[j, 0] - corners[j - 1, 0]
            if dx != 0:
                buf[n] = 104  # "h"
                n = _put_int(buf, n + 1, dx)
            else:
                buf[n] = 118  # "v"
                n = _put_int(buf, n + 1, corners[j, 1] - corners[j - 1, 1])
        buf[n] = 122  # "z"
        n += 1
    return buf[:n].copy()


@_jit
def _simplify(p: np.ndarray, lo: int, hi: int, tol: float, keep: np.ndarray) -> None:
    """Douglas-Peucker on ``p[lo..hi]`` (both kept): mark in ``keep`` the
    points needed so no dropped point is farther than ``tol`` from the
    chain."""
    stack = [(lo, hi)]
    while stack:
        a, b = stack.pop()
        if b - a < 2:
            continue
        ax, ay = p[a, 0], p[a, 1]
        dx, dy = p[b, 0] - ax, p[b, 1] - ay
        norm = np.sqrt(dx * dx + dy * dy)
        far, at = -1.0, -1
        for i in range(a + 1, b):
            if norm > 0:
                d = abs(dy * (p[i, 0] - ax) - dx * (p[i, 1] - ay)) / norm
            else:
                d = np.sqrt((p[i, 0] - ax) ** 2 + (p[i, 1] - ay) ** 2)
            if d > far:
                far, at = d, i
        if far > tol:
            keep[at] = True
            stack.append((a, at))
            stack.append((at, b))


#: What a number is written after (``_put_number``): a command letter, a
#: number without a dot, a number with one.
_LETTER, _PLAIN, _DOTTED = 0, 1, 2


@_jit
def _put_number(buf: np.ndarray, n: int, v: int, after: int) -> tuple[int, int]:
    """Write ``v`` tenths as a short SVG number (``-12.5``, ``.5``, ``3``);
    a space before it only where it would run into the number ``after``
    (none before ``-``, nor before ``.5`` after a number with a dot).
    Returns the new end and what the next number comes after."""
    a = -v if v < 0 else v
    whole, tenth = a // 10, a % 10
    if v < 0:
        buf[n] = 45  # "-"
        n += 1
    elif after == _PLAIN or (after == _DOTTED and (whole or not tenth)):
        buf[n] = 32
        n += 1
    if whole or not tenth:
        n = _put_int(buf, n, whole)
    if tenth:
        buf[n] = 46  # "."
        buf[n + 1] = 48 + tenth
        n += 2
    return n, _DOTTED if tenth else _PLAIN


@_jit
def _cut_corners(corners: np.ndarray, a: int, b: int) -> np.ndarray:
    """The loop ``corners[a:b]`` with each corner cut by ``CUT``: two points
    per corner, the first repeated at the end (a closed chain)."""
    m = b - a
    cut = np.empty((2 * m + 1, 2), dtype=np.float64)
    for j in range(m):
        x, y = np.float64(corners[a + j, 0]), np.float64(corners[a + j, 1])
        px, py = corners[a + (j - 1) % m, 0], corners[a + (j - 1) % m, 1]
        nx, ny = corners[a + (j + 1) % m, 0], corners[a + (j + 1) % m, 1]
        cut[2 * j, 0] = x + CUT * np.sign(px - x)
        cut[2 * j, 1] = y + CUT * np.sign(py - y)
        cut[2 * j + 1, 0] = x + CUT * np.sign(nx - x)
        cut[2 * j + 1, 1] = y + CUT * np.sign(ny - y)
    cut[2 * m] = cut[0]
    return cut


@_jit
def _kept(chain: np.ndarray, tol: float) -> np.ndarray:
    """Indices of the closed ``chain``'s points kept by Douglas-Peucker
    within ``tol`` (split at the point farthest from the first); every
    point of a chain that would keep fewer than four."""
    last = chain.shape[0] - 1
    keep = np.zeros(last + 1, dtype=np.bool_)
    keep[0] = True
    keep[last] = True
    far, at = -1.0, 0
    for j in range(1, last):
        d = (chain[j, 0] - chain[0, 0]) ** 2 + (chain[j, 1] - chain[0, 1]) ** 2
        if d > far:
            far, at = d, j
    keep[at] = True
    _simplify(chain, 0, at, tol, keep)
    _simplify(chain, at, last, tol, keep)
    idx = np.flatnonzero(keep[:last])
    if idx.shape[0] < 4:
        idx = np.arange(last)
    return idx


@_jit
def _put_curves(buf: np.ndarray, n: int, vx: np.ndarray, vy: np.ndarray) -> int:
    """Write one closed loop of quadratic curves: through the middles of
    the sides of the polygon ``(vx, vy)`` (in tenths of a pixel, all even),
    each vertex the control point of its curve.  Since a middle is halfway
    between two controls, each control is the reflection of the one before:
    the first curve is ``q`` and the rest are ``t`` (their endpoints only),
    relative, exact in tenths."""
    q = vx.shape[0]
    mx = (vx + np.roll(vx, -1)) // 2
    my = (vy + np.roll(vy, -1)) // 2
    buf[n] = 77  # "M"
    n, after = _put_number(buf, n + 1, mx[q - 1], _LETTER)
    n, after = _put_number(buf, n, my[q - 1], after)
    buf[n] = 113  # "q"
    n, after = _put_number(buf, n + 1, vx[0] - mx[q - 1], _LETTER)
    n, after = _put_number(buf, n, vy[0] - my[q - 1], after)
    n, after = _put_number(buf, n, mx[0] - mx[q - 1], after)
    n, after = _put_number(buf, n, my[0] - my[q - 1], after)
    if q > 1:
        buf[n] = 116  # "t"
        n += 1
        after = _LETTER
    for j in range(1, q):
        n, after = _put_number(buf, n, mx[j] - mx[j - 1], after)
        n, after = _put_number(buf, n, my[j] - my[j - 1], after)
    buf[n] = 122  # "z"
    return n + 1


@_jit
def smooth_path(corners: np.ndarray, starts: np.ndarray, tol: float) -> np.ndarray:
    """SVG path data of the loops, smoothed: each loop's corners cut by
    ``CUT`` (staircases become diagonals), simplified within ``tol``
    pixels (Douglas-Peucker), and drawn as quadratic curves through the
    middles of the sides, the kept points (to a fifth of a pixel) their
    controls; ASCII bytes."""
    buf = np.empty(48 * corners.shape[0] + 8, dtype=np.uint8)
    n = 0
    for i in range(starts.shape[0] - 1):
        cut = _cut_corners(corners, starts[i], starts[i + 1])
        idx = _kept(cut, tol)
        # Fifths of a pixel, written as even tenths: the middles are exact.
        vx = 2 * np.round(cut[idx, 0] * 5).astype(np.int64)
        vy = 2 * np.round(cut[idx, 1] * 5).astype(np.int64)
        n = _put_curves(buf, n, vx, vy)
    return buf[:n].copy()


@_jit
def regions(labels: np.ndarray, diagonal: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The connected regions of one label (>= 0) of ``labels`` (8-connected,
    or 4-connected when not ``diagonal``): an (H, W) int32 map of region
    numbers (-1 where the label is < 0), numbered in raster order of their
    first pixel, and each region's pixel count."""
    h, w = labels.shape
    n = h * w
    flat = labels.ravel()
    region = np.full(n, -1, dtype=np.int32)
    stack = np.empty(n, dtype=np.int32)
    sizes = np.zeros(n, dtype=np.int32)
    count = 0
    for start in range(n):
        if region[start] >= 0 or flat[start] < 0:
            continue
        value = flat[start]
        region[start] = count
        stack[0] = start
        top = 1
        size = 0
        while top:
            top -= 1
            p = stack[top]
            size += 1
            y, x = p // w, p % w
            for dy in (-1, 0, 1):
                yy = y + dy
                if yy < 0 or yy >= h:
                    continue
                for dx in (-1, 0, 1):
                    xx = x + dx
                    if xx < 0 or xx >= w or (dx == 0 and dy == 0):
                        continue
                    if not diagonal and dx != 0 and dy != 0:
                        continue
                    q = yy * w + xx
                    if region[q] < 0 and flat[q] == value:
                        region[q] = count
                        stack[top] = q
                        top += 1
        sizes[count] = size
        count += 1
    return region.reshape(h, w), sizes[:count].copy()


@_jit
def small_regions(labels: np.ndarray, min_area: int, diagonal: bool = True) -> np.ndarray:
    """(H, W) bool: the pixels of connected regions of one label (>= 0;
    8-connected, or 4-connected when not ``diagonal``) with fewer than
    ``min_area`` pixels (labels < 0 are never in one)."""
    region, sizes = regions(labels, diagonal)
    h, w = labels.shape
    out = np.zeros((h, w), dtype=np.bool_)
    for y in range(h):
        for x in range(w):
            r = region[y, x]
            out[y, x] = r >= 0 and sizes[r] < min_area
    return out


@_jit
def poles(region: np.ndarray, count: int, dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each region's pixel farthest from its edge (the first in raster order
    of equals): (count, 2) int64 (x, y), and that distance."""
    best = np.full(count, -1.0)
    at = np.zeros((count, 2), dtype=np.int64)
    h, w = region.shape
    for y in range(h):
        for x in range(w):
            r = region[y, x]
            if r >= 0 and dist[y, x] > best[r]:
                best[r] = dist[y, x]
                at[r, 0] = x
                at[r, 1] = y
    return at, best
