"""Partial reruns in a real browser: what only changes the view never reruns the page."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from tests.e2e.conftest import start_server
from tests.e2e.test_browser import TIMEOUT, no_exceptions, pick, wait_for_app


def test_views_highlight_and_background_rerun_only_their_part_of_the_page(page: Page):
    # The server logs every full page run (segment_photo) at debug level.
    proc, url, log = start_server({"STREAMLIT_LOGGER_LEVEL": "debug"})
    try:

        def full_runs() -> int:
            return log.read_text(errors="replace").count("full page run")

        page.goto(url)
        summary = page.locator(".kseg-summary")
        expect(summary).to_contain_text("5 clusters found", timeout=TIMEOUT)
        wait_for_app(page)
        before = full_runs()
        assert before >= 1

        page.get_by_text("Boundaries", exact=True).click()
        expect(page.get_by_text("Cluster boundaries")).to_be_visible(timeout=TIMEOUT)
        wait_for_app(page)
        page.get_by_text("One colour", exact=True).click()
        expect(page.get_by_text("Colour #1", exact=True)).to_be_visible(timeout=TIMEOUT)
        wait_for_app(page)
        page.get_by_test_id("stSelectbox").filter(has_text="Colour to show").click()
        page.get_by_role("option").filter(has_text=re.compile("^#3 ")).click()
        expect(page.get_by_text("Colour #3", exact=True)).to_be_visible(timeout=TIMEOUT)
        wait_for_app(page)
        pick(page, "Background", "#1 ")
        expect(page.get_by_text("Everything but background")).to_be_visible(timeout=TIMEOUT)
        wait_for_app(page)
        assert "hide=1" in page.url
        assert full_runs() == before, "a view, highlight or background change reran the page"

        # Merging changes the result: the whole page runs again.
        pick(page, "Merge colours into one", "#2 ", "#4 ")
        expect(summary).to_contain_text("4 clusters found", timeout=TIMEOUT)
        wait_for_app(page)
        assert full_runs() > before
        no_exceptions(page)
    finally:
        proc.terminate()
        proc.wait(15)
        log.unlink(missing_ok=True)
