"""A region of interest: the rectangle or polygon of a photo that is
fitted, counted and exported (the rest is left out, as transparent pixels
are).  A rectangle is given in pixels (``"120,80,400,300"``: x, y, width,
height) or, when all four are at most 1, in fractions of the photo
(``"0.1,0.1,0.8,0.8"``), so one region suits photos of any size; a polygon
as its corners, x,y pairs separated by semicolons (``"0.1,0.1; 0.9,0.2;
0.5,0.9"``), in pixels or, when every number is at most 1, in fractions.
A pixel is inside a polygon when its centre is (even-odd rule; a centre
exactly on an edge may fall either way), so a polygon on a rectangle's
four corners holds the rectangle's pixels.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Roi", "RoiError", "parse_roi"]

_NUMBER = r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*"
_ROI = re.compile(",".join([_NUMBER] * 4))
_POINT = re.compile(",".join([_NUMBER] * 2))
#: The most corners a polygon may have.
MAX_CORNERS = 200


class RoiError(ValueError):
    """A region of interest that cannot be read, or holds no pixel of a photo."""


@dataclass(frozen=True)
class Roi:
    """A rectangle: x, y, width, height in pixels, or, with ``relative``,
    in fractions of the photo's width and height."""

    x: float
    y: float
    width: float
    height: float
    relative: bool = False
    #: A polygon's corners (x, y), in the same units; () for the rectangle.
    #: The rectangle is then the polygon's bounding box.
    corners: tuple[tuple[float, float], ...] = ()

    def __str__(self) -> str:
        if self.corners:
            return "; ".join(f"{x:g},{y:g}" for x, y in self.corners)
        return ",".join(f"{v:g}" for v in (self.x, self.y, self.width, self.height))

    @classmethod
    def polygon(cls, corners: tuple[tuple[float, float], ...], relative: bool = False) -> Roi:
        """A polygon region from its corners (at least three)."""
        xs, ys = [c[0] for c in corners], [c[1] for c in corners]
        x, y = min(xs), min(ys)
        return cls(x, y, max(xs) - x, max(ys) - y, relative, tuple(corners))

    def box(self, shape: tuple[int, ...]) -> tuple[int, int, int, int]:
        """The rectangle on a photo of ``shape`` (height, width, …) in whole
        pixels, (x0, y0, x1, y1), end exclusive; fractions rounded to the
        nearest pixel.

        Raises
        ------
        RoiError
            If the rectangle holds no pixel of the photo.
        """
        h, w = int(shape[0]), int(shape[1])
        sx, sy = (w, h) if self.relative else (1, 1)
        x0, y0 = round(self.x * sx), round(self.y * sy)
        x1, y1 = round((self.x + self.width) * sx), round((self.y + self.height) * sy)
        x0, y0, x1, y1 = max(0, x0), max(0, y0), min(w, x1), min(h, y1)
        if x1 <= x0 or y1 <= y0:
            msg = f"the region of interest {self} holds no pixel of this {w} x {h} photo"
            raise RoiError(msg)
        return x0, y0, x1, y1

    def mask(self, shape: tuple[int, ...], mask: np.ndarray | None = None) -> np.ndarray:
        """A bool mask of the photo: True inside the rectangle (and inside
        ``mask``, if given, such as the opaque pixels)."""
        x0, y0, x1, y1 = self.box(shape)
        inside = np.zeros(shape[:2], dtype=bool)
        if self.corners:
            _fill_polygon(inside, self._pixel_corners(shape), (x0, y0, x1, y1))
        else:
            inside[y0:y1, x0:x1] = True
        if self.corners and not inside.any():
            msg = f"the region of interest {self} holds no pixel centre of this photo"
            raise RoiError(msg)
        return inside if mask is None else inside & mask

    def _pixel_corners(self, shape: tuple[int, ...]) -> np.ndarray:
        h, w = int(shape[0]), int(shape[1])
        sx, sy = (w, h) if self.relative else (1, 1)
        return np.array(self.corners, dtype=np.float64) * (sx, sy)


def _fill_polygon(inside: np.ndarray, corners: np.ndarray, box: tuple[int, ...]) -> None:
    """Set the pixels whose centres lie inside the polygon (even-odd rule),
    row by row within ``box`` (x0, y0, x1, y1)."""
    x0, y0, x1, y1 = box
    ax, ay = corners[:, 0], corners[:, 1]
    bx, by = np.roll(ax, -1), np.roll(ay, -1)
    for row in range(y0, y1):
        cy = row + 0.5
        crossing = (ay <= cy) != (by <= cy)  # edges that cross this row's centre line
        if not crossing.any():
            continue
        t = (cy - ay[crossing]) / (by[crossing] - ay[crossing])
        xs = np.sort(ax[crossing] + t * (bx[crossing] - ax[crossing]))
        for left, right in zip(xs[0::2], xs[1::2], strict=True):
            # Pixels whose centre c + 0.5 lies in (left, right).
            c0 = max(x0, int(np.ceil(left - 0.5)))
            c1 = min(x1, int(np.ceil(right - 0.5)))
            if np.ceil(left - 0.5) == left - 0.5:  # a centre on the edge: outside
                c0 = max(x0, int(left - 0.5) + 1)
            inside[row, c0:c1] = True


def parse_roi(text: object) -> Roi:
    """A region of interest from ``"X,Y,W,H"`` (pixels), or from four
    numbers of at most 1 (fractions of the photo).

    Raises
    ------
    RoiError
        If it is not four numbers, or the width or height is 0.
    """
    if not isinstance(text, str):
        msg = f"a region of interest must be text such as '120,80,400,300', got {text!r:.40}"
        raise TypeError(msg)
    if ";" in text:
        return _parse_polygon(text)
    m = _ROI.fullmatch(text)
    if m is None:
        msg = (
            "a region of interest is four numbers X,Y,W,H: pixels such as '120,80,400,300', "
            f"or fractions of the photo such as '0.1,0.1,0.8,0.8'; got {text!r:.40}"
        )
        raise RoiError(msg)
    x, y, w, h = (float(v) for v in m.groups())
    if w <= 0 or h <= 0:
        msg = f"a region of interest needs a width and a height above 0, got {text!r:.40}"
        raise RoiError(msg)
    relative = max(x, y, w, h) <= 1
    if relative and (x + w > 1 + 1e-9 or y + h > 1 + 1e-9):
        msg = (
            "a region in fractions must lie within the photo (x + w and y + h at most 1), "
            f"got {text!r:.40}"
        )
        raise RoiError(msg)
    return Roi(x, y, w, h, relative)


def _parse_polygon(text: str) -> Roi:
    """A polygon from ``"x,y; x,y; x,y"`` (at least three corners)."""
    items = [item for item in text.split(";") if item.strip()]
    found = [_POINT.fullmatch(item) for item in items]
    if any(m is None for m in found) or not 3 <= len(found) <= MAX_CORNERS:
        msg = (
            "a polygon is 3 to 200 corners X,Y separated by semicolons, in pixels such as "
            f"'10,10; 400,20; 200,300' or fractions of the photo; got {text!r:.60}"
        )
        raise RoiError(msg)
    corners = tuple((float(m.group(1)), float(m.group(2))) for m in found)  # type: ignore[union-attr]
    roi = Roi.polygon(corners, relative=max(max(c) for c in corners) <= 1)
    if roi.width <= 0 or roi.height <= 0:
        msg = f"a polygon needs a width and a height above 0, got {text!r:.60}"
        raise RoiError(msg)
    return roi
