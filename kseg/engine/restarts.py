"""The restart strategy: many cheap starts on a coarse colour histogram, the
best refined level by level (and, on a small photo, improved by swaps), the
winner run exactly on every colour.

Restarts and histogram levels only rank and seed what follows, which goes
on converging: they stop once centres settle; only the final run on the
exact colours uses the caller's ``eps``.
"""

from __future__ import annotations

import numpy as np

from kseg.base.parallel import on_threads
from kseg.engine.histogram import Level, levels
from kseg.engine.lloyd import Run, assign2, init_centres, lloyd, sq_norms

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
#: Swaps (see ``_swapped``) run on the finest level, or on the colours if
#: there is no level, when it has at most this many points (a small photo,
#: where they cost 0.1-0.45 s at k = 16-32), ``_SWAP_TRIES`` of them.
_SWAP_LEVEL = 50_000
_SWAP_TRIES = 10
#: ... from this k on (below it they found nothing better on the samples and
#: cost up to 0.1 s: coffee at k = 5 0.04 -> 0.12 s).
_SWAP_FROM_K = 12
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
    *seeds, swap_seed = seed_seq.spawn(attempts * starts_per_attempt(k) + 1)
    found = levels(colors, feats, w)
    first = start_level(found, k)
    start_pts, start_w = (feats, w) if first is None else found[first]
    rest = [] if first is None else found[first + 1 :]
    restart_eps = max(eps, _RESTART_EPS)
    p = 0 if fixed is None else len(fixed)

    def attempt(s: np.random.SeedSequence) -> Run:
        c0 = init_centres(start_pts, start_w, k, init, np.random.default_rng(s), fixed)
        return lloyd(start_pts, start_w, c0, max_iter, restart_eps, recount=False, fixed=p)

    # On threads (the compiled runs release the GIL), listed in seed order:
    # the ranking is the same on any number of threads.
    candidates = sorted(on_threads(attempt, seeds), key=lambda r: r.score)
    # The best few distinct starts are refined level by level; the exact
    # objective picks the winner, since the coarse ranking can be off a little.
    finalists = _refined(
        _distinct([r.centres for r in candidates])[:_FINALISTS], rest, max_iter, eps, p
    )
    # On a small photo, a local search from the best before the exact run.
    swap_pts, swap_w = rest[-1] if rest else (start_pts, start_w)
    if swap_pts.shape[0] <= _SWAP_LEVEL and k >= _SWAP_FROM_K and k - p >= 1:
        rng = np.random.default_rng(swap_seed)
        level_eps = max(eps, _LEVEL_EPS)
        best = lloyd(swap_pts, swap_w, finalists[0], max_iter, level_eps, recount=False, fixed=p)
        swapped = _swapped(swap_pts, swap_w, best, rng, max_iter, level_eps, p)
        if swapped is not best:
            finalists = [swapped.centres, *finalists]
    return min(
        on_threads(
            lambda c: lloyd(feats, w, c, max_iter, eps, recount=not integral, fixed=p), finalists
        ),
        key=lambda r: r.score,
    )


def _swapped(
    pts: np.ndarray,
    w: np.ndarray,
    run: Run,
    rng: np.random.Generator,
    max_iter: int,
    eps: float,
    fixed: int = 0,
) -> Run:
    """``run`` improved by swaps, or ``run`` itself if none helped.

    A swap moves the centre that is cheapest to lose (its points' summed
    extra cost on going to their second-nearest centre; in turn the
    cheapest, second and third cheapest, never a pinned one) onto a point
    drawn in proportion to its cost (weight times squared distance to its
    centre, the k-means++ rule), runs Lloyd from there and keeps the result
    if its objective is lower; ``_SWAP_TRIES`` swaps.  It gets a run out of
    a local optimum that another start would only find by luck (coffee at
    k = 16: worst of six seeds 1.05 % above scikit-learn's best of 30
    without, 0.08 % with).
    """
    best = run
    k = run.centres.shape[0]
    for t in range(_SWAP_TRIES):
        labels, d1, d2 = assign2(pts, best.centres)
        loss = np.bincount(labels, weights=w * (d2.astype(np.float64) - d1), minlength=k)
        loss[:fixed] = np.inf
        j = int(np.argsort(loss, kind="stable")[t % min(3, k - fixed)])
        cost = w * d1
        cost[labels == j] = 0.0
        cum = np.cumsum(cost)
        if cum[-1] <= 0:
            break
        i = min(int(np.searchsorted(cum, rng.random() * cum[-1], side="right")), len(pts) - 1)
        centres = best.centres.copy()
        centres[j] = pts[i]
        tried = lloyd(pts, w, centres, max_iter, eps, recount=False, fixed=fixed)
        if tried.score < best.score:
            best = tried
    return best


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
