"""K-means colour clustering of an RGB image: :func:`segment`.

The engine clusters the *distinct colours* of a photo, each weighted by how
many pixels have it, instead of the pixels themselves.  Weighted K-means over
distinct colours has exactly the same objective as K-means over the pixels,
and a photo has far fewer distinct colours than pixels.  The stages live in
their own modules: colour histograms (:mod:`kseg.histogram`), the restart
strategy (:mod:`kseg.restarts`) over bounded Lloyd iterations
(:mod:`kseg.lloyd`), and the finished result (:mod:`kseg.result`).  Labels
for all pixels come from a lookup table indexed by the packed 24-bit colour,
so labelling 12 megapixels is one gather.
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np

from kseg.histogram import (
    ColorHistogram,
    features,
    histogram,
    pack,
    resized_histogram,
    unpack,
)
from kseg.lloyd import Run, assign
from kseg.parallel import CHUNK, on_chunks
from kseg.restarts import best_of
from kseg.result import Segmentation, numbered_by_share, with_clusters
from kseg.validation import check_choice, check_int, check_mask, check_number, check_rgb

__all__ = ["COLOR_SPACES", "INITS", "MAX_K", "Segmentation", "segment"]

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
        Independent starts (1 to 100); the most compact result is kept, as
        with ``cv2.kmeans``.
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
        or ``histogram`` was counted on another image or mask.
    """
    t0 = time.perf_counter()
    rgb = check_rgb(rgb)
    opts = _options(k, attempts, scale, init, max_iter, eps, color_space, seed)
    mask = check_mask(mask, rgb.shape[:2])
    colors, weights = _colours(rgb, mask, histogram)
    t1 = time.perf_counter()
    run, fitted_here, notice = _fit(rgb, mask, colors, weights, opts)
    t2 = time.perf_counter()
    by_colour, counts, sums, dropped = _label_colours(colors, weights, run, fitted_here, opts)
    rank, counts, centres, mse = numbered_by_share(unpack(colors), weights, by_colour, counts, sums)
    labels = _label_pixels(rgb, mask, colors, rank[by_colour])
    t3 = time.perf_counter()
    return Segmentation(
        **with_clusters(labels, centres, counts, mse),  # type: ignore[arg-type]
        k_requested=opts["k"],
        n_colors=int(colors.size),
        n_iter=run.n_iter,
        converged=run.converged,
        notice=" ".join(n for n in (notice, dropped) if n) or None,
        timings={"histogram": t1 - t0, "fit": t2 - t1, "label": t3 - t2, "total": t3 - t0},
        settings=opts,
    )


def _colours(
    rgb: np.ndarray, mask: np.ndarray | None, given: ColorHistogram | None
) -> tuple[np.ndarray, np.ndarray]:
    """The image's distinct colours and counts: counted now, or ``given``."""
    if given is None:
        return histogram(rgb, mask)
    if not isinstance(given, ColorHistogram):
        msg = f"histogram must be a kseg.ColorHistogram or None, got {type(given).__name__}"
        raise TypeError(msg)
    if not given.matches(rgb, mask):
        msg = (
            f"histogram was counted on {given.pixels} pixels of a {given.shape} image, "
            f"not on this {rgb.shape[:2]} image and mask"
        )
        raise ValueError(msg)
    return given.colors, given.counts


def _options(
    k: object,
    attempts: object,
    scale: object,
    init: object,
    max_iter: object,
    eps: object,
    color_space: object,
    seed: object,
) -> dict[str, object]:
    """The checked arguments of :func:`segment`, as its result's ``settings``."""
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
    rgb: np.ndarray,
    mask: np.ndarray | None,
    colors: np.ndarray,
    weights: np.ndarray,
    opts: dict,
) -> tuple[Run, bool, str | None]:
    """The best run over the image's colours (those of the resized image
    when ``scale`` < 1); whether it ran on ``colors`` themselves; and a
    notice when there are fewer distinct colours than ``k``."""
    if opts["scale"] < 1.0:
        fit_colors, fit_weights = resized_histogram(rgb, mask, opts["scale"])
    else:
        fit_colors, fit_weights = colors, weights
    k, n_colors = opts["k"], int(colors.size)
    k_eff = min(k, n_colors)
    notice = None
    if k_eff < k:
        notice = (
            f"The image has only {n_colors} distinct colour"
            f"{'s' if n_colors != 1 else ''}, so {k_eff} cluster"
            f"{'s were' if k_eff != 1 else ' was'} made instead of the {k} asked for."
        )
    run = best_of(
        fit_colors,
        features(fit_colors, opts["color_space"]),
        fit_weights,
        min(k_eff, int(fit_colors.size)),
        attempts=opts["attempts"],
        init=opts["init"],
        max_iter=opts["max_iter"],
        eps=opts["eps"],
        seed_seq=np.random.SeedSequence(opts["seed"]),
        integral=opts["color_space"] == "rgb",
    )
    return run, fit_colors is colors, notice


def _label_colours(
    colors: np.ndarray, weights: np.ndarray, run: Run, fitted_here: bool, opts: dict
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None, str | None]:
    """Cluster of every distinct colour, each cluster's pixel count and (when
    known exactly) RGB sums, and a notice if a fitted cluster got no pixel."""
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
    if keep.all():
        return colour_labels, counts, sums, None
    # A centre fitted at reduced scale may attract no full-size pixel.
    remap = np.cumsum(keep) - 1
    dropped = (
        f"{int((~keep).sum())} cluster(s) found on the resized image "
        "had no pixel at full size and were dropped."
    )
    return remap[colour_labels], counts[keep], None if sums is None else sums[keep], dropped


def _label_pixels(
    rgb: np.ndarray, mask: np.ndarray | None, colors: np.ndarray, colour_labels: np.ndarray
) -> np.ndarray:
    """Cluster of every pixel (-1 outside ``mask``), through a lookup table
    indexed by the packed colour.  Bands of rows are packed and looked up on
    the thread pool, so no packed copy of the whole image is ever made."""
    lut = np.empty(1 << 24, dtype=np.int16)
    lut[colors] = colour_labels
    h, w = rgb.shape[:2]
    labels = np.empty((h, w), dtype=np.int16)

    def band(lo: int, hi: int) -> None:
        np.take(lut, pack(rgb[lo:hi]), out=labels[lo:hi], mode="clip")

    on_chunks(band, h, chunk=max(1, CHUNK // w))
    if mask is not None:
        labels[~mask] = -1
    return labels
