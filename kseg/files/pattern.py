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
from kseg.shapes.sheet import PT, paper_mm, pdf_file

__all__ = ["CELL_PX", "SYMBOLS", "StitchPattern", "stitch_pattern", "symbols_for"]


#: One symbol a colour, told apart in black and white; after these, pairs.
SYMBOLS = "123456789ABCDEFGHJKLMNPQRSTUVWXYZ+=#%&@?<>/"
#: Pixels a cell in the PNG chart (fewer above 200 cells on a side, so the
#: chart stays under 3,200 pixels a side; symbols drawn from 12 pixels up).
CELL_PX = 16
_CHART_PX = 3200
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
        the key (symbol, colour, name, count).
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
    """The printable chart, in millimetres from the top-left: the grid as
    large as the paper allows above the key, a symbol in every cell."""
    rows, cols = labels.shape
    pw, ph = paper_mm(paper)
    if cols > rows:
        pw, ph = ph, pw
    key_h = math.ceil(len(centers) / _KEY_COLUMNS) * _KEY_ROW_MM + 4
    cell = min((pw - 2 * _MARGIN_MM) / cols, (ph - 2 * _MARGIN_MM - key_h) / rows)
    x0, y0 = (pw - cols * cell) / 2, _MARGIN_MM
    ops = [f"{PT:.6f} 0 0 {-PT:.6f} 0 {ph * PT:.4f} cm", "0 g"]
    size = 0.62 * cell
    for j, sym in enumerate(symbols):
        ys, xs = np.nonzero(labels == j)
        width = 0.28 * size * len(sym)
        for y, x in zip(ys.tolist(), xs.tolist(), strict=True):
            left, base = x0 + (x + 0.5) * cell - width, y0 + (y + 0.5) * cell + 0.36 * size
            ops.append(f"BT /F1 {size:.3f} Tf 1 0 0 -1 {left:.3f} {base:.3f} Tm ({sym}) Tj ET")
    ops += _grid(rows, cols, cell, x0, y0)
    ops += _key(centers, symbols, names, counts, pw, y0 + rows * cell + 4)
    return pdf_file(ops, pw, ph)


def _grid(rows: int, cols: int, cell: float, x0: float, y0: float) -> list[str]:
    ops = []
    for bold in (False, True):
        ops.append(f"{0.4 if bold else 0.1} w {0.1 if bold else 0.55} G")
        for i in range(rows + 1):
            if (i % 10 == 0 or i == rows) == bold:
                y = y0 + i * cell
                ops.append(f"{x0:.3f} {y:.3f} m {x0 + cols * cell:.3f} {y:.3f} l S")
        for i in range(cols + 1):
            if (i % 10 == 0 or i == cols) == bold:
                x = x0 + i * cell
                ops.append(f"{x:.3f} {y0:.3f} m {x:.3f} {y0 + rows * cell:.3f} l S")
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
