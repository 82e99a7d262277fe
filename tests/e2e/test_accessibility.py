"""Accessibility in a real browser: axe-core's WCAG 2.1 A/AA rules on every
screen, text alternatives that say what an image shows, and the whole way
from upload to a mask by keyboard alone."""

from __future__ import annotations

import io
import re
from pathlib import Path

import numpy as np
import pytest
from axe_playwright_python.sync_playwright import Axe
from PIL import Image
from playwright.sync_api import Page, expect

import kseg
from tests.e2e.test_browser import TIMEOUT, open_app, upload, wait_for_app

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


#: True for an element of a disabled widget (WCAG exempts inactive controls
#: and their labels from the contrast rule).
IN_DISABLED_WIDGET = """selector => {
    const el = document.querySelector(selector);
    const widget = el && el.closest('.stElementContainer');
    return !!(widget && widget.querySelector('[disabled], [aria-disabled="true"]'));
}"""


def violations(page: Page) -> list[str]:
    """axe-core's WCAG 2.1 A/AA violations on the page, one line each
    (a disabled widget's contrast excepted)."""
    found = Axe().run(page, options=WCAG).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {n['target']} {n.get('failureSummary', '')[:160]}"
        for v in found
        for n in v["nodes"]
        if not (v["id"] == "color-contrast" and page.evaluate(IN_DISABLED_WIDGET, n["target"][0]))
    ]


@pytest.mark.parametrize("size", [(1400, 1000), (390, 844)], ids=["desktop", "phone"])
def test_the_first_screen_has_no_wcag_violation(page: Page, app_server: str, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    open_app(page, app_server)
    assert violations(page) == []


def test_after_an_upload_every_view_has_no_wcag_violation_and_says_what_it_shows(
    page: Page, app_server: str, shots: Path
):
    open_app(page, app_server)
    upload(page, "launch.jpg", kseg.sample_path("rocket").read_bytes(), "image/jpeg")
    expect(page.locator(".kseg-summary")).to_contain_text("640 × 427 px", timeout=TIMEOUT)
    wait_for_app(page)
    segmented = page.get_by_role("img", name="Segmented into 5 colours: #1 ")
    expect(segmented).to_have_count(1)
    expect(page.get_by_role("img", name="Mask of #2 ")).to_have_count(1)
    views = (
        *("Side by side", "Click a colour", "Boundaries", "One colour"),
        *("Paint by number", "Stitch pattern"),
    )
    for view in (*views, "Before / after"):
        page.get_by_text(view, exact=True).click()
        wait_for_app(page)
        assert violations(page) == [], view
        alts = page.locator("img").evaluate_all("imgs => imgs.map(i => i.alt)")
        assert all(a.strip() for a in alts), (view, alts)
    expect(
        page.get_by_role("img", name="launch.jpg: the original photo on the left")
    ).to_have_count(1)
    page.get_by_text("Show the colour distribution").click()
    wait_for_app(page)
    assert violations(page) == []
    page.get_by_role("button", name="Suggest k for this photo").click()
    expect(page.get_by_text("Choosing k")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    page.get_by_test_id("stCheckbox").filter(has_text="Show the numbers").first.click()
    wait_for_app(page)
    expect(page.get_by_test_id("stDataFrame")).to_have_count(1)
    assert violations(page) == []
    page.screenshot(path=str(shots / "30-accessible-upload.png"), full_page=True)


def test_the_many_photos_page_has_no_wcag_violation(page: Page, app_server: str):
    page.goto(app_server.rstrip("/") + "/many")
    expect(page.locator(".kseg-summary")).to_contain_text("photos", timeout=TIMEOUT)
    wait_for_app(page)
    assert violations(page) == []


def _tab_to(page: Page, matches: str, most: int = 80) -> None:
    """Press Tab until the focused element passes the JS test ``matches``."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if page.evaluate(f"(el => {matches})(document.activeElement)"):
            return
    raise AssertionError(f"Tab never reached {matches}")


def test_upload_k_and_a_mask_download_by_keyboard_alone(page: Page, app_server: str):
    open_app(page, app_server)
    expect(page.get_by_role("button", name="Mask PNG · #2 ")).to_be_visible()
    # Listen before the first key: Playwright turns on file-chooser interception
    # asynchronously, and ``expect_file_chooser`` around a fast key press can
    # lose that race on a loaded machine (the dialog then opens unseen).
    choosers: list = []
    page.on("filechooser", lambda chooser: choosers.append(chooser))
    _tab_to(
        page,
        "el.tagName === 'BUTTON' && el.closest('[data-testid=stFileUploaderDropzone]') !== null",
    )
    page.keyboard.press("Enter")
    for _ in range(100):
        if choosers:
            break
        page.wait_for_timeout(100)
    assert len(choosers) == 1, "Enter on the upload button opened no file chooser"
    choosers[0].set_files(str(kseg.sample_path("rocket")))
    expect(page.locator(".kseg-summary")).to_contain_text("640 × 427 px", timeout=TIMEOUT)
    wait_for_app(page)
    expect(page.get_by_role("button", name="Mask PNG · #2 ")).to_be_visible()
    _tab_to(
        page, "el.type === 'range' && el.getAttribute('aria-label') === 'Number of colours (k)'"
    )
    assert page.evaluate("document.activeElement.value") == "5"
    page.keyboard.press("ArrowLeft")
    expect(page.locator(".kseg-summary")).to_contain_text("4 clusters found", timeout=TIMEOUT)
    wait_for_app(page)
    _tab_to(page, "el.tagName === 'BUTTON' && el.innerText.includes('Mask PNG · #2 ')", most=200)
    with page.expect_download(timeout=TIMEOUT) as info:
        page.keyboard.press("Enter")
    mask = np.asarray(Image.open(io.BytesIO(Path(info.value.path()).read_bytes())).convert("L"))
    rgb = kseg.load_image(kseg.sample_path("rocket")).rgb
    expected = kseg.segment(rgb, 4, seed=0).labels == 1
    assert np.array_equal(mask > 0, expected)


def test_the_sections_drawn_on_opening_open_and_work_by_keyboard(page: Page, app_server: str):
    open_app(page, app_server)
    sidebar = page.get_by_test_id("stSidebar")
    seed = sidebar.get_by_role("spinbutton", name="Seed")
    expect(seed).to_have_count(0)  # closed: not drawn
    _tab_to(page, "el.tagName === 'SUMMARY' && el.innerText.includes('Advanced')")
    page.keyboard.press("Enter")
    expect(seed).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    _tab_to(page, "el.tagName === 'INPUT' && el.getAttribute('aria-label') === 'Seed'")
    page.keyboard.press("ArrowUp")
    page.keyboard.press("Enter")
    expect(page).to_have_url(re.compile(r"seed=1"), timeout=TIMEOUT)
    wait_for_app(page)
    _tab_to(page, "el.tagName === 'SUMMARY' && el.innerText.includes('Pinned colours')")
    page.keyboard.press("Enter")
    expect(sidebar.get_by_role("button", name="Pin", exact=True)).to_be_visible(timeout=TIMEOUT)
    expect(seed).to_have_value("1")  # the other section stays open and keeps its value


def test_on_a_phone_the_first_screen_offers_the_upload_without_opening_the_sidebar(
    page: Page, app_server: str, shots: Path
):
    page.set_viewport_size({"width": 390, "height": 844})
    open_app(page, app_server)
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    dropzone = page.get_by_test_id("stMain").get_by_test_id("stFileUploaderDropzone")
    expect(dropzone).to_be_in_viewport()
    expect(page.get_by_test_id("stMain").get_by_text("…or try a sample photo")).to_be_visible()
    page.screenshot(path=str(shots / "31-phone-first-screen.png"))
    upload(page, "launch.jpg", kseg.sample_path("rocket").read_bytes(), "image/jpeg")
    expect(page.locator(".kseg-summary")).to_contain_text("640 × 427 px", timeout=TIMEOUT)
    wait_for_app(page)
    expect(page.get_by_test_id("stSidebar")).to_have_attribute("data-collapsed", "true")
    page.screenshot(path=str(shots / "32-phone-upload.png"), full_page=True)
