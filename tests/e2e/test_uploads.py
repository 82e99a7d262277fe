"""End-to-end: a visitor who drops more bytes than the server takes per
visitor gets a plain message, keeps a working page, and another visitor
segments at the same time."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.e2e.conftest import served
from tests.e2e.test_browser import TIMEOUT, no_exceptions, wait_for_app
from tests.e2e.test_many_photos import open_many

BUDGET_MB = 450  # 45 MB of uploads a visitor, 180 MB for everyone


@pytest.fixture(scope="module")
def small_server() -> Iterator[str]:
    with served({"KSEG_MEMORY_BUDGET_MB": str(BUDGET_MB)}) as url:
        yield url


def test_a_flood_of_uploads_is_refused_with_a_message_and_another_tab_still_segments(
    browser: Browser, small_server: str, tmp_path: Path
):
    flood = browser.new_page()
    open_many(flood, small_server)
    # Eight files of 10 MB that are not images: 80 MB, over the 45 MB share.
    files = []
    for i in range(8):
        files.append(tmp_path / f"notes{i}.jpg")
        files[-1].write_bytes(bytes([i]) * 10_000_000)
    flood.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files)
    message = flood.get_by_test_id("stAlert").filter(has_text="per visitor at a time")
    expect(message).to_be_visible(timeout=TIMEOUT)
    expect(message).to_contain_text("45 MB of photos per visitor")
    expect(message).to_contain_text("smaller groups")
    wait_for_app(flood)
    no_exceptions(flood)

    other = browser.new_page()
    other.goto(small_server)
    expect(other.locator(".kseg-summary")).to_contain_text("clusters found", timeout=TIMEOUT)
    wait_for_app(other)
    no_exceptions(other)
    expect(other.get_by_test_id("stAlert").filter(has_text="per visitor")).to_have_count(0)
    flood.close()
    other.close()
