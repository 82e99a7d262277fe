"""End-to-end: pointing at the photo in Chromium (click a colour, act on it)."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Page, expect

import kseg
from tests.e2e.test_browser import TIMEOUT, open_app, wait_for_app

CLICKS = "iframe[title*='streamlit_image_coordinates']"


def _expected(page: Page, x: int, y: int, k: int = 5) -> tuple[int, str]:
    """The colour kseg puts at the full-size pixel under a click at (x, y)
    of the clickable picture as the browser shows it."""
    img = page.frame_locator(CLICKS).locator("img")
    shown = img.evaluate("i => [i.width, i.height]")
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    result = kseg.segment(rgb, k, seed=0)
    row, col = kseg.pixel_at(x, y, tuple(shown), (rgb.shape[1], rgb.shape[0]))
    index = kseg.cluster_at(result, row, col)
    return index, kseg.color_name(result.centers[index])


def click_at(page: Page, x: int, y: int) -> None:
    page.frame_locator(CLICKS).locator("img").click(position={"x": x, "y": y})
    expect(
        page.get_by_test_id("stVerticalBlock").filter(has_text="You clicked pixel")
    ).not_to_have_count(0, timeout=TIMEOUT)
    wait_for_app(page)


def test_clicking_a_colour_names_it_and_marks_it_as_background(
    page: Page, app_server: str, shots: Path
):
    open_app(page, app_server)
    page.get_by_text("Click a colour", exact=True).click()
    wait_for_app(page)
    expect(page.frame_locator(CLICKS).locator("img")).to_be_visible(timeout=TIMEOUT)
    x, y = 300, 60  # the wooden table behind the cup
    index, name = _expected(page, x, y)
    click_at(page, x, y)
    box = page.locator(".st-key-click-answer")
    expect(box).to_contain_text(f"#{index + 1} {name}", timeout=TIMEOUT)
    page.screenshot(path=str(shots / "40-click-a-colour.png"), full_page=True)
    box.get_by_role("button", name="Mark as background").click()
    wait_for_app(page)
    swatch = page.locator(".kseg-swatch").nth(index)
    expect(swatch).to_contain_text("background", timeout=TIMEOUT)


def test_two_clicks_merge_two_colours(page: Page, app_server: str):
    open_app(page, app_server)
    page.get_by_text("Click a colour", exact=True).click()
    wait_for_app(page)
    expect(page.frame_locator(CLICKS).locator("img")).to_be_visible(timeout=TIMEOUT)
    first, second = (300, 60), (10, 10)
    a, _ = _expected(page, *first)
    b, _ = _expected(page, *second)
    assert a != b
    click_at(page, *first)
    page.locator(".st-key-click-answer").get_by_role("button", name="with a click").click()
    wait_for_app(page)
    expect(page.get_by_text("Now click the colour to merge with")).to_be_visible()
    click_at(page, *second)
    expect(page.locator(".kseg-swatch")).to_have_count(4, timeout=TIMEOUT)
    merge_box = page.get_by_test_id("stMultiSelect").filter(has_text="Merge colours into one")
    expect(merge_box).to_contain_text(f"#{min(a, b) + 1} ")
    expect(merge_box).to_contain_text(f"#{max(a, b) + 1} ")


def test_a_pinned_clicked_colour_stays_unchanged_when_k_changes(page: Page, app_server: str):
    from tests.e2e.test_browser import set_k

    open_app(page, app_server)
    page.get_by_text("Click a colour", exact=True).click()
    wait_for_app(page)
    expect(page.frame_locator(CLICKS).locator("img")).to_be_visible(timeout=TIMEOUT)
    index, _ = _expected(page, 300, 60)
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    hex_code = "#{:02x}{:02x}{:02x}".format(*kseg.segment(rgb, 5, seed=0).centers[index])
    click_at(page, 300, 60)
    answer = page.locator(".st-key-click-answer")
    answer.get_by_role("button", name=f"Pin #{index + 1}'s colour").click()
    wait_for_app(page)
    pinned = page.locator(".kseg-swatch").filter(has_text="pinned")
    expect(pinned).to_have_count(1, timeout=TIMEOUT)
    expect(pinned).to_contain_text(hex_code)
    set_k(page, 8)
    expect(page.locator(".kseg-swatch")).to_have_count(8)
    expect(pinned).to_have_count(1)
    expect(pinned).to_contain_text(hex_code)
    assert f"pin={hex_code[1:]}" in page.url


def test_a_click_offers_the_clicked_pixels_own_colour_to_pin(page: Page, app_server: str):
    # On a small object the pixel's colour is not its cluster's: the answer
    # names the pixel's own colour and pins exactly that one.
    open_app(page, app_server)
    page.get_by_text("Click a colour", exact=True).click()
    wait_for_app(page)
    img = page.frame_locator(CLICKS).locator("img")
    expect(img).to_be_visible(timeout=TIMEOUT)
    x, y = 300, 60
    shown = img.evaluate("i => [i.width, i.height]")
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    row, col = kseg.pixel_at(x, y, tuple(shown), (rgb.shape[1], rgb.shape[0]))
    own = "{:02x}{:02x}{:02x}".format(*rgb[row, col].tolist())
    index, _ = _expected(page, x, y)
    cluster = "{:02x}{:02x}{:02x}".format(*kseg.segment(rgb, 5, seed=0).centers[index].tolist())
    assert own != cluster
    click_at(page, x, y)
    answer = page.locator(".st-key-click-answer")
    expect(answer).to_contain_text(f"The pixel itself: #{own} {kseg.color_name(rgb[row, col])}")
    answer.get_by_role("button", name=f"Pin #{own}").click()
    wait_for_app(page)
    pinned = page.locator(".kseg-swatch").filter(has_text="pinned")
    expect(pinned).to_have_count(1, timeout=TIMEOUT)
    expect(pinned).to_contain_text(f"#{own}")  # that very colour, now a cluster's centre
    assert f"pin={own}" in page.url
