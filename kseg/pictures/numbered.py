"""Regions on the photo, as a person checks a count: every region's outline
drawn on a preview of the photo, and the largest numbered as in
``regions.csv`` (:func:`numbered_regions`)."""

from __future__ import annotations

import numpy as np

from kseg.base.opencv import cv2
from kseg.base.validation import check_int, check_same_size
from kseg.engine.measuring import RegionTable

__all__ = ["numbered_regions"]


def numbered_regions(
    rgb: np.ndarray, labels: np.ndarray, table: RegionTable, width: int, *, most: int = 150
) -> np.ndarray:
    """The photo with its regions outlined and the ``most`` largest numbered.

    Parameters
    ----------
    rgb : (h, w, 3) ndarray of uint8
        The photo, at any size (a preview).
    labels : (h, w) ndarray of int
        Each preview pixel's colour, or class when the table counts classes.
    table : RegionTable
        The regions, measured at full size.
    width : int
        The full-size photo's width, in pixels (for the centroids' scale).
    most : int, optional
        How many regions get their number (1 to 10,000), largest first:
        beyond a few hundred numbers on a preview nobody can read them.

    Returns
    -------
    (h, w, 3) ndarray of uint8
    """
    check_same_size(rgb, labels)
    most = check_int("most", most, 1, 10_000)
    out = rgb.copy()
    edge = np.zeros(labels.shape, dtype=bool)
    edge[:, 1:] |= labels[:, 1:] != labels[:, :-1]
    edge[1:, :] |= labels[1:, :] != labels[:-1, :]
    out[edge] = (255, 255, 255)
    scale = labels.shape[1] / max(1, width)
    size = max(0.3, min(0.6, labels.shape[1] / 1600))
    for i in np.argsort(-table.area, kind="stable")[:most].tolist():
        x, y = (table.inside[i] * scale).tolist()  # inside the region, unlike a centroid
        text = str(i + 1)
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, size, 1)
        at = (int(x - tw / 2), int(y + th / 2))
        cv2.putText(out, text, at, cv2.FONT_HERSHEY_SIMPLEX, size, (255, 255, 255), 3, cv2.LINE_AA)
        cv2.putText(out, text, at, cv2.FONT_HERSHEY_SIMPLEX, size, (0, 0, 0), 1, cv2.LINE_AA)
    return out
