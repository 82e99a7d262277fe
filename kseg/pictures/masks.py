"""Per-cluster masks, cut-outs and painted images from a segmentation.

Every function here takes the labels of a :class:`~kseg.Segmentation`, so a
mask, a cut-out and the painted image always agree pixel for pixel, at full
resolution.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from kseg.base.opencv import cv2
from kseg.base.parallel import gather
from kseg.base.validation import check_same_size
from kseg.engine.result import Segmentation

__all__ = [
    "cluster_mask",
    "cutout",
    "label_map",
    "mask_image",
    "paint_labels",
    "segmented_image",
]


def _indices(result: Segmentation, clusters: int | Iterable[int]) -> np.ndarray:
    idx = np.atleast_1d(np.asarray(clusters if not isinstance(clusters, int) else [clusters]))
    if idx.size == 0 or idx.dtype.kind not in "iu":
        msg = f"clusters must be one or more cluster indices, got {clusters!r}"
        raise ValueError(msg)
    bad = idx[(idx < 0) | (idx >= result.k)]
    if bad.size:
        msg = f"cluster index {int(bad[0])} is out of range: valid indices are 0 to {result.k - 1}"
        raise ValueError(msg)
    return idx


def cluster_mask(result: Segmentation, clusters: int | Iterable[int]) -> np.ndarray:
    """Boolean mask of the pixels in one or several clusters.

    Parameters
    ----------
    result : Segmentation
        A segmentation.
    clusters : int or iterable of int
        Cluster index or indices (0 is the largest cluster).

    Returns
    -------
    (H, W) ndarray of bool

    Raises
    ------
    ValueError
        If an index is outside 0 to ``result.k - 1``.
    """
    idx = _indices(result, clusters)
    if idx.size == 1:
        return result.labels == idx[0]
    table = np.zeros(result.k + 1, dtype=bool)
    table[idx] = True
    return table[result.labels]  # label -1 reads the last entry: False


def mask_image(result: Segmentation, clusters: int | Iterable[int]) -> np.ndarray:
    """Black-and-white mask: 255 inside the cluster(s), 0 elsewhere.

    Returns
    -------
    (H, W) ndarray of uint8
    """
    return cluster_mask(result, clusters).astype(np.uint8) * np.uint8(255)


def cutout(
    rgb: np.ndarray,
    result: Segmentation,
    clusters: int | Iterable[int],
    alpha: np.ndarray | None = None,
) -> np.ndarray:
    """Original pixels of the cluster(s), transparent (0, 0, 0, 0) elsewhere.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image that was segmented.
    result : Segmentation
        Its segmentation.
    clusters : int or iterable of int
        Cluster index or indices.
    alpha : (H, W) ndarray of uint8, optional
        The image's own opacity; kept inside the cut-out.

    Returns
    -------
    (H, W, 4) ndarray of uint8
        RGBA image.

    Raises
    ------
    ValueError
        If the shapes do not match or an index is out of range.
    """
    return cutout_channels(rgb, result, clusters, alpha, bgra=False)


def cutout_channels(
    rgb: np.ndarray,
    result: Segmentation,
    clusters: int | Iterable[int],
    alpha: np.ndarray | None,
    *,
    bgra: bool,
) -> np.ndarray:
    """:func:`cutout`, in RGBA order or, with ``bgra``, in OpenCV's BGRA
    (for its PNG writer, without another copy of the picture)."""
    check_same_size(rgb, result.labels)
    opacity = cluster_mask(result, clusters).view(np.uint8) * np.uint8(255)
    if alpha is not None:
        np.minimum(opacity, alpha, out=opacity)
    # Fully transparent pixels carry no colour: the file never hides the rest
    # of the photo under alpha 0 (and compresses three times smaller).
    rgb = np.ascontiguousarray(rgb)
    kept = cv2.bitwise_and(rgb, rgb, mask=opacity)
    out = np.empty((*opacity.shape, 4), dtype=np.uint8)
    order = [0, 2, 1, 1, 2, 0, 3, 3] if bgra else [0, 0, 1, 1, 2, 2, 3, 3]
    cv2.mixChannels([kept, opacity], [out], order)
    return out


def segmented_image(result: Segmentation, background: int = 255) -> np.ndarray:
    """Each pixel painted with its cluster's colour.

    Parameters
    ----------
    result : Segmentation
        A segmentation.
    background : int, optional
        Grey level for pixels left out of clustering (label -1).

    Returns
    -------
    (H, W, 3) ndarray of uint8
    """
    return paint_labels(result.labels, result.centers, background)


def paint_labels(labels: np.ndarray, centers: np.ndarray, background: int = 255) -> np.ndarray:
    """Labels painted with their cluster colours: the segmented image of any
    labels (full size or a preview), ``background`` grey where a label is -1.

    Parameters
    ----------
    labels : (H, W) ndarray of int
        Cluster index of every pixel, or -1.
    centers : (k, 3) ndarray of uint8
        Colour of each cluster.
    background : int, optional
        Grey level for label -1.

    Returns
    -------
    (H, W, 3) ndarray of uint8
    """
    table = np.empty((centers.shape[0] + 1, 3), dtype=np.uint8)
    table[:-1] = centers
    table[-1] = background
    return gather(table, labels)  # label -1 reads the last entry


def label_map(result: Segmentation) -> np.ndarray:
    """Cluster index of every pixel as an 8-bit image; 255 marks left-out pixels.

    Returns
    -------
    (H, W) ndarray of uint8
    """
    return result.labels.astype(np.uint8)  # -1 wraps to 255


def downscale(image: np.ndarray, max_side: int) -> np.ndarray:
    """A copy no larger than ``max_side`` pixels on its longer side, for previews.

    Area interpolation for photos; nearest neighbour for masks, so a preview
    of a mask stays black and white.
    """
    if max_side < 1:
        msg = f"max_side must be at least 1, got {max_side}"
        raise ValueError(msg)
    h, w = image.shape[:2]
    f = max_side / max(h, w)
    if f >= 1:
        return image.copy()
    size = (max(1, round(w * f)), max(1, round(h * f)))
    binary = image.ndim == 2 and set(np.unique(image).tolist()) <= {0, 255}
    interp = cv2.INTER_NEAREST if binary else cv2.INTER_AREA
    return cv2.resize(image, size, interpolation=interp)
