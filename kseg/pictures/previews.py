"""Small pictures of a result for a page: the photo, its labels, the painted
labels and every cluster's cut-out, all at preview size.

Everything here is computed from a preview of the photo and of the labels,
never from a full-size render: a 360-pixel thumbnail of a 40-megapixel
cut-out costs what a 360-pixel picture costs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kseg.base.validation import check_int, check_same_size
from kseg.engine.result import Segmentation
from kseg.pictures.masks import downscale, paint_labels
from kseg.pictures.views import preview_labels

__all__ = ["Previews", "make_previews", "on_checkerboard", "photo_preview"]


@dataclass(frozen=True, eq=False)
class Previews:
    """A result at preview size (arrays read-only).

    Attributes
    ----------
    original : (h, w, 3) or (h, w, 4) ndarray of uint8
        The photo (with its alpha, if it has one), area-interpolated.
    labels : (h, w) ndarray of int16
        Cluster of every preview pixel (nearest full-size pixel), or -1.
    segmented : (h, w, 3) ndarray of uint8
        ``labels`` painted with the cluster colours (white for -1).
    thumbs : tuple of (t, u, 4) ndarray of uint8
        One cut-out per cluster, at most ``thumb_side`` on its longer side:
        the photo, opaque where the cluster is.
    """

    original: np.ndarray
    labels: np.ndarray
    segmented: np.ndarray
    thumbs: tuple[np.ndarray, ...]


def make_previews(
    rgb: np.ndarray,
    result: Segmentation,
    *,
    alpha: np.ndarray | None = None,
    side: int = 1200,
    thumb_side: int = 360,
    photo: np.ndarray | None = None,
) -> Previews:
    """The previews of ``result`` for a page.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image that was segmented.
    result : Segmentation
        Its segmentation.
    alpha : (H, W) ndarray of uint8, optional
        The image's own opacity.
    side : int, optional
        Longest side of the previews, 1 to 10000.
    thumb_side : int, optional
        Longest side of the thumbnails, 1 to ``side``.
    photo : (h, w, 3 or 4) ndarray of uint8, optional
        The photo's preview if already made (``downscale`` of the photo, with
        its alpha, to ``side``): it does not change with the segmentation.

    Returns
    -------
    Previews

    Raises
    ------
    ValueError
        If the sizes are out of range or the shapes do not match.
    """
    check_same_size(rgb, result.labels)
    side = check_int("side", side, 1, 10_000)
    thumb_side = check_int("thumb_side", thumb_side, 1, side)
    original = photo if photo is not None else photo_preview(rgb, alpha, side)
    labels = preview_labels(result, original.shape[:2])
    segmented = paint_labels(labels, result.centers)
    rgba = np.empty((*labels.shape, 4), dtype=np.uint8)
    rgba[..., :3] = original[..., :3]
    thumbs = []
    for i in range(result.k):
        # The photo's colour stays under transparent pixels here, so that
        # shrinking blends edges with the photo, not with black.
        rgba[..., 3] = (labels == i).view(np.uint8) * np.uint8(255)
        if alpha is not None:
            np.minimum(rgba[..., 3], original[..., 3], out=rgba[..., 3])
        thumbs.append(downscale(rgba, thumb_side))
    out = Previews(original, labels, segmented, tuple(thumbs))
    for arr in (out.original, out.labels, out.segmented, *out.thumbs):
        arr.flags.writeable = False
    return out


def photo_preview(rgb: np.ndarray, alpha: np.ndarray | None = None, side: int = 1200) -> np.ndarray:
    """The photo (with its alpha, if any) at most ``side`` pixels on its
    longer side, area-interpolated (read-only)."""
    out = downscale(rgb if alpha is None else np.dstack([rgb, alpha]), side)
    out.flags.writeable = False
    return out


def on_checkerboard(rgba: np.ndarray, square: int = 8) -> np.ndarray:
    """An RGBA picture over a light grey checkerboard (the usual sign of
    transparency), as RGB: a preview that needs no alpha channel.

    Parameters
    ----------
    rgba : (H, W, 4) ndarray of uint8
    square : int, optional
        Side of the checkerboard's squares in pixels, 1 to 256.

    Returns
    -------
    (H, W, 3) ndarray of uint8
    """
    if rgba.dtype != np.uint8 or rgba.ndim != 3 or rgba.shape[2] != 4:
        msg = f"expected a uint8 (H, W, 4) array, got {rgba.dtype} {rgba.shape}"
        raise ValueError(msg)
    square = check_int("square", square, 1, 256)
    h, w = rgba.shape[:2]
    y, x = np.ogrid[:h, :w]
    board = np.where(((y // square) + (x // square)) % 2 == 0, 255, 228).astype(np.float32)
    a = rgba[..., 3:].astype(np.float32) / 255.0
    out = rgba[..., :3].astype(np.float32) * a + board[..., None] * (1.0 - a)
    return np.clip(np.rint(out), 0, 255).astype(np.uint8)
