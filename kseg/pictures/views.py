"""Pictures for looking at a segmentation: boundaries, one cluster
highlighted, a before/after split, and a sample of the photo's colours for a
colour-distribution plot.

These work on any size; the app passes previews (see :func:`preview_labels`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kseg.base.opencv import cv2
from kseg.base.validation import check_int, check_mask, check_rgb, check_same_size
from kseg.engine.result import Segmentation

__all__ = [
    "ColorSample",
    "boundary_overlay",
    "cluster_at",
    "color_sample",
    "highlight",
    "pixel_at",
    "preview_labels",
    "preview_pixels",
    "split_view",
]


def preview_labels(result: Segmentation, size: tuple[int, int]) -> np.ndarray:
    """The labels resized to ``size`` = (height, width) by nearest neighbour,
    so every preview pixel still names one cluster."""
    h, w = size
    if (h, w) == result.labels.shape:
        return result.labels.copy()
    return cv2.resize(result.labels, (w, h), interpolation=cv2.INTER_NEAREST)


def preview_pixels(
    rgb: np.ndarray, size: tuple[int, int], mask: np.ndarray | None = None
) -> tuple[np.ndarray, np.ndarray | None]:
    """The photo's pixels (and ``mask``) resized to ``size`` = (height,
    width) by nearest neighbour: the very pixels whose labels
    :func:`preview_labels` keeps, so labelling them with a palette gives the
    preview labels of the whole photo labelled with it.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
    size : tuple of int
        (height, width) of the preview, each at least 1.
    mask : (H, W) ndarray of bool, optional

    Returns
    -------
    pixels : (height, width, 3) ndarray of uint8
    mask : (height, width) ndarray of bool, or None
    """
    rgb = check_rgb(rgb)
    h, w = (check_int("size", v, 1, 100_000) for v in size)
    mask = check_mask(mask, rgb.shape[:2])
    if (h, w) == rgb.shape[:2]:
        return rgb.copy(), None if mask is None else mask.copy()
    pixels = cv2.resize(rgb, (w, h), interpolation=cv2.INTER_NEAREST)
    if mask is None:
        return pixels, None
    small = cv2.resize(mask.view(np.uint8), (w, h), interpolation=cv2.INTER_NEAREST)
    return pixels, small.astype(bool)


def boundary_overlay(
    rgb: np.ndarray, labels: np.ndarray, color: tuple[int, int, int] = (255, 255, 255)
) -> np.ndarray:
    """The photo with a one-pixel line wherever neighbouring pixels belong to
    different clusters.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
    labels : (H, W) ndarray of int
        Cluster labels of the same size (-1 for left-out pixels).
    color : tuple of 3 int, optional
        Line colour.

    Returns
    -------
    (H, W, 3) ndarray of uint8
    """
    check_same_size(rgb, labels)
    edge = np.zeros(labels.shape, dtype=bool)
    edge[:, 1:] |= labels[:, 1:] != labels[:, :-1]
    edge[1:, :] |= labels[1:, :] != labels[:-1, :]
    out = rgb.copy()
    out[edge] = color
    return out


def highlight(rgb: np.ndarray, labels: np.ndarray, index: int, dim: float = 0.25) -> np.ndarray:
    """The photo with one cluster at full strength and the rest faded to grey.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
    labels : (H, W) ndarray of int
    index : int
        The cluster to show.
    dim : float, optional
        How much of the other pixels' own colour is kept, 0 to 1.

    Returns
    -------
    (H, W, 3) ndarray of uint8
    """
    check_same_size(rgb, labels)
    if not 0.0 <= dim <= 1.0:
        msg = f"dim must be from 0 to 1, got {dim!r}"
        raise ValueError(msg)
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)[..., None].astype(np.float32)
    faded = (dim * rgb + (1 - dim) * (0.5 * grey + 0.5 * 255)).astype(np.uint8)
    return np.where((labels == index)[..., None], rgb, faded)


def split_view(before: np.ndarray, after: np.ndarray, fraction: float) -> np.ndarray:
    """``before`` on the left of a vertical line at ``fraction`` of the width
    (0 to 1) and ``after`` on the right, with a white divider."""
    if before.shape != after.shape:
        msg = f"images differ in shape: {before.shape} and {after.shape}"
        raise ValueError(msg)
    if not 0.0 <= fraction <= 1.0:
        msg = f"fraction must be from 0 to 1, got {fraction!r}"
        raise ValueError(msg)
    w = before.shape[1]
    cut = round(fraction * w)
    out = after.copy()
    out[:, :cut] = before[:, :cut]
    out[:, max(0, cut - 1) : min(w, cut + 1)] = 255
    return out


@dataclass(frozen=True)
class ColorSample:
    """A random sample of clustered pixels for a colour-distribution plot.

    Attributes
    ----------
    rgb : (n, 3) ndarray of uint8
        The sampled pixels' colours.
    labels : (n,) ndarray of int
        Their clusters.
    xy : (n, 2) ndarray of float
        Their colours projected on the two main axes of the photo's colours
        (principal components of RGB).
    centres_xy : (k, 2) ndarray of float
        The cluster centres projected the same way.
    axes : (2, 3) ndarray of float
        The two RGB directions, unit length.
    """

    rgb: np.ndarray
    labels: np.ndarray
    xy: np.ndarray
    centres_xy: np.ndarray
    axes: np.ndarray


def color_sample(
    rgb: np.ndarray, result: Segmentation, n: int = 2000, *, seed: int = 0
) -> ColorSample:
    """Sample up to ``n`` clustered pixels and project colours to 2-D.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image that was segmented.
    result : Segmentation
        Its segmentation.
    n : int, optional
        Sample size, 1 to 100000.
    seed : int, optional
        Seed of the sample.

    Returns
    -------
    ColorSample
    """
    check_same_size(rgb, result.labels)
    if not 1 <= n <= 100_000:
        msg = f"n must be from 1 to 100000, got {n!r}"
        raise ValueError(msg)
    flat = result.labels.ravel()
    rng = np.random.default_rng(seed)
    if flat.min() >= 0:  # every pixel clustered: draw positions, no index list
        pick = np.sort(rng.choice(flat.size, size=min(n, flat.size), replace=False))
    else:
        inside = np.flatnonzero(flat >= 0)
        pick = np.sort(rng.choice(inside, size=min(n, inside.size), replace=False))
    colours = rgb.reshape(-1, 3)[pick]
    labels = flat[pick].astype(np.intp)
    pts = colours.astype(np.float64)
    mean = pts.mean(axis=0)
    _, _, vt = np.linalg.svd(pts - mean, full_matrices=False)
    axes = np.zeros((2, 3))
    axes[: min(2, vt.shape[0])] = vt[:2]
    for a in axes:  # a stable sign: brighter is positive
        if a.sum() < 0:
            a *= -1
    return ColorSample(
        rgb=colours,
        labels=labels,
        xy=(pts - mean) @ axes.T,
        centres_xy=(result.centers_float - mean) @ axes.T,
        axes=axes,
    )


# Pointing at a picture: which full-size pixel a click on a shown (resized)
# picture lands on, and which cluster that pixel belongs to.


def pixel_at(x: float, y: float, shown: tuple[int, int], size: tuple[int, int]) -> tuple[int, int]:
    """The full-size pixel under a point of a picture shown at another size.

    Parameters
    ----------
    x, y : float
        The point, in pixels of the shown picture from its top-left corner
        (a click's offset; the pixel [x, x + 1) is the x-th).
    shown : (width, height)
        Size the picture is shown at.
    size : (width, height)
        Full size of the image.

    Returns
    -------
    (row, col)
        The full-size pixel whose area holds the centre of the shown pixel,
        clamped to the image (a click on the last shown pixel is the last).

    Raises
    ------
    ValueError
        If a size is not positive.
    """
    sw, sh = (check_int("shown", v, 1, 10**6) for v in shown)
    width, height = (check_int("size", v, 1, 10**6) for v in size)
    col = int((int(x) + 0.5) * width / sw)
    row = int((int(y) + 0.5) * height / sh)
    return min(max(row, 0), height - 1), min(max(col, 0), width - 1)


def cluster_at(result: Segmentation, row: int, col: int) -> int:
    """The cluster of pixel (row, col) of ``result``; -1 for a pixel left out.

    Raises
    ------
    ValueError
        If the pixel is outside the image.
    """
    h, w = result.shape
    check_int("row", row, 0, h - 1)
    check_int("col", col, 0, w - 1)
    return int(result.labels[row, col])
