"""First centres of a K-means run: weighted k-means++ or random colours."""

from __future__ import annotations

import math

import numpy as np

from kseg.kernels import kmeanspp_steps
from kseg.lloyd import assign, points

__all__ = ["init_centres"]


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
