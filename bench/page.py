"""What a user waits for in a real browser, beside the engine's own time.

Run:  make bench-page     (or: .venv/bin/python bench/page.py --help)

Starts the server as `make run` does (MALLOC_ARENA_MAX=2, streamlit run
app.py), drives one headless Chromium tab (Debian's /usr/bin/chromium) and,
for a 4 MP, a 15 MP and a 40 MP real photo (SafeLanding from Debian's
plasma-workspace-wallpapers: 5120x2880 as shipped, resized to 4 MP, and
upscaled to 40 MP), times from the user's action until the page shows its
answer (script finished, nothing stale, every image loaded):

  upload -> result, k 5 -> 6, a view switch, merging two colours, marking a
  background colour, "Suggest k", one mask download, the ZIP download.

In the same run it times the engine on the same pixels and settings:
decoding (kseg.load_image), kseg.segment at k = 5 and 6, and
kseg.objective_curve; and it prints the server's peak resident memory.
Then, for each action, what the server's jobs took of the time the user
waited (their KSEG_STEP_LOG lines): the rest is the page's own work (the
script run, the images sent and drawn).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kseg  # noqa: E402
from bench.bench import fetch_photos  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, start_server  # noqa: E402

CACHE = ROOT / "bench" / ".cache"
SIZES = {"4MP": (2667, 1500), "15MP": (5120, 2880), "40MP": (8432, 4743)}
TIMEOUT = 600_000

#: True once the page has answered: the script run is over, nothing is stale,
#: ``text`` is in the element ``selector``, no element is still a grey
#: placeholder waiting for its code (Streamlit fetches each widget kind's
#: code on its first use), nothing is still to follow (``webapp.parts.fold``'s note
#: in a new visitor's first run) and every image has loaded.  With
#: ``inView``, only what shows in the window counts.  Checked on every
#: animation frame, so waits are not rounded up to a poll.
ANSWERED = """([selector, text, inView = false]) => {
    const shown = (el) => !inView || el.getBoundingClientRect().top < window.innerHeight;
    const app = document.querySelector('[data-testid="stApp"]');
    if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
    if (document.querySelector("[data-stale='true']")) return false;
    const el = document.querySelector(selector);
    if (!el || !el.innerText.includes(text)) return false;
    const following = document.querySelector('.st-key-below-fold');
    if (following && shown(following)) return false;
    const waiting = document.querySelectorAll('[data-testid^="stSkeleton"]');
    if ([...waiting].some(shown)) return false;
    return [...document.querySelectorAll('[data-testid="stImage"] img')]
        .filter(shown)
        .every(img => img.complete && img.naturalWidth > 0);
}"""


def photo(size: str) -> Path:
    """The SafeLanding photo at ``size`` as a JPEG (quality 92), made once."""
    CACHE.mkdir(parents=True, exist_ok=True)
    path = CACHE / f"safelanding-{size}.jpg"
    if not path.exists():
        im = Image.open(fetch_photos()["safelanding"]).convert("RGB")
        w, h = SIZES[size]
        if (w, h) != im.size:
            im = im.resize((w, h), Image.Resampling.LANCZOS)
        im.save(path, "JPEG", quality=92)
    return path


def engine_times(path: Path) -> dict[str, float]:
    """Decode, segment (k = 5, 6) and the k curve on the same file: median of 3."""

    def median(fn: Callable[[], object]) -> float:
        times = []
        for _ in range(3):
            t = time.perf_counter()
            fn()
            times.append(time.perf_counter() - t)
        return statistics.median(times)

    data = path.read_bytes()
    image = kseg.load_image(data)
    return {
        "decode": median(lambda: kseg.load_image(data)),
        "segment k=5": median(lambda: kseg.segment(image.rgb, 5, seed=0)),
        "segment k=6": median(lambda: kseg.segment(image.rgb, 6, seed=0)),
        "k curve": median(lambda: kseg.objective_curve(image.rgb, range(2, 13))),
    }


def page_times(
    url: str, path: Path, steps_log: Path, jobs: dict[str, list[tuple[str, float]]]
) -> dict[str, float]:
    """Seconds from each action to the page's answer, in one Chromium tab;
    the server's jobs (steps, seconds at work) of each action into ``jobs``."""
    from playwright.sync_api import sync_playwright

    w, h = Image.open(path).size
    out: dict[str, float] = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000}, accept_downloads=True)

        def answered(selector: str = "body", text: str = "") -> None:
            page.wait_for_function(ANSWERED, arg=[selector, text], polling="raf", timeout=TIMEOUT)

        def timed(name: str, action: Callable[[], None], selector: str, text: str) -> None:
            before = steps_log.stat().st_size if steps_log.exists() else 0
            t = time.perf_counter()
            action()
            answered(selector, text)
            out[name] = time.perf_counter() - t
            with open(steps_log, "a+") as f:
                f.seek(before)
                lines = [json.loads(line) for line in f.read().splitlines()]
            jobs[name] = [(j["steps"], j["wall"]) for j in lines]

        def open_dropdown(label: str) -> None:
            combobox = page.get_by_test_id("stMultiSelect").filter(has_text=label)
            combobox = combobox.get_by_role("combobox")
            for _ in range(3):  # a click just after another dropdown closed may be eaten
                if combobox.get_attribute("aria-expanded") == "true":
                    break
                combobox.click()
                page.wait_for_timeout(150)

        def choose(number: str) -> None:
            page.get_by_role("option").filter(has_text=re.compile(f"^{number}")).click()

        def download(label: str) -> None:
            button = page.get_by_test_id("stDownloadButton").filter(has_text=label).first
            with page.expect_download(timeout=TIMEOUT) as info:
                button.get_by_role("button").click()
            info.value.path()

        page.goto(url)
        answered(".kseg-summary", "clusters found")
        timed(
            "upload -> result",
            lambda: page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(str(path)),
            ".kseg-summary",
            f"{w} × {h} px",
        )
        slider = page.get_by_test_id("stSlider").filter(has_text="Number of colours")
        slider.get_by_role("slider").focus()
        timed(
            "k 5 -> 6",
            lambda: page.keyboard.press("ArrowRight"),
            ".kseg-summary",
            "6 clusters found",
        )
        timed(
            "view switch",
            lambda: page.get_by_text("Boundaries", exact=True).click(),
            "body",
            "Cluster boundaries",
        )
        open_dropdown("Merge colours into one")
        choose("#2 ")
        page.wait_for_timeout(500)  # (untimed) the rerun for one chosen colour
        answered()
        open_dropdown("Merge colours into one")
        timed("merge two colours", lambda: choose("#3 "), ".kseg-summary", "5 clusters found")
        page.keyboard.press("Escape")
        open_dropdown("Background")
        timed("mark background", lambda: choose("#1 "), "body", "Everything but background")
        page.keyboard.press("Escape")
        timed(
            "suggest k",
            lambda: page.get_by_role("button", name="Suggest k for this photo").click(),
            "body",
            "is where the curve bends most",
        )
        t = time.perf_counter()
        download("Mask PNG")
        out["one mask download"] = time.perf_counter() - t
        t = time.perf_counter()
        prepare = page.get_by_role("button", name="Prepare everything (ZIP)")
        if prepare.count():
            prepare.click()
            download("Everything (ZIP, ")
        else:  # one click: the ZIP is made on click
            download("Everything (ZIP)")
        out["ZIP download"] = time.perf_counter() - t
        if page.get_by_test_id("stException").count():
            raise RuntimeError("the page shows an exception")
        browser.close()
    return out


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sizes", nargs="+", default=list(SIZES), choices=list(SIZES))
    ap.add_argument(
        "--repeat", type=int, default=3, help="runs per size, each on a new server; medians"
    )
    a = ap.parse_args()
    rows = []
    kseg.warm_up()
    for size in a.sizes:
        path = photo(size)
        engine = engine_times(path)
        runs, peaks, job_runs = [], [], []
        for _ in range(max(1, a.repeat)):
            steps_log = Path(tempfile.mkstemp(prefix="kseg-steps-", suffix=".jsonl")[1])
            proc, url, log = start_server({"KSEG_STEP_LOG": str(steps_log)})
            try:
                jobs: dict[str, list[tuple[str, float]]] = {}
                runs.append(page_times(url, path, steps_log, jobs))
                job_runs.append(jobs)
                peaks.append(peak_rss_mb(proc.pid))
            finally:
                proc.terminate()
                proc.wait(15)
                log.unlink(missing_ok=True)
                steps_log.unlink(missing_ok=True)
        page = {name: statistics.median(r[name] for r in runs) for name in runs[0]}
        rows.append((size, engine, page, max(peaks)))
        print(f"{size}: engine {engine}, page (median of {len(runs)}) {page}", flush=True)
        for name in page:
            at_work = statistics.median(sum(w for _, w in jobs.get(name, [])) for jobs in job_runs)
            kinds = sorted({s for jobs in job_runs for s, _ in jobs.get(name, [])})
            print(
                f"  {name}: waited {page[name]:.2f} s; server jobs {at_work:.2f} s "
                f"({', '.join(kinds) or 'none'}); the rest {page[name] - at_work:.2f} s",
                flush=True,
            )
    print()
    print(
        "| photo | decode s | segment k=5 / k=6 s | k curve s | upload → result | k 5 → 6 "
        "| view switch | merge | background | suggest k | mask PNG | ZIP | server peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for size, e, p, peak in rows:
        w, h = SIZES[size]
        cells = [
            f"{size} ({w}x{h})",
            f"{e['decode']:.2f}",
            f"{e['segment k=5']:.2f} / {e['segment k=6']:.2f}",
            f"{e['k curve']:.2f}",
            *(f"{p[name]:.2f}" for name in p),
            f"{peak:.0f}",
        ]
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
