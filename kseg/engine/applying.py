"""Segmenting with a palette that already exists: :func:`apply_palette`.

No fitting: every pixel goes to the nearest palette colour (in RGB or in
CIELAB), and cluster i is ``centers[i]`` in the order given, so one palette
numbers every photo the same way.
"""

from __future__ import annotations

import time
from fractions import Fraction
from typing import Literal

import numpy as np

from kseg.base.opencv import cv2
from kseg.base.validation import check_choice, check_mask, check_rgb
from kseg.engine.histogram import ColorHistogram, features, image_colours, label_pixels, unpack
from kseg.engine.lloyd import assign
from kseg.engine.result import Segmentation, squared_error, with_clusters

__all__ = [
    "apply_palette",
    "check_palette",
    "nearest_colours",
    "palette_counts",
    "search_centres",
]

#: Most colours a palette may have (labels fit the uint8 label map).
MAX_COLOURS = 255


def check_palette(centers: object, *, name: str = "centers", rgb: bool = True) -> np.ndarray:
    """``centers`` as a (p, 3) float64 array, if it is one: RGB values in
    [0, 255] (uint8, or floats such as a result's ``centers_float``), or
    with ``rgb=False`` any finite values (centres in CIELAB)."""
    if not isinstance(centers, np.ndarray):
        msg = f"{name} must be a numpy array of shape (p, 3), got {type(centers).__name__}"
        raise TypeError(msg)
    if centers.dtype.kind not in "uif":
        msg = f"{name} must hold numbers (uint8 RGB), got dtype {centers.dtype}"
        raise TypeError(msg)
    if centers.ndim != 2 or centers.shape[1] != 3 or not 1 <= centers.shape[0] <= MAX_COLOURS:
        msg = f"{name} must have shape (p, 3) with p from 1 to {MAX_COLOURS}, got {centers.shape}"
        raise ValueError(msg)
    values = centers.astype(np.float64)
    finite = bool(np.isfinite(values).all())
    if rgb and (not finite or values.min() < 0 or values.max() > 255):
        msg = f"{name} must be RGB values from 0 to 255"
        raise ValueError(msg)
    if not finite:
        msg = f"{name} must be finite numbers"
        raise ValueError(msg)
    return values


def search_centres(
    palette: np.ndarray, color_space: str, label_centers: object = None
) -> np.ndarray:
    """The (p, 3) float64 centres whose nearest each colour is labelled
    with: ``label_centers`` (in ``color_space``) if given, else the palette
    in that space (as float32 RGB, or converted to CIELAB)."""
    if label_centers is not None:
        given = check_palette(label_centers, name="label_centers", rgb=False)
        if given.shape != palette.shape:
            msg = (
                f"label_centers must have one centre per palette colour, shape "
                f"{palette.shape}, got {given.shape}"
            )
            raise ValueError(msg)
        return given
    if color_space == "lab":
        scaled = palette.reshape(-1, 1, 3).astype(np.float32) / np.float32(255.0)
        centres = cv2.cvtColor(scaled, cv2.COLOR_RGB2Lab).reshape(-1, 3)
    else:
        centres = palette.astype(np.float32)
    return centres.astype(np.float64)


def nearest_colours(
    colors: np.ndarray,
    weights: np.ndarray,
    palette: np.ndarray,
    color_space: str,
    label_centers: object = None,
) -> tuple[np.ndarray, np.ndarray, Fraction]:
    """Nearest palette colour of each packed colour (lowest index on ties;
    by :func:`search_centres`), each palette colour's pixel count, and the
    summed squared RGB error to the palette, exactly."""
    centres = search_centres(palette, color_space, label_centers)
    by_colour, _ = assign(features(colors, color_space), centres)
    counts = np.bincount(by_colour, weights=weights, minlength=len(palette)).astype(np.int64)
    error = squared_error(unpack(colors), weights, by_colour, palette)
    return by_colour, counts, error


def apply_palette(
    rgb: np.ndarray,
    centers: np.ndarray,
    *,
    color_space: Literal["rgb", "lab"] = "rgb",
    mask: np.ndarray | None = None,
    histogram: ColorHistogram | None = None,
    label_centers: np.ndarray | None = None,
) -> Segmentation:
    """Segment an image with a given palette: each pixel to its nearest colour.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image.  It is not modified.
    centers : (p, 3) ndarray
        The palette: RGB colours as uint8 (or floats in [0, 255], such as a
        result's ``centers_float``), 1 to 255 of them.  Cluster i is
        ``centers[i]``; a colour no pixel is nearest to keeps its place with
        a count of 0, and of two equal colours the first takes the pixels.
    color_space : {"rgb", "lab"}, optional
        Space in which "nearest" is measured; the objective is in RGB.
    mask : (H, W) ndarray of bool, optional
        Pixels to label; the others get label -1 and count in no share.
    histogram : ColorHistogram, optional
        ``kseg.color_histogram(rgb, mask=mask)`` made earlier.
    label_centers : (p, 3) ndarray, optional
        The centres "nearest" is measured to, in ``color_space`` (a
        result's ``label_centers``, as a palette file records them): with
        them, a palette written by a run labels its photo exactly as the
        run did.  By default the palette itself.

    Returns
    -------
    Segmentation
        ``centers`` are the palette (rounded to uint8), ``centers_float``
        the palette as given, ``mse`` the exact mean squared RGB distance of
        the pixels to their palette colour; ``n_iter`` is 0.

    Raises
    ------
    TypeError
        If an argument has the wrong type.
    ValueError
        If ``centers`` is not (p, 3) RGB with 1 <= p <= 255, ``color_space`` is
        unknown, ``mask`` is empty or of another shape, or ``histogram`` was
        counted on another image or mask.
    """
    t0 = time.perf_counter()
    rgb = check_rgb(rgb)
    palette = check_palette(centers)
    space = check_choice("color_space", color_space, ("rgb", "lab"))
    mask = check_mask(mask, rgb.shape[:2])
    colors, weights = image_colours(rgb, mask, histogram)
    t1 = time.perf_counter()
    searched = search_centres(palette, space, label_centers)
    by_colour, counts, error = nearest_colours(colors, weights, palette, space, searched)
    labels = label_pixels(rgb, mask, colors, by_colour)
    t2 = time.perf_counter()
    unused = int((counts == 0).sum())
    notice = None
    if unused:
        notice = (
            f"{unused} of the palette's {len(palette)} colours "
            f"{'is' if unused == 1 else 'are'} nearest to no pixel of this image."
        )
    return Segmentation(
        **with_clusters(labels, palette, counts, float(error / int(weights.sum()))),  # type: ignore[arg-type]
        k_requested=len(palette),
        n_colors=int(colors.size),
        n_iter=0,
        converged=True,
        notice=notice,
        timings={"histogram": t1 - t0, "fit": 0.0, "label": t2 - t1, "total": t2 - t0},
        settings={"palette": [_hex(c) for c in palette], "color_space": space},
        label_centers=searched,
    )


def _hex(c: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in np.clip(np.rint(c), 0, 255)))


def palette_counts(
    histogram: ColorHistogram,
    centers: np.ndarray,
    *,
    color_space: Literal["rgb", "lab"] = "rgb",
    label_centers: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Each palette colour's pixels and the objective, from a photo's colours.

    What :func:`apply_palette` gives as ``counts`` and ``mse`` for the photo
    the histogram was counted on, without the photo's pixels.

    Parameters
    ----------
    histogram : ColorHistogram
        The photo's colours (``kseg.color_histogram``, or what
        ``ColorTotals.add`` returned for it).
    centers : (p, 3) ndarray
        The palette, as for :func:`apply_palette`.
    color_space : {"rgb", "lab"}, optional
        Space in which "nearest" is measured; the objective is in RGB.
    label_centers : (p, 3) ndarray, optional
        As for :func:`apply_palette`.

    Returns
    -------
    counts : (p,) ndarray of int64
        Pixels nearest to each palette colour.
    mse : float
        Mean squared RGB distance of the pixels to their palette colour.

    Raises
    ------
    TypeError, ValueError
        For a histogram that is not one, or a bad palette or colour space.
    """
    if not isinstance(histogram, ColorHistogram):
        msg = f"histogram must be a kseg.ColorHistogram, got {type(histogram).__name__}"
        raise TypeError(msg)
    palette = check_palette(centers)
    space = check_choice("color_space", color_space, ("rgb", "lab"))
    if histogram.pixels == 0:
        msg = "histogram counts no pixels"
        raise ValueError(msg)
    _, counts, error = nearest_colours(
        histogram.colors, histogram.counts, palette, space, label_centers
    )
    return counts, float(error / int(histogram.counts.sum()))
