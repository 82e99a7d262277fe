"""The paint-by-number sheet on paper: the layout (the picture and the key
of colours on A4 or Letter, turned to fit), and the sheet drawn as SVG and
as a one-page PDF, both in millimetres, so either prints as it is.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from kseg.base.validation import UNITS_MM
from kseg.shapes.pdf import mm_from_top, pdf_file

__all__ = [
    "NUMBER_MAX",
    "PAPERS",
    "SIDE_MM",
    "Layout",
    "Sheet",
    "layout",
    "paper_mm",
    "sheet_ops",
    "sheet_pdf",
    "sheet_svg",
]

#: Paper sizes (width, height) in millimetres, portrait; any other size is
#: given as width x height with a unit (``"40x50cm"``, a usual canvas).
PAPERS = {
    "A4": (210.0, 297.0),
    "A3": (297.0, 420.0),
    "Letter": (215.9, 279.4),
    "Tabloid": (279.4, 431.8),
}
_SIZE = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*[x×]\s*([0-9]+(?:\.[0-9]+)?)\s*(mm|cm|in)\s*")
#: The smallest and largest sheet side (mm).
SIDE_MM = (100.0, 2000.0)


def paper_mm(paper: object) -> tuple[float, float]:
    """The paper's (width, height) in millimetres, portrait: a name of
    ``PAPERS`` or a size such as ``"40x50cm"`` or ``"16x20in"``.

    Raises
    ------
    TypeError, ValueError
        For anything else, or a side outside ``SIDE_MM``.
    """
    if not isinstance(paper, str):
        msg = f"paper must be a name or a size such as '40x50cm', got {type(paper).__name__}"
        raise TypeError(msg)
    if paper in PAPERS:
        return PAPERS[paper]
    m = _SIZE.fullmatch(paper.lower())
    if m is None:
        names = ", ".join(PAPERS)
        msg = f"paper must be one of {names} or a size such as '40x50cm', got {paper!r:.40}"
        raise ValueError(msg)
    a, b = (float(m.group(i)) * UNITS_MM[m.group(3)] for i in (1, 2))
    if not all(SIDE_MM[0] <= v <= SIDE_MM[1] for v in (a, b)):
        msg = f"paper sides must be from {SIDE_MM[0]:g} to {SIDE_MM[1]:g} mm, got {paper!r:.40}"
        raise ValueError(msg)
    return min(a, b), max(a, b)


_MARGIN = 10.0  # mm
_KEY_ROW = 8.5  # mm per row of the key (a name, and its area and paint below)
_KEY_COLUMNS = 4
#: Largest number printed (mm, the digits' height).
NUMBER_MAX = 6.0
#: The outlines' width on paper (mm).
_OUTLINE_MM = 0.2


@dataclass(frozen=True)
class Layout:
    width: float  # the paper, mm
    height: float
    x0: float  # the picture's top-left corner, mm
    y0: float
    scale: float  # mm per pixel
    key_top: float


def layout(w: int, h: int, k: int, paper: str) -> tuple[Layout, bool]:
    pw, ph = paper_mm(paper)
    landscape = w > h
    if landscape:
        pw, ph = ph, pw
    rows = math.ceil(k / _KEY_COLUMNS)
    key_h = rows * _KEY_ROW + 4
    area_w, area_h = pw - 2 * _MARGIN, ph - 2 * _MARGIN - key_h
    scale = min(area_w / w, area_h / h)
    x0 = (pw - w * scale) / 2
    y0 = _MARGIN
    return Layout(pw, ph, x0, y0, scale, y0 + h * scale + 4), landscape


def number_size(radius: float, scale: float, smallest: float) -> float:
    return min(NUMBER_MAX, max(smallest, 1.2 * radius * scale))


def _hex(c: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in c))


@dataclass(frozen=True)
class Sheet:
    """What is drawn on the sheet: the outlines (smooth path data, one per
    colour), each region's number at its pole, and the key."""

    lay: Layout
    outlines: list[str]
    at: np.ndarray  # (regions, 2) pixel (x, y) of each number
    radius: np.ndarray  # room around it, pixels
    colour_of: np.ndarray  # each region's colour index
    centres: np.ndarray
    names: list[str]
    number_mm: float  # the smallest number
    areas_cm2: list[float]  # each colour's area on the sheet
    coverage: float | None = None  # ml of paint a square metre takes

    def numbers(self) -> Iterator[tuple[float, float, float, str]]:
        """Each region's number: its centre on the sheet (mm), size, text."""
        lay = self.lay
        for (x, y), r, c in zip(
            self.at.tolist(), self.radius.tolist(), self.colour_of.tolist(), strict=True
        ):
            size = number_size(r, lay.scale, self.number_mm)
            yield lay.x0 + (x + 0.5) * lay.scale, lay.y0 + (y + 0.5) * lay.scale, size, str(c + 1)

    def key(self) -> Iterator[tuple[float, float, np.ndarray, str, str]]:
        """Each colour's key entry: its top-left (mm), colour, number and
        name, and its area (with the paint it needs, at ``coverage``)."""
        col_w = (self.lay.width - 2 * _MARGIN) / _KEY_COLUMNS
        rows = zip(self.centres, self.names, self.areas_cm2, strict=True)
        for i, (centre, name, area) in enumerate(rows):
            x = _MARGIN + (i % _KEY_COLUMNS) * col_w
            y = self.lay.key_top + (i // _KEY_COLUMNS) * _KEY_ROW
            detail = f"{area:.1f} cm²"
            if self.coverage:
                detail += f" · {area / 10_000 * self.coverage:.1f} ml"
            yield x, y, centre, f"{i + 1} · {name}", detail


def sheet_svg(sheet: Sheet) -> str:
    lay = sheet.lay
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width}mm" '
        f'height="{lay.height}mm" viewBox="0 0 {lay.width} {lay.height}">\n'
        "<title>Paint by number</title>\n"
        f'<rect width="{lay.width}" height="{lay.height}" fill="#ffffff"/>\n'
        f'<g transform="translate({lay.x0:.3f} {lay.y0:.3f}) scale({lay.scale:.6f})" '
        f'fill="none" stroke="#8c8c8c" stroke-width="{_OUTLINE_MM / lay.scale:.4f}" '
        'stroke-linejoin="round">\n'
    ]
    parts += [f'<path d="{d}"/>\n' for d in sheet.outlines if d]
    parts.append("</g>\n<g font-family=\"Helvetica, Arial, sans-serif\" fill=\"#4a4a4a\" "
                 'text-anchor="middle" dominant-baseline="central">\n')  # fmt: skip
    for cx, cy, size, text in sheet.numbers():
        parts.append(f'<text x="{cx:.2f}" y="{cy:.2f}" font-size="{size:.2f}">{text}</text>\n')
    parts.append('</g>\n<g font-family="Helvetica, Arial, sans-serif" font-size="3.2" '
                 'fill="#1a1a1a">\n')  # fmt: skip
    for x, y, centre, label, detail in sheet.key():
        parts.append(
            f'<rect x="{x:.2f}" y="{y:.2f}" width="8" height="5" fill="{_hex(centre)}" '
            'stroke="#8c8c8c" stroke-width="0.2"/>'
            f'<text x="{x + 10:.2f}" y="{y + 3.8:.2f}">{html.escape(label)}</text>'
            f'<text x="{x + 10:.2f}" y="{y + 7.0:.2f}" font-size="2.6">'
            f"{html.escape(detail)}</text>\n"
        )
    parts.append("</g>\n</svg>\n")
    return "".join(parts)


_TOKEN = re.compile(r"[Mqtlhvz]|-?(?:\d+(?:\.\d+)?|\.\d+)")
#: How many numbers each command takes.
_ARITY = {"M": 2, "q": 4, "t": 2, "l": 2, "h": 1, "v": 1}


def _pdf_path(d: str, lay: Layout) -> list[str]:
    """PDF path operators of a smooth outline (per loop an ``M``, then
    relative ``q``, ``t``, ``l``, ``h`` and ``v``, and ``z``), in millimetres
    on the sheet (quadratic curves as cubic ones; a ``t``'s control is the
    last one reflected)."""
    ops: list[str] = []
    s = lay.scale
    x = y = qx = qy = 0.0
    nums: list[float] = []
    mode = ""

    def mm(px: float, py: float) -> str:
        return f"{lay.x0 + px * s:.3f} {lay.y0 + py * s:.3f}"

    def curve(ex: float, ey: float) -> None:
        c1 = (x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y))
        c2 = (ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey))
        ops.append(f"{mm(*c1)} {mm(*c2)} {mm(ex, ey)} c")

    for tok in _TOKEN.findall(d):
        if tok in _ARITY:
            mode, nums = tok, []
            continue
        if tok == "z":
            ops.append("h")
            continue
        nums.append(float(tok))
        if len(nums) < _ARITY[mode]:
            continue
        if mode == "M":
            x, y = nums
            ops.append(f"{mm(x, y)} m")
        elif mode == "q":
            qx, qy = x + nums[0], y + nums[1]
            curve(x + nums[2], y + nums[3])
            x, y = x + nums[2], y + nums[3]
        elif mode == "t":
            qx, qy = 2 * x - qx, 2 * y - qy
            curve(x + nums[0], y + nums[1])
            x, y = x + nums[0], y + nums[1]
        else:  # a line: l dx dy, h dx or v dy
            x += nums[0] if mode != "v" else 0.0
            y += nums[-1] if mode != "h" else 0.0
            ops.append(f"{mm(x, y)} l")
        nums = []
    return ops


def sheet_pdf(sheet: Sheet) -> bytes:
    """The sheet as a one-page PDF drawn in millimetres from the top-left
    (one transform turns that into PDF points from the bottom-left)."""
    lay = sheet.lay
    return pdf_file([mm_from_top(lay.height), *sheet_ops(sheet)], lay.width, lay.height)


def sheet_ops(sheet: Sheet) -> list[str]:
    """The sheet's PDF content operators, in millimetres from its top-left."""
    lay = sheet.lay
    ops = [f"{_OUTLINE_MM} w 1 J 1 j"]
    ops.append("0.549 0.549 0.549 RG")
    for d in sheet.outlines:
        ops += _pdf_path(d, lay)
        ops.append("S")
    ops.append("0.29 0.29 0.29 rg")
    for cx, cy, size, text in sheet.numbers():
        left, base = cx - 0.28 * size * len(text), cy + 0.36 * size
        ops.append(f"BT /F1 {size:.2f} Tf 1 0 0 -1 {left:.3f} {base:.3f} Tm ({text}) Tj ET")
    for x, y, centre, label, detail in sheet.key():
        r, g, b = (int(v) / 255 for v in centre)
        ops.append(f"{r:.3f} {g:.3f} {b:.3f} rg {x:.2f} {y:.2f} 8 5 re B")
        for words, size, down in ((label, 3.2, 3.8), (detail, 2.6, 7.0)):
            text = words.replace("·", "-").encode("latin-1", "replace").decode("latin-1")
            text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            ops.append(
                f"0.1 0.1 0.1 rg BT /F1 {size} Tf 1 0 0 -1 {x + 10:.2f} {y + down:.2f} Tm "
                f"({text}) Tj ET"
            )
    return ops
