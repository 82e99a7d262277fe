"""Many photos, one palette: what a series costs, in the engine and in the page.

Run:  make bench-series    (or: .venv/bin/python bench/series.py --help)

Photos: 12 MP (4000 x 3000) JPEGs cut from real photographs (the four
plasma-workspace wallpapers and the four bundled samples, each scaled so the
cut fits, at a different place and mirror for each photo), written once to
bench/.cache/series/.

engine: for N photos (default 20) at k = 8, the sum of N single-photo
  ``kseg.segment`` times against one ``kseg.segment_many`` over the same
  pixels (fit + labels for all), and the objectives side by side: the shared
  palette over all photos, each photo's own palette on its own photo, and the
  best single photo's palette used for all of them.
page: the server started as `make run` does; one headless Chromium tab opens
  "Many photos", uploads N photos (default 50) from disk at once, and waits
  for the shares table; with --classes, three named classes are given in the
  link (one excluded), so the table has their columns; with --regions, then
  asks for every photo's region counts (per class, with --classes) and waits
  for them; the server's resident memory is sampled at 10 Hz.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kseg  # noqa: E402
from bench.bench import fetch_photos  # noqa: E402
from bench.load import watched_server  # noqa: E402
from kseg.base.opencv import cv2  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

SERIES = ROOT / "bench" / ".cache" / "series"
SIZE = (4000, 3000)
#: The classes --classes gives (k = 8): three, one left out of the area.
CLASSES = "vegetation: 1 2 3\nsoil: 4 5\nsky: 6 exclude"


def series_photos(n: int) -> list[Path]:
    """``n`` different 12 MP JPEGs (made once)."""
    SERIES.mkdir(parents=True, exist_ok=True)
    paths = [SERIES / f"photo-{i:02d}.jpg" for i in range(n)]
    if all(p.exists() for p in paths):
        return paths
    bases = [kseg.load_image(p).rgb for p in fetch_photos().values()]
    bases += [kseg.load_image(kseg.sample_path(s)).rgb for s in kseg.SAMPLES]
    w, h = SIZE
    for i, path in enumerate(paths):
        if path.exists():
            continue
        base = bases[i % len(bases)]
        grow = 1.0 + 0.15 * (i // len(bases))  # later rounds: closer cuts
        f = max(w / base.shape[1], h / base.shape[0]) * grow
        big = cv2.resize(base, (round(base.shape[1] * f) + 1, round(base.shape[0] * f) + 1))
        rng = np.random.default_rng(i)
        y = int(rng.integers(0, big.shape[0] - h + 1))
        x = int(rng.integers(0, big.shape[1] - w + 1))
        cut = big[y : y + h, x : x + w]
        if i % 2:
            cut = cut[:, ::-1]
        cv2.imwrite(str(path), cv2.cvtColor(np.ascontiguousarray(cut), cv2.COLOR_RGB2BGR))
    return paths


def engine(n: int, k: int) -> None:
    paths = series_photos(n)
    photos = [kseg.load_image(p).rgb for p in paths]
    pixels = sum(p.shape[0] * p.shape[1] for p in photos)
    singles, own = [], []
    for rgb in photos:
        t = time.perf_counter()
        r = kseg.segment(rgb, k, seed=0)
        singles.append(time.perf_counter() - t)
        own.append(r)
    t = time.perf_counter()
    shared = kseg.segment_many(photos, k, seed=0)
    many = time.perf_counter() - t
    shared_mse = sum(r.mse * r.counts.sum() for r in shared) / pixels
    own_mse = sum(r.mse * r.counts.sum() for r in own) / pixels
    borrowed = []
    for r in own[: min(5, n)]:
        borrowed.append(
            sum(
                kseg.apply_palette(p, r.centers_float).mse * p.shape[0] * p.shape[1] for p in photos
            )
            / pixels
        )
    print(f"engine: {n} photos of {SIZE[0]}x{SIZE[1]} ({pixels / 1e6:.0f} MP in all), k = {k}")
    print(f"  sum of {n} single segment() times   {sum(singles):7.2f} s")
    print(f"  segment_many (fit + labels for all)  {many:7.2f} s   ratio {many / sum(singles):.2f}")
    print(f"  objective: shared palette over all photos      {shared_mse:8.1f}")
    print(f"             each photo's own palette (not shared) {own_mse:8.1f}")
    print(
        f"             best single photo's palette on all  {min(borrowed):8.1f}"
        f"  (of the first {len(borrowed)})"
    )


def page(n: int, k: int, regions: bool = False, classes: bool = False) -> None:
    from urllib.parse import quote

    from playwright.sync_api import expect, sync_playwright

    paths = series_photos(n)
    with watched_server(plain=True) as server, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        tab = browser.new_page(viewport={"width": 1400, "height": 1000})
        link = f"?classes={quote(CLASSES)}" if classes else ""
        tab.goto(server.url.rstrip("/") + "/many" + link)
        expect(tab.locator(".kseg-summary")).to_contain_text("photos", timeout=120_000)
        slider = tab.get_by_test_id("stSlider").filter(has_text="Number of colours")
        slider.get_by_role("slider").focus()
        for _ in range(k - 5):
            tab.keyboard.press("ArrowRight")
        expect(tab.locator("[data-test-script-state='notRunning']")).to_have_count(
            1, timeout=120_000
        )
        time.sleep(2)
        t = time.perf_counter()
        tab.get_by_test_id("stFileUploaderDropzoneInput").set_input_files([str(p) for p in paths])
        expect(tab.locator(".kseg-summary")).to_contain_text(f"{n} photos", timeout=1_800_000)
        expect(tab.locator("[data-test-script-state='notRunning']")).to_have_count(
            1, timeout=600_000
        )
        waited = time.perf_counter() - t
        if classes:  # (the table draws only the columns in view: not checked there)
            expect(tab.locator("textarea")).to_have_value(CLASSES)
            expect(tab.get_by_text("These classes cannot be used")).to_have_count(0)
        counted = 0.0
        if regions:  # then each photo's regions, asked for on the finished table
            t = time.perf_counter()
            tab.get_by_test_id("stCheckbox").filter(
                has_text="Count each photo's separate regions"
            ).locator("label").click()
            counting = tab.get_by_text("Counting each photo's regions")
            expect(counting).to_be_visible(timeout=60_000)
            expect(counting).to_have_count(0, timeout=600_000)
            expect(tab.locator("[data-test-script-state='notRunning']")).to_have_count(
                1, timeout=600_000
            )
            counted = time.perf_counter() - t
        browser.close()
    named = ", three classes" if classes else ""
    print(f"page: {n} photos of {SIZE[0]}x{SIZE[1]} uploaded at once, k = {k}{named}")
    print(f"  upload -> shares table shown  {waited:7.1f} s")
    if regions:
        print(f"  then every photo's regions    {counted:7.1f} s")
    print(f"  server memory: idle {server.idle:.0f} MB, peak {server.peak:.0f} MB")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("what", choices=("engine", "page", "both"), nargs="?", default="both")
    p.add_argument("--photos", type=int, default=None, help="photos (engine 20, page 50)")
    p.add_argument("-k", type=int, default=8)
    p.add_argument("--regions", action="store_true", help="page: then count every photo's regions")
    p.add_argument("--classes", action="store_true", help="page: three named classes (CLASSES)")
    args = p.parse_args()
    if args.what in ("engine", "both"):
        engine(args.photos or 20, args.k)
    if args.what in ("page", "both"):
        page(args.photos or 50, args.k, args.regions, args.classes)


if __name__ == "__main__":
    main()
