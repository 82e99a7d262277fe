"""Paint by number: a printable sheet of a segmentation's regions, each
outlined in thin grey and numbered with its colour, with a key of the
colours; as SVG and PDF, on A4, A3, Letter or any size of paper or canvas
turned to fit the photo (drawn by :mod:`kseg.shapes.sheet`).

Regions too small to paint or to hold a number (under ``min_region``
pixels, or narrower than ``min_width_mm`` or the number) are merged into
their neighbours first.  A painter sees a region joined to the rest of it
only by a strip narrower than that as an area of its own: every such
part carries its own number, at its point farthest from its edges, and no
number is smaller than ``number_mm``.  The sheet's outlines and numbers are
sized in millimetres (SVG and PDF alike), so either prints as it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np

from kseg.base.opencv import cv2
from kseg.base.parallel import on_threads
from kseg.base.validation import check_int, check_number, check_rgb, check_same_size
from kseg.engine.editing import cleaned_labels, fill_nearest
from kseg.engine.regions import poles, regions, swept_areas
from kseg.engine.result import Segmentation, names_of
from kseg.pictures.masks import paint_labels
from kseg.shapes.borders import Borders
from kseg.shapes.sheet import (
    NUMBER_MAX,
    PAPERS,
    Sheet,
    layout,
    paper_mm,
    sheet_ops,
    sheet_pdf,
    sheet_svg,
)
from kseg.shapes.tiling import Tiles, tile_pdf

__all__ = ["MIN_WIDTH_MM", "NUMBER_MM", "PAPERS", "PaintByNumber", "paint_by_number"]

#: Smallest number printed by default (mm, the digits' height).
NUMBER_MM = 2.5
#: Narrowest area a painter fills by default (mm): narrower regions are
#: merged, and parts joined by a narrower neck are numbered apart.
MIN_WIDTH_MM = 2.0


@dataclass(frozen=True)
class PaintByNumber:
    """A paint-by-number sheet.

    Attributes
    ----------
    svg : str
        The sheet as SVG (millimetres; outlines, numbers and the key).
    pdf : bytes
        The same sheet as a one-page PDF.
    preview : (H, W, 3) ndarray of uint8
        The photo painted by numbers: every region in its colour.
    labels : (H, W) ndarray of int16
        Each pixel's colour after the small regions were merged.
    regions : int
        Regions on the sheet.
    numbers : int
        Numbers on the sheet: one per region, and one more for every part
        joined to its region only by a neck narrower than ``min_width_mm``.
    areas_cm2 : tuple of float
        Each colour's area on the sheet, in cm² (what the key says).
    paper : str
        The paper or canvas as given, with ``landscape`` telling the
        orientation.
    landscape : bool
    sheet : Sheet
        What is drawn (the outlines, numbers and key), from which
        :meth:`tiled` prints the sheet over smaller pages.
    """

    svg: str
    pdf: bytes
    preview: np.ndarray
    labels: np.ndarray
    regions: int
    paper: str
    landscape: bool
    numbers: int = 0
    areas_cm2: tuple[float, ...] = ()
    sheet: Sheet | None = field(default=None, repr=False, compare=False)

    def tiled(self, paper: str = "A4", overlap_mm: float = 10.0) -> Tiles:
        """The sheet printed over pages of ``paper`` ("A4", "Letter", …),
        for a canvas larger than the printer's paper: neighbouring pages
        repeat ``overlap_mm`` of each other, with marks to join them.

        Returns
        -------
        Tiles
            The PDF (``.pdf``), its ``rows`` x ``columns`` pages and each
            page's window of the sheet.
        """
        if self.sheet is None:
            msg = "this sheet was made without its drawing; make it with kseg.paint_by_number"
            raise ValueError(msg)
        lay = self.sheet.lay
        title = f"{lay.width / 10:g} x {lay.height / 10:g} cm sheet"
        return tile_pdf(sheet_ops(self.sheet), lay.width, lay.height, paper, overlap_mm, title)


def paint_by_number(
    rgb: np.ndarray,
    result: Segmentation,
    *,
    paper: str = "A4",
    min_region: int | None = None,
    min_width_mm: float = MIN_WIDTH_MM,
    number_mm: float = NUMBER_MM,
    coverage: float | None = None,
) -> PaintByNumber:
    """A printable paint-by-number sheet of ``result``.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The photo that was segmented (for its size).
    result : Segmentation
        Its segmentation; k from 8 to 32 works well.
    paper : str, optional
        The paper: "A4", "A3" or "Letter", or any size such as "40x50cm"
        (a usual canvas) or "16x20in"; portrait or landscape as the photo
        is.
    min_region : int, optional
        Smallest region kept, in pixels; smaller ones are merged into a
        neighbour.  By default, the area of a disc 3 mm across on the
        printed sheet.  A region narrower than a printed number is merged
        too.
    min_width_mm : float, optional
        Narrowest area a painter fills, in millimetres on the sheet (0.5 to
        10): narrower regions are merged, and each part of a region joined
        to the rest only by a narrower neck carries its own number.
    number_mm : float, optional
        Smallest number printed, in millimetres (1.5 to 6).
    coverage : float, optional
        Millilitres of paint a square metre takes (1 to 10,000; acrylic
        is often about 100): the key then gives each colour's paint beside
        its area in cm².

    Returns
    -------
    PaintByNumber
        The sheet (``.svg``, ``.pdf``), the painted preview and the labels.

    Raises
    ------
    TypeError, ValueError
        For a bad ``paper`` or ``min_region``, or a photo of another size.
    """
    if not isinstance(result, Segmentation):
        msg = f"result must be a kseg.Segmentation, got {type(result).__name__}"
        raise TypeError(msg)
    rgb = check_rgb(rgb)
    check_same_size(rgb, result.labels)
    paper_mm(paper)  # a name or a size, checked
    h, w = result.labels.shape
    min_width_mm = check_number("min_width_mm", min_width_mm, 0.5, 10.0)
    number_mm = check_number("number_mm", number_mm, 1.5, NUMBER_MAX)
    if coverage is not None:
        coverage = check_number("coverage", coverage, 1.0, 10_000.0)
    lay, landscape = layout(w, h, result.k, paper)
    if min_region is None:
        min_region = max(16, round(math.pi * (1.5 / lay.scale) ** 2))
    min_region = check_int("min_region", min_region, 1, 10**9)
    # Half the narrowest paintable width (and half a number), in pixels.
    reach = max(min_width_mm, number_mm) / 2 / lay.scale
    labels = _merged(result.labels, min_region, reach)
    region, _ = regions(labels, False)
    count = int(region.max()) + 1 if region.size else 0
    # The distances handed over to the numbers' search, which frees them early.
    dist = [cv2.distanceTransform(_inner(region), cv2.DIST_L2, 3)]
    at, radius = _numbered_parts(region, count, dist, reach, min_region)
    colour_of = labels.ravel()[at[:, 1] * w + at[:, 0]] if len(at) else np.zeros(0, np.int64)
    # Outlines as smooth as print allows: within 0.15 mm of the pixels.
    tolerance = max(0.5, 0.15 / lay.scale)
    # Each border fitted once, so the colours either side share it (and the
    # picture's corners stay square).
    borders = Borders(labels, tolerance)
    outlines = on_threads(
        borders.path,
        [i for i in range(result.k) if (labels == i).any()],
    )
    names = names_of(result)
    pixels = np.bincount(labels[labels >= 0].ravel(), minlength=result.k)
    areas = (pixels * lay.scale**2 / 100).tolist()  # cm² on the sheet
    sheet = Sheet(
        lay, outlines, at, radius, colour_of, result.centers, names, number_mm, areas, coverage
    )
    svg, pdf = sheet_svg(sheet), sheet_pdf(sheet)
    preview = paint_labels(labels, result.centers)
    return PaintByNumber(
        svg, pdf, preview, labels, count, paper, landscape, len(at), tuple(areas), sheet
    )


def _numbered_parts(
    region: np.ndarray, count: int, held: list[np.ndarray], reach: float, min_region: int
) -> tuple[np.ndarray, np.ndarray]:
    """Where the numbers go: the pole (point farthest from the edges) of
    every part of every region, a part being what a disc ``reach`` pixels
    across the middle sweeps without leaving the region around one
    connected piece of its core (the pixels at least ``reach`` from the
    edge), counted when it covers ``min_region`` pixels; a region with no
    such part keeps one number at its own pole.  (n, 2) (x, y) and each
    number's room (pixels).  ``held``: the regions' distance transform, taken
    out of the list (and freed before the next one is made)."""
    dist = held.pop()
    at, radius = poles(region, count, dist)
    # ``dist`` runs to the centres of the edge pixels, half a pixel inside.
    core = np.where(dist >= reach - 0.5, region, np.int32(-1)).astype(np.int32, copy=False)
    part, _ = regions(core, True)
    del core
    parts = int(part.max()) + 1 if part.size else 0
    if parts == 0:
        return at, radius
    part_at, part_radius = poles(part, parts, dist)
    del dist
    # Each pixel to the nearest core pixel (OpenCV numbers them in raster
    # order); within reach, in the same region, it is swept by that part.
    away, nearest = cv2.distanceTransformWithLabels(
        (part < 0).view(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    area = swept_areas(region, part, away, nearest, reach, parts)
    del away, nearest
    big = area >= min_region
    has_part = np.zeros(count, dtype=bool)
    width = region.shape[1]
    has_part[region.ravel()[part_at[big, 1] * width + part_at[big, 0]]] = True
    return (
        np.concatenate([part_at[big], at[~has_part]]),
        np.concatenate([part_radius[big], radius[~has_part]]),
    )


def _merged(labels: np.ndarray, min_region: int, min_radius: float) -> np.ndarray:
    """Labels with regions under ``min_region`` pixels, then regions too
    narrow for a number (inscribed radius under ``min_radius`` pixels),
    merged into the neighbour nearest them."""
    labels = cleaned_labels(labels, min_region, diagonal=False)
    region, _ = regions(labels, False)
    count = int(region.max()) + 1 if region.size else 0
    dist = cv2.distanceTransform(_inner(region), cv2.DIST_L2, 3)
    _, radius = poles(region, count, dist)
    del dist
    thin = radius < min_radius
    if thin.any() and not thin.all():
        speck = (region >= 0) & thin[np.maximum(region, 0)]
        del region  # its memory free for the distance transform's
        labels = fill_nearest(labels, speck)
    return labels


def _inner(region: np.ndarray) -> np.ndarray:
    """uint8: 1 where a pixel's four neighbours are in its region (0 on a
    region's edge and the image's border)."""
    inner = np.zeros(region.shape, dtype=np.uint8)
    core = region[1:-1, 1:-1]
    same = (
        (core == region[:-2, 1:-1])
        & (core == region[2:, 1:-1])
        & (core == region[1:-1, :-2])
        & (core == region[1:-1, 2:])
        & (core >= 0)
    )
    inner[1:-1, 1:-1] = same
    return inner
