"""End-to-end, as a student measuring a field photo uses the page in
Chromium: type a region of interest in the sidebar, name classes of
colours, read the class table, and take its CSV and the Methods text."""

from __future__ import annotations

import csv
import io
import re

from playwright.sync_api import Page, expect

import kseg
from tests.e2e.test_accessibility import violations
from tests.e2e.test_browser import TIMEOUT, download, open_app, wait_for_app

DRAW = "iframe[title*='streamlit_image_coordinates']"


def _number(page: Page, key: str, value: str) -> None:
    box = page.locator(f".st-key-{key}").locator("input")
    box.fill(value)
    box.press("Enter")
    wait_for_app(page)


def test_a_student_measures_classes_inside_a_typed_region_of_interest(page: Page, app_server: str):
    open_app(page, app_server + "/?k=4")
    sidebar = page.get_by_test_id("stSidebar")
    sidebar.get_by_test_id("stExpander").filter(has_text="Region of interest").locator(
        "summary"
    ).click()
    wait_for_app(page)
    sidebar.locator(".st-key-roi_on").locator("label").first.click()
    wait_for_app(page)
    for key, value in (("roi-x", "10"), ("roi-y", "20"), ("roi-w", "50"), ("roi-h", "40")):
        _number(page, key, value)
    expect(page).to_have_url(re.compile(r"roi=0\.1(%2C|,)0\.2(%2C|,)0\.5(%2C|,)0\.4"))
    page.get_by_test_id("stExpander").filter(has_text="Measure: classes").locator("summary").click()
    wait_for_app(page)
    box = page.locator(".st-key-classes_text").locator("textarea")
    box.fill("dark: 2 4\nlight: 1 exclude")
    box.press("Control+Enter")
    wait_for_app(page)
    table = page.get_by_test_id("stDataFrame").first
    expect(table).to_be_visible(timeout=TIMEOUT)
    rows = list(csv.DictReader(io.StringIO(download(page, "Classes (CSV)").decode())))
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    inside = kseg.segment(rgb, 4, seed=0, mask=kseg.parse_roi("0.1,0.2,0.5,0.4").mask(rgb.shape))
    want = kseg.class_table(inside, kseg.read_classes("dark: 2 4\nlight: 1 exclude"))
    assert [r["class"] for r in rows] == ["dark", "light", "(no class)"]
    assert [int(r["pixels"]) for r in rows] == want.pixels.tolist()
    assert sum(int(r["pixels"]) for r in rows) == 300 * 160  # the rectangle, no more
    methods = page.get_by_test_id("stCode").last
    expect(methods).to_contain_text("Only the rectangle 0.1,0.2,0.5,0.4", timeout=TIMEOUT)
    expect(methods).to_contain_text("dark (colours 2, 4)")
    assert violations(page) == []  # the region's and the Measure section's widgets too
    # The scale from a line dragged along the photo's width: 600 pixels of 150 mm.
    page.locator(".st-key-ruler-on").locator("label").first.click()
    wait_for_app(page)
    image = page.frame_locator(DRAW).locator("img")
    expect(image).to_be_visible(timeout=TIMEOUT)
    box = image.bounding_box()
    assert box is not None
    y = box["y"] + box["height"] / 2
    page.mouse.move(box["x"] + 1, y)
    page.mouse.down()
    page.mouse.move(box["x"] + box["width"] / 2, y, steps=5)
    page.mouse.move(box["x"] + box["width"] - 1, y, steps=5)
    page.mouse.up()
    wait_for_app(page)
    drawn = page.locator(".st-key-ruler-px").locator("input")
    expect(drawn).not_to_have_value("0.00", timeout=TIMEOUT)
    assert abs(float(drawn.input_value()) - 600) < 600 * 0.02  # within 2 % of the width
    _number(page, "ruler-mm", "150")
    scale = 150 / float(drawn.input_value())
    expect(page.get_by_text(f"{scale:.4g} mm a pixel: the photo is")).to_be_visible(timeout=TIMEOUT)
