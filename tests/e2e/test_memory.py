"""Eighteen uploads in one browser session: the server's memory stays bounded."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect

from tests.e2e.conftest import start_server
from tests.e2e.test_browser import TIMEOUT, wait_for_app


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise AssertionError(f"no VmRSS for process {pid}")


def photo(i: int, w: int = 800, h: int = 600) -> bytes:
    """A distinct, smooth, photo-like JPEG for upload number ``i``."""
    rng = np.random.default_rng(i)
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.zeros((h, w, 3), np.float32)
    for c in range(3):
        fx, fy = rng.uniform(0.002, 0.02, 2)
        img[..., c] = 128 + 100 * np.sin(fx * x + rng.uniform(0, 6)) * np.cos(fy * y)
    img += rng.normal(0, 6, img.shape)
    buf = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=85)
    return buf.getvalue()


def test_eighteen_uploads_in_one_session_keep_server_memory_bounded(page: Page):
    # Small caches, so that six uploads fill every one of them (by default
    # they hold a few hundred photos of this size, by design): a 32 MB
    # full-size cache, and an 800 MB budget gives the page cache 4 %.
    proc, url, log = start_server({"KSEG_CACHE_MB": "32", "KSEG_MEMORY_BUDGET_MB": "800"})
    try:
        page.goto(url)
        expect(page.locator(".kseg-summary")).to_be_visible(timeout=TIMEOUT)
        dropzone = page.get_by_test_id("stFileUploaderDropzoneInput")
        caption = page.get_by_test_id("stImageCaption").first

        def upload(i: int) -> None:
            dropzone.set_input_files(
                files=[{"name": f"photo{i}.jpg", "mimeType": "image/jpeg", "buffer": photo(i)}]
            )
            expect(caption).to_have_text(f"Original · photo{i}.jpg", timeout=TIMEOUT)
            wait_for_app(page)

        for i in range(6):  # fill every bounded cache
            upload(i)
        baseline = rss_mb(proc.pid)
        for i in range(6, 18):
            upload(i)
        expect(page.get_by_test_id("stException")).to_have_count(0)
        growth = rss_mb(proc.pid) - baseline
        print(f"server memory: {baseline:.0f} MB after 6 uploads, +{growth:.0f} MB after 18")
        # Unbounded caches would keep about 10 MB per upload: 120 MB here
        # (measured with bounded ones: +2 MB over 40 uploads).
        assert growth < 60, f"server memory grew {growth:.0f} MB over 12 uploads"
    finally:
        proc.terminate()
        proc.wait(15)
        log.unlink(missing_ok=True)
