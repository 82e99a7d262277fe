"""A fresh host, as a free host starts it: `streamlit run app.py` with no
compiled kernels on disk.  The first visitor sees the first screen while
the kernels are still being compiled apart (webapp.server.kernels), not
after."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Page, expect

from tests.e2e.conftest import start_server
from tests.e2e.test_browser import TIMEOUT, wait_for_app


def test_the_first_visitor_of_a_fresh_host_is_answered_before_the_kernels_are_compiled(
    page: Page, tmp_path: Path
):
    cache = tmp_path / "numba-cache"  # empty: every kernel would have to be compiled
    cache.mkdir()
    proc, url, log = start_server({"NUMBA_CACHE_DIR": str(cache)}, plain=True)
    try:
        t = time.monotonic()
        page.goto(url)
        expect(page.locator(".kseg-summary")).to_contain_text("5 clusters found", timeout=TIMEOUT)
        expect(page.locator(".kseg-swatch")).to_have_count(5, timeout=TIMEOUT)
        wait_for_app(page)
        seconds = time.monotonic() - t
        # The kernels were still being compiled when the first screen was complete.
        assert "kernels ready" not in log.read_text(), (seconds, log.read_text()[-2000:])
        assert not any(cache.rglob("*.nbi")) or seconds < 20
    finally:
        proc.terminate()
        proc.wait(20)
