"""The first screen: how long a new visitor waits for the complete page,
beside a minimal Streamlit page on the same machine.

Run:  make bench-first     (or: .venv/bin/python bench/first.py --help)

Starts the kseg server as `make run` does and, beside it, a minimal
Streamlit page (a slider, two images and a download button: the coffee
sample and its segmented image); opens each once (a warm server), then
--visits times in a fresh Chromium context each (no cache, no cookies),
the two pages in turns, and times from navigation until the page is
complete: the script run over, nothing stale, the page's answer on screen,
no widget still a grey placeholder waiting for its code and every image
loaded; and, in the same visits, until the first view is (the same,
counting only what shows in the window, 1400 x 1000: what is below the
fold may follow).  Prints the medians and ranges side by side.  With --cold RUNS, the first
visit of a fresh host instead: a new server each run, started as a free
host starts it (`streamlit run app.py`, an empty numba cache).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.page import ANSWERED  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402

MINIMAL = """
import streamlit as st
import kseg

st.title("Minimal page")
k = st.slider("Number of colours", 2, 32, 5)
image = kseg.load_image(kseg.sample_path("coffee"))
left, right = st.columns(2)
left.image(kseg.encode_png(image.rgb), caption="Original")
right.image(kseg.encode_png(image.rgb[::-1]), caption="Another")
st.download_button("Download", b"bytes", "file.bin")
"""


def start_minimal() -> tuple[subprocess.Popen, str]:
    script = Path(tempfile.mkdtemp()) / "minimal.py"
    script.write_text(MINIMAL)
    port = free_port()
    cmd = [
        sys.executable, "-m", "streamlit", "run", str(script),
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    proc = subprocess.Popen(
        cmd,
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        try:
            with urllib.request.urlopen(url + "/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    break
        except OSError:
            time.sleep(0.5)
    return proc, url


#: ANSWERED for what shows in the window, 1400 x 1000.
FIRST_VIEW = f"([selector, text]) => ({ANSWERED})([selector, text, true])"


def visit(browser, url: str, selector: str, text: str) -> tuple[float, float]:
    """Seconds to the first view and to the complete page, in a fresh
    context."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    t = time.perf_counter()
    page.goto(url)
    page.wait_for_function(FIRST_VIEW, arg=[selector, text], polling="raf", timeout=120_000)
    first = time.perf_counter() - t
    page.wait_for_function(ANSWERED, arg=[selector, text], polling="raf", timeout=120_000)
    whole = time.perf_counter() - t
    context.close()
    return first, whole


def visits(browser, pages: dict[str, tuple[str, str, str]], n: int) -> dict[str, dict]:
    """Each page's first-view and whole-page seconds over ``n`` visits,
    taken in turns (one visit to each page, then the next round) so that
    the machine's drift falls on all pages alike; one round first warms
    the servers."""
    times = {name: {"first view": [], "whole page": []} for name in pages}
    for i in range(n + 1):
        for name, (url, selector, text) in pages.items():
            first, whole = visit(browser, url, selector, text)
            if i:
                times[name]["first view"].append(first)
                times[name]["whole page"].append(whole)
    return times


def cold(browser, runs: int) -> dict[str, dict]:
    """The first visit of a fresh host, ``runs`` times: each time a new kseg
    server started as a free host starts it (`streamlit run app.py`, an
    empty numba cache: no kernel compiled) and a new minimal page, each
    visited once as soon as it answers its health check."""
    times = {
        name: {"first view": [], "whole page": []}
        for name in ("minimal Streamlit page", "kseg's first screen")
    }
    button = '[data-testid="stDownloadButton"]'
    for _ in range(runs):
        cache = tempfile.mkdtemp(prefix="kseg-numba-")
        kseg_proc, kseg_url, log = start_server({"NUMBA_CACHE_DIR": cache}, plain=True)
        minimal_proc, minimal_url = start_minimal()
        try:
            for name, (url, selector, text) in {
                "minimal Streamlit page": (minimal_url, button, "Download"),
                "kseg's first screen": (kseg_url, ".kseg-summary", "clusters found"),
            }.items():
                first, whole = visit(browser, url, selector, text)
                times[name]["first view"].append(first)
                times[name]["whole page"].append(whole)
        finally:
            for proc in (kseg_proc, minimal_proc):
                proc.terminate()
                proc.wait(15)
            log.unlink(missing_ok=True)
    return times


def main() -> None:
    from playwright.sync_api import sync_playwright

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--visits", type=int, default=5)
    p.add_argument(
        "--cold",
        type=int,
        default=0,
        metavar="RUNS",
        help="instead: the first visit of a fresh host (streamlit run app.py, no compiled "
        "kernels), RUNS times, beside a fresh minimal page",
    )
    args = p.parse_args()
    if args.cold:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            results = cold(browser, args.cold)
            browser.close()
        print(f"a fresh host's first visit (empty numba cache); {args.cold} runs")
        _table(results)
        return
    kseg_proc, kseg_url, log = start_server()
    minimal_proc, minimal_url = start_minimal()
    try:
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            button = '[data-testid="stDownloadButton"]'
            pages = {
                "minimal Streamlit page": (minimal_url, button, "Download"),
                "kseg's first screen": (kseg_url, ".kseg-summary", "clusters found"),
            }
            results = visits(browser, pages, args.visits)
            browser.close()
    finally:
        for proc in (kseg_proc, minimal_proc):
            proc.terminate()
            proc.wait(15)
        log.unlink(missing_ok=True)
    print(f"fresh browser context, warm server; {args.visits} visits each")
    _table(results)


def _table(results: dict[str, dict]) -> None:
    print("| page | first view: median | range | whole page: median | range |")
    print("|---|---|---|---|---|")
    for name, times in results.items():
        cells = [
            f"{statistics.median(t):.2f} s | {min(t):.2f}–{max(t):.2f} s" for t in times.values()
        ]
        print(f"| {name} | {' | '.join(cells)} |")


if __name__ == "__main__":
    main()
