"""Stitch patterns (kseg.stitch_pattern): a grid of cells in the result's
colours, a symbol per colour, counts that add up, and a PDF whose every
cell's symbol is its colour's (read from the PDF, and rendered by PDFium)."""

from __future__ import annotations

import csv
import io
import re
import zlib

import numpy as np
import pytest
from PIL import Image

import kseg
from kseg.base.opencv import cv2
from kseg.files.pattern import CELL_PX, OVERLAP_CELLS, PART_CELL_MM, symbols_for
from tests.test_app import downloads as downloads  # the fixture


@pytest.fixture(scope="module")
def coffee():
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb  # 600 x 400
    result = kseg.segment(rgb, 6, seed=0)
    return rgb, result, kseg.stitch_pattern(rgb, result, 60)


def test_each_cell_takes_the_colour_nearest_its_mean_and_the_counts_add_up(coffee):
    rgb, result, pattern = coffee
    assert pattern.labels.shape == (40, 60)
    small = cv2.resize(rgb, (60, 40), interpolation=cv2.INTER_AREA)
    want = kseg.apply_palette(small, result.centers_float, label_centers=result.label_centers)
    assert np.array_equal(pattern.labels, want.labels)
    assert pattern.counts.sum() == 40 * 60
    assert pattern.counts.tolist() == np.bincount(pattern.labels.ravel(), minlength=6).tolist()
    rows = list(csv.DictReader(io.StringIO(pattern.csv)))
    assert [int(r["cells"]) for r in rows] == pattern.counts.tolist()
    assert [r["symbol"] for r in rows] == list(pattern.symbols)
    assert [r["hex"] for r in rows] == [r["hex"] for r in kseg.palette_rows(result)]


def test_the_pdf_puts_each_cells_colour_symbol_in_the_cell(coffee):
    _, _, pattern = coffee
    stream = pattern.pdf.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    ops = zlib.decompress(stream).decode("latin-1").splitlines()
    text = re.compile(r"BT /F1 [\d.]+ Tf 1 0 0 -1 ([\d.]+) ([\d.]+) Tm \((.+)\) Tj ET")
    found = [m.groups() for op in ops if (m := text.fullmatch(op))]
    # The key's lines hold a symbol, two spaces and a name; the grid's a symbol.
    cells = [(float(x), float(y), sym) for x, y, sym in found if "  " not in sym]
    assert len(cells) == 40 * 60
    xs = sorted({round(x, 1) for x, _, _ in cells})
    ys = sorted({round(y, 1) for _, y, _ in cells})
    assert len(xs) == 60 and len(ys) == 40
    for x, y, sym in cells:
        col, row = xs.index(round(x, 1)), ys.index(round(y, 1))
        assert sym == pattern.symbols[pattern.labels[row, col]]


def test_the_pdf_renders_and_its_grid_shows_a_symbol_in_every_cell(coffee):
    import pypdfium2 as pdfium

    _, _, pattern = coffee
    page = pdfium.PdfDocument(pattern.pdf)[0]
    assert round(page.get_width()) == 842 and round(page.get_height()) == 595  # A4 landscape
    image = np.asarray(page.render(scale=4).to_pil().convert("L"))
    ink = image < 128
    rows = np.flatnonzero(ink.any(axis=1))
    assert ink.mean() > 0.02  # symbols and lines drawn
    # The grid's bold lines every ten cells: 7 across (0..60), 5 down (0..40).
    dark_cols = np.flatnonzero(ink.sum(axis=0) > 0.5 * (rows.max() - rows.min()))
    runs = np.split(dark_cols, np.flatnonzero(np.diff(dark_cols) > 1) + 1)
    assert len(runs) == 7


def test_the_colour_chart_draws_each_cell_in_its_colour_with_grid_lines(coffee):
    _, result, pattern = coffee
    chart = np.asarray(Image.open(io.BytesIO(pattern.png)).convert("RGB"))
    assert chart.shape == (40 * CELL_PX, 60 * CELL_PX, 3)
    corners = chart[3::CELL_PX, 3::CELL_PX]  # inside each cell, clear of its symbol
    assert np.array_equal(corners, result.centers[pattern.labels])
    assert (chart[:: 10 * CELL_PX, :] == 30).all()


def test_symbols_stay_distinct_for_every_k():
    for k in (1, 9, 43, 44, 255):
        symbols = symbols_for(k)
        assert len(symbols) == k == len(set(symbols))
        assert not any(c in s for s in symbols for c in "()\\ ")


def test_bad_pattern_arguments_name_the_value(coffee):
    rgb, result, _ = coffee
    with pytest.raises(ValueError, match="cells must be from 10 to 1000, got 5"):
        kseg.stitch_pattern(rgb, result, 5)
    with pytest.raises(ValueError, match="paper"):
        kseg.stitch_pattern(rgb, result, 50, paper="B9")


def test_the_command_writes_the_pattern_beside_the_other_files(coffee, tmp_path):
    import json

    from kseg.cli import main

    rgb, result, _ = coffee
    photo = tmp_path / "coffee.png"
    Image.fromarray(rgb).save(photo)
    out = tmp_path / "out"
    assert main([str(photo), "-k", "6", "--pattern", "30", "-q", "--out", str(out)]) == 0
    folder = out / "coffee"
    want = kseg.stitch_pattern(rgb, result, 30)
    assert (folder / "pattern.pdf").read_bytes() == want.pdf
    assert (folder / "pattern.csv").read_text() == want.csv
    rows = list(csv.DictReader(io.StringIO(want.csv)))
    assert sum(int(r["cells"]) for r in rows) == 30 * 20
    assert json.loads((folder / "manifest.json").read_text())["pattern_cells"] == 30


def test_the_page_offers_the_pattern_at_the_chosen_size(downloads):
    from tests.test_app import _app

    at = _app({"k": "6", "view": "pattern"})  # the view, opened from a link
    assert at.radio(key="view").value == "Stitch pattern"
    at.slider(key="pattern_cells").set_value(40).run()
    assert not at.exception
    assert any("40 × 27 cells" in c.value for c in at.caption)
    at.number_input(key="pattern_count").set_value(10.0).run()  # 10 stitches an inch
    assert any("finished 10.2 × 6.9 cm (4.0 × 2.7 in) at 10 an inch" in c.value for c in at.caption)
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    want = kseg.stitch_pattern(rgb, kseg.segment(rgb, 6, seed=0), 40)
    assert downloads("_pattern.csv").decode() == want.csv
    assert downloads("_pattern.pdf") == want.pdf
    captions = [im.proto.imgs[0].caption for im in at.get("image") if im.proto.imgs]
    assert "The pattern, 40 × 27 cells" in captions  # the chart in colour on the page


def _page_ops(pdf: bytes) -> list[list[str]]:
    streams = re.findall(rb"stream\n(.*?)\nendstream", pdf, flags=re.S)
    return [zlib.decompress(s).decode("latin-1").splitlines() for s in streams]


def test_a_grid_too_fine_for_one_page_is_printed_again_in_numbered_parts():
    import pypdfium2 as pdfium

    rgb = kseg.load_image(kseg.sample_path("chelsea")).rgb  # 451 x 300
    result = kseg.segment(rgb, 8, seed=0)
    pattern = kseg.stitch_pattern(rgb, result, 150)
    rows, cols = pattern.labels.shape
    pages = _page_ops(pattern.pdf)
    assert len(pages) == len(pdfium.PdfDocument(pattern.pdf)) > 2
    seen, greys = np.zeros((rows, cols), int), 0
    text = re.compile(r"BT /F1 ([\d.]+) Tf 1 0 0 -1 ([\d.]+) ([\d.]+) Tm \((.+)\) Tj ET")
    size = f"{0.62 * PART_CELL_MM:.3f}"  # the cells' symbols (the numbers are larger)
    for ops in pages[1:]:
        title = next(op for op in ops if "Part " in op)
        part = re.search(r"columns (\d+)-(\d+), rows (\d+)-(\d+)", title)
        c0, c1, r0, r1 = map(int, part.groups())
        cells, grey = [], False  # (x, y, symbol, in grey) of the cells' symbols
        for op in ops:
            grey = {"0.55 g": True, "0 g": False}.get(op, grey)
            if (m := text.fullmatch(op)) and m[1] == size:
                cells.append((float(m[2]), float(m[3]), m[4], grey))
        xs = sorted({x for x, _, _, _ in cells})
        ys = sorted({y for _, y, _, _ in cells})
        # Cells sit on a grid of PART_CELL_MM: each symbol's column and row from its place.
        for x, y, sym, in_grey in cells:
            col = c0 - 1 + round((x - xs[0]) / PART_CELL_MM)
            row = r0 - 1 + round((y - ys[0]) / PART_CELL_MM)
            assert sym == pattern.symbols[pattern.labels[row, col]]
            inside = c0 <= col + 1 <= c1 and r0 <= row + 1 <= r1
            assert in_grey != inside  # its own cells in black, the next parts' in grey
            seen[row, col] += not in_grey
            greys += in_grey
            assert not in_grey or (col + 1 <= c1 + OVERLAP_CELLS and row + 1 <= r1 + OVERLAP_CELLS)
        assert c1 - c0 + 1 <= 70 and r1 - r0 + 1 <= 50
    assert (seen == 1).all() and greys > 0  # every cell on exactly one part, overlaps in grey


def test_the_finished_size_follows_the_fabric_count(coffee):
    _, _, pattern = coffee  # 60 x 40 cells
    assert pattern.finished_mm(14) == pytest.approx((60 * 25.4 / 14, 40 * 25.4 / 14))
    assert pattern.finished_mm(25.4 / 5) == pytest.approx((300.0, 200.0))  # 5 mm beads
    with pytest.raises(ValueError, match="per_inch must be from 1 to 200, got 0"):
        pattern.finished_mm(0)
