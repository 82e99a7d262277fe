"""Weighted Lloyd iterations that measure only the points that can change
cluster, and the nearest-centre search they are built on.

Points are (n, 3) float32 arrays in the clustering space (distinct colours
or histogram bins), each with a float64 weight (its pixel count).  The
full nearest-centre passes run in equal chunks on kseg's thread pool and
count the clusters' sums as they go.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

import numpy as np

from kseg.parallel import on_chunks

__all__ = ["Run", "assign", "assign2", "lloyd", "score", "sq_norms", "sqdist", "sums"]

#: Slack on distance comparisons, far below the spacing of distinct colours,
#: so float32 rounding can never hide a point that must move.
_BOUND_SLACK = 1e-2
#: How far (in feature units) centres may wander from where every point was
#: last measured before all points are measured again (see ``lloyd``).
_MARGIN = 2.0


@dataclass(frozen=True)
class Run:
    """One weighted K-means run: centres (feature space), score, Lloyd
    iterations, whether the assignment settled, and each point's label.

    ``score`` is the weighted inertia minus sum(w |x|^2), a constant of the
    points: it ranks runs on the same points without that extra pass.
    ``sums`` and ``weights`` are each cluster's weighted coordinate sums and
    total weight for ``labels``."""

    centres: np.ndarray
    score: float
    n_iter: int
    converged: bool
    labels: np.ndarray
    sums: np.ndarray
    weights: np.ndarray


def sqdist(pts: np.ndarray, c: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Squared distances of ``pts`` (n, 3) float32 to one centre, into ``out``."""
    np.subtract(pts[:, 0], np.float32(c[0]), out=out)
    np.square(out, out=out)
    tmp = np.subtract(pts[:, 1], np.float32(c[1]))
    np.square(tmp, out=tmp)
    out += tmp
    np.subtract(pts[:, 2], np.float32(c[2]), out=tmp)
    np.square(tmp, out=tmp)
    out += tmp
    return out


def assign(pts: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre (lowest index on ties) and its squared distance."""
    labels, best, _ = assign2(pts, centres)
    return labels, best


def assign2(pts: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest centre and the squared distances to the nearest and second.

    Large inputs are cut into chunks searched on a small thread pool (numpy
    releases the GIL); each chunk writes only its own slice, so the result
    does not depend on the threads.
    """
    n = pts.shape[0]
    labels = np.zeros(n, dtype=np.intp)
    best = np.empty(n, dtype=np.float32)
    second = np.full(n, np.inf, dtype=np.float32)
    on_chunks(
        lambda lo, hi: _assign2_chunk(
            centres, pts[lo:hi], labels[lo:hi], best[lo:hi], second[lo:hi]
        ),
        n,
    )
    return labels, best, second


def _assign2_chunk(
    centres: np.ndarray, p: np.ndarray, lab: np.ndarray, b1: np.ndarray, b2: np.ndarray
) -> None:
    sqdist(p, centres[0], b1)
    d = np.empty(p.shape[0], dtype=np.float32)
    closer = np.empty(p.shape[0], dtype=bool)
    for j in range(1, centres.shape[0]):
        sqdist(p, centres[j], d)
        np.less(d, b1, out=closer)
        np.minimum(b2, d, out=b2)
        np.copyto(b2, b1, where=closer)
        np.copyto(b1, d, where=closer)
        np.copyto(lab, j, where=closer)


def sums(
    pts: np.ndarray, w: np.ndarray, labels: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted coordinate sums of each cluster and the cluster weights."""
    cw = np.bincount(labels, weights=w, minlength=k)
    total = np.stack(
        [np.bincount(labels, weights=w * pts[:, c], minlength=k) for c in range(3)],
        axis=1,
    )
    return total, cw


def sq_norms(pts: np.ndarray, w: np.ndarray) -> float:
    """sum(w |x|^2) over the points, the constant part of the inertia."""
    p64 = pts.astype(np.float64)
    return float(np.dot(w, np.einsum("ij,ij->i", p64, p64)))


def score(
    sums: np.ndarray, cw: np.ndarray, centres: np.ndarray | None = None, fixed: int = 0
) -> float:
    """Inertia minus sum(w |x|^2) of a partition whose centres are its means:
    -sum_j |S_j|^2 / W_j, with S_j, W_j the clusters' sums and weights; the
    first ``fixed`` clusters have the given ``centres`` c_j instead, which
    add W_j |c_j|^2 - 2 S_j . c_j."""
    occupied = cw > 0
    occupied[:fixed] = False
    free = -float((np.einsum("ij,ij->i", sums[occupied], sums[occupied]) / cw[occupied]).sum())
    if not fixed or centres is None:
        return free
    c, s_, w_ = centres[:fixed], sums[:fixed], cw[:fixed]
    return free + float((w_ * np.einsum("ij,ij->i", c, c) - 2 * np.einsum("ij,ij->i", s_, c)).sum())


def lloyd(
    pts: np.ndarray,
    w: np.ndarray,
    centres: np.ndarray,
    max_iter: int,
    eps: float,
    *,
    recount: bool = True,
    fixed: int = 0,
) -> Run:
    """Weighted Lloyd iterations from ``centres``, measuring only the points
    that can change cluster.  The first ``fixed`` centres never move (pinned
    colours); the others move to their points' means.

    After a full nearest-centre pass at reference centres R, a point whose
    second-nearest centre is farther than its nearest by more than
    2 * ``_MARGIN`` cannot change cluster while no centre is farther than
    ``_MARGIN`` from its place in R (triangle inequality); once one is,
    everything is measured again from a new R.  The other, "active", points
    carry Hamerly bounds (see ``_Bounds``).  Each iteration assigns every
    point exactly as plain Lloyd would, so the result is the same.

    The returned centres are the weighted means of the returned labels.
    ``recount`` recounts the cluster sums at the end, so that the centres
    are the labels' means to the last bit; the running sums are exact for
    integer points and weights, and drift by rounding otherwise, which only
    matters for a reported result.
    """
    k = centres.shape[0]
    centres = centres.astype(np.float64, copy=True)
    labels, bounds, total, cw = _measure_all(pts, w, centres)
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - used after the loop
        if (cw[fixed:] == 0).any():
            centres, labels, total, cw = _reseed_empty(pts, w, centres, total, cw, fixed)
            bounds = None
        new = centres.copy()
        new[fixed:] = total[fixed:] / cw[fixed:, None]
        delta = np.sqrt(((new - centres) ** 2).sum(axis=1))
        centres = new
        if k == 1:
            converged = True
            break
        if bounds is None or bounds.drift(centres) > _MARGIN:
            new_labels, bounds, _, _ = _measure_all(pts, w, centres, with_sums=False)
            idx = np.flatnonzero(new_labels != labels)
            nl = new_labels[idx]
        else:
            idx, nl = bounds.moved(pts, labels, centres, delta)
        if idx.size == 0:
            converged = True
            break
        _move_points(pts, w, labels, idx, nl, total, cw)
        if float(delta.max()) <= eps:
            converged = True
            break
    if recount:
        # Exact means of the final assignment (no drift from the running sums).
        total, cw = sums(pts, w, labels, k)
    occupied = cw > 0
    occupied[:fixed] = False
    centres[occupied] = total[occupied] / cw[occupied, None]
    return Run(centres, score(total, cw, centres, fixed), n_iter, converged, labels, total, cw)


@dataclass
class _Bounds:
    """Where every point was last measured (the reference centres ``ref``),
    and the "active" points near a tie between two centres with their
    bounds, as in Hamerly's algorithm: ``upper`` on the distance to their own
    centre, grown by that centre's move each iteration, and ``lower`` on the
    distance to any other, shrunk by the largest move."""

    ref: np.ndarray
    active: np.ndarray
    upper: np.ndarray
    lower: np.ndarray

    def drift(self, centres: np.ndarray) -> float:
        """How far the farthest centre is from its reference place."""
        return float(np.sqrt(((centres - self.ref) ** 2).sum(axis=1)).max())

    def moved(
        self, pts: np.ndarray, labels: np.ndarray, centres: np.ndarray, delta: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """The points that change cluster after the centres moved by
        ``delta``, and their new clusters; only points whose bounds cross
        are measured (and their bounds made tight again)."""
        self.upper += delta[labels[self.active]]
        self.lower -= delta.max()
        check = np.flatnonzero(self.upper + _BOUND_SLACK >= self.lower)
        near = self.active[check]
        sub_labels, d1, d2 = assign2(pts[near], centres)
        self.upper[check] = np.sqrt(d1)
        self.lower[check] = np.sqrt(d2)
        moved = sub_labels != labels[near]
        return near[moved], sub_labels[moved]


def _move_points(
    pts: np.ndarray,
    w: np.ndarray,
    labels: np.ndarray,
    idx: np.ndarray,
    nl: np.ndarray,
    total: np.ndarray,
    cw: np.ndarray,
) -> None:
    """Points ``idx`` join clusters ``nl``: their weight and sums move
    between clusters (``labels``, ``total`` and ``cw`` change in place)."""
    k = cw.size
    ol, wi = labels[idx], w[idx]
    cw += np.bincount(nl, weights=wi, minlength=k)
    cw -= np.bincount(ol, weights=wi, minlength=k)
    for c in range(3):
        wc = wi * pts[idx, c]
        total[:, c] += np.bincount(nl, weights=wc, minlength=k)
        total[:, c] -= np.bincount(ol, weights=wc, minlength=k)
    labels[idx] = nl


def _measure_all(
    pts: np.ndarray, w: np.ndarray, centres: np.ndarray, *, with_sums: bool = True
) -> tuple[np.ndarray, _Bounds, Any, Any]:
    """Labels of all points; their bounds (the points within 2 * ``_MARGIN``
    of a tie between two centres, with their distances to the nearest and
    second-nearest centre); and (``with_sums``, else None) the clusters'
    weighted sums and weights."""
    k = centres.shape[0]
    n = pts.shape[0]
    labels = np.zeros(n, dtype=np.intp)

    def chunk(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any, Any]:
        d1 = np.empty(hi - lo, dtype=np.float32)
        d2 = np.full(hi - lo, np.inf, dtype=np.float32)
        _assign2_chunk(centres, pts[lo:hi], labels[lo:hi], d1, d2)
        np.sqrt(d1, out=d1)
        np.sqrt(d2, out=d2)
        # float32 distances: off by far less than _BOUND_SLACK
        near = np.flatnonzero(d2 - d1 <= 2 * _MARGIN + _BOUND_SLACK)
        s = cw = None
        if with_sums:
            s, cw = sums(pts[lo:hi], w[lo:hi], labels[lo:hi], k)
        return near + lo, d1[near], d2[near], s, cw

    parts = on_chunks(chunk, n)
    bounds = _Bounds(
        ref=centres.copy(),
        active=np.concatenate([p[0] for p in parts]),
        upper=np.concatenate([p[1] for p in parts]).astype(np.float64),
        lower=np.concatenate([p[2] for p in parts]).astype(np.float64),
    )
    total = cw = None
    if with_sums:  # partial sums added in chunk order: the same on any thread
        total = functools.reduce(np.add, [p[3] for p in parts])
        cw = functools.reduce(np.add, [p[4] for p in parts])
    return labels, bounds, total, cw


def _reseed_empty(
    pts: np.ndarray,
    w: np.ndarray,
    centres: np.ndarray,
    total: np.ndarray,
    cw: np.ndarray,
    fixed: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Move each empty centre (but the first ``fixed``, which stay even when
    empty) onto the costliest point, then reassign all."""
    centres = centres.copy()
    occupied = cw > 0
    occupied[:fixed] = False
    centres[occupied] = total[occupied] / cw[occupied, None]
    kept = occupied.copy()
    kept[:fixed] = True
    _, d1 = assign(pts, centres[kept])
    cost = w * d1
    for j in np.flatnonzero(~kept):
        far = int(np.argmax(cost))
        centres[j] = pts[far]
        cost[far] = -1.0
    labels, _ = assign(pts, centres)
    total, cw = sums(pts, w, labels, centres.shape[0])
    # A point on its own centre keeps it non-empty from here on.
    return centres, labels, total, cw
