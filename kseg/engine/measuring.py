"""Regions measured: each colour's separate regions (4- or 8-connected),
with their areas, centroids, bounding boxes and perimeters, in pixels and,
given a scale, in millimetres: :func:`measure_regions`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba
import numpy as np

from kseg.base.opencv import cv2
from kseg.base.validation import check_connectivity, check_int, check_number
from kseg.engine.classes import Classes, class_labels
from kseg.engine.regions import interior, poles, regions
from kseg.engine.result import Segmentation

__all__ = ["RegionTable", "measure_regions"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _stats(region: np.ndarray, count: int) -> np.ndarray:
    """Per region: pixels, x sum, y sum, x min, y min, x max, y max, and
    perimeter (pixel edges between it and anything else, the frame too)."""
    h, w = region.shape
    out = np.zeros((count, 8), dtype=np.int64)
    out[:, 3] = w
    out[:, 4] = h
    for y in range(h):
        for x in range(w):
            r = region[y, x]
            if r < 0:
                continue
            out[r, 0] += 1
            out[r, 1] += x
            out[r, 2] += y
            out[r, 3] = min(out[r, 3], x)
            out[r, 4] = min(out[r, 4], y)
            out[r, 5] = max(out[r, 5], x)
            out[r, 6] = max(out[r, 6], y)
            edges = 0
            if x == 0 or region[y, x - 1] != r:
                edges += 1
            if x == w - 1 or region[y, x + 1] != r:
                edges += 1
            if y == 0 or region[y - 1, x] != r:
                edges += 1
            if y == h - 1 or region[y + 1, x] != r:
                edges += 1
            out[r, 7] += edges
    return out


def _inside(region: np.ndarray, count: int) -> np.ndarray:
    """(count, 2) float: each region's pixel farthest from its edge."""
    dist = cv2.distanceTransform(interior(region), cv2.DIST_L2, 3)
    return poles(region, count, dist)[0].astype(np.float64)


@dataclass(frozen=True, eq=False)
class RegionTable:
    """The separate regions of a result's colours, one row each (raster
    order of their first pixel), the regions under ``min_size`` left out.

    Attributes
    ----------
    colour : (n,) ndarray of int
        Each region's colour (0-based, as in the result).
    area : (n,) ndarray of int
        Pixels.
    centroid : (n, 2) ndarray of float
        Mean (x, y) of the pixels' centres (a pixel's centre is at + 0.5).
    inside : (n, 2) ndarray of float
        The centre (x, y) of the region's pixel farthest from its edge and
        the frame: where a label goes (a centroid may lie outside a curved
        or ring-shaped region).
    bbox : (n, 4) ndarray of int
        x, y, width, height in pixels.
    perimeter : (n,) ndarray of int
        Pixel edges on the region's border (holes included), in pixels.
    mm_per_px : float or None
        The scale, if given: areas in mm² are ``area * mm_per_px**2``.
    connectivity : int
        4 or 8.
    min_size : int
        Smallest region counted, pixels.
    """

    colour: np.ndarray
    area: np.ndarray
    centroid: np.ndarray
    inside: np.ndarray
    bbox: np.ndarray
    perimeter: np.ndarray
    mm_per_px: float | None
    connectivity: int
    min_size: int
    #: With classes: their names, and ``colour`` is each region's class.
    classes: tuple[str, ...] = ()

    def area_mm2(self) -> np.ndarray | None:
        """Each region's area in square millimetres (None without a scale)."""
        return None if self.mm_per_px is None else self.area * self.mm_per_px**2

    def summary(self, k: int) -> list[dict[str, float | int]]:
        """Per colour: regions, total, smallest, median and largest area (pixels)."""
        rows = []
        for c in range(k):
            a = self.area[self.colour == c]
            rows.append(
                {
                    "regions": int(a.size),
                    "total": int(a.sum()),
                    "min": int(a.min()) if a.size else 0,
                    "median": float(np.median(a)) if a.size else 0.0,
                    "max": int(a.max()) if a.size else 0,
                }
            )
        return rows


def measure_regions(
    result: Segmentation,
    *,
    connectivity: int = 8,
    min_size: int = 1,
    mm_per_px: float | None = None,
    classes: Classes | None = None,
) -> RegionTable:
    """Count and measure the separate regions of every colour, or of every
    class (neighbouring colours of one class are one region).

    Parameters
    ----------
    result : Segmentation
        A segmentation (merged or cleaned ones too).
    connectivity : {4, 8}, optional
        Pixels touching at a corner are one region (8) or not (4).
    min_size : int, optional
        Regions under this many pixels are left out of the table.
    mm_per_px : float, optional
        The scale (the width of a pixel in millimetres), for areas in mm².
    classes : Classes, optional
        Regions of each class (:meth:`Classes.groups`) instead of each colour.

    Returns
    -------
    RegionTable

    Raises
    ------
    TypeError, ValueError
        For a result that is not one, or an argument out of range.
    """
    if not isinstance(result, Segmentation):
        msg = f"result must be a kseg.Segmentation, got {type(result).__name__}"
        raise TypeError(msg)
    diagonal = check_connectivity(connectivity)
    min_size = check_int("min_size", min_size, 1, 10**9)
    if mm_per_px is not None:
        mm_per_px = check_number("mm_per_px", mm_per_px, 0.0, 1e6, open_lo=True)
    labels, names = result.labels, ()
    if classes is not None:
        labels, names = class_labels(result, classes)
    region, sizes = regions(labels, diagonal)
    stats = _stats(region, len(sizes))
    keep = np.flatnonzero(stats[:, 0] >= min_size)
    first = np.full(len(sizes), -1, dtype=np.int64)  # each region's colour, from a pixel of it
    flat = region.ravel()
    inside = np.flatnonzero(flat >= 0)
    first[flat[inside]] = labels.ravel()[inside]
    s = stats[keep]
    return RegionTable(
        colour=first[keep],
        area=s[:, 0],
        centroid=np.stack([s[:, 1], s[:, 2]], axis=1) / s[:, :1] + 0.5,
        inside=_inside(region, len(sizes))[keep] + 0.5,
        bbox=np.stack([s[:, 3], s[:, 4], s[:, 5] - s[:, 3] + 1, s[:, 6] - s[:, 4] + 1], axis=1),
        perimeter=s[:, 7],
        mm_per_px=mm_per_px,
        connectivity=connectivity,
        min_size=min_size,
        classes=names,
    )
