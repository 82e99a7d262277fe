"""Smooth curves fitted to traced loops (compiled, numba).

The smooth form cuts each corner of the staircase by ``CUT`` (staircases
become diagonals), keeps the points Douglas-Peucker needs within a
tolerance, and draws a closed quadratic B-spline with those points as its
controls: quadratic curves through the middles of the control polygon's
sides, written as one ``q`` and then ``t`` curves (:func:`smooth_path`,
the paint-by-number sheet's outlines).

Also what :mod:`kseg.shapes.borders` builds its shared, smooth borders from:
Douglas-Peucker (:func:`simplify`, :func:`kept`), the cut staircase
(:func:`cut_corners`), its samples and their places on a closed spline
(:func:`samples`, :func:`shares`, :func:`basis`), the closed spline's
least-squares fit (:func:`fit_closed`: each sample of the staircase paired
with the nearest point of its curve, found by a Newton step a round, and
the controls moved).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = [
    "CUT",
    "HOLD",
    "ROUNDS",
    "STEP",
    "SWEEPS",
    "basis",
    "cut_corners",
    "fit_closed",
    "kept",
    "samples",
    "shares",
    "simplify",
    "smooth_path",
]

from kseg.shapes.pathdata import put_curves

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: How far (pixels) the smooth outline cuts each corner of the staircase:
#: a quarter pixel straightens diagonal staircases and keeps a thin region's
#: area (half a pixel lost 3-5 % of the thin colours of the samples).
CUT = 0.25

#: The fit: staircase samples at most this far apart (pixels), how strongly
#: a control is held where Douglas-Peucker put it, and the rounds of
#: (control sweeps, then each sample's place on its curve).
STEP = 1.0
HOLD = 0.01
ROUNDS = 6
SWEEPS = 3


@_jit
def simplify(p: np.ndarray, lo: int, hi: int, tol: float, keep: np.ndarray) -> None:
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


@_jit
def cut_corners(corners: np.ndarray, a: int, b: int) -> np.ndarray:
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
def kept(chain: np.ndarray, tol: float) -> np.ndarray:
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
    simplify(chain, 0, at, tol, keep)
    simplify(chain, at, last, tol, keep)
    idx = np.flatnonzero(keep[:last])
    if idx.shape[0] < 4:
        idx = np.arange(last)
    return idx


@_jit
def samples(cut: np.ndarray, arc: np.ndarray, step: float) -> tuple[np.ndarray, np.ndarray]:
    """Points along the closed chain ``cut`` (``arc``: the arc length at
    each of its points) at most ``step`` apart: (n, 2) positions and their
    arc positions."""
    n = cut.shape[0] - 1
    count = 0
    for i in range(n):
        count += max(1, int(np.ceil((arc[i + 1] - arc[i]) / step)))
    p = np.empty((count, 2))
    s = np.empty(count)
    c = 0
    for i in range(n):
        parts = max(1, int(np.ceil((arc[i + 1] - arc[i]) / step)))
        for r in range(parts):
            f = r / parts
            p[c, 0] = cut[i, 0] + f * (cut[i + 1, 0] - cut[i, 0])
            p[c, 1] = cut[i, 1] + f * (cut[i + 1, 1] - cut[i, 1])
            s[c] = arc[i] + f * (arc[i + 1] - arc[i])
            c += 1
    return p, s


@_jit
def basis(t: float) -> tuple[float, float, float]:
    """The uniform quadratic B-spline's weights of a curve's three controls."""
    return 0.5 * (1 - t) ** 2, 0.5 + t - t * t, 0.5 * t * t


@_jit
def shares(arc: np.ndarray, idx: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's curve and its place on it (0..1), by the samples' arc
    positions ``s``: curve j's share of the closed chain's arc runs from the
    middle of kept points j - 1, j to the middle of j, j + 1."""
    total = arc[arc.shape[0] - 1]
    m = idx.shape[0]
    bound = np.empty(m + 1)  # curve j's share: bound[j] .. bound[j + 1]
    for j in range(m):
        before = arc[idx[j - 1]] - total if j == 0 else arc[idx[j - 1]]
        bound[j] = 0.5 * (before + arc[idx[j]])
    bound[m] = bound[0] + total
    count = s.shape[0]
    curve = np.empty(count, dtype=np.int64)
    t = np.empty(count)
    j = 0
    for q in range(count):
        x = s[q] - total if s[q] >= bound[m] else s[q]
        if x < bound[1]:
            j = 0
        while j < m - 1 and x >= bound[j + 1]:
            j += 1
        curve[q] = j
        t[q] = min(max((x - bound[j]) / max(bound[j + 1] - bound[j], 1e-12), 0.0), 1.0)
    return curve, t


@_jit
def _nearer(p: np.ndarray, v: np.ndarray, curve: np.ndarray, t: np.ndarray) -> None:
    """Move each sample's place ``t`` on its curve a Newton step nearer the
    curve's point closest to the sample."""
    m = v.shape[0]
    for q in range(t.shape[0]):
        c = curve[q]
        lo, hi = (c - 1) % m, (c + 1) % m
        ax, ay, bx, by = v[lo, 0], v[lo, 1], v[c, 0], v[c, 1]
        cx, cy = v[hi, 0], v[hi, 1]
        u = t[q]
        w0, w1, w2 = basis(u)
        ex = w0 * ax + w1 * bx + w2 * cx - p[q, 0]
        ey = w0 * ay + w1 * by + w2 * cy - p[q, 1]
        dx = (u - 1) * ax + (1 - 2 * u) * bx + u * cx
        dy = (u - 1) * ay + (1 - 2 * u) * by + u * cy
        hess = dx * dx + dy * dy + ex * (ax - 2 * bx + cx) + ey * (ay - 2 * by + cy)
        if hess > 1e-12:
            t[q] = min(max(u - (ex * dx + ey * dy) / hess, 0.0), 1.0)


@_jit
def _solve(
    p: np.ndarray, curve: np.ndarray, t: np.ndarray, held: np.ndarray, v: np.ndarray
) -> None:
    """Move the controls ``v`` towards the least-squares fit of the samples
    at their places (each control held weakly at ``held``): the normal
    equations (cyclic, five bands: a control and two neighbours each side),
    then Gauss-Seidel sweeps."""
    m = v.shape[0]
    near = np.zeros((m, 3))  # near[j]: with j, j + 1, j + 2
    near[:, 0] = HOLD
    rhs = HOLD * held
    for q in range(t.shape[0]):
        c = curve[q]
        lo, hi = (c - 1) % m, (c + 1) % m
        w0, w1, w2 = basis(t[q])
        near[lo, 0] += w0 * w0
        near[lo, 1] += w0 * w1
        near[lo, 2] += w0 * w2
        near[c, 0] += w1 * w1
        near[c, 1] += w1 * w2
        near[hi, 0] += w2 * w2
        for e in range(2):
            rhs[lo, e] += w0 * p[q, e]
            rhs[c, e] += w1 * p[q, e]
            rhs[hi, e] += w2 * p[q, e]
    for _ in range(SWEEPS):
        for j in range(m):
            j1, j2, k1, k2 = (j - 1) % m, (j - 2) % m, (j + 1) % m, (j + 2) % m
            for e in range(2):
                other = (
                    near[j, 1] * v[k1, e]
                    + near[j, 2] * v[k2, e]
                    + near[j1, 1] * v[j1, e]
                    + near[j2, 2] * v[j2, e]
                )
                v[j, e] = (rhs[j, e] - other) / near[j, 0]


@_jit
def fit_closed(cut: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The controls (m, 2) of the closed B-spline whose curves follow the
    closed ``cut`` chain best (least squares), starting from its points
    ``idx``: rounds of placing each sample on its curve (``shares``, then
    ``_nearer``) and moving the controls (``_solve``)."""
    n = cut.shape[0] - 1
    v = np.empty((idx.shape[0], 2))
    for j in range(idx.shape[0]):
        v[j] = cut[idx[j]]
    arc = np.zeros(n + 1)
    for i in range(n):
        arc[i + 1] = arc[i] + np.hypot(cut[i + 1, 0] - cut[i, 0], cut[i + 1, 1] - cut[i, 1])
    if arc[n] <= 0:
        return v
    held = v.copy()
    p, s = samples(cut, arc, STEP)
    curve, t = shares(arc, idx, s)
    for r in range(ROUNDS):
        if r:
            _nearer(p, v, curve, t)
        _solve(p, curve, t, held, v)
    return v


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
        cut = cut_corners(corners, starts[i], starts[i + 1])
        idx = kept(cut, tol)
        v = np.empty((idx.shape[0], 2))
        for j in range(idx.shape[0]):
            v[j] = cut[idx[j]]
        # Fifths of a pixel, written as even tenths: the middles are exact.
        vx = 2 * np.round(v[:, 0] * 5).astype(np.int64)
        vy = 2 * np.round(v[:, 1] * 5).astype(np.int64)
        n = put_curves(buf, n, vx, vy)
    return buf[:n].copy()
