"""A sheet larger than the printer's paper, printed over pages
(kseg.PaintByNumber.tiled): the pages put together show the one-page sheet,
neighbours repeat the overlap, and each page says its name and how it joins."""

from __future__ import annotations

import re
import zlib

import numpy as np
import pytest

import kseg
from kseg.shapes.pdf import PT
from kseg.shapes.tiling import TILE_MARGIN_MM, tile_name

PX_MM = 3  # pixels per millimetre in the renders


@pytest.fixture(scope="module")
def canvas():
    """The coffee photo on a 40 x 50 cm canvas (landscape: 50 x 40 cm)."""
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    result = kseg.segment(rgb, 12, seed=0)
    return kseg.paint_by_number(rgb, result, paper="40x50cm")


def _render(pdf: bytes) -> list[np.ndarray]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(pdf)
    pages = [np.asarray(p.render(scale=PX_MM / PT).to_pil().convert("L")) for p in doc]
    doc.close()
    return pages


def _texts(pdf: bytes) -> list[str]:
    streams = re.findall(rb"/FlateDecode >>\nstream\n(.*?)\nendstream", pdf, re.S)
    return [zlib.decompress(s).decode("latin-1") for s in streams]


def test_a_canvas_on_a4_takes_six_pages_whose_windows_cover_it_and_overlap(canvas):
    tiles = canvas.tiled("A4", overlap_mm=10)
    assert (tiles.rows, tiles.columns, tiles.pages) == (2, 3, 6)  # 500 x 400 mm on 190 x 277
    windows = np.array(tiles.windows)
    xs, ys = sorted(set(windows[:, 0])), sorted(set(windows[:, 1]))
    assert np.allclose(np.diff(xs), 190 - 10) and np.allclose(np.diff(ys), 277 - 10)
    # The last column and row end where the sheet does, 500 x 400 mm.
    assert np.isclose((windows[:, 0] + windows[:, 2]).max(), 500)
    assert np.isclose((windows[:, 1] + windows[:, 3]).max(), 400)
    assert len(_render(tiles.pdf)) == 6
    # The drawing is stored once and placed by every page.
    assert len(tiles.pdf) < 1.1 * len(canvas.pdf)


def test_the_pages_put_together_show_the_one_page_sheet(canvas):
    tiles = canvas.tiled("Letter", overlap_mm=12)
    (whole,) = _render(canvas.pdf)
    pages = _render(tiles.pdf)
    m = round(TILE_MARGIN_MM * PX_MM)
    compared = np.zeros(whole.shape, dtype=bool)
    for page, (x, y, w, h) in zip(pages, tiles.windows, strict=True):
        x0, y0 = round(x * PX_MM), round(y * PX_MM)
        w, h = round(w * PX_MM) - 2, round(h * PX_MM) - 2  # inside the frame's line
        shown = page[m + 1 : m + 1 + h, m + 1 : m + 1 + w].astype(int)
        sheet = whole[y0 + 1 : y0 + 1 + h, x0 + 1 : x0 + 1 + w].astype(int)
        assert shown.shape == sheet.shape
        differ = np.abs(shown - sheet) > 96
        # Only the marks (a dashed line, crosses) differ: a few pixels a
        # millimetre of window side.
        assert differ.sum() < 4 * (w + h), (x, y, differ.sum(), w + h)
        assert (sheet < 160).mean() > 0.005  # and there is drawing to compare
        compared[y0 + 1 : y0 + 1 + h, x0 + 1 : x0 + 1 + w] = True
    assert compared.mean() > 0.99


def test_a_window_one_millimetre_off_would_not_pass_for_the_sheet(canvas):
    """The comparison above can fail: the first window compared with the
    sheet 1 mm lower differs in many more pixels than its bound."""
    tiles = canvas.tiled("Letter", overlap_mm=12)
    (whole,) = _render(canvas.pdf)
    page = _render(tiles.pdf)[0]
    m = round(TILE_MARGIN_MM * PX_MM)
    _, _, w, h = tiles.windows[0]
    w, h = round(w * PX_MM) - 2, round(h * PX_MM) - 2
    shown = page[m + 1 : m + 1 + h, m + 1 : m + 1 + w].astype(int)
    shifted = whole[1 + PX_MM : 1 + PX_MM + h, 1 : 1 + w].astype(int)
    assert (np.abs(shown - shifted) > 96).sum() > 3 * 4 * (w + h)


def test_each_page_names_itself_and_the_pages_that_join_it(canvas):
    tiles = canvas.tiled("A4")
    texts = _texts(tiles.pdf)[1:]  # the drawing first, then one stream a page
    assert len(texts) == 6
    first, last = texts[0], texts[-1]
    assert "(A1 - row A of 2, column 1 of 3 - page 1 of 6 - 50 x 40 cm sheet)" in first
    assert "A2 goes on the right" in first and "B1 goes below" in first
    assert "(B3 - row B of 2, column 3 of 3 - page 6 of 6" in last
    assert "cut this page along the frame's left and top edges" in last.lower()
    assert "goes on the right" not in last and "goes below" not in last
    # A dashed line on the pages with a right or lower neighbour only.
    assert [("[2 1.5] 0 d" in t) and (" l S" in t) for t in texts] == [True] * 5 + [False]
    assert first.count("/S0 Do") == 1


def test_page_names_run_past_z_like_spreadsheet_columns():
    assert [tile_name(r, 0) for r in (0, 1, 25, 26, 27, 701, 702)] == [
        "A1",
        "B1",
        "Z1",
        "AA1",
        "AB1",
        "ZZ1",
        "AAA1",
    ]
    assert tile_name(2, 9) == "C10"


def test_pages_turn_to_whichever_way_needs_fewer():
    rgb = np.ascontiguousarray(kseg.load_image(kseg.sample_path("astronaut")).rgb[:, :200])
    tall = kseg.paint_by_number(rgb, kseg.segment(rgb, 6, seed=0), paper="20x100cm")
    tiles = tall.tiled("A4", overlap_mm=0)
    # 200 x 1000 mm: portrait A4 (190 x 277 mm windows) takes 2 x 4 pages,
    # landscape (277 x 190) 1 x 6.
    assert (tiles.columns, tiles.rows, tiles.landscape) == (1, 6, True)
    assert tiles.windows[0][2:] == (200, 190)


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"paper": "40x50cm"}, "paper must be one of A4"),
        ({"paper": "A5"}, "paper must be one of A4"),
        ({"overlap_mm": 31}, "overlap_mm"),
        ({"overlap_mm": -1}, "overlap_mm"),
    ],
)
def test_bad_tile_settings_name_the_value(canvas, kwargs, words):
    with pytest.raises(ValueError, match=words):
        canvas.tiled(**kwargs)
