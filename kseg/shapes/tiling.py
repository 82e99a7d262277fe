"""A sheet larger than the printer's paper, printed over many pages: each
page shows one window of the sheet, neighbours repeat a strip of each other
(the overlap), and marks say how the pages join (a dashed line where the
next page's edge goes, crosses that meet, and each page's name: A1, A2, …
for rows A, B, … and columns 1, 2, …).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from kseg.base.validation import check_number
from kseg.shapes.pdf import mm_from_top, pdf_pages
from kseg.shapes.sheet import PAPERS, paper_mm

__all__ = ["TILE_MARGIN_MM", "Tiles", "tile_pdf"]

#: White margin around each page's window of the sheet (mm): what most
#: printers leave, and room for the page's name and the joining note.
TILE_MARGIN_MM = 10.0
_CROSS = 2.5  # mm, half a cross's arm


@dataclass(frozen=True)
class Tiles:
    """A sheet printed over ``rows`` x ``columns`` pages.

    Attributes
    ----------
    pdf : bytes
        One page per tile, row by row; the sheet's drawing is stored once.
    rows, columns : int
    paper : str
        The pages' paper, as given (``"A4"``); ``landscape`` its turn.
    landscape : bool
    overlap_mm : float
        How much neighbouring pages repeat of each other.
    windows : tuple of (x, y, width, height)
        Each page's window of the sheet, in millimetres from its top-left.
    """

    pdf: bytes
    rows: int
    columns: int
    paper: str
    landscape: bool
    overlap_mm: float
    windows: tuple[tuple[float, float, float, float], ...]

    @property
    def pages(self) -> int:
        return self.rows * self.columns


def _grid(sheet_w: float, sheet_h: float, win_w: float, win_h: float, overlap: float) -> tuple:
    columns = max(1, math.ceil((sheet_w - overlap) / (win_w - overlap)))
    rows = max(1, math.ceil((sheet_h - overlap) / (win_h - overlap)))
    return rows, columns


def tile_pdf(
    ops: list[str],
    sheet_w: float,
    sheet_h: float,
    paper: str = "A4",
    overlap_mm: float = 10.0,
    title: str = "",
) -> Tiles:
    """The drawing ``ops`` (PDF operators in millimetres from the top-left
    of a ``sheet_w`` x ``sheet_h`` sheet) printed over pages of ``paper``.

    Parameters
    ----------
    ops : list of str
        The sheet's content operators (as :func:`kseg.shapes.sheet.sheet_ops`
        gives them).
    sheet_w, sheet_h : float
        The sheet's size in millimetres.
    paper : str, optional
        The pages: one of ``PAPERS`` ("A4", "Letter", …); portrait or
        landscape, whichever needs fewer pages.
    overlap_mm : float, optional
        How much neighbouring pages repeat of each other (0 to 30 mm).
    title : str, optional
        Printed beside each page's name.

    Raises
    ------
    ValueError
        For a paper not in ``PAPERS`` or an overlap out of range.
    """
    if paper not in PAPERS:
        msg = f"paper must be one of {', '.join(PAPERS)} to print on, got {paper!r:.40}"
        raise ValueError(msg)
    overlap = check_number("overlap_mm", overlap_mm, 0.0, 30.0)
    pw, ph = paper_mm(paper)
    m = TILE_MARGIN_MM
    turns = [(pw, ph, False), (ph, pw, True)]
    counts = [_grid(sheet_w, sheet_h, w - 2 * m, h - 2 * m, overlap) for w, h, _ in turns]
    pick = 0 if counts[0][0] * counts[0][1] <= counts[1][0] * counts[1][1] else 1
    pw, ph, landscape = turns[pick]
    rows, columns = counts[pick]
    win_w, win_h = pw - 2 * m, ph - 2 * m
    step_x, step_y = win_w - overlap, win_h - overlap
    pages, windows = [], []
    for r in range(rows):
        for c in range(columns):
            ox, oy = c * step_x, r * step_y
            # The last row's and column's windows end where the sheet does.
            ww, wh = min(win_w, sheet_w - ox), min(win_h, sheet_h - oy)
            windows.append((ox, oy, ww, wh))
            page = [
                mm_from_top(ph),
                "q",
                f"{m:.3f} {m:.3f} {ww:.3f} {wh:.3f} re W n",
                f"1 0 0 1 {m - ox:.3f} {m - oy:.3f} cm",
                "/S0 Do",
                "Q",
            ]
            page += _marks(r, c, rows, columns, (pw, ph), (ww, wh), overlap, title)
            pages.append(page)
    pdf = pdf_pages(pages, pw, ph, form=(ops, sheet_w, sheet_h))
    return Tiles(pdf, rows, columns, paper, landscape, overlap, tuple(windows))


def tile_name(r: int, c: int) -> str:
    """A page's name: its row's letter (A, B, …, Z, AA, …) and column's number."""
    letters = ""
    r += 1
    while r:
        r, rest = divmod(r - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{c + 1}"


def _marks(
    r: int,
    c: int,
    rows: int,
    columns: int,
    paper: tuple[float, float],
    window: tuple[float, float],
    overlap: float,
    title: str,
) -> list[str]:
    """A page's marks, in millimetres on the page: the window's frame (cut
    along it where a neighbour is above or on the left), a dashed line where
    the next page's edge goes, crosses in the strips neighbours share, the
    page's name and how it joins."""
    m = TILE_MARGIN_MM
    ph, (win_w, win_h) = paper[1], window
    ops = ["0.2 w 0.45 0.45 0.45 RG [] 0 d", f"{m:.3f} {m:.3f} {win_w:.3f} {win_h:.3f} re S"]
    right, below = c + 1 < columns, r + 1 < rows
    dashed = []
    if right and overlap:
        x = m + win_w - overlap
        dashed.append(f"{x:.3f} {m:.3f} m {x:.3f} {m + win_h:.3f} l S")
    if below and overlap:
        y = m + win_h - overlap
        dashed.append(f"{m:.3f} {y:.3f} m {m + win_w:.3f} {y:.3f} l S")
    ops += ["0.3 w 0 0 0 RG [2 1.5] 0 d", *dashed, "[] 0 d"] if dashed else ["0.3 w 0 0 0 RG"]
    # Crosses at the same places of the sheet on both pages of a join.
    half = overlap / 2
    for has, xs, ys in (
        (c > 0, [m + half], [m + win_h / 4, m + 3 * win_h / 4]),
        (right, [m + win_w - half], [m + win_h / 4, m + 3 * win_h / 4]),
        (r > 0, [m + win_w / 4, m + 3 * win_w / 4], [m + half]),
        (below, [m + win_w / 4, m + 3 * win_w / 4], [m + win_h - half]),
    ):
        if has and overlap:
            ops += [_cross(x, y) for x in xs for y in ys]
    name = tile_name(r, c)
    head = f"{name} - row {tile_name(r, 0)[:-1]} of {rows}, column {c + 1} of {columns}"
    head += f" - page {r * columns + c + 1} of {rows * columns}"
    if title:
        head += f" - {title}"
    joins = []
    if right:
        joins.append(f"{tile_name(r, c + 1)} goes on the right, its edge on the dashed line")
    if below:
        joins.append(f"{tile_name(r + 1, c)} goes below, its edge on the dashed line")
    if c > 0 or r > 0:
        joins.append("cut this page along the frame's " + _sides(c > 0, r > 0))
    foot = "; ".join(joins) + "; match the crosses." if joins else "One page: nothing to join."
    ops.append("0 0 0 rg")
    ops.append(_text(m, m - 4, 3.6, head))
    ops.append(_text(m, ph - m + 6, 2.8, foot[:1].upper() + foot[1:]))
    return ops


def _sides(left: bool, top: bool) -> str:
    return "left and top edges" if left and top else "left edge" if left else "top edge"


def _cross(x: float, y: float) -> str:
    a = _CROSS
    return (
        f"{x - a:.3f} {y:.3f} m {x + a:.3f} {y:.3f} l {x:.3f} {y - a:.3f} m {x:.3f} {y + a:.3f} l S"
    )


def _text(x: float, y: float, size: float, words: str) -> str:
    text = words.encode("latin-1", "replace").decode("latin-1")
    text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
    return f"BT /F1 {size} Tf 1 0 0 -1 {x:.2f} {y:.2f} Tm ({text}) Tj ET"
