"""Uploads inside the memory budget: two tabs flood "Many photos" while a
third segments a photo, in real Chromium.

Run:  make bench-uploads   (or: .venv/bin/python bench/uploads.py --help)

The server starts as `make run` does, with KSEG_MEMORY_BUDGET_MB (default
1500). Two tabs each drop --files files of --mb MB that are not images
(written once to bench/.cache/flood/) on "Many photos"; at the same time a
third tab uploads a 12 MP JPEG (bench/series.py's first photo) on "One
photo". Prints the server's peak resident memory (sampled at 10 Hz), when
the third tab got its result, whether each flooding tab got the message,
and the memory the server keeps 30 s after every tab closed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.load import watched_server  # noqa: E402
from bench.series import series_photos  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

FLOOD = ROOT / "bench" / ".cache" / "flood"
TIMEOUT = 300_000


def flood_files(n: int, mb: int) -> list[Path]:
    """``n`` files of ``mb`` MB that are not images (made once)."""
    FLOOD.mkdir(parents=True, exist_ok=True)
    paths = [FLOOD / f"notes-{mb}mb-{i:02d}.jpg" for i in range(n)]
    for i, path in enumerate(paths):
        if not path.exists() or path.stat().st_size != mb << 20:
            path.write_bytes(bytes([i % 251]) * (mb << 20))
    return paths


def main() -> None:
    from playwright.sync_api import expect, sync_playwright

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--budget", type=int, default=1500, help="KSEG_MEMORY_BUDGET_MB")
    p.add_argument("--files", type=int, default=20, help="files per flooding tab")
    p.add_argument("--mb", type=int, default=47, help="size of each file")
    p.add_argument("--linger", type=float, default=30.0, help="seconds after the tabs close")
    args = p.parse_args()
    files = [str(f) for f in flood_files(args.files, args.mb)]
    photo = series_photos(1)[0]
    with watched_server({"KSEG_MEMORY_BUDGET_MB": str(args.budget)}) as server:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            floods = [browser.new_context().new_page() for _ in range(2)]
            single = browser.new_context().new_page()
            for tab in floods:
                tab.goto(server.url.rstrip("/") + "/many")
                expect(tab.locator(".kseg-summary")).to_contain_text("photos", timeout=TIMEOUT)
            single.goto(server.url)
            expect(single.locator(".kseg-summary")).to_be_visible(timeout=TIMEOUT)
            t = time.perf_counter()
            for tab in floods:
                tab.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files)
            single.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(photo))
            expect(single.locator(".kseg-summary")).to_contain_text(
                "4000 × 3000 px", timeout=TIMEOUT
            )
            result = time.perf_counter() - t
            told = []
            for tab in floods:
                message = tab.get_by_test_id("stAlert").filter(has_text="per visitor")
                try:
                    expect(message.first).to_be_visible(timeout=TIMEOUT)
                    told.append(True)
                except AssertionError:
                    told.append(False)
            everything = time.perf_counter() - t
            browser.close()
        time.sleep(args.linger)
        kept = server.rss()
    print(
        f"budget {args.budget} MB; two tabs dropping {args.files} x {args.mb} MB (not images) "
        "on Many photos, one tab uploading a 12 MP JPEG on One photo"
    )
    print(f"  third tab's result after   {result:6.1f} s")
    print(f"  flooding tabs told why     {told}  (all answered after {everything:.1f} s)")
    print(f"  server memory: idle {server.idle:.0f} MB, peak {server.peak:.0f} MB")
    print(f"  kept {args.linger:.0f} s after every tab closed: {kept:.0f} MB")


if __name__ == "__main__":
    main()
