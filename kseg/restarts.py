"""The restart strategy: many cheap starts on a coarse colour histogram, the
best refined level by level, the winner run exactly on every colour.

Restarts and histogram levels only rank and seed what follows, which goes
on converging: they stop once centres settle; only the final run on the
exact colours uses the caller's ``eps``.
"""

from __future__ import annotations

import numpy as np

from kseg.histogram import Level, levels
from kseg.lloyd import Run, lloyd, sq_norms
from kseg.parallel import on_threads
from kseg.seeding import init_centres

__all__ = [
    "STARTS_PER_ATTEMPT",
    "START_POINTS_PER_CLUSTER",
    "best_of",
    "start_level",
    "starts_per_attempt",
]

#: Starts run on the coarsest level with this many points per cluster: few
#: enough that a start costs little, so that many can be tried.
START_POINTS_PER_CLUSTER = 64
#: Most starts per attempt (see ``starts_per_attempt``).
STARTS_PER_ATTEMPT = 5
#: Centre movement at which runs on a histogram level stop (feature units).
_LEVEL_EPS = 0.2
#: The same for the starts, which only need to be ranked.
_RESTART_EPS = 1.5
#: How many of the best starts are refined on the finer histograms.
_FINALISTS = 4
#: On a level with this many occupied bins, finalists more than
#: ``_KEEP_WITHIN`` worse than its best are dropped (on coarser levels the
#: ranking can still move by more: rocket, k = 32, lost 0.5 % on 11 000).
_CLOSE_LEVEL = 25_000
_KEEP_WITHIN = 0.005
#: A histogram level with this many occupied bins ranks candidates like the
#: exact colours do (see ``best_of``).
_FINE_LEVEL = 50_000


def starts_per_attempt(k: int) -> int:
    """Starts per attempt for ``k`` clusters: one up to k = 7, then one more
    per 4 clusters up to ``STARTS_PER_ATTEMPT`` from k = 20.

    Local optima multiply with k: at k <= 8 the best of 10 starts is the
    best of 30 already, while at k = 16-32 it was up to 2.3 % worse than
    scikit-learn's best of 30 (bench/highk.py, 3 seeds) and the best of 50
    came within 0.51 % (more starts make a bad local optimum rarer, not
    impossible).  A start on the coarse level costs little, so many are
    tried where they pay.
    """
    return max(1, min(STARTS_PER_ATTEMPT, k // 4))


def start_level(
    found: list[Level], k: int, per_cluster: int = START_POINTS_PER_CLUSTER
) -> int | None:
    """Index of the coarsest level with at least ``per_cluster`` points per
    cluster, or None if no level has that many."""
    for i, (pts, _) in enumerate(found):
        if pts.shape[0] >= per_cluster * k:
            return i
    return None


def best_of(
    colors: np.ndarray,
    feats: np.ndarray,
    weights: np.ndarray,
    k: int,
    *,
    attempts: int,
    init: str,
    max_iter: int,
    eps: float,
    seed_seq: np.random.SeedSequence,
    integral: bool = False,
    fixed: np.ndarray | None = None,
) -> Run:
    """Best-of-``attempts`` weighted K-means over the points ``feats``
    (distinct colours in the clustering space) weighted by their pixel counts;
    the returned run is on ``feats`` themselves.  ``integral``: ``feats`` are
    integers (RGB values), so the final run's running sums are exact.
    ``fixed``: (p, 3) centres in the same space that never move (the
    returned run's first p centres).
    """
    w = weights.astype(np.float64)
    seeds = seed_seq.spawn(attempts * starts_per_attempt(k))
    found = levels(colors, feats, w)
    first = start_level(found, k)
    start_pts, start_w = (feats, w) if first is None else found[first]
    rest = [] if first is None else found[first + 1 :]
    restart_eps = max(eps, _RESTART_EPS)
    p = 0 if fixed is None else len(fixed)

    def attempt(s: np.random.SeedSequence) -> Run:
        c0 = init_centres(start_pts, start_w, k, init, np.random.default_rng(s), fixed)
        return lloyd(start_pts, start_w, c0, max_iter, restart_eps, recount=False, fixed=p)

    # (One after another: runs on a few thousand points are too short for
    # threads to beat the GIL; measured slower in two threads.)
    candidates = sorted((attempt(s) for s in seeds), key=lambda r: r.score)
    # The best few distinct starts are refined level by level; the exact
    # objective picks the winner, since the coarse ranking can be off a little.
    finalists = _refined(
        _distinct([r.centres for r in candidates])[:_FINALISTS], rest, max_iter, eps, p
    )
    return min(
        on_threads(
            lambda c: lloyd(feats, w, c, max_iter, eps, recount=not integral, fixed=p), finalists
        ),
        key=lambda r: r.score,
    )


def _refined(
    finalists: list[np.ndarray], rest: list[Level], max_iter: int, eps: float, fixed: int = 0
) -> list[np.ndarray]:
    """The finalists' centres after running on each finer level in turn (in
    parallel threads), best first, near-copies dropped; on a level of
    ``_CLOSE_LEVEL`` points, only those within ``_KEEP_WITHIN`` of its best,
    and of ``_FINE_LEVEL``, only the best."""
    level_eps = max(eps, _LEVEL_EPS)
    for pts, pw in rest:
        refined = sorted(
            on_threads(
                lambda c, pts=pts, pw=pw: lloyd(
                    pts, pw, c, max_iter, level_eps, recount=False, fixed=fixed
                ),
                finalists,
            ),
            key=lambda r: r.score,
        )
        if pts.shape[0] >= _CLOSE_LEVEL:
            # A level this fine ranks nearly as the exact colours do: those
            # clearly behind its best would not win there (score +
            # sum(w |x|^2) is the level's objective, a sum of squares).
            bar = refined[0].score + _KEEP_WITHIN * (refined[0].score + sq_norms(pts, pw))
            refined = [r for r in refined if r.score <= bar]
        finalists = _distinct([r.centres for r in refined])
        if pts.shape[0] >= _FINE_LEVEL:
            # On a fine histogram the exact objective differs from this one by
            # the scatter inside bins, nearly the same for every candidate, so
            # its best is the one worth refining exactly.
            finalists = finalists[:1]
    return finalists


def _distinct(centre_sets: list[np.ndarray], tol: float = 0.5) -> list[np.ndarray]:
    """The centre sets in order, without near-copies of an earlier one (the
    same centres, in any order, within ``tol``)."""
    kept: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    for c in centre_sets:
        key = c[np.lexsort(np.round(c).T[::-1])]
        if not any(np.abs(key - other).max() <= tol for other in keys):
            kept.append(c)
            keys.append(key)
    return kept
