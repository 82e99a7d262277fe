"""End-to-end, as a maker uses the page in Chromium: paste the paints one
owns, see the photo painted with the best k of them under their names,
copy the colours, and download the stitch pattern and the palette for
designers' tools."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

import kseg
from tests.e2e.test_browser import TIMEOUT, download, open_app, wait_for_app

PAINTS = "#E32636 Cadmium red\n#FFFFFF Titanium white\n#1B1B1B Mars black\n#8A3324 Burnt umber"


def _choose(page: Page, key: str, option: re.Pattern[str]) -> None:
    """Pick ``option`` in the select box of widget ``key`` (by its key's
    class, not its label, which other boxes' labels may contain)."""
    choice = page.get_by_role("option", name=option)
    for _ in range(3):  # a rerun that lands as the list opens closes it: open it again
        wait_for_app(page)
        page.locator(f".st-key-{key}").get_by_role("combobox").click()
        try:
            expect(choice).to_be_visible(timeout=10_000)
            break
        except AssertionError:
            page.keyboard.press("Escape")
    expect(choice).to_be_visible(timeout=TIMEOUT)
    choice.click()
    wait_for_app(page)


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
    page.locator(".st-key-view").get_by_text("Stitch pattern", exact=True).click()
    wait_for_app(page)
    expect(page.get_by_role("img", name=re.compile("as a grid of 100 by 67 cells"))).to_have_count(
        1, timeout=TIMEOUT
    )
    assert "view=pattern" in page.url
    counts = list(csv.DictReader(io.StringIO(download(page, "Cells of each colour").decode())))
    pattern = kseg.stitch_pattern(rgb, want, 100)
    assert [r["name"] for r in counts] == list(want.names)
    assert [int(r["cells"]) for r in counts] == pattern.counts.tolist()
    assert download(page, "Pattern to print (PDF)") == pattern.pdf


def test_a_maker_recolours_a_colour_and_takes_cut_out_layers_at_a_real_width(
    page: Page, app_server: str
):
    open_app(
        page,
        app_server
        + "/?k=4&own="
        + "%0A".join(line.replace("#", "%23").replace(" ", "%20") for line in PAINTS.splitlines()),
    )
    palette = page.locator(".kseg-palette")
    expect(palette).to_contain_text("Cadmium red", timeout=TIMEOUT)
    _open_section(page, "Recolour")
    _choose(page, "recolour-which", re.compile(r"^#1 "))
    _choose(page, "recolour-own", re.compile("Mars black"))
    page.get_by_test_id("stButton").filter(has_text="Recolour").get_by_role("button").click()
    wait_for_app(page)
    expect(palette.locator(".kseg-hex").first).to_have_text("#1b1b1b", timeout=TIMEOUT)
    assert "recolour=1%3A1b1b1b" in page.url or "recolour=1:1b1b1b" in page.url
    _open_section(page, "Layers for a cutter")
    width = page.get_by_test_id("stTextInput").filter(has_text="Width").locator("input")
    width.fill("12in")
    width.press("Enter")
    wait_for_app(page)
    page.get_by_test_id("stRadio").filter(has_text="Layers").get_by_text("Cut out").click()
    wait_for_app(page)
    svg = download(page, "Layers for cutting (SVG)").decode()
    assert 'width="12in" height="8in"' in svg and 'fill="#1b1b1b"' in svg
