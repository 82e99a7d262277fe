"""Smoothing a chain of pixel corners (compiled, numba): its corners kept
sharp, and quadratic splines fitted to the runs between them.

A chain is a border's staircase: its ends and the pixel corners where it
turns.  Its *corners* are the turning points where the outline
``CORNER_ARM`` pixels either side turns by at least ``CORNER_ANGLE`` (the
sharpest of those close together).  Each run between two corners (or the
chain's ends) is cut by :data:`kseg.shapes.curves.CUT` at its staircase's corners,
simplified within a tolerance (Douglas-Peucker), and drawn as an open
quadratic spline whose controls are fitted to it by least squares (its
ends fixed); where the spline passes farther than ``BAND`` from the run it
is split at its worst point and each part fitted on its own (a part of two
points is a line).  A closed chain without a corner is one closed spline
(:func:`kseg.shapes.curves.fit_closed`).  Used by :mod:`kseg.shapes.borders`.
"""

from __future__ import annotations

import numba
import numpy as np

from kseg.shapes.curves import CUT, cut_corners, fit_closed, kept, simplify
from kseg.shapes.splines import arc_lengths, farthest, farthest_closed, fit_open

__all__ = ["BAND", "CORNER_ANGLE", "CORNER_ARM", "LINE", "QUAD", "smooth_chains"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: Corners: where the outline this many pixels before and after a point...
CORNER_ARM = 6.0
#: ...turns by at least this many degrees (the sharpest such point).
CORNER_ANGLE = 55.0
#: How far (pixels) a fitted spline may pass from the staircase (its
#: corners cut) it follows, or the run is split and fitted in parts.
BAND = 1.0
#: Piece kinds: a line, a quadratic curve.
LINE, QUAD = 0, 1


@_jit
def _point_at(p: np.ndarray, arc: np.ndarray, at: float, closed: bool) -> tuple[float, float]:
    """The point of the chain ``p`` at arc length ``at`` (round the loop if
    ``closed``, else clamped to its ends)."""
    total = arc[arc.shape[0] - 1]
    at = at % total if closed else min(max(at, 0.0), total)
    j = min(max(np.searchsorted(arc, at, side="right") - 1, 0), arc.shape[0] - 2)
    f = (at - arc[j]) / max(arc[j + 1] - arc[j], 1e-12)
    return p[j, 0] + f * (p[j + 1, 0] - p[j, 0]), p[j, 1] + f * (p[j + 1, 1] - p[j, 1])


@_jit
def _corner_marks(p: np.ndarray, closed: bool) -> np.ndarray:
    """Which points of the chain ``p`` (float, (n, 2), its turning points)
    are corners to keep sharp: where the outline ``CORNER_ARM`` pixels
    before and after turns by at least ``CORNER_ANGLE`` degrees, the
    sharpest such point within half an arm; an open chain's two ends too."""
    last = p.shape[0] - 1
    corner = np.zeros(last + 1, dtype=np.bool_)
    if not closed:
        corner[0] = True
        corner[last] = True
    arc = arc_lengths(p)
    if arc[last] <= 4 * CORNER_ARM * (1 if closed else 0) or last < 2:
        return corner  # a loop too small to have corners of its own
    turn = np.zeros(last + 1)
    cos_min = np.cos(np.deg2rad(CORNER_ANGLE))
    for j in range(0 if closed else 1, last):
        ax, ay = _point_at(p, arc, arc[j] - CORNER_ARM, closed)
        bx, by = _point_at(p, arc, arc[j] + CORNER_ARM, closed)
        ux, uy = p[j, 0] - ax, p[j, 1] - ay
        vx, vy = bx - p[j, 0], by - p[j, 1]
        lu, lv = np.hypot(ux, uy), np.hypot(vx, vy)
        if lu < CORNER_ARM / 2 or lv < CORNER_ARM / 2:
            continue
        cos_t = (ux * vx + uy * vy) / (lu * lv)
        if cos_t <= cos_min:
            turn[j] = 1 - cos_t
    total = arc[last]
    for j in range(0 if closed else 1, last):
        if turn[j] == 0:
            continue
        best = True
        for step in (-1, 1):  # the sharpest within half an arm either way
            k = j
            while best:
                k += step
                if closed:
                    k %= last
                elif k <= 0 or k >= last:
                    break
                gap = abs(arc[k] - arc[j])
                if closed:
                    gap = min(gap, total - gap)
                if k == j or gap > CORNER_ARM / 2:
                    break
                if turn[k] > turn[j] or (turn[k] == turn[j] and k < j):
                    best = False
        corner[j] = best
    return corner


@_jit
def _cut_run(p: np.ndarray, a: int, b: int) -> np.ndarray:
    """The open run ``p[a..b]`` with its inner corners cut by ``CUT`` (two
    points each), its ends kept."""
    m = b - a
    cut = np.empty((2 * m, 2))
    cut[0] = p[a]
    c = 1
    for j in range(a + 1, b):
        for e in range(2):
            cut[c, e] = p[j, e] + CUT * np.sign(p[j - 1, e] - p[j, e])
            cut[c + 1, e] = p[j, e] + CUT * np.sign(p[j + 1, e] - p[j, e])
        c += 2
    cut[c] = p[b]
    return cut[: c + 1]


@_jit
def _fifths(v: float) -> int:
    """``v`` pixels in tenths, rounded to an even number (fifths), so the
    middle of two such points is exact in tenths."""
    return 2 * np.int64(np.round(v * 5))


@_jit
def _add_run(cut: np.ndarray, tol: float, kind: np.ndarray, pts: np.ndarray, n: int) -> int:
    """Pieces of the open run ``cut`` (its first point already written)
    into ``kind``/``pts`` from piece ``n``; returns the new count.  The run
    is simplified within ``tol`` and drawn as a spline fitted to it; where
    the spline passes farther than ``BAND`` from the run, it is split at
    the worst curve's point and each part fitted on its own (a part of two
    points is a line)."""
    last = cut.shape[0] - 1
    keep = np.zeros(last + 1, dtype=np.bool_)
    keep[0] = True
    keep[last] = True
    simplify(cut, 0, last, tol, keep)
    idx = np.flatnonzero(keep)
    q = idx.shape[0]
    split = np.zeros(q, dtype=np.bool_)
    split[0] = True
    split[q - 1] = True
    c = cut[idx].copy()
    again = True
    while again:
        again = False
        at = np.flatnonzero(split)
        for r in range(at.shape[0] - 1):
            a, b = at[r], at[r + 1]
            if b - a > 1:
                part = cut[idx[a] : idx[b] + 1]
                local = idx[a : b + 1] - idx[a]
                fitted = fit_open(part, local)
                worst, i = farthest(part, local, fitted)
                if worst > BAND:
                    split[a + i] = True
                    again = True
                else:
                    c[a : b + 1] = fitted
    cx = np.empty(q, dtype=np.int64)
    cy = np.empty(q, dtype=np.int64)
    for i in range(q):
        cx[i], cy[i] = _fifths(c[i, 0]), _fifths(c[i, 1])
    for i in range(1, q):
        if split[i - 1] and split[i]:
            kind[n] = LINE
            pts[n, 2], pts[n, 3] = cx[i], cy[i]
            n += 1
            continue
        if split[i]:
            continue  # the end of the curve before
        kind[n] = QUAD
        pts[n, 0], pts[n, 1] = cx[i], cy[i]
        if split[i + 1]:
            pts[n, 2], pts[n, 3] = cx[i + 1], cy[i + 1]
        else:
            pts[n, 2], pts[n, 3] = (cx[i] + cx[i + 1]) // 2, (cy[i] + cy[i + 1]) // 2
        n += 1
    return n


@_jit
def _add_loop(
    corners: np.ndarray, a: int, b: int, tol: float, kind: np.ndarray, pts: np.ndarray, n: int
) -> tuple[int, int, int]:
    """The closed chain ``corners[a:b]`` (no corner of its own) as one
    closed spline fitted to it (:func:`kseg.shapes.curves.fit_closed`): its pieces from
    ``n``; returns the new count and the start (tenths), or ``n`` unchanged
    where the spline passes farther than ``BAND`` from the chain."""
    cut = cut_corners(corners, a, b)
    idx = kept(cut, tol)
    c = fit_closed(cut, idx)
    if farthest_closed(cut, idx, c) > BAND:
        return n, 0, 0
    q = c.shape[0]
    cx = np.empty(q, dtype=np.int64)
    cy = np.empty(q, dtype=np.int64)
    for j in range(q):
        cx[j], cy[j] = _fifths(c[j, 0]), _fifths(c[j, 1])
    for j in range(q):
        kind[n] = QUAD
        pts[n, 0], pts[n, 1] = cx[j], cy[j]
        k = (j + 1) % q
        pts[n, 2], pts[n, 3] = (cx[j] + cx[k]) // 2, (cy[j] + cy[k]) // 2
        n += 1
    return n, (cx[q - 1] + cx[0]) // 2, (cy[q - 1] + cy[0]) // 2


@_jit
def smooth_chains(
    corners: np.ndarray, starts: np.ndarray, on_frame: np.ndarray, closed: np.ndarray, tol: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each chain (``corners[starts[i]:starts[i + 1]]``, closed where
    ``closed``) as pieces: a start point and lines or quadratic curves; a
    chain ``on_frame`` is kept exact.

    Returns ``first`` (chains, 2) int32 (each chain's start, tenths of a
    pixel), ``pieces`` (chains + 1,) int64 (chain i's pieces are
    ``kind[pieces[i]:pieces[i + 1]]``), ``kind`` (0 a line, 1 a quadratic
    curve) and ``pts`` (n, 4) int32 (each piece's control and end, tenths).
    """
    chains = starts.shape[0] - 1
    total = 2 * corners.shape[0] + 4 * chains
    kind = np.empty(total, dtype=np.uint8)
    pts = np.zeros((total, 4), dtype=np.int32)  # tenths of a pixel
    first = np.empty((chains, 2), dtype=np.int32)
    pieces = np.empty(chains + 1, dtype=np.int64)
    n = 0
    for i in range(chains):
        pieces[i] = n
        p = corners[starts[i] : starts[i + 1]].astype(np.float64)
        last = p.shape[0] - 1
        first[i, 0], first[i, 1] = 10 * corners[starts[i], 0], 10 * corners[starts[i], 1]
        if on_frame[i]:  # on the frame, exact
            for j in range(1, last + 1):
                kind[n] = LINE
                pts[n, 2], pts[n, 3] = 10 * p[j, 0], 10 * p[j, 1]
                n += 1
            continue
        at = np.flatnonzero(_corner_marks(p, closed[i]))
        if at.shape[0] == 0:  # a closed chain without a corner: a closed spline
            done, x, y = _add_loop(corners, starts[i], starts[i + 1] - 1, tol, kind, pts, n)
            if done > n:
                n = done
                first[i, 0], first[i, 1] = x, y
                continue
            far = np.argmax((p[:, 0] - p[0, 0]) ** 2 + (p[:, 1] - p[0, 1]) ** 2)
            at = np.array([0, far])  # a spline that strays: two runs instead
        if closed[i]:  # start at a corner: the chain runs round to it again
            s = at[0]
            p = np.concatenate((p[s:last], p[: s + 1]))
            at = np.concatenate((at - s, np.array([last])))
            first[i, 0], first[i, 1] = 10 * np.int64(p[0, 0]), 10 * np.int64(p[0, 1])
        for r in range(at.shape[0] - 1):
            n = _add_run(_cut_run(p, at[r], at[r + 1]), tol, kind, pts, n)
    pieces[chains] = n
    return first, pieces, kind[:n].copy(), pts[:n].copy()
