"""First centres of a K-means run: weighted k-means++ or random colours."""

from __future__ import annotations

import math

import numpy as np

from kseg.lloyd import sqdist

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
    if fixed is not None and len(fixed):
        return _after_fixed(pts, w, k, init, rng, np.asarray(fixed, dtype=np.float64))
    n = pts.shape[0]
    p = w / w.sum()
    if init == "random" or k == 1:
        idx = (
            rng.choice(n, size=k, replace=False, p=p)
            if init == "random"
            else [int(rng.choice(n, p=p))]
        )
        return pts[np.asarray(idx)].astype(np.float64)
    trials = 2 + int(math.log(k))
    chosen = [int(rng.choice(n, p=p))]
    closest = sqdist(pts, pts[chosen[0]], np.empty(n, dtype=np.float32)).astype(np.float64)
    buf = np.empty(n, dtype=np.float32)
    for _ in range(1, k):
        pot = w * closest
        cum = np.cumsum(pot)
        total = cum[-1]
        if total <= 0:
            # Every point coincides with a chosen centre: pick unused ones.
            unused = np.setdiff1d(np.arange(n), chosen)
            chosen.append(int(rng.choice(unused)))
            continue
        draws = rng.random(trials) * total
        cand = np.minimum(np.searchsorted(cum, draws, side="right"), n - 1)
        best_pot = math.inf
        best_c = -1
        best_closest = closest
        for c in cand:
            d = np.minimum(closest, sqdist(pts, pts[c], buf))
            cp = float(np.dot(w, d))
            if cp < best_pot:
                best_pot, best_c, best_closest = cp, int(c), d
        chosen.append(best_c)
        closest = best_closest
    return pts[np.asarray(chosen)].astype(np.float64)


def _after_fixed(
    pts: np.ndarray, w: np.ndarray, k: int, init: str, rng: np.random.Generator, fixed: np.ndarray
) -> np.ndarray:
    """The fixed centres, then k - p more drawn from the points."""
    n, p = pts.shape[0], fixed.shape[0]
    more = min(k - p, n)
    if more <= 0:
        return fixed.copy()
    if init == "random":
        idx = rng.choice(n, size=more, replace=False, p=w / w.sum())
        return np.vstack([fixed, pts[idx].astype(np.float64)])
    buf = np.empty(n, dtype=np.float32)
    closest = np.full(n, np.inf)
    for c in fixed:
        closest = np.minimum(closest, sqdist(pts, c, buf))
    trials = 2 + int(math.log(k))
    chosen: list[int] = []
    for _ in range(more):
        cum = np.cumsum(w * closest)
        if cum[-1] <= 0:
            unused = np.setdiff1d(np.arange(n), chosen)
            chosen.append(int(rng.choice(unused)))
            continue
        cand = np.minimum(np.searchsorted(cum, rng.random(trials) * cum[-1], side="right"), n - 1)
        best = min(
            ((float(np.dot(w, d)), int(c), d) for c in cand
             for d in [np.minimum(closest, sqdist(pts, pts[c], buf))]),
            key=lambda t: t[0],
        )  # fmt: skip
        chosen.append(best[1])
        closest = best[2]
    return np.vstack([fixed, pts[np.asarray(chosen)].astype(np.float64)])
