"""A region of interest: the rectangle of a photo that is fitted, counted
and exported (the rest is left out, as transparent pixels are).  Given in
pixels (``"120,80,400,300"``: x, y, width, height) or, when all four are
at most 1, in fractions of the photo (``"0.1,0.1,0.8,0.8"``), so one
region suits photos of any size.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

__all__ = ["Roi", "RoiError", "parse_roi"]

_NUMBER = r"\s*([0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*"
_ROI = re.compile(",".join([_NUMBER] * 4))


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

    def __str__(self) -> str:
        return ",".join(f"{v:g}" for v in (self.x, self.y, self.width, self.height))

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
        inside[y0:y1, x0:x1] = True
        return inside if mask is None else inside & mask


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
