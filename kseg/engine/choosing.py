"""Help choosing k: the objective for a range of k, and the elbow of that curve."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np

from kseg.base.validation import check_int, check_mask, check_rgb
from kseg.engine.clustering import MAX_K
from kseg.engine.histogram import Level, features, histogram, levels
from kseg.engine.lloyd import init_centres, lloyd, sq_norms
from kseg.engine.restarts import start_level

#: The curve's starts run on the coarsest level with this many points per
#: cluster (one start per attempt, so a finer level than segment's starts).
_CURVE_POINTS_PER_CLUSTER = 256

__all__ = ["KCurve", "objective_curve"]


@dataclass(frozen=True)
class KCurve:
    """The K-means objective against k, and the suggested k.

    Attributes
    ----------
    ks : tuple of int
        The values of k tried, ascending.
    mse : tuple of float
        Mean squared RGB error per pixel for each k (the objective of a valid
        partition found quickly; a full :func:`kseg.segment` run is as good
        or slightly better).
    suggested : int
        The elbow of the curve.
    reason : str
        How ``suggested`` was chosen, in plain words.
    seconds : float
        Time taken.
    """

    ks: tuple[int, ...]
    mse: tuple[float, ...]
    suggested: int
    reason: str
    seconds: float


def objective_curve(
    rgb: np.ndarray,
    ks: Iterable[int] = range(2, 13),
    *,
    attempts: int = 3,
    seed: int = 0,
    mask: np.ndarray | None = None,
) -> KCurve:
    """Objective (mean squared RGB error) for each k, and the elbow.

    Colours are pooled into 2x2x2 bins once; for each k the best of
    ``attempts`` k-means++ starts on a coarser histogram is refined on those
    bins.  Each reported value is the exact objective of a real partition of
    the pixels (every bin assigned whole), so the curve never flatters.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image.
    ks : iterable of int, optional
        Values of k to try (at least three distinct, each 1 to 255).
    attempts : int, optional
        Starts per k, 1 to 20.
    seed : int, optional
        Seed for the starts.
    mask : (H, W) ndarray of bool, optional
        Pixels to use.

    Returns
    -------
    KCurve

    Raises
    ------
    ValueError
        If ``ks`` has fewer than three distinct values or one outside 1 to 255,
        or ``attempts`` is outside 1 to 20.
    """
    t0 = time.perf_counter()
    rgb = check_rgb(rgb)
    mask = check_mask(mask, rgb.shape[:2])
    k_list = _check_ks(ks)
    attempts = check_int("attempts", attempts, 1, 20)

    colors, weights = histogram(rgb, mask)
    feats = features(colors, "rgb")
    w = weights.astype(np.float64)
    # Starts on a coarse level, the best refined on the finest (7-bit) one.
    found = levels(colors, feats, w, all_levels=True) or [(feats, w)]
    # A run's score + sum(w |x|^2) over the colours is the exact objective of
    # the partition that assigns every bin whole (the scatter inside bins counts).
    constant = sq_norms(feats, w)
    total = float(w.sum())
    seeds = np.random.SeedSequence(seed).spawn(len(k_list))

    mse = [
        max(0.0, (constant + _best_score(found, k, attempts, k_seed)) / total)
        for k, k_seed in zip(k_list, seeds, strict=True)
    ]

    suggested = _elbow(k_list, mse)
    reason = (
        f"k = {suggested} is where the curve bends most: up to it, each extra colour "
        "lowers the error a lot; beyond it, much less. (It is the point farthest "
        f"below the straight line from k = {k_list[0]} to k = {k_list[-1]}.)"
    )
    return KCurve(tuple(k_list), tuple(mse), suggested, reason, time.perf_counter() - t0)


def _check_ks(ks: Iterable[int]) -> list[int]:
    """The distinct values of ``ks``, ascending, if there are three or more
    from 1 to ``MAX_K``."""
    k_list = sorted({int(k) for k in ks})
    if len(k_list) < 3 or k_list[0] < 1 or k_list[-1] > MAX_K:
        msg = f"ks must hold at least three distinct values from 1 to {MAX_K}, got {k_list}"
        raise ValueError(msg)
    return k_list


def _best_score(
    found: list[Level], k: int, attempts: int, seed_seq: np.random.SeedSequence
) -> float:
    """Score (inertia minus sum(w |x|^2)) on the finest level ``found[-1]``
    of the best of ``attempts`` k-means++ starts, run on the coarsest level
    with enough points per cluster and then refined on the finest."""
    fine, fine_w = found[-1]
    k_eff = min(k, fine.shape[0])
    first = start_level(found, k_eff, _CURVE_POINTS_PER_CLUSTER)
    start, start_w = found[-1 if first is None else first]
    runs = []
    for s in seed_seq.spawn(attempts):
        c0 = init_centres(start, start_w, k_eff, "kmeans++", np.random.default_rng(s))
        runs.append(lloyd(start, start_w, c0, 100, 0.0))
    best = min(runs, key=lambda r: r.score)
    if start is not fine:
        best = lloyd(fine, fine_w, best.centres, 100, 0.0)
    return best.score


def _elbow(ks: list[int], values: list[float]) -> int:
    """The k farthest below the chord joining the curve's two ends, both axes
    scaled to 0..1 (the "kneedle" rule for a falling, flattening curve)."""
    x = (np.asarray(ks, float) - ks[0]) / (ks[-1] - ks[0])
    v = np.asarray(values, float)
    span = v[0] - v[-1]
    if span <= 0:
        return ks[0]
    y = (v - v[-1]) / span
    below = 1.0 - x - y  # distance under the chord from (0, 1) to (1, 0), times sqrt 2
    return int(ks[int(np.argmax(below))])
