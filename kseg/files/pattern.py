"""Stitch, bead and brick patterns: the photo as a grid of cells, each one
colour of a result's palette, with a symbol per colour that reads in black
and white; drawn as a colour chart (PNG), a printable chart (one-page PDF:
symbols on white, a thin line every cell and a bold one every ten, a key
with each colour's symbol, name and count) and a table of the counts
(CSV), so a maker knows how many stitches, beads or bricks of each colour
to buy.
"""

from __future__ import annotations

import csv
import io
import math
from dataclasses import dataclass

import numpy as np

from kseg.base.opencv import cv2
from kseg.base.validation import check_int, check_rgb, check_same_size
from kseg.engine.applying import search_centres
from kseg.engine.histogram import features
from kseg.engine.lloyd import assign
from kseg.engine.result import Segmentation, names_of
from kseg.files.encoding import encode_png
from kseg.shapes.pdf import mm_from_top, pdf_pages
from kseg.shapes.sheet import paper_mm

__all__ = [
    "CELL_PX",
    "MIN_CELL_MM",
    "OVERLAP_CELLS",
    "PART_CELL_MM",
    "SYMBOLS",
    "StitchPattern",
    "stitch_pattern",
    "symbols_for",
]


#: One symbol a colour, told apart in black and white; after these, pairs.
SYMBOLS = "123456789ABCDEFGHJKLMNPQRSTUVWXYZ+=#%&@?<>/"
#: Pixels a cell in the PNG chart (fewer above 200 cells on a side, so the
#: chart stays under 3,200 pixels a side; symbols drawn from 12 pixels up).
CELL_PX = 16
_CHART_PX = 3200
#: A whole grid whose cells come out smaller than this on its page (mm) is
#: printed again in parts, a page each, ``PART_CELL_MM`` a cell.
MIN_CELL_MM = 3.0
PART_CELL_MM = 3.5
#: Cells of the next parts repeated, in grey, at a part's right and bottom.
OVERLAP_CELLS = 2
_MARGIN_MM = 10.0
_KEY_ROW_MM = 6.0
_KEY_COLUMNS = 4


@dataclass(frozen=True, eq=False)
class StitchPattern:
    """A stitch pattern.

    Attributes
    ----------
    labels : (rows, cells) ndarray of int16
        Each cell's colour (an index of ``centers``).
    centers : (k, 3) ndarray of uint8
        The colours.
    counts : (k,) ndarray of int64
        Cells of each colour (they sum to ``rows * cells``).
    symbols, names : tuple of str
        Each colour's symbol and name.
    png : bytes
        The chart in colour, each cell ``CELL_PX`` pixels with its symbol
        (smaller cells above 200 on a side).
    pdf : bytes
        The printable chart: symbols on white, a bold line every ten cells,
        the key (symbol, colour, name, count); a grid too fine for one page
        again in parts, a page each, their columns and rows numbered.
    csv : str
        One row per colour: number, symbol, name, hex, cells.
    """

    labels: np.ndarray
    centers: np.ndarray
    counts: np.ndarray
    symbols: tuple[str, ...]
    names: tuple[str, ...]
    png: bytes
    pdf: bytes
    csv: str

    def finished_mm(self, per_inch: float) -> tuple[float, float]:
        """The finished work's (width, height) in millimetres at
        ``per_inch`` cells an inch (a fabric's count: 14 for 14-count
        Aida; a bead or brick of ``25.4 / per_inch`` mm)."""
        if not 1 <= per_inch <= 200:
            msg = f"per_inch must be from 1 to 200, got {per_inch!r}"
            raise ValueError(msg)
        rows, cols = self.labels.shape
        return cols * 25.4 / per_inch, rows * 25.4 / per_inch


def symbols_for(k: int) -> tuple[str, ...]:
    """``k`` distinct symbols: one character each while they last, then pairs."""
    one = list(SYMBOLS)
    pairs = [a + b for a in SYMBOLS[9:] for b in SYMBOLS[:9]]
    return tuple((one + pairs)[:k])


def stitch_pattern(
    rgb: np.ndarray, result: Segmentation, cells: int, *, paper: str = "A4"
) -> StitchPattern:
    """A pattern ``cells`` cells across of ``result``'s colours.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The photo that was segmented.
    result : Segmentation
        Its segmentation: the colours of the pattern (a cell takes the one
        nearest its mean colour, as the result labels pixels).
    cells : int
        Cells across (10 to 1,000); the rows follow the photo's aspect.
    paper : str, optional
        The PDF's paper, as :func:`kseg.paint_by_number` takes it.

    Returns
    -------
    StitchPattern

    Raises
    ------
    TypeError, ValueError
        For a photo of another size, ``cells`` out of range or a bad paper.
    """
    rgb = check_rgb(rgb)
    check_same_size(rgb, result.labels)
    cells = check_int("cells", cells, 10, 1000)
    paper_mm(paper)
    h, w = result.labels.shape
    rows = max(1, round(cells * h / w))
    small = cv2.resize(rgb, (cells, rows), interpolation=cv2.INTER_AREA)
    space = str(result.settings.get("color_space", "rgb"))
    # Each cell to its nearest centre as kseg.apply_palette labels pixels
    # (without its 2**24 lookup table, 34 MB for a few thousand cells).
    codes = (small[..., 0].astype(np.uint32) << 16) | (small[..., 1].astype(np.uint32) << 8)
    codes |= small[..., 2]
    centres = search_centres(result.centers_float, space, result.label_centers)
    nearest, _ = assign(features(codes.ravel(), space), centres)
    labels = nearest.reshape(rows, cells).astype(np.int16)
    counts = np.bincount(labels.ravel(), minlength=result.k).astype(np.int64)
    symbols, names = symbols_for(result.k), tuple(names_of(result))
    return StitchPattern(
        labels=labels,
        centers=result.centers,
        counts=counts,
        symbols=symbols,
        names=names,
        png=encode_png(_chart(labels, result.centers, symbols)),
        pdf=_pdf(labels, result.centers, symbols, names, counts, paper),
        csv=_csv(result.centers, symbols, names, counts),
    )


def _ink(c: np.ndarray) -> tuple[int, int, int]:
    light = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] > 140
    return (0, 0, 0) if light else (255, 255, 255)


def _chart(labels: np.ndarray, centers: np.ndarray, symbols: tuple[str, ...]) -> np.ndarray:
    """The colour chart: each colour's cell drawn once (its colour, its
    symbol), every cell copied from it; grid lines, bold every ten."""
    rows, cols = labels.shape
    s = max(4, min(CELL_PX, _CHART_PX // max(rows, cols)))
    tiles = np.empty((len(centers), s, s, 3), np.uint8)
    for j, c in enumerate(centers.tolist()):
        tile = np.full((s, s, 3), c, np.uint8)
        tiles[j] = tile
        if s < 12:
            continue
        scale = (0.36 if len(symbols[j]) == 1 else 0.27) * s / CELL_PX
        (tw, th), _ = cv2.getTextSize(symbols[j], cv2.FONT_HERSHEY_SIMPLEX, scale, 1)
        org = ((s - tw) // 2, (s + th) // 2)
        cv2.putText(tile, symbols[j], org, cv2.FONT_HERSHEY_SIMPLEX, scale, _ink(c), 1, cv2.LINE_AA)
        tiles[j] = tile
    chart = np.empty((rows * s, cols * s, 3), np.uint8)
    for r in range(rows):  # a row of cells at a time: no copy of the whole chart
        chart[r * s : (r + 1) * s] = tiles[labels[r]].transpose(1, 0, 2, 3).reshape(s, cols * s, 3)
    chart[::s, :] = chart[:, ::s] = 140  # a thin grey line every cell
    chart[:: 10 * s, :] = chart[:, :: 10 * s] = 30  # a dark one every ten
    return chart


def _csv(
    centers: np.ndarray, symbols: tuple[str, ...], names: tuple[str, ...], counts: np.ndarray
) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["index", "symbol", "name", "hex", "cells"])
    rows = zip(centers.tolist(), symbols, names, counts.tolist(), strict=True)
    for i, (c, sym, name, n) in enumerate(rows):
        writer.writerow([i + 1, sym, name, "#{:02x}{:02x}{:02x}".format(*c), n])
    return out.getvalue()


def _pdf(
    labels: np.ndarray,
    centers: np.ndarray,
    symbols: tuple[str, ...],
    names: tuple[str, ...],
    counts: np.ndarray,
    paper: str,
) -> bytes:
    """The printable chart, in millimetres from the top-left: the whole
    grid as large as the paper allows above the key; where its cells come
    out under ``MIN_CELL_MM``, then the grid again in parts of whole tens
    of cells, ``PART_CELL_MM`` a cell, a page each, their columns and rows
    numbered."""
    rows, cols = labels.shape
    pw, ph = paper_mm(paper)
    if cols > rows:
        pw, ph = ph, pw
    key_h = math.ceil(len(centers) / _KEY_COLUMNS) * _KEY_ROW_MM + 4
    cell = min((pw - 2 * _MARGIN_MM) / cols, (ph - 2 * _MARGIN_MM - key_h) / rows)
    x0, y0 = (pw - cols * cell) / 2, _MARGIN_MM
    first = [mm_from_top(ph), "0 g"]
    first += _cells(labels, symbols, cell, x0, y0)
    first += _grid(rows, cols, cell, x0, y0)
    first += _key(centers, symbols, names, counts, pw, y0 + rows * cell + 4)
    if cell >= MIN_CELL_MM:
        return pdf_pages([first], pw, ph)
    room_w = (pw - 2 * _MARGIN_MM - 8) / PART_CELL_MM - OVERLAP_CELLS
    room_h = (ph - 2 * _MARGIN_MM - 12) / PART_CELL_MM - OVERLAP_CELLS
    per_col, per_row = (max(10, int(room) // 10 * 10) for room in (room_w, room_h))
    parts = [(r, c) for r in range(0, rows, per_row) for c in range(0, cols, per_col)]
    pages = [first]
    for n, (r0, c0) in enumerate(parts, start=1):
        pages.append(_part(labels, symbols, (r0, c0), (per_row, per_col), (n, len(parts)), ph))
    return pdf_pages(pages, pw, ph)


def _part(
    labels: np.ndarray,
    symbols: tuple[str, ...],
    at: tuple[int, int],
    most: tuple[int, int],
    number: tuple[int, int],
    ph: float,
) -> list[str]:
    """One part's page (its first row and column ``at``, at most ``most``
    rows and columns): its cells in black, the next parts' first
    ``OVERLAP_CELLS`` columns and rows in grey (to line the parts up)."""
    (r0, c0), (per_row, per_col) = at, most
    own = labels[r0 : r0 + per_row, c0 : c0 + per_col]
    th, tw = own.shape
    shown = labels[r0 : r0 + th + OVERLAP_CELLS, c0 : c0 + tw + OVERLAP_CELLS].copy()
    eh, ew = shown.shape
    shown[:th, :tw] = -1  # the part's own cells: drawn in black
    x, y = _MARGIN_MM + 8, _MARGIN_MM + 12
    title = f"Part {number[0]} of {number[1]}: columns {c0 + 1}-{c0 + tw}, rows {r0 + 1}-{r0 + th}"
    if (eh, ew) != (th, tw):
        title += " (in grey: the next parts' first cells)"
    ops = [mm_from_top(ph), "0 g"]
    ops.append(f"BT /F1 4 Tf 1 0 0 -1 {_MARGIN_MM:.2f} {_MARGIN_MM + 4:.2f} Tm ({title}) Tj ET")
    ops += _cells(own, symbols, PART_CELL_MM, x, y)
    ops.append("0.55 g")
    ops += _cells(shown, symbols, PART_CELL_MM, x, y)
    ops.append("0 g")
    ops += _grid(eh, ew, PART_CELL_MM, x, y, r0, c0)
    ops += _numbers(eh, ew, PART_CELL_MM, x, y, r0, c0)
    return ops


def _cells(
    labels: np.ndarray, symbols: tuple[str, ...], cell: float, x0: float, y0: float
) -> list[str]:
    """A symbol centred in every cell."""
    ops = []
    size = 0.62 * cell
    for j, sym in enumerate(symbols):
        ys, xs = np.nonzero(labels == j)
        width = 0.28 * size * len(sym)
        for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
            left, base = x0 + (x + 0.5) * cell - width, y0 + (y + 0.5) * cell + 0.36 * size
            ops.append(f"BT /F1 {size:.3f} Tf 1 0 0 -1 {left:.3f} {base:.3f} Tm ({sym}) Tj ET")
    return ops


def _grid(
    rows: int, cols: int, cell: float, x0: float, y0: float, r0: int = 0, c0: int = 0
) -> list[str]:
    """A thin line between cells, a bold one every ten (counted from the
    whole grid's first row and column, ``r0`` and ``c0`` before these) and
    around."""
    ops = []
    for bold in (False, True):
        ops.append(f"{0.4 if bold else 0.1} w {0.1 if bold else 0.55} G")
        for i in range(rows + 1):
            if ((r0 + i) % 10 == 0 or i in (0, rows)) == bold:
                y = y0 + i * cell
                ops.append(f"{x0:.3f} {y:.3f} m {x0 + cols * cell:.3f} {y:.3f} l S")
        for i in range(cols + 1):
            if ((c0 + i) % 10 == 0 or i in (0, cols)) == bold:
                x = x0 + i * cell
                ops.append(f"{x:.3f} {y0:.3f} m {x:.3f} {y0 + rows * cell:.3f} l S")
    return ops


def _numbers(
    rows: int, cols: int, cell: float, x0: float, y0: float, r0: int, c0: int
) -> list[str]:
    """The whole grid's column numbers above a part and row numbers left
    of it, every ten."""
    ops = ["0 g"]
    for i in range(cols + 1):
        if (c0 + i) % 10 == 0 and c0 + i:
            ops.append(
                f"BT /F1 2.5 Tf 1 0 0 -1 {x0 + i * cell - 2:.2f} {y0 - 1.5:.2f} Tm ({c0 + i}) Tj ET"
            )
    for i in range(rows + 1):
        if (r0 + i) % 10 == 0 and r0 + i:
            ops.append(
                f"BT /F1 2.5 Tf 1 0 0 -1 {x0 - 7:.2f} {y0 + i * cell + 0.9:.2f} Tm ({r0 + i}) Tj ET"
            )
    return ops


def _key(
    centers: np.ndarray,
    symbols: tuple[str, ...],
    names: tuple[str, ...],
    counts: np.ndarray,
    pw: float,
    top: float,
) -> list[str]:
    ops = ["0.2 w 0.55 G"]
    col_w = (pw - 2 * _MARGIN_MM) / _KEY_COLUMNS
    rows = zip(centers.tolist(), symbols, names, counts.tolist(), strict=True)
    for i, (c, sym, name, n) in enumerate(rows):
        x = _MARGIN_MM + (i % _KEY_COLUMNS) * col_w
        y = top + (i // _KEY_COLUMNS) * _KEY_ROW_MM
        r, g, b = (v / 255 for v in c)
        ops.append(f"{r:.3f} {g:.3f} {b:.3f} rg {x:.2f} {y:.2f} 5 4 re B")
        text = f"{sym}  {name} ({n})".encode("latin-1", "replace").decode("latin-1")
        text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"0 g BT /F1 3 Tf 1 0 0 -1 {x + 7:.2f} {y + 3.2:.2f} Tm ({text}) Tj ET")
    return ops
