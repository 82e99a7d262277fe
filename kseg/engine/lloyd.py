"""Weighted Lloyd runs and the nearest-centre search they are built on,
over the compiled kernels of :mod:`kseg.engine.kernels`.

Points are (n, 3) float32 arrays in the clustering space (distinct colours
or histogram bins), each with a float64 weight (its pixel count).  A large
nearest-centre search runs in equal chunks on kseg's thread pool (the
kernels release the GIL), each chunk writing only its own slice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from kseg.base.parallel import on_chunks
from kseg.engine.hamerly import lloyd_hamerly
from kseg.engine.kernels import assign2_into, kmeanspp_steps, sums_into

__all__ = [
    "Run",
    "assign",
    "assign2",
    "init_centres",
    "lloyd",
    "points",
    "score",
    "sq_norms",
    "sums",
]


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


def points(pts: np.ndarray) -> np.ndarray:
    """``pts`` as the kernels read them: (n, 3) float32, row by row."""
    return np.ascontiguousarray(pts, dtype=np.float32)


def assign(pts: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre (lowest index on ties) and its squared distance."""
    labels, best, _ = assign2(pts, centres)
    return labels, best


def assign2(pts: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest centre (lowest index on ties) and the float32 squared
    distances to the nearest and the second nearest (inf for one centre).

    Large inputs are cut into chunks searched on the thread pool; each
    chunk writes only its own slice, so the result does not depend on the
    threads.
    """
    pts = points(pts)
    c = np.ascontiguousarray(centres, dtype=np.float64)
    n = pts.shape[0]
    labels = np.zeros(n, dtype=np.intp)
    best = np.empty(n, dtype=np.float32)
    second = np.empty(n, dtype=np.float32)
    on_chunks(
        lambda lo, hi: assign2_into(pts[lo:hi], c, labels[lo:hi], best[lo:hi], second[lo:hi]),
        n,
    )
    return labels, best, second


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
    """Weighted Lloyd iterations from ``centres``.  The first ``fixed``
    centres never move (pinned colours); the others move to their points'
    means.

    Every iteration assigns every point exactly as plain Lloyd would (the
    compiled kernel measures only the points its bounds leave in doubt, see
    :func:`kseg.engine.kernels.lloyd_hamerly`), so the result is the same.

    The returned centres are the weighted means of the returned labels.
    ``recount`` recounts the cluster sums at the end, so that the centres
    are the labels' means to the last bit; the running sums are exact for
    integer points and weights, and drift by rounding otherwise, which only
    matters for a reported result.
    """
    pts = points(pts)
    w = np.ascontiguousarray(w, dtype=np.float64)
    k = centres.shape[0]
    centres = np.array(centres, dtype=np.float64, order="C")
    labels = np.empty(pts.shape[0], dtype=np.intp)
    total = np.empty((k, 3), dtype=np.float64)
    cw = np.empty(k, dtype=np.float64)
    n_iter, converged = lloyd_hamerly(pts, w, centres, max_iter, eps, fixed, labels, total, cw)
    if recount:
        # Exact means of the final assignment (no drift from the running sums).
        sums_into(pts, w, labels, total, cw)
    occupied = cw > 0
    occupied[:fixed] = False
    centres[occupied] = total[occupied] / cw[occupied, None]
    return Run(centres, score(total, cw, centres, fixed), n_iter, converged, labels, total, cw)


# First centres of a run: weighted k-means++ or random colours.


def init_centres(
    pts: np.ndarray,
    w: np.ndarray,
    k: int,
    init: str,
    rng: np.random.Generator,
    fixed: np.ndarray | None = None,
) -> np.ndarray:
    """``k`` starting centres among the points ``pts`` weighted by ``w``.

    ``init="random"`` draws ``k`` distinct points with probability in
    proportion to their weight; ``"kmeans++"`` is greedy weighted k-means++
    (as in scikit-learn: several candidates per step, keeping the one that
    lowers the potential most).  Every draw comes from ``rng``.  ``fixed``
    (p, 3) centres come first, as they are; the other k - p are drawn (with
    k-means++, away from the fixed ones too).
    """
    pts = points(pts)
    w = np.ascontiguousarray(w, dtype=np.float64)
    n = pts.shape[0]
    p = 0 if fixed is None else len(fixed)
    more = min(k - p, n)
    if more <= 0:
        return np.asarray(fixed, dtype=np.float64).copy()
    if init == "random":
        idx = rng.choice(n, size=more, replace=False, p=w / w.sum())
        drawn = pts[idx].astype(np.float64)
        return drawn if not p else np.vstack([np.asarray(fixed, np.float64), drawn])
    chosen: list[int] = []
    if p:
        closest = assign(pts, np.asarray(fixed, dtype=np.float64))[1].astype(np.float64)
    else:
        chosen.append(int(rng.choice(n, p=w / w.sum())))
        closest = assign(pts, pts[chosen[0]][None])[1].astype(np.float64)
    steps = more - len(chosen)
    picked = np.empty(steps, dtype=np.intp)
    done = kmeanspp_steps(pts, w, closest, rng.random((steps, 2 + int(math.log(k)))), picked)
    chosen.extend(picked[:done].tolist())
    while len(chosen) < more:
        # Every point coincides with a chosen centre: pick unused ones.
        chosen.append(int(rng.choice(np.setdiff1d(np.arange(n), chosen))))
    drawn = pts[np.asarray(chosen)].astype(np.float64)
    return drawn if not p else np.vstack([np.asarray(fixed, np.float64), drawn])
