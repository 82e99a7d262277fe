"""Pointing at a picture: which full-size pixel a click on a shown (resized)
picture of the image lands on, and which cluster that pixel belongs to."""

from __future__ import annotations

from kseg.result import Segmentation
from kseg.validation import check_int

__all__ = ["cluster_at", "pixel_at"]


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
