"""When the benchmarks call a page answered, checked in Chromium on pages
built to be just short of it (no server needed)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from bench.first import FIRST_VIEW
from bench.page import ANSWERED

#: A page as Streamlit draws it once its run is over; {extra} is added below
#: the summary, {below} at 3,000 px down (far past a 1,000 px high window).
PAGE = """
<div data-testid="stApp" data-test-script-state="{state}">
  <p class="kseg-summary">600 × 400 px · 5 clusters found</p>
  {extra}
  <div style="height: 3000px"></div>
  {below}
</div>
"""
SKELETON = '<div data-testid="stSkeleton" aria-hidden="true"></div>'
#: A 1 x 1 PNG, loaded at once.
DOT = (
    '<div data-testid="stImage"><img src="data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAAB'
    'CAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="></div>'
)
#: Where the part below the fold will be, in a new visitor's first run (webapp.parts.fold).
FOLLOWING = (
    '<div class="st-key-below-fold"><p>The masks and downloads follow in a moment…</p></div>'
)
#: An image that never loads (its address answers nothing).
NEVER = '<div data-testid="stImage"><img src="http://127.0.0.1:9/never.png"></div>'


def _answered(page: Page, check: str, **parts: str) -> bool:
    page.set_content(PAGE.format(**{"state": "notRunning", "extra": "", "below": "", **parts}))
    return page.evaluate(f"({check})(['.kseg-summary', 'clusters found'])")


@pytest.mark.parametrize("check", [ANSWERED, FIRST_VIEW], ids=["whole page", "first view"])
def test_a_page_drawn_in_full_is_answered(page: Page, check: str):
    assert _answered(page, check, extra=DOT, below=DOT)


@pytest.mark.parametrize("check", [ANSWERED, FIRST_VIEW], ids=["whole page", "first view"])
def test_a_widget_still_waiting_for_its_code_in_the_window_is_not_answered(page: Page, check: str):
    assert not _answered(page, check, extra=SKELETON)
    assert not _answered(page, check, extra=NEVER)
    assert not _answered(page, check, extra=FOLLOWING)
    assert not _answered(page, check, state="running")


@pytest.mark.parametrize(
    "below", [SKELETON, NEVER, FOLLOWING], ids=["skeleton", "image loading", "still to follow"]
)
def test_what_is_below_the_fold_holds_up_the_whole_page_but_not_the_first_view(
    page: Page, below: str
):
    page.set_viewport_size({"width": 1400, "height": 1000})
    assert not _answered(page, ANSWERED, below=below)
    assert _answered(page, FIRST_VIEW, below=below)
