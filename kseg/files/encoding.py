"""Pictures as PNG or JPEG bytes: grey, RGB and RGBA arrays (OpenCV), and
labels as an indexed PNG (Pillow: OpenCV writes no palette PNGs)."""

from __future__ import annotations

import io

import numpy as np
from PIL import Image

from kseg.base.opencv import cv2
from kseg.base.validation import check_int
from kseg.engine.result import Segmentation

__all__ = ["encode_jpeg", "encode_png", "labels_png", "segmented_png"]


def encode_png(
    image: np.ndarray,
    *,
    compression: int = 3,
    bilevel: bool = False,
    fast: bool = False,
    bgr: bool = False,
) -> bytes:
    """Encode a grey (H, W), RGB (H, W, 3) or RGBA (H, W, 4) uint8 array as PNG.

    Parameters
    ----------
    image : (H, W[, C]) ndarray of uint8
        The picture.
    compression : int, optional
        zlib level, 0 to 9 (1 is about 20 % faster than 3 on photos and a
        few per cent larger).
    bilevel : bool, optional
        Write a 1-bit PNG of a grey image: every non-zero pixel is white
        (255 when decoded), the others black; smaller and about five times
        faster than 8 bits.
    fast : bool, optional
        zlib level 1 and no PNG row filter (instead of ``compression`` and
        adaptive filters): about twice as fast on large photos, cut-outs and
        label maps, and on photos from a camera no larger (their noise
        defeats the filters).
    bgr : bool, optional
        The channels are in OpenCV's order already (BGR or BGRA): written
        as they are, without a converted copy.

    Raises
    ------
    ValueError
        If the array is not uint8 with 1, 3 or 4 channels, or ``bilevel`` is
        asked for an image with channels.
    """
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        msg = f"expected a uint8 (H, W[, C]) array, got {image.dtype} {image.shape}"
        raise ValueError(msg)
    params = [cv2.IMWRITE_PNG_COMPRESSION, 1 if fast else compression]
    if fast:
        params += [cv2.IMWRITE_PNG_FILTER, cv2.IMWRITE_PNG_FILTER_NONE]
    if bilevel:
        if image.ndim != 2:
            msg = f"bilevel PNGs are grey (H, W), got shape {image.shape}"
            raise ValueError(msg)
        params += [cv2.IMWRITE_PNG_BILEVEL, 1]
    if image.ndim == 3 and image.shape[2] in (3, 4) and bgr:
        pass
    elif image.ndim == 3:
        if image.shape[2] == 3:
            image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_RGBA2BGRA)
        else:
            msg = f"expected 3 or 4 channels, got {image.shape[2]}"
            raise ValueError(msg)
    ok, buf = cv2.imencode(".png", image, params)
    if not ok:  # pragma: no cover - OpenCV reports no reason
        msg = "PNG encoding failed"
        raise RuntimeError(msg)
    return buf.tobytes()


def labels_png(labels: np.ndarray, centers: np.ndarray, *, background: int | None = 255) -> bytes:
    """Labels painted with their cluster colours, as an indexed (palette) PNG.

    Decoded, it is :func:`kseg.paint_labels` of the same arguments pixel for
    pixel; with one byte a pixel instead of three it is about a third the
    size and three times faster to write (zlib level 1), and no painted
    copy of the labels is made.

    Parameters
    ----------
    labels : (H, W) ndarray of int
        Cluster index of every pixel, or -1.
    centers : (k, 3) ndarray of uint8
        Colour of each cluster, k at most 255.
    background : int or None, optional
        Grey level for label -1; None: those pixels are transparent (white
        with alpha 0, the rest opaque).

    Raises
    ------
    ValueError
        If the labels are not (H, W) or there are more than 255 colours.
    """
    centers = np.asarray(centers, dtype=np.uint8).reshape(-1, 3)
    k = centers.shape[0]
    if labels.ndim != 2 or k > 255:
        msg = f"expected (H, W) labels and at most 255 colours, got {labels.shape}, {k}"
        raise ValueError(msg)
    image = Image.fromarray(labels.astype(np.uint8), "P")  # -1 wraps to 255
    grey = 255 if background is None else background
    table = np.full((256, 3), grey, dtype=np.uint8)
    table[:k] = centers
    image.putpalette(table.ravel().tobytes())
    buf = io.BytesIO()
    extra = {"transparency": 255} if background is None else {}
    image.save(buf, "PNG", compress_level=1, **extra)
    return buf.getvalue()


def encode_jpeg(image: np.ndarray, *, quality: int = 90) -> bytes:
    """Encode an RGB (H, W, 3) uint8 array as JPEG (for previews of photos).

    Raises
    ------
    ValueError
        If the array is not (H, W, 3) uint8 or ``quality`` is not 1 to 100.
    """
    if image.dtype != np.uint8 or image.ndim != 3 or image.shape[2] != 3:
        msg = f"expected a uint8 (H, W, 3) array, got {image.dtype} {image.shape}"
        raise ValueError(msg)
    quality = check_int("quality", quality, 1, 100)
    bgr = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
    ok, buf = cv2.imencode(".jpg", bgr, [cv2.IMWRITE_JPEG_QUALITY, quality])
    if not ok:  # pragma: no cover - OpenCV reports no reason
        msg = "JPEG encoding failed"
        raise RuntimeError(msg)
    return buf.tobytes()


def segmented_png(result: Segmentation) -> bytes:
    """The segmented image as a download: an indexed PNG of
    :func:`kseg.segmented_image`, transparent where pixels were left out of
    clustering (label -1, such as a photo's transparent pixels) and opaque
    when none were.

    Parameters
    ----------
    result : Segmentation
        A result of :func:`kseg.segment` (or merged, cleaned).

    Raises
    ------
    TypeError
        For a ``result`` that is not a Segmentation.
    """
    if not isinstance(result, Segmentation):
        msg = f"result must be a kseg.Segmentation, got {type(result).__name__}"
        raise TypeError(msg)
    left_out = bool((result.labels < 0).any())
    return labels_png(result.labels, result.centers, background=None if left_out else 255)
