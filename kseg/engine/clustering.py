"""K-means colour clustering of an RGB image: :func:`segment`.

The engine clusters the *distinct colours* of a photo, each weighted by how
many pixels have it, instead of the pixels themselves.  Weighted K-means over
distinct colours has exactly the same objective as K-means over the pixels,
and a photo has far fewer distinct colours than pixels.  The stages live in
their own modules: colour histograms (:mod:`kseg.engine.histogram`), the restart
strategy (:mod:`kseg.engine.restarts`) over bounded Lloyd iterations
(:mod:`kseg.engine.lloyd`), and the finished result (:mod:`kseg.engine.result`).  Labels
for all pixels come from a lookup table indexed by the packed 24-bit colour,
so labelling 12 megapixels is one gather.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Literal

import numpy as np

from kseg.base.validation import check_choice, check_int, check_mask, check_number, check_rgb
from kseg.engine.histogram import (
    ColorHistogram,
    features,
    image_colours,
    label_pixels,
    pack,
    resized_histogram,
    unpack,
)
from kseg.engine.lloyd import Run, assign
from kseg.engine.restarts import best_of
from kseg.engine.result import Segmentation, numbered_by_share, with_clusters

__all__ = [
    "COLOR_SPACES",
    "INITS",
    "MAX_K",
    "PaletteFit",
    "Segmentation",
    "check_fixed",
    "fit_palette",
    "options",
    "segment",
]

#: Largest number of clusters accepted (labels fit a uint8 lookup table).
MAX_K = 255
#: Accepted values of ``init``.
INITS = ("kmeans++", "random")
#: Accepted values of ``color_space``.
COLOR_SPACES = ("rgb", "lab")


def segment(
    rgb: np.ndarray,
    k: int,
    *,
    attempts: int = 10,
    scale: float = 1.0,
    init: Literal["kmeans++", "random"] = "kmeans++",
    max_iter: int = 100,
    eps: float = 0.0,
    color_space: Literal["rgb", "lab"] = "rgb",
    seed: int = 0,
    mask: np.ndarray | None = None,
    histogram: ColorHistogram | None = None,
    fixed_centers: np.ndarray | None = None,
) -> Segmentation:
    """Segment an RGB image into ``k`` colour clusters with K-means.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image.  It is not modified.
    k : int
        Number of clusters, 1 to 255 (fewer if the pixels have fewer distinct
        colours; ``notice`` then says so).
    attempts : int, optional
        Independent attempts (1 to 100); the most compact result is kept, as
        with ``cv2.kmeans``.  An attempt is one k-means++ start up to k = 7,
        then one more per 4 clusters up to five from k = 20, each run on a
        coarse colour histogram; the best few are refined on finer ones and
        finished on every distinct colour (see ``kseg.engine.restarts``).
    scale : float, optional
        Resize factor in (0, 1] for fitting the centres; labels are full size.
    init : {"kmeans++", "random"}, optional
        First centres: k-means++, or colours drawn by pixel count.
    max_iter : int, optional
        Most Lloyd iterations per attempt and for the final run (1 to 10000).
    eps : float, optional
        Stop early once no centre moves more than ``eps`` (units of the
        colour space; 0 to 255).  With 0, until no colour changes cluster.
    color_space : {"rgb", "lab"}, optional
        Space of the distances (CIELAB is closer to perception); centres and
        ``mse`` are reported in RGB.
    seed : int, optional
        Seed for every random choice: the same inputs give the same result.
    mask : (H, W) ndarray of bool, optional
        Pixels to cluster; the others get label -1 and count in no share.
    histogram : ColorHistogram, optional
        ``kseg.color_histogram(rgb, mask=mask)`` made earlier, to skip
        counting the colours again (for several k on one photo).  The result
        is the same as without it.
    fixed_centers : (p, 3) ndarray of uint8, optional
        Pinned colours: p <= k centres that never move (in RGB and in Lab),
        while K-means places the other k - p freely.  Each stays a cluster
        (with no pixel if none is nearest to it); ``pinned`` names them in
        the result, whose centres are exactly these colours, and ``mse`` is
        the K-means objective with them held fixed.

    Returns
    -------
    Segmentation
        Labels, centres, shares, objective, timings and settings.

    Raises
    ------
    TypeError
        If an argument has the wrong type (or ``rgb``, ``mask`` the wrong dtype).
    ValueError
        If an argument is out of range, the shapes differ, ``mask`` is empty,
        ``histogram`` was counted on another image or mask, or
        ``fixed_centers`` has more than k colours or one twice.
    """
    t0 = time.perf_counter()
    rgb = check_rgb(rgb)
    opts = options(k, attempts, scale, init, max_iter, eps, color_space, seed)
    fixed = check_fixed(fixed_centers, opts["k"])
    if fixed is not None:
        opts["fixed_centers"] = ["#{:02x}{:02x}{:02x}".format(*c) for c in fixed.tolist()]
    mask = check_mask(mask, rgb.shape[:2])
    colors, weights = image_colours(rgb, mask, histogram)
    if opts["scale"] < 1.0:
        fit_colors, fit_weights = resized_histogram(rgb, mask, opts["scale"])
    else:
        fit_colors, fit_weights = colors, weights
    t1 = time.perf_counter()
    fit = fit_palette(colors, weights, fit_colors, fit_weights, opts, fixed)
    t2 = time.perf_counter()
    labels = label_pixels(rgb, mask, colors, fit.colour_labels)
    t3 = time.perf_counter()
    return Segmentation(
        **with_clusters(labels, fit.centres, fit.counts, fit.mse),  # type: ignore[arg-type]
        k_requested=opts["k"],
        n_colors=int(colors.size),
        n_iter=fit.run.n_iter,
        converged=fit.run.converged,
        notice=fit.notice,
        timings={"histogram": t1 - t0, "fit": t2 - t1, "label": t3 - t2, "total": t3 - t0},
        settings=opts,
        pinned=fit.pinned,
        label_centers=fit.label_centres,
    )


def check_fixed(fixed: object, k: int) -> np.ndarray | None:
    """``fixed`` as (p, 3) uint8 with 1 <= p <= k distinct colours, or None."""
    if fixed is None:
        return None
    if not isinstance(fixed, np.ndarray) or fixed.dtype != np.uint8:
        msg = "fixed_centers must be a numpy array of uint8 RGB colours, shape (p, 3)"
        raise TypeError(msg)
    if fixed.ndim != 2 or fixed.shape[1] != 3 or not 1 <= fixed.shape[0] <= k:
        msg = f"fixed_centers must have shape (p, 3) with p from 1 to k = {k}, got {fixed.shape}"
        raise ValueError(msg)
    codes, counts = np.unique(pack(fixed[None])[0], return_counts=True)
    if (counts > 1).any():
        twice = int(codes[counts > 1][0])
        msg = f"fixed_centers has #{twice:06x} more than once; each pinned colour must differ"
        raise ValueError(msg)
    return fixed


@dataclass(frozen=True)
class PaletteFit:
    """K-means over weighted colours, finished: each colour's cluster
    (numbered by share), the clusters' pixel counts, exact mean centres
    (RGB) and objective, the final run, a notice for the user, the
    clusters pinned to given colours, and the centres each colour was
    labelled with (feature space, numbered as the clusters)."""

    colour_labels: np.ndarray
    counts: np.ndarray
    centres: np.ndarray
    mse: float
    run: Run
    notice: str | None
    pinned: tuple[int, ...] = ()
    label_centres: np.ndarray | None = None


def fit_palette(
    colors: np.ndarray,
    weights: np.ndarray,
    fit_colors: np.ndarray,
    fit_weights: np.ndarray,
    opts: dict,
    fixed: np.ndarray | None = None,
) -> PaletteFit:
    """Fit ``opts["k"]`` centres on ``fit_colors`` (the colours themselves, or
    those of a resized image) and label ``colors`` (packed, with pixel counts
    ``weights``) with them, clusters numbered by share; ``fixed`` (p, 3)
    uint8 colours are pinned centres."""
    run, notice = _fit(colors, fit_colors, fit_weights, opts, fixed)
    p = 0 if fixed is None else len(fixed)
    by_colour, counts, sums, dropped, searched = _label_colours(
        colors, weights, run, fit_colors is colors, opts, p
    )
    rank, counts, centres, mse = numbered_by_share(
        unpack(colors), weights, by_colour, counts, sums, fixed
    )
    note = " ".join(n for n in (notice, dropped) if n) or None
    pinned = tuple(sorted(int(r) for r in rank[:p]))
    label_centres = np.empty_like(searched)
    label_centres[rank] = searched
    return PaletteFit(rank[by_colour], counts, centres, mse, run, note, pinned, label_centres)


def options(
    k: object,
    attempts: object,
    scale: object,
    init: object,
    max_iter: object,
    eps: object,
    color_space: object,
    seed: object,
) -> dict[str, object]:
    """The checked arguments of :func:`segment`, as its result's ``settings``
    (raising as :func:`segment` documents)."""
    return {
        "k": check_int("k", k, 1, MAX_K),
        "attempts": check_int("attempts", attempts, 1, 100),
        "scale": check_number("scale", scale, 0.0, 1.0, open_lo=True),
        "init": check_choice("init", init, INITS),
        "max_iter": check_int("max_iter", max_iter, 1, 10_000),
        "eps": check_number("eps", eps, 0.0, 255.0),
        "color_space": check_choice("color_space", color_space, COLOR_SPACES),
        "seed": check_int("seed", seed, 0, 2**63 - 1),
    }


def _fit(
    colors: np.ndarray,
    fit_colors: np.ndarray,
    fit_weights: np.ndarray,
    opts: dict,
    fixed: np.ndarray | None = None,
) -> tuple[Run, str | None]:
    """The best run over ``fit_colors``, and a notice when there are fewer
    distinct ``colors`` than ``k``."""
    p = 0 if fixed is None else len(fixed)
    k, n_colors = opts["k"], int(colors.size)
    k_eff = max(p, min(k, n_colors))
    notice = None
    if k_eff < k:
        notice = (
            f"The image has only {n_colors} distinct colour"
            f"{'s' if n_colors != 1 else ''}, so {k_eff} cluster"
            f"{'s were' if k_eff != 1 else ' was'} made instead of the {k} asked for."
        )
    fixed_feats = None
    if fixed is not None:
        fixed_feats = features(pack(fixed[None])[0], opts["color_space"]).astype(np.float64)
    run = best_of(
        fit_colors,
        features(fit_colors, opts["color_space"]),
        fit_weights,
        max(p, min(k_eff, int(fit_colors.size))),
        attempts=opts["attempts"],
        init=opts["init"],
        max_iter=opts["max_iter"],
        eps=opts["eps"],
        seed_seq=np.random.SeedSequence(opts["seed"]),
        integral=opts["color_space"] == "rgb",
        fixed=fixed_feats,
    )
    return run, notice


def _label_colours(
    colors: np.ndarray,
    weights: np.ndarray,
    run: Run,
    fitted_here: bool,
    opts: dict,
    pinned: int = 0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, str | None, np.ndarray]:
    """Cluster of every distinct colour, each cluster's pixel count and (when
    known exactly) RGB sums, a notice if a fitted cluster got no pixel
    (the first ``pinned`` clusters stay even with none), and the centres
    the colours were labelled with (feature space, float64)."""
    sums = None
    if fitted_here and run.converged and opts["eps"] == 0:
        # The fit ran on these very colours and settled: its labels are final
        # (and in RGB its cluster sums are the exact RGB sums).
        colour_labels, counts = run.labels, run.weights
        if opts["color_space"] == "rgb":
            sums = run.sums
    else:
        colour_labels, _ = assign(features(colors, opts["color_space"]), run.centres)
        counts = np.bincount(colour_labels, weights=weights, minlength=len(run.centres))
    keep = counts > 0
    keep[:pinned] = True
    searched = np.asarray(run.centres, dtype=np.float64)
    if keep.all():
        return colour_labels, counts, sums, None, searched
    # A centre fitted at reduced scale may attract no full-size pixel.
    remap = np.cumsum(keep) - 1
    dropped = (
        f"{int((~keep).sum())} cluster(s) found on the resized image "
        "had no pixel at full size and were dropped."
    )
    kept_sums = None if sums is None else sums[keep]
    return remap[colour_labels], counts[keep], kept_sums, dropped, searched[keep]
