"""Segmenting with a palette that already exists: :func:`apply_palette`.

No fitting: every pixel goes to the nearest palette colour (in RGB or in
CIELAB), and cluster i is ``centers[i]`` in the order given, so one palette
numbers every photo the same way.
"""

from __future__ import annotations

import time
from typing import Literal

import numpy as np

from kseg._cv import cv2
from kseg.histogram import ColorHistogram, features, unpack
from kseg.labelling import image_colours, label_pixels
from kseg.lloyd import assign
from kseg.result import Segmentation, with_clusters
from kseg.validation import check_choice, check_mask, check_rgb

__all__ = ["apply_palette", "check_palette", "nearest_colours", "palette_counts"]

#: Most colours a palette may have (labels fit the uint8 label map).
MAX_COLOURS = 255


def check_palette(centers: object) -> np.ndarray:
    """``centers`` as a (p, 3) float64 array of RGB values in [0, 255], if it
    is one (uint8, or floats such as a result's ``centers_float``)."""
    if not isinstance(centers, np.ndarray):
        msg = f"centers must be a numpy array of shape (p, 3), got {type(centers).__name__}"
        raise TypeError(msg)
    if centers.dtype.kind not in "uif":
        msg = f"centers must hold numbers (uint8 RGB), got dtype {centers.dtype}"
        raise TypeError(msg)
    if centers.ndim != 2 or centers.shape[1] != 3 or not 1 <= centers.shape[0] <= MAX_COLOURS:
        msg = f"centers must have shape (p, 3) with p from 1 to {MAX_COLOURS}, got {centers.shape}"
        raise ValueError(msg)
    values = centers.astype(np.float64)
    if not np.isfinite(values).all() or values.min() < 0 or values.max() > 255:
        msg = "centers must be RGB values from 0 to 255"
        raise ValueError(msg)
    return values


def nearest_colours(
    colors: np.ndarray, weights: np.ndarray, palette: np.ndarray, color_space: str
) -> tuple[np.ndarray, np.ndarray, float]:
    """Nearest palette colour of each packed colour (lowest index on ties),
    each palette colour's pixel count, and the summed squared RGB error."""
    if color_space == "lab":
        scaled = palette.reshape(-1, 1, 3).astype(np.float32) / np.float32(255.0)
        centres = cv2.cvtColor(scaled, cv2.COLOR_RGB2Lab).reshape(-1, 3)
    else:
        centres = palette.astype(np.float32)
    by_colour, _ = assign(features(colors, color_space), centres)
    counts = np.bincount(by_colour, weights=weights, minlength=len(palette)).astype(np.int64)
    rgb = unpack(colors)
    if np.array_equal(palette, np.rint(palette)):
        # Integer palette: every squared distance is an integer; summed exactly.
        diff = rgb.astype(np.int64) - palette.astype(np.int64)[by_colour]
        error = float(int(np.dot(np.einsum("ij,ij->i", diff, diff), weights.astype(np.int64))))
    else:
        diff = rgb - palette[by_colour]
        error = float(np.dot(np.einsum("ij,ij->i", diff, diff), weights.astype(np.float64)))
    return by_colour, counts, error


def apply_palette(
    rgb: np.ndarray,
    centers: np.ndarray,
    *,
    color_space: Literal["rgb", "lab"] = "rgb",
    mask: np.ndarray | None = None,
    histogram: ColorHistogram | None = None,
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
    by_colour, counts, error = nearest_colours(colors, weights, palette, space)
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
        **with_clusters(labels, palette, counts, error / int(weights.sum())),  # type: ignore[arg-type]
        k_requested=len(palette),
        n_colors=int(colors.size),
        n_iter=0,
        converged=True,
        notice=notice,
        timings={"histogram": t1 - t0, "fit": 0.0, "label": t2 - t1, "total": t2 - t0},
        settings={"palette": [_hex(c) for c in palette], "color_space": space},
    )


def _hex(c: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in np.clip(np.rint(c), 0, 255)))


def palette_counts(
    histogram: ColorHistogram,
    centers: np.ndarray,
    *,
    color_space: Literal["rgb", "lab"] = "rgb",
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
    _, counts, error = nearest_colours(histogram.colors, histogram.counts, palette, space)
    return counts, error / int(histogram.counts.sum())
