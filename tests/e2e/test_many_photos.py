"""End-to-end: the "Many photos" page in headless Chromium."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

from playwright.sync_api import Page, expect

import kseg
from tests.conftest import BADIMAGES
from tests.e2e.test_browser import TIMEOUT, download, no_exceptions, set_k, wait_for_app


def open_many(page: Page, url: str) -> None:
    page.goto(url.rstrip("/") + "/many")
    expect(page.locator(".kseg-summary")).to_contain_text("photos", timeout=TIMEOUT)
    wait_for_app(page)


def test_three_photos_and_a_bad_file_give_one_palette_shares_and_a_zip(
    page: Page, app_server: str, shots: Path
):
    open_many(page, app_server)
    set_k(page, 4, one_photo=False)
    files = [
        {
            "name": f"{s}.png" if s != "rocket" else "rocket.jpg",
            "mimeType": "image/png",
            "buffer": kseg.sample_path(s).read_bytes(),
        }
        for s in ("coffee", "chelsea", "rocket")
    ]
    bad = {
        "name": "broken.png",
        "mimeType": "image/png",
        "buffer": (BADIMAGES / "hostile" / "broken.png").read_bytes(),
    }
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files=[*files, bad])
    expect(page.locator(".kseg-summary")).to_contain_text("3 photos", timeout=TIMEOUT)
    wait_for_app(page)
    no_exceptions(page)
    alert = page.get_by_test_id("stAlert").filter(has_text="can't be used")
    expect(alert).to_have_count(1)
    expect(alert).to_contain_text("broken.png")
    # Read once, the photos left the uploader (and the server's memory) for its disk.
    expect(page.get_by_test_id("stFileUploaderFile")).to_have_count(0)
    expect(page.get_by_test_id("stExpander").filter(has_text="Your photos: 3")).to_have_count(1)
    expect(page.locator(".kseg-swatch")).to_have_count(4)
    page.screenshot(path=str(shots / "20-many-photos.png"), full_page=True)
    rows = list(csv.DictReader(io.StringIO(download(page, "Shares (CSV)").decode())))
    assert [r["photo"] for r in rows] == ["coffee.png", "chelsea.png", "rocket.jpg"]
    for row in rows:
        assert (
            abs(sum(float(v) for k, v in row.items() if k.startswith("share_percent_")) - 100)
            < 0.01
        )
    zf = zipfile.ZipFile(io.BytesIO(download(page, "ZIP of all photos")))
    folders = {n.split("/")[0] for n in zf.namelist() if "/" in n}
    assert folders == {"coffee", "chelsea", "rocket"}
    assert "shares.csv" in zf.namelist()
    # The same palette numbers every photo: colour #1 is one colour in each folder.
    first = {n.split("/")[-1].split("_")[2] for n in zf.namelist() if "/masks/cluster_01_" in n}
    assert len(first) == 1
