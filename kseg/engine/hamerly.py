"""Weighted Lloyd iterations with Hamerly's bounds (compiled, numba), on
the nearest-centre search of :mod:`kseg.engine.kernels` (the same
arithmetic, so a label is its nearest centre's however it was found).
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numba
import numpy as np

from kseg.engine.kernels import assign2_into, centres32, dist2, kmeanspp_steps, nearest2, sums_into

__all__ = ["BOUND_SLACK", "MARGIN", "lloyd_hamerly", "warm_up_lloyd"]

#: Slack on distance comparisons (feature units), far above float32 rounding
#: of the distances (< 1e-4) and far below the spacing of distinct colours:
#: a point whose bounds are within it of a tie is measured exactly.
BOUND_SLACK = 1e-2
#: How far (feature units) centres may wander from where every point was
#: last measured before all points are measured again (see ``lloyd_hamerly``).
MARGIN = 2.0

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


class _Active(NamedTuple):
    """The points near a tie between two centres, copied side by side so
    that an iteration reads them in order: their index, coordinates,
    weight, label, and bounds on the distance to their centre (``upper``)
    and to any other (``lower``)."""

    idx: np.ndarray
    pts: np.ndarray
    w: np.ndarray
    labels: np.ndarray
    upper: np.ndarray
    lower: np.ndarray


@_jit
def _active_buffers(n: int) -> _Active:
    return _Active(
        np.empty(n, dtype=np.intp),
        np.empty((n, 3), dtype=np.float32),
        np.empty(n, dtype=np.float64),
        np.empty(n, dtype=np.intp),
        np.empty(n, dtype=np.float64),
        np.empty(n, dtype=np.float64),
    )


@_jit
def _full_pass(
    pts: np.ndarray,
    w: np.ndarray,
    ct: np.ndarray,
    labels: np.ndarray,
    total: np.ndarray,
    cw: np.ndarray,
    act: _Active,
    move: bool,
) -> tuple[int, int]:
    """Every point's nearest centre among ``ct`` (3, k); with ``move``, a
    point that changes cluster takes its weight and sums along (``total``,
    ``cw``), else the labels are only set.  The points within 2 * ``MARGIN``
    of a tie between two centres are copied into ``act`` with tight bounds.
    Returns the number of active points and of points that moved."""
    buf = np.empty(ct.shape[1], dtype=np.float32)
    m = 0
    changed = 0
    for i in range(pts.shape[0]):
        x, y, z = pts[i, 0], pts[i, 1], pts[i, 2]
        b, b1, b2 = nearest2(x, y, z, ct, buf)
        a = labels[i]
        if move and b != a:
            _move(x, y, z, w[i], a, b, total, cw)
            changed += 1
        labels[i] = b
        d1 = math.sqrt(np.float64(b1))
        d2 = math.sqrt(np.float64(b2))
        if d2 - d1 <= 2 * MARGIN + BOUND_SLACK:
            act.idx[m] = i
            act.pts[m, 0] = x
            act.pts[m, 1] = y
            act.pts[m, 2] = z
            act.w[m] = w[i]
            act.labels[m] = b
            act.upper[m] = d1
            act.lower[m] = d2
            m += 1
    return m, changed


@_jit
def _move(
    x: np.float32,
    y: np.float32,
    z: np.float32,
    wi: float,
    a: int,
    b: int,
    total: np.ndarray,
    cw: np.ndarray,
) -> None:
    """A point (x, y, z) of weight ``wi`` leaves cluster ``a`` for ``b``."""
    cw[a] -= wi
    cw[b] += wi
    vx = wi * np.float64(x)
    vy = wi * np.float64(y)
    vz = wi * np.float64(z)
    total[a, 0] -= vx
    total[b, 0] += vx
    total[a, 1] -= vy
    total[b, 1] += vy
    total[a, 2] -= vz
    total[b, 2] += vz


@_jit
def _reseed_empty(
    pts: np.ndarray,
    w: np.ndarray,
    centres: np.ndarray,
    total: np.ndarray,
    cw: np.ndarray,
    fixed: int,
) -> None:
    """Move each empty centre (but the first ``fixed``, which stay even when
    empty) onto the point costliest under the others (weight times squared
    distance; the first of equals), that point taken out for the next."""
    k = centres.shape[0]
    n = pts.shape[0]
    kept = np.zeros(k, dtype=np.bool_)
    for j in range(k):
        if j < fixed:
            kept[j] = True
        elif cw[j] > 0:
            kept[j] = True
            for c in range(3):
                centres[j, c] = total[j, c] / cw[j]
    ct = centres32(centres[np.flatnonzero(kept)])
    buf = np.empty(ct.shape[1], dtype=np.float32)
    cost = np.empty(n, dtype=np.float64)
    for i in range(n):
        _, b1, _ = nearest2(pts[i, 0], pts[i, 1], pts[i, 2], ct, buf)
        cost[i] = w[i] * np.float64(b1)
    for j in range(k):
        if not kept[j]:
            far = int(np.argmax(cost))
            for c in range(3):
                centres[j, c] = np.float64(pts[far, c])
            cost[far] = -1.0


@_jit
def _half_gaps(c: np.ndarray, s: np.ndarray) -> None:
    """``s[j]``: half the distance from centre j to its nearest other centre."""
    k = c.shape[0]
    s[:] = np.inf
    for a in range(k):
        for b in range(a + 1, k):
            d = 0.0
            for x in range(3):
                t = c[a, x] - c[b, x]
                d += t * t
            d = 0.5 * math.sqrt(d)
            s[a] = min(s[a], d)
            s[b] = min(s[b], d)


@_jit
def _step_centres(
    centres: np.ndarray,
    ref: np.ndarray,
    total: np.ndarray,
    cw: np.ndarray,
    fixed: int,
    delta: np.ndarray,
) -> tuple[float, float, int, float]:
    """Move the free, non-empty centres to their means (in place), each
    one's move into ``delta``; returns the largest and second largest move,
    the centre that made the largest, and how far the farthest centre is
    from its reference place ``ref``."""
    dmax = 0.0
    dsecond = 0.0
    jmax = -1
    drift = 0.0
    for j in range(centres.shape[0]):
        d = 0.0
        r = 0.0
        for x in range(3):
            if j >= fixed and cw[j] > 0:
                mean = total[j, x] / cw[j]
                t = mean - centres[j, x]
                d += t * t
                centres[j, x] = mean
            t = centres[j, x] - ref[j, x]
            r += t * t
        delta[j] = math.sqrt(d)
        drift = max(drift, math.sqrt(r))
        if delta[j] > dmax:
            dsecond = dmax
            dmax = delta[j]
            jmax = j
        elif delta[j] > dsecond:
            dsecond = delta[j]
    return dmax, dsecond, jmax, drift


@_jit
def lloyd_hamerly(
    pts: np.ndarray,
    w: np.ndarray,
    centres: np.ndarray,
    max_iter: int,
    eps: float,
    fixed: int,
    labels: np.ndarray,
    total: np.ndarray,
    cw: np.ndarray,
) -> tuple[int, bool]:
    """Weighted Lloyd iterations from ``centres`` (k, 3) float64, in place.

    Each iteration moves the free centres (all but the first ``fixed``) to
    their points' means and gives every point its nearest centre, exactly as
    plain Lloyd does, measuring only the points that can change cluster:

    - after a pass over all points at reference centres R, a point whose
      second-nearest centre is farther than its nearest by more than
      2 * ``MARGIN`` keeps its cluster while no centre is farther than
      ``MARGIN`` from its place in R (triangle inequality); once one is, all
      points are measured again from a new R;
    - the other, "active", points carry Hamerly's bounds: an upper bound on
      the distance to their centre (grown by its move), a lower bound on the
      distance to any other (shrunk by the largest move), and half the gap
      from their centre to its nearest other; a point is measured when they
      leave doubt by more than ``BOUND_SLACK``.

    The cluster sums move with the points.  An empty free centre is moved
    onto the costliest point first.  Stops when no point changes cluster, or
    no centre moved more than ``eps``, or after ``max_iter`` iterations.

    On return ``labels`` (n,), ``total`` (k, 3) and ``cw`` (k,) hold the
    assignment and its running sums, and ``centres`` the centres the labels
    were measured against; returns (iterations, converged).
    """
    n = pts.shape[0]
    k = centres.shape[0]
    act = _active_buffers(n)
    ref = centres.copy()
    m, _ = _full_pass(pts, w, centres32(ref), labels, total, cw, act, False)
    sums_into(pts, w, labels, total, cw)
    delta = np.zeros(k, dtype=np.float64)
    s = np.empty(k, dtype=np.float64)
    converged = False
    n_iter = 0
    for it in range(1, max_iter + 1):
        n_iter = it
        empty = False
        for j in range(fixed, k):
            if cw[j] == 0:
                empty = True
        if empty:
            _write_back(act, m, labels)
            _reseed_empty(pts, w, centres, total, cw, fixed)
            ref[:] = centres
            m, _ = _full_pass(pts, w, centres32(ref), labels, total, cw, act, False)
            sums_into(pts, w, labels, total, cw)
        dmax, dsecond, jmax, drift = _step_centres(centres, ref, total, cw, fixed, delta)
        if k == 1:
            converged = True
            break
        ct = centres32(centres)
        if drift > MARGIN:
            _write_back(act, m, labels)
            ref[:] = centres
            m, changed = _full_pass(pts, w, ct, labels, total, cw, act, True)
        else:
            _half_gaps(centres, s)
            changed = _hamerly_pass(ct, delta, dmax, dsecond, jmax, s, total, cw, act, m)
        if changed == 0 or dmax <= eps:
            converged = True
            break
    _write_back(act, m, labels)
    return n_iter, converged


@_jit
def _write_back(act: _Active, m: int, labels: np.ndarray) -> None:
    """The active points' labels into ``labels``."""
    for q in range(m):
        labels[act.idx[q]] = act.labels[q]


@_jit
def _hamerly_pass(
    ct: np.ndarray,
    delta: np.ndarray,
    dmax: float,
    dsecond: float,
    jmax: int,
    s: np.ndarray,
    total: np.ndarray,
    cw: np.ndarray,
    act: _Active,
    m: int,
) -> int:
    """One assignment of the first ``m`` active points after the centres
    (``ct``, (3, k) float32) moved by ``delta`` (the largest ``dmax``, by
    centre ``jmax``; the second largest ``dsecond``): bounds updated, points
    measured where they leave doubt, moved points' sums carried.  Returns
    how many moved."""
    buf = np.empty(ct.shape[1], dtype=np.float32)
    upper, lower, labels, apts = act.upper, act.lower, act.labels, act.pts
    changed = 0
    for q in range(m):
        a = labels[q]
        u = upper[q] + delta[a]
        lo = lower[q] - (dsecond if a == jmax else dmax)
        lower[q] = lo
        bar = max(s[a], lo)
        if u + BOUND_SLACK < bar:
            upper[q] = u
            continue
        x, y, z = apts[q, 0], apts[q, 1], apts[q, 2]
        u = math.sqrt(np.float64(dist2(x, y, z, ct, a)))
        upper[q] = u
        if u + BOUND_SLACK < bar:
            continue
        b, b1, b2 = nearest2(x, y, z, ct, buf)
        upper[q] = math.sqrt(np.float64(b1))
        lower[q] = math.sqrt(np.float64(b2))
        if b != a:
            _move(x, y, z, act.w[q], a, b, total, cw)
            labels[q] = b
            changed += 1
    return changed


def warm_up_lloyd() -> None:
    """Compile (or load from the on-disk cache) these kernels for the array
    types the engine passes."""
    rng = np.random.default_rng(0)
    pts = np.ascontiguousarray(rng.uniform(0, 255, (64, 3)).astype(np.float32))
    w = rng.integers(1, 9, 64).astype(np.float64)
    labels = np.zeros(64, dtype=np.intp)
    d1 = np.empty(64, dtype=np.float32)
    d2 = np.empty(64, dtype=np.float32)
    centres = pts[:4].astype(np.float64)
    assign2_into(pts, centres, labels, d1, d2)
    total = np.empty((4, 3))
    cw = np.empty(4)
    sums_into(pts, w, labels, total, cw)
    lloyd_hamerly(pts, w, centres, 10, 0.0, 1, labels, total, cw)
    closest = d1.astype(np.float64)
    kmeanspp_steps(pts, w, closest, rng.random((3, 3)), np.empty(3, dtype=np.intp))
