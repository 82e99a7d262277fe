"""Quadratic splines fitted to a run of a border's staircase (compiled,
numba): an open spline whose two ends stay where they are, its controls
moved so its curves follow the run best in the least-squares sense, and
how far a spline (open, or closed as :func:`kseg.shapes.curves.fit_closed` fits
it) passes from the run it follows.  Used by :mod:`kseg.shapes.chains`.

An open spline with controls ``c[0..q-1]`` is curves 1 .. q - 2: curve i
runs from the middle of controls i - 1, i (or from ``c[0]``) to the middle
of i, i + 1 (or to ``c[q-1]``), with control i.
"""

from __future__ import annotations

import numba
import numpy as np

from kseg.shapes.curves import HOLD, ROUNDS, STEP, SWEEPS, basis, samples, shares

__all__ = ["arc_lengths", "farthest", "farthest_closed", "fit_open"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def arc_lengths(p: np.ndarray) -> np.ndarray:
    """The arc length of the chain ``p`` at each of its points."""
    n = p.shape[0] - 1
    arc = np.zeros(n + 1)
    for j in range(n):
        arc[j + 1] = arc[j] + np.hypot(p[j + 1, 0] - p[j, 0], p[j + 1, 1] - p[j, 1])
    return arc


@_jit
def _weights(i: int, q: int, t: float) -> tuple[float, float, float]:
    """The weights of controls i - 1, i, i + 1 at ``t`` on curve i of an
    open spline with ``q`` controls (curves 1 .. q - 2): each curve runs
    from the middle of its controls' sides, or from the spline's end."""
    u = 1 - t
    first, last = i == 1, i == q - 2
    w0 = u * u if first else 0.5 * u * u
    w2 = t * t if last else 0.5 * t * t
    w1 = 2 * t * u + (0.0 if first else 0.5 * u * u) + (0.0 if last else 0.5 * t * t)
    return w0, w1, w2


@_jit
def _places(arc: np.ndarray, idx: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each sample's curve (1 .. q - 2) and its place on it (0..1), by its
    arc position ``s``: curve i's share of the run runs from the middle of
    points i - 1, i to the middle of i, i + 1 (from the run's ends for the
    first and last curves)."""
    q = idx.shape[0]
    bound = np.empty(q)  # curve i: bound[i - 1] .. bound[i]
    bound[0] = 0.0
    for i in range(1, q - 1):
        bound[i] = 0.5 * (arc[idx[i]] + arc[idx[i + 1]])
    bound[q - 2] = arc[arc.shape[0] - 1]
    curve = np.empty(s.shape[0], dtype=np.int64)
    t = np.empty(s.shape[0])
    i = 1
    for r in range(s.shape[0]):
        while i < q - 2 and s[r] >= bound[i]:
            i += 1
        curve[r] = i
        t[r] = min(max((s[r] - bound[i - 1]) / max(bound[i] - bound[i - 1], 1e-12), 0.0), 1.0)
    return curve, t


@_jit
def _curve_point(
    c: np.ndarray, i: int, t: float
) -> tuple[float, float, float, float, float, float]:
    """Curve i of the open spline ``c`` at ``t``: the point, its first and
    second derivative's x and y halves (for Newton's step)."""
    q = c.shape[0]
    w0, w1, w2 = _weights(i, q, t)
    x = w0 * c[i - 1, 0] + w1 * c[i, 0] + w2 * c[i + 1, 0]
    y = w0 * c[i - 1, 1] + w1 * c[i, 1] + w2 * c[i + 1, 1]
    # The curve as a quadratic Bezier: start, control c[i], end.
    sx = c[0, 0] if i == 1 else 0.5 * (c[i - 1, 0] + c[i, 0])
    sy = c[0, 1] if i == 1 else 0.5 * (c[i - 1, 1] + c[i, 1])
    ex = c[q - 1, 0] if i == q - 2 else 0.5 * (c[i, 0] + c[i + 1, 0])
    ey = c[q - 1, 1] if i == q - 2 else 0.5 * (c[i, 1] + c[i + 1, 1])
    dx = (1 - t) * (c[i, 0] - sx) + t * (ex - c[i, 0])
    dy = (1 - t) * (c[i, 1] - sy) + t * (ey - c[i, 1])
    return x, y, dx, dy, sx - 2 * c[i, 0] + ex, sy - 2 * c[i, 1] + ey


@_jit
def fit_open(cut: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """Controls (q, 2) of the open quadratic spline from ``cut[0]`` to
    ``cut[-1]`` (both kept) whose curves follow the chain ``cut`` best in
    the least-squares sense, starting from its points ``idx``: rounds of
    placing each sample on its curve (Newton steps) and moving the inner
    controls (the normal equations, five bands, Gauss-Seidel sweeps), each
    held weakly where it started."""
    q = idx.shape[0]
    v = np.empty((q, 2))
    for j in range(q):
        v[j] = cut[idx[j]]
    n = cut.shape[0] - 1
    arc = arc_lengths(cut)
    if q < 3 or arc[n] <= 0:
        return v
    p, s = samples(cut, arc, STEP)
    curve, t = _places(arc, idx, s)
    held = v.copy()
    c = v.copy()
    for r in range(ROUNDS):
        if r:
            for k in range(t.shape[0]):
                x, y, dx, dy, ddx, ddy = _curve_point(c, curve[k], t[k])
                ex, ey = x - p[k, 0], y - p[k, 1]
                hess = dx * dx + dy * dy + 0.5 * (ex * ddx + ey * ddy)
                if hess > 1e-12:
                    t[k] = min(max(t[k] - 0.5 * (ex * dx + ey * dy) / hess, 0.0), 1.0)
        near = np.zeros((q, 3))  # near[j]: with j, j + 1, j + 2
        near[:, 0] = HOLD
        rhs = HOLD * held
        for k in range(t.shape[0]):
            i = curve[k]
            w = _weights(i, q, t[k])
            for a in range(3):
                ja = i - 1 + a
                if ja == 0 or ja == q - 1:
                    continue
                target0, target1 = p[k, 0], p[k, 1]
                for b in range(3):
                    jb = i - 1 + b
                    if jb == 0 or jb == q - 1:
                        target0 -= w[b] * c[jb, 0]
                        target1 -= w[b] * c[jb, 1]
                    elif jb >= ja:
                        near[ja, jb - ja] += w[a] * w[b]
                rhs[ja, 0] += w[a] * target0
                rhs[ja, 1] += w[a] * target1
        for _ in range(SWEEPS):
            for j in range(1, q - 1):
                for e in range(2):
                    other = 0.0
                    for o in (-2, -1, 1, 2):
                        k = j + o
                        if 1 <= k <= q - 2:
                            lo = min(j, k)
                            other += near[lo, abs(o)] * c[k, e]
                    c[j, e] = (rhs[j, e] - other) / near[j, 0]
    return c


@_jit
def farthest(cut: np.ndarray, idx: np.ndarray, c: np.ndarray) -> tuple[float, int]:
    """How far (pixels) the spline ``c`` passes from the chain ``cut`` at
    worst (each sample against its own curve), and that curve."""
    arc = arc_lengths(cut)
    p, s = samples(cut, arc, STEP)
    curve, t = _places(arc, idx, s)
    q = c.shape[0]
    worst, at = 0.0, 1
    for k in range(t.shape[0]):
        i = curve[k]
        best = 1e18
        for r in range(9):  # the nearest of nine points of its curve and around
            x, y, _, _, _, _ = _curve_point(c, i, min(max(t[k] + (r - 4) * 0.05, 0.0), 1.0))
            best = min(best, (x - p[k, 0]) ** 2 + (y - p[k, 1]) ** 2)
        if best > worst:
            worst, at = best, i
    return np.sqrt(worst), min(max(at, 1), q - 2)


@_jit
def farthest_closed(cut: np.ndarray, idx: np.ndarray, v: np.ndarray) -> float:
    """How far (pixels) the closed spline with controls ``v`` passes from
    the closed chain ``cut`` at worst (each sample against its own curve)."""
    arc = arc_lengths(cut)
    p, s = samples(cut, arc, STEP)
    curve, t = shares(arc, idx, s)
    m = v.shape[0]
    worst = 0.0
    for k in range(t.shape[0]):
        c = curve[k]
        best = 1e18
        for r in range(9):
            w0, w1, w2 = basis(min(max(t[k] + (r - 4) * 0.05, 0.0), 1.0))
            x = w0 * v[(c - 1) % m, 0] + w1 * v[c, 0] + w2 * v[(c + 1) % m, 0]
            y = w0 * v[(c - 1) % m, 1] + w1 * v[c, 1] + w2 * v[(c + 1) % m, 1]
            best = min(best, (x - p[k, 0]) ** 2 + (y - p[k, 1]) ** 2)
        worst = max(worst, best)
    return np.sqrt(worst)
