"""End-to-end, as a maker uses the page in Chromium: paste the paints one
owns, see the photo painted with the best k of them under their names,
copy the colours, and download the stitch pattern and the palette for
designers' tools."""

from __future__ import annotations

import csv
import io

from playwright.sync_api import Page, expect

import kseg
from tests.e2e.test_browser import TIMEOUT, download, open_app, wait_for_app

PAINTS = "#E32636 Cadmium red\n#FFFFFF Titanium white\n#1B1B1B Mars black\n#8A3324 Burnt umber"


def _open_section(page: Page, title: str) -> None:
    page.get_by_test_id("stExpander").filter(has_text=title).locator("summary").click()
    wait_for_app(page)


def test_a_maker_paints_the_photo_with_their_own_colours_and_takes_the_pattern(
    page: Page, app_server: str
):
    open_app(page, app_server)  # coffee at k = 5
    _open_section(page, "My colours")
    box = page.get_by_test_id("stTextArea").filter(has_text="Your colours").locator("textarea")
    box.fill(PAINTS)
    box.press("Control+Enter")  # applies the text area's value
    expect(page.get_by_test_id("stSidebar")).to_contain_text(
        "best 4 of your 4 colours", timeout=TIMEOUT
    )
    wait_for_app(page)
    palette = page.locator(".kseg-palette")
    for name in ("Cadmium red", "Titanium white", "Mars black", "Burnt umber"):
        expect(palette).to_contain_text(name)
    # One click on a hex code selects it whole, with its "#".
    hex_code = palette.locator(".kseg-hex").first
    hex_code.click()
    selected = page.evaluate("window.getSelection().toString()")
    assert selected == hex_code.inner_text() and selected.startswith("#")
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    own = kseg.load_palette(PAINTS.encode())
    want = kseg.pick_colours(rgb, own.colors, 4, names=list(own.names))
    ase = kseg.load_palette(download(page, "Palette (Adobe .ase)"))
    assert ase.names == want.names and ase.colors.tolist() == want.centers.tolist()
    _open_section(page, "Stitch, bead or brick pattern")
    counts = list(csv.DictReader(io.StringIO(download(page, "Counts (CSV)").decode())))
    pattern = kseg.stitch_pattern(rgb, want, 100)
    assert [r["name"] for r in counts] == list(want.names)
    assert [int(r["cells"]) for r in counts] == pattern.counts.tolist()
    assert download(page, "Pattern (PDF)") == pattern.pdf
