"""Many photos, one palette: :func:`fit_shared_palette` and :func:`segment_many`.

K-means over the union of several photos' pixels: their weighted colour
histograms add, so the objective of the fit is exactly the one over every
pixel of every photo.  Photos are decoded one at a time, each twice (once to
count its colours, once to label it), so a series never needs more than one
photo at full size in memory; the running total is one 2**24 count table.
"""

from __future__ import annotations

import dataclasses
import os
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal, Union

import numpy as np

from kseg.base.validation import check_mask, check_number, check_rgb
from kseg.engine.applying import apply_palette
from kseg.engine.clustering import check_fixed, fit_palette, options
from kseg.engine.histogram import ColorHistogram, histogram, resized_histogram
from kseg.engine.result import Segmentation
from kseg.files.loading import DEFAULT_MAX_PIXELS, ImageError, LoadedImage, load_image, opaque_mask

__all__ = [
    "ColorTotals",
    "PhotoSource",
    "SharedPalette",
    "fit_shared_palette",
    "in_series",
    "segment_many",
]

#: One photo of a series: RGB pixels, a loaded image, or an image file
#: (bytes or a path) that is loaded when needed.
PhotoSource = Union[np.ndarray, LoadedImage, bytes, str, "os.PathLike[str]"]


@dataclass(frozen=True, eq=False)
class SharedPalette:
    """One palette fitted on several photos together.

    Attributes
    ----------
    centers : (k', 3) ndarray of uint8
        RGB colour of each cluster (rounded mean of its pixels in all photos),
        largest share over all the photos first.
    centers_float : (k', 3) ndarray of float64
        The same before rounding: what each photo is labelled with.
    counts : (k',) ndarray of int64
        Pixels of each cluster over all the photos fitted.
    shares : (k',) ndarray of float64
        ``counts`` as fractions of all the pixels.
    mse : float
        The K-means objective over every pixel of every photo.
    photos : int
        Photos fitted (those that loaded).
    pixels : int
        Pixels clustered over all of them.
    n_colors : int
        Distinct colours over all of them.
    n_iter, converged, notice, settings, timings, pinned
        As in :class:`kseg.Segmentation` (``pinned``: the clusters kept at
        a pinned colour, ``fixed_centers``).
    """

    centers: np.ndarray
    centers_float: np.ndarray
    counts: np.ndarray
    shares: np.ndarray
    mse: float
    photos: int
    pixels: int
    n_colors: int
    n_iter: int
    converged: bool
    notice: str | None
    settings: dict[str, object] = field(default_factory=dict)
    timings: dict[str, float] = field(default_factory=dict)
    pinned: tuple[int, ...] = ()

    def __post_init__(self) -> None:
        for arr in (self.centers, self.centers_float, self.counts, self.shares):
            arr.flags.writeable = False

    @property
    def k(self) -> int:
        """Number of colours in the palette."""
        return int(self.centers.shape[0])


def _pixels_of(
    source: PhotoSource, mask: np.ndarray | None, max_pixels: int
) -> tuple[np.ndarray, np.ndarray | None]:
    """The RGB pixels of one photo and the pixels to cluster (loading a file
    if needed; transparent pixels of a loaded image are left out)."""
    if isinstance(source, np.ndarray):
        rgb = check_rgb(source)
    else:
        image = source
        if not isinstance(image, LoadedImage):
            image = load_image(source, max_pixels=max_pixels)
        rgb = image.rgb
        if mask is None:
            mask = opaque_mask(image)
    return rgb, check_mask(mask, rgb.shape[:2])


def fit_shared_palette(
    images: Iterable[PhotoSource],
    k: int,
    *,
    masks: Sequence[np.ndarray | None] | None = None,
    attempts: int = 10,
    scale: float = 1.0,
    init: Literal["kmeans++", "random"] = "kmeans++",
    max_iter: int = 100,
    eps: float = 0.0,
    color_space: Literal["rgb", "lab"] = "rgb",
    seed: int = 0,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Callable[[int, int], None] | None = None,
    on_error: Callable[[int, ImageError], None] | None = None,
    fixed_centers: np.ndarray | None = None,
) -> SharedPalette:
    """Fit one palette of ``k`` colours on the pixels of all ``images``.

    Parameters
    ----------
    images : iterable of ndarray, LoadedImage, bytes or path
        The photos, read one at a time.
    k, attempts, scale, init, max_iter, eps, color_space, seed
        As in :func:`kseg.segment`.
    masks : sequence of (H, W) bool ndarray or None, optional
        Pixels to cluster in each photo (None: all, or the opaque ones of a
        loaded image).
    max_pixels : int, optional
        Largest photo loaded from a file, as in :func:`kseg.load_image`.
    progress : callable, optional
        ``progress(i, n)`` after photo i (1-based) of n is counted.
    on_error : callable, optional
        ``on_error(i, error)`` for a photo (0-based) that cannot be read; it
        is left out.  Without it the :class:`kseg.ImageError` is raised.
    fixed_centers : (p, 3) ndarray of uint8, optional
        Pinned colours kept exactly in the shared palette, as in
        :func:`kseg.segment`.

    Returns
    -------
    SharedPalette

    Raises
    ------
    ImageError
        If a photo cannot be read (and no ``on_error``), or none can.
    TypeError, ValueError
        As :func:`kseg.segment` for bad settings, images or masks.
    """
    t0 = time.perf_counter()
    opts = options(k, attempts, scale, init, max_iter, eps, color_space, seed)
    fixed = check_fixed(fixed_centers, opts["k"])
    sources = list(images)
    if not sources:
        msg = "images must hold at least one photo"
        raise ValueError(msg)
    if masks is not None and len(masks) != len(sources):
        msg = f"masks must have one entry per photo ({len(sources)}), got {len(masks)}"
        raise ValueError(msg)
    totals = ColorTotals(scale=opts["scale"])
    for i, source in enumerate(sources):
        try:
            rgb, mask = _pixels_of(source, None if masks is None else masks[i], max_pixels)
        except ImageError as exc:
            if on_error is None:
                raise
            on_error(i, exc)
            continue
        totals.add(rgb, mask)
        del rgb, mask
        if progress is not None:
            progress(i + 1, len(sources))
    if totals.photos == 0:
        msg = "None of the photos could be read: there is nothing to segment."
        raise ImageError(msg)
    return totals.fitted(opts, started=t0, fixed=fixed)


class ColorTotals:
    """The colours of several photos counted together, one photo at a time
    (one 2**24 table of counts, and one for the resized photos when
    ``scale`` < 1), then fitted with :meth:`fit`."""

    def __init__(self, *, scale: float = 1.0) -> None:
        self.scale = check_number("scale", scale, 0.0, 1.0, open_lo=True)
        self.photos = 0
        # 32-bit counts (64 MB a table, not 128) while the pixels counted
        # stay under 2**32; 64-bit from the photo that would pass it.
        self._pixels = 0
        self._total: np.ndarray | None = np.zeros(1 << 24, dtype=np.uint32)
        self._small = np.zeros(1 << 24, dtype=np.uint32) if scale < 1.0 else None

    @property
    def distinct(self) -> int:
        """Distinct colours counted so far (over all the photos)."""
        return 0 if self._total is None else int(np.count_nonzero(self._total))

    def add(self, rgb: np.ndarray, mask: np.ndarray | None = None) -> ColorHistogram:
        """Count the colours of one photo (inside ``mask``) into the totals;
        returns that photo's own histogram (for :func:`kseg.palette_counts`
        once the palette is fitted, without counting the photo again)."""
        if self._total is None:
            msg = "these totals were fitted already; count a new series"
            raise RuntimeError(msg)
        rgb = check_rgb(rgb)
        mask = check_mask(mask, rgb.shape[:2])
        colors, counts = histogram(rgb, mask)
        self._pixels += int(counts.sum())
        if self._pixels >= 1 << 32 and self._total.dtype != np.int64:
            self._total = self._total.astype(np.int64)
            self._small = None if self._small is None else self._small.astype(np.int64)
        # Each colour once per photo (no repeated index); no count can pass
        # the pixels counted, which the table's type holds.
        self._total[colors] += counts.astype(self._total.dtype)
        if self._small is not None:
            s_colors, s_counts = resized_histogram(rgb, mask, self.scale)
            self._small[s_colors] += s_counts.astype(self._small.dtype)
        self.photos += 1
        return ColorHistogram(colors, counts, rgb.shape[:2], int(counts.sum()))

    def fit(
        self,
        k: int,
        *,
        attempts: int = 10,
        init: Literal["kmeans++", "random"] = "kmeans++",
        max_iter: int = 100,
        eps: float = 0.0,
        color_space: Literal["rgb", "lab"] = "rgb",
        seed: int = 0,
        fixed_centers: np.ndarray | None = None,
    ) -> SharedPalette:
        """The shared palette of the photos counted (arguments as in
        :func:`kseg.segment`, pinned colours ``fixed_centers`` too; ``scale``
        was given when counting).  The count tables are freed: count a new
        series for another fit."""
        t0 = time.perf_counter()
        opts = options(k, attempts, self.scale, init, max_iter, eps, color_space, seed)
        fixed = check_fixed(fixed_centers, opts["k"])
        return self.fitted(opts, started=t0, fixed=fixed)

    def fitted(
        self, opts: dict[str, object], *, started: float, fixed: np.ndarray | None = None
    ) -> SharedPalette:
        """:meth:`fit` with checked options (``kseg.engine.clustering.options``)
        and pinned colours (``check_fixed``)."""
        t0 = started
        if self._total is None or self.photos == 0:
            msg = "no photo was counted"
            raise ValueError(msg)
        colors = np.flatnonzero(self._total).astype(np.uint32)
        weights = self._total[colors].astype(np.int64)
        self._total = None
        fit_colors, fit_weights = colors, weights
        if self._small is not None:
            fit_colors = np.flatnonzero(self._small).astype(np.uint32)
            fit_weights = self._small[fit_colors].astype(np.int64)
            self._small = None
        if fixed is not None:
            opts = {**opts, "fixed_centers": ["#{:02x}{:02x}{:02x}".format(*c) for c in fixed]}
        t1 = time.perf_counter()
        fit = fit_palette(colors, weights, fit_colors, fit_weights, opts, fixed)
        t2 = time.perf_counter()
        counts = fit.counts.astype(np.int64)
        photos = self.photos
        return SharedPalette(
            centers=np.clip(np.rint(fit.centres), 0, 255).astype(np.uint8),
            centers_float=fit.centres,
            counts=counts,
            shares=counts / counts.sum(),
            mse=float(fit.mse),
            photos=photos,
            pixels=int(weights.sum()),
            n_colors=int(colors.size),
            n_iter=fit.run.n_iter,
            converged=fit.run.converged,
            notice=fit.notice,
            settings={**opts, "shared_palette": True, "photos": photos},
            timings={"histogram": t1 - t0, "fit": t2 - t1, "total": t2 - t0},
            pinned=fit.pinned,
        )


def in_series(result: Segmentation, palette: SharedPalette) -> Segmentation:
    """``result`` (:func:`kseg.apply_palette` with ``palette``) with the
    series' settings, fit and notices."""
    notices = " ".join(n for n in (palette.notice, result.notice) if n) or None
    timings = {**result.timings, "fit": palette.timings["fit"]}
    return dataclasses.replace(
        result,
        k_requested=int(palette.settings["k"]),  # type: ignore[call-overload]
        n_iter=palette.n_iter,
        converged=palette.converged,
        notice=notices,
        timings=timings,
        settings=dict(palette.settings),
        pinned=palette.pinned,
    )


def segment_many(
    images: Iterable[PhotoSource],
    k: int,
    *,
    masks: Sequence[np.ndarray | None] | None = None,
    attempts: int = 10,
    scale: float = 1.0,
    init: Literal["kmeans++", "random"] = "kmeans++",
    max_iter: int = 100,
    eps: float = 0.0,
    color_space: Literal["rgb", "lab"] = "rgb",
    seed: int = 0,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    progress: Callable[[str, int, int], None] | None = None,
    fixed_centers: np.ndarray | None = None,
) -> list[Segmentation]:
    """Segment several photos with one palette fitted on all of them.

    The palette is :func:`fit_shared_palette`'s; every photo is then
    labelled with it (:func:`kseg.apply_palette` with ``centers_float``),
    so cluster i is the same colour in every result, numbered by its share
    over all the photos.

    Parameters
    ----------
    images : iterable of ndarray, LoadedImage, bytes or path
        The photos; files are loaded one at a time (twice: to count, to label).
    k, masks, attempts, scale, init, max_iter, eps, color_space, seed, max_pixels
        As in :func:`fit_shared_palette`.
    fixed_centers : (p, 3) ndarray of uint8, optional
        Pinned colours, kept exactly in the shared palette.
    progress : callable, optional
        ``progress(stage, i, n)`` after photo i of n, ``stage`` being
        ``"counting"`` or ``"labelling"``.

    Returns
    -------
    list of Segmentation
        One per photo, in order, with identical ``centers``; each one's
        ``counts``, ``shares`` and ``mse`` are that photo's (a palette colour
        a photo lacks has a count of 0 there).

    Raises
    ------
    ImageError
        If a photo cannot be read.
    TypeError, ValueError
        As :func:`kseg.segment` for bad settings, images or masks.
    """
    sources = list(images)
    palette = fit_shared_palette(
        sources,
        k,
        masks=masks,
        attempts=attempts,
        scale=scale,
        init=init,
        max_iter=max_iter,
        eps=eps,
        color_space=color_space,
        seed=seed,
        max_pixels=max_pixels,
        progress=None if progress is None else lambda i, n: progress("counting", i, n),
        fixed_centers=fixed_centers,
    )
    results = []
    for i, source in enumerate(sources):
        rgb, mask = _pixels_of(source, None if masks is None else masks[i], max_pixels)
        labelled = apply_palette(rgb, palette.centers_float, color_space=color_space, mask=mask)
        del rgb, mask
        results.append(in_series(labelled, palette))
        if progress is not None:
            progress("labelling", i + 1, len(sources))
    return results
