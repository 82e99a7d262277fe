"""The SVG shapes rendered in Chromium at the photo's size: the exact form
is each colour's mask pixel for pixel; the smooth form agrees with the
cleaned mask on at least 95 % (intersection over union) per colour."""

from __future__ import annotations

import io
import xml.etree.ElementTree as ET
import zipfile

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

import kseg
from kseg.editing import cleaned_labels
from tests.e2e.test_browser import TIMEOUT, download, download_zip, no_exceptions, open_app

SVG = "{http://www.w3.org/2000/svg}"
INKSCAPE = "{http://www.inkscape.org/namespaces/inkscape}"


def render(browser: Browser, svg: str, width: int, height: int) -> np.ndarray:
    """(H, W, 3) uint8: the SVG drawn on white at one CSS pixel per pixel."""
    page = browser.new_page(viewport={"width": width, "height": height}, device_scale_factor=1)
    try:
        body = svg.split("?>", 1)[1]  # inline, without the XML declaration
        page.set_content(f'<html><body style="margin:0;background:#fff">{body}</body></html>')
        shot = page.locator("svg").screenshot(animations="disabled")
    finally:
        page.close()
    return np.asarray(Image.open(io.BytesIO(shot)).convert("RGB"))


@pytest.fixture(scope="module")
def photo():
    rgb = kseg.load_image(kseg.sample_path("astronaut")).rgb
    return rgb, kseg.segment(rgb, 8, seed=0)


def test_the_exact_svg_of_each_colour_renders_as_its_mask(browser: Browser, photo):
    _, result = photo
    h, w = result.labels.shape
    for i in range(result.k):
        drawn = render(browser, kseg.mask_svg(result, i), w, h)
        colour = result.centers[i]
        inside = (drawn == colour).all(axis=2)
        white = (drawn == 255).all(axis=2)
        assert (inside | white).all(), f"colour {i}: pixels neither the colour nor white"
        assert np.array_equal(inside, result.labels == i), f"colour {i}"


@pytest.mark.parametrize("sample", ["astronaut", "coffee", "chelsea"])
def test_the_smooth_layers_agree_with_the_cleaned_masks(browser: Browser, sample):
    result = kseg.segment(kseg.load_image(kseg.sample_path(sample)).rgb, 8, seed=0)
    h, w = result.labels.shape
    cleaned = cleaned_labels(result.labels, 64, diagonal=False)
    for i in range(result.k):
        svg = kseg.mask_svg(result, i, smooth=True, min_area=64)
        drawn = render(browser, svg, w, h).astype(np.int64)
        colour = result.centers[i].astype(np.int64)
        # Anti-aliased edges: a pixel counts when it is nearer the colour than white.
        inside = ((drawn - colour) ** 2).sum(axis=2) < ((drawn - 255) ** 2).sum(axis=2)
        if (colour > 250).all():
            continue  # a white colour cannot be told from the page
        want = cleaned == i
        iou = (inside & want).sum() / max(1, (inside | want).sum())
        assert iou >= 0.95, f"colour {i}: IoU {iou:.3f}"


def test_the_smooth_layers_meet_without_the_page_showing_between_them(browser: Browser):
    # Neighbouring layers' curves are fitted separately and anti-aliased:
    # unstroked, 7.5 % of the chelsea sample's pixels showed the white page.
    result = kseg.segment(kseg.load_image(kseg.sample_path("chelsea")).rgb, 8, seed=0)
    h, w = result.labels.shape
    drawn = render(browser, kseg.layers_svg(result), w, h).astype(np.int64)
    want = result.centers[cleaned_labels(result.labels, 64, diagonal=False)].astype(np.int64)
    lighter = drawn.sum(axis=2) - want.sum(axis=2)
    assert (lighter > 60).mean() < 0.02
    assert np.abs(drawn - want).sum(axis=2).mean() < 8  # and no colour spreads far


def test_the_page_offers_each_colours_shapes_and_the_layers_as_svg(
    page: Page, app_server: str, browser: Browser
):
    open_app(page, app_server)  # the coffee sample at k = 5
    shapes = download(page, "Shapes SVG · #2").decode()
    root = ET.fromstring(shapes)
    assert root.get("viewBox") == "0 0 600 400"
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    result = kseg.segment(rgb, 5, seed=0)
    drawn = render(browser, shapes, 600, 400)
    assert np.array_equal((drawn == result.centers[1]).all(axis=2), result.labels == 1)
    layers = ET.fromstring(download(page, "Layers (SVG)"))
    groups = [g for g in layers.iter(f"{SVG}g") if g.get(f"{INKSCAPE}groupmode") == "layer"]
    assert len(groups) == 5 and groups[0].get(f"{INKSCAPE}label").startswith("#1 ")
    names = zipfile.ZipFile(io.BytesIO(download_zip(page))).namelist()
    assert sum(n.startswith("coffee/svg/") for n in names) == 5 and "coffee/layers.svg" in names
    assert {"coffee/paint_by_number.pdf", "coffee/paint_by_number.svg"} <= set(names)
    # The paint-by-number view: the painted photo and the printable sheet.
    page.get_by_test_id("stRadio").filter(has_text="Paint by number").get_by_text(
        "Paint by number"
    ).click()
    expect(
        page.get_by_test_id("stImageCaption").filter(has_text="Painted by number")
    ).to_be_visible(timeout=TIMEOUT)
    pdf = download(page, "Sheet (PDF)")
    sheet = kseg.paint_by_number(rgb, result)
    assert pdf == sheet.pdf and b"/MediaBox [0 0 841.89 595.28]" in pdf
    assert ET.fromstring(download(page, "Sheet (SVG)")).get("width") == "297.0mm"
    no_exceptions(page)
