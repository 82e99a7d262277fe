"""Many real browser sessions against one kseg server, at once.

Run:  make load            (or: .venv/bin/python bench/load.py --sessions 10)

The server starts as Streamlit Community Cloud starts it (`streamlit run
app.py`, no environment of ours) unless --env or --budget add some.  Each
session is a headless Chromium (Debian's /usr/bin/chromium) in its own
process, ten priority steps below the server (--browser-nice). It opens
the page, uploads its own photo (a different crop per
session, so every session's image has a unique size), waits for the result,
moves the k slider and waits again. A session counts as a mix-up if the page
ever shows a size other than its own photo's, and notes whether it was told
it is queued. Meanwhile the parent polls /_stcore/health twice a second and
the server's resident memory ten times a second. Prints p50/p95 time to
result, errors, mix-ups, the server's CPU seconds, peak memory, memory kept
--linger seconds after every tab closed, queue waits (from the server log)
and health failures; then the server's jobs step by step (from its
KSEG_STEP_LOG: how many, seconds at work and the process's CPU meanwhile).
"""

from __future__ import annotations

import argparse
import io
import json
import multiprocessing as mp
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, free_port, start_server  # noqa: E402


def make_photo(base: Path, index: int, megapixels: float) -> tuple[bytes, str]:
    """A JPEG crop of a real photo, resized to about ``megapixels``, unique in size."""
    im = Image.open(base).convert("RGB")
    f = (megapixels * 1e6 / (im.width * im.height)) ** 0.5
    w, h = round(im.width * f) - index, round(im.height * f)
    im = im.resize((w, h), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return buf.getvalue(), f"{w} × {h} px"


def step_breakdown(path: Path) -> str:
    """The jobs logged in ``path`` (webapp.session.jobs.STEP_LOG) by kind: how many,
    their seconds at work and the server's CPU seconds meanwhile (which
    counts every job running at the same time)."""
    kinds: dict[str, list[float]] = {}
    if path.exists():
        for line in path.read_text().splitlines():
            job = json.loads(line)
            k = kinds.setdefault(job["steps"], [0, 0.0, 0.0, 0.0])
            k[0] += 1
            k[1] += job["wall"]
            k[2] += job["cpu"]
            k[3] += job["waited"]
    return "\n".join(
        f"  {name}: {n:.0f} jobs, {wall:.1f} s at work, {cpu:.1f} s CPU meanwhile, "
        f"{waited:.1f} s waited"
        for name, (n, wall, cpu, waited) in sorted(kinds.items(), key=lambda kv: -kv[1][1])
    )


def session(
    url: str,
    photo: Path,
    size_text: str,
    index: int,
    out: mp.Queue,
    at_once: bool = False,
    nice: int = 0,
) -> None:
    """One browser tab: open, upload ``photo`` (a file on disk, as a user
    picks one: a buffer would be base64-piped through Playwright, about 3 s
    of CPU per 14 MB upload on the machine the server shares), change k.
    With ``at_once``, the upload goes the moment the uploader shows, while
    the page's first run is still going (an upload a run drops would never
    show its size: a timeout, an error).  ``nice``: the browser's priority
    below the server's (its processes inherit it), so ten browsers on the
    server's two cores take what the server leaves."""
    from playwright.sync_api import expect, sync_playwright

    os.nice(nice)

    record = {"index": index, "error": None, "mixup": False, "times": [], "queued": False}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            page = browser.new_page(viewport={"width": 1300, "height": 900})
            page.add_init_script(QUEUE_WATCH)
            page.goto(url, timeout=120_000)  # ten browsers starting at once on 2 cores
            summary = page.locator(".kseg-summary")
            if not at_once:
                expect(summary).to_be_visible(timeout=120_000)
            t0 = time.perf_counter()
            dropzone = page.get_by_test_id("stFileUploaderDropzoneInput")
            dropzone.set_input_files(photo, timeout=120_000)
            expect(summary).to_contain_text(size_text, timeout=300_000)
            record["times"].append(time.perf_counter() - t0)
            slider = page.get_by_test_id("stSlider").filter(has_text="Number of colours")
            slider.get_by_role("slider").focus()
            t0 = time.perf_counter()
            page.keyboard.press("ArrowLeft")
            expect(summary).to_contain_text("4 clusters found", timeout=300_000)
            record["times"].append(time.perf_counter() - t0)
            if size_text not in summary.inner_text():
                record["mixup"] = True
            record["queued"] = bool(page.evaluate("window.__ksegQueued === true"))
            if page.get_by_test_id("stException").count():
                record["error"] = "stException on the page"
            browser.close()
    except Exception as exc:  # a failed session is a reported error, not a crash
        record["error"] = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}"
    out.put(record)


#: Notes in the page whether the queue message ("… ahead of yours") ever showed.
QUEUE_WATCH = """
const ksegQueueWatch = setInterval(() => {
  if (document.body && document.body.textContent.includes("ahead of yours")) {
    window.__ksegQueued = true;
    clearInterval(ksegQueueWatch);
  }
}, 100);
"""
WAIT_LINE = re.compile(r"kseg admission: waited ([0-9.]+) s")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU time of every process on the machine so far (user + system)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    return (int(fields[0]) + int(fields[1]) + int(fields[2])) / os.sysconf("SC_CLK_TCK")


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


@dataclass
class Served:
    """The server(s) under test: one Streamlit process, or replicas behind
    nginx (``deploy/serve.sh``)."""

    url: str
    pids: list[int]  # the Streamlit processes
    logs: list[Path]
    stop: Callable[[], None]

    def rss(self) -> list[float]:
        return [rss_mb(pid) for pid in self.pids]

    def cpu(self) -> float:
        return sum(cpu_seconds(pid) for pid in self.pids)

    def log_text(self) -> str:
        return "".join(log.read_text(errors="replace") for log in self.logs if log.exists())


@dataclass
class Watched:
    """A server whose resident memory is sampled ten times a second."""

    url: str
    pid: int
    idle: float  # MB when it became healthy
    peak: float = 0.0  # MB, the most seen so far

    def rss(self) -> float:
        return rss_mb(self.pid)


@contextmanager
def watched_server(env: dict | None = None, plain: bool = False) -> Iterator[Watched]:
    """A server (``tests.e2e.conftest.start_server``) for the block, its
    memory sampled until the block ends; stopped after."""
    proc, url, log = start_server(env, plain=plain)
    watched = Watched(url, proc.pid, rss_mb(proc.pid))
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            watched.peak = max(watched.peak, rss_mb(proc.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        yield watched
    finally:
        stop.set()
        sampler.join()
        proc.terminate()
        proc.wait(15)
        log.unlink(missing_ok=True)


def start_single(env: dict | None) -> Served:
    proc, url, log = start_server(env, plain=True)

    def stop() -> None:
        proc.terminate()
        proc.wait(15)
        log.unlink(missing_ok=True)

    return Served(url, [proc.pid], [log], stop)


def start_proxy(replicas: int, env: dict | None) -> Served:
    """``deploy/serve.sh`` with ``replicas`` replicas on free ports."""
    port, base = free_port(), free_port()
    serve = subprocess.Popen(
        ["deploy/serve.sh", str(replicas), str(port)],
        cwd=ROOT,
        env={**os.environ, "PY": sys.executable, "REPLICA_BASE_PORT": str(base), **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    pids, logs = [], []
    while len(pids) < replicas:
        line = serve.stdout.readline()
        if not line:
            raise RuntimeError("deploy/serve.sh ended before its replicas started")
        if m := re.match(r"replica \d+ of \d+: 127\.0\.0\.1:(\d+) \(pid (\d+)\) log (\S+)", line):
            pids.append(int(m.group(2)))
            logs.append(Path(m.group(3)))
    url = f"http://127.0.0.1:{port}"
    for _ in range(200):
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2):
                break
        except OSError:
            time.sleep(0.3)

    def stop() -> None:
        serve.send_signal(signal.SIGTERM)
        serve.wait(30)

    return Served(url, pids, logs, stop)


def run(
    sessions: int,
    megapixels: float,
    base: Path,
    waves: int = 1,
    env: dict | None = None,
    linger: float = 0.0,
    replicas: int = 0,
    at_once: bool = False,
    nice: int = 10,
) -> dict:
    """Run the sessions against one server (``replicas`` 0) or that many
    replicas behind nginx; ``linger`` seconds after the last tab closed, read
    the memory the server kept; the browsers ``nice`` steps below the server."""
    folder = Path(tempfile.mkdtemp(prefix="kseg-load-"))
    steps = folder / "steps.jsonl"
    env = {**(env or {}), "KSEG_STEP_LOG": str(steps)}
    served = start_proxy(replicas, env) if replicas else start_single(env)
    url = served.url
    stop = threading.Event()
    health = {"ok": 0, "failed": 0}
    memory: list[list[float]] = []  # resident MB of each server, ten times a second

    def probe() -> None:
        while not stop.is_set():
            try:
                with urllib.request.urlopen(f"{url}/_stcore/health", timeout=5) as r:
                    health["ok" if r.status == 200 else "failed"] += 1
            except OSError:
                health["failed"] += 1
            stop.wait(0.5)

    def sample() -> None:
        while not stop.is_set():
            memory.append(served.rss())
            stop.wait(0.1)

    watchers = [threading.Thread(target=f, daemon=True) for f in (probe, sample)]
    try:
        baseline = sum(served.rss())
        cpu0, machine0 = served.cpu(), machine_cpu_seconds()
        for w in watchers:
            w.start()
        ctx = mp.get_context("spawn")
        records: list[dict] = []
        after_wave: list[float] = []
        t0 = time.perf_counter()
        for wave in range(waves):  # every session at once, each with a new photo
            photos = []
            for i in range(sessions):
                data, text = make_photo(base, wave * sessions + i, megapixels)
                path = folder / f"load{wave * sessions + i}.jpg"
                path.write_bytes(data)
                photos.append((path, text))
            queue = ctx.Queue()
            workers = [
                ctx.Process(target=session, args=(url, data, text, i, queue, at_once, nice))
                for i, (data, text) in enumerate(photos)
            ]
            for w in workers:
                w.start()
            records += [queue.get(timeout=900) for _ in workers]
            for w in workers:
                w.join(60)
            time.sleep(2.0)
            after_wave.append(sum(served.rss()))
        wall = time.perf_counter() - t0
        cpu = served.cpu() - cpu0
        machine = machine_cpu_seconds() - machine0
        time.sleep(linger)
        stop.set()
        for w in watchers:
            w.join()
        first = [r["times"][0] for r in records if r["times"]]
        log = served.log_text()
        return {
            "sessions": sessions,
            "megapixels": megapixels,
            "replicas": replicas,
            "wall_s": wall,
            "p50_s": statistics.median(first) if first else float("nan"),
            "p95_s": float(np.percentile(first, 95)) if first else float("nan"),
            "errors": [r["error"] for r in records if r["error"]],
            "mixups": sum(r["mixup"] for r in records),
            "queued_sessions": sum(r["queued"] for r in records),
            "cpu_s": cpu,
            "machine_cpu_s": machine,
            "waits_s": [float(m) for m in WAIT_LINE.findall(log)],
            "baseline_mb": baseline,
            "peak_mb": max(map(sum, memory)) if memory else 0.0,
            "peak_per_server_mb": [max(col) for col in zip(*memory, strict=True)],
            "final_mb": sum(served.rss()),
            "after_wave_mb": after_wave,
            "health_ok": health["ok"],
            "health_failed": health["failed"],
            "server_log_tail": log[-4000:],
            "steps": step_breakdown(steps),
        }
    finally:
        stop.set()
        served.stop()
        for f in [*folder.glob("*.jpg"), steps]:
            f.unlink(missing_ok=True)
        folder.rmdir()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--sessions", type=int, default=10)
    ap.add_argument("--megapixels", type=float, default=4.0, help="size of each upload")
    ap.add_argument("--photo", type=Path, default=ROOT / "kseg" / "samples" / "coffee.png")
    ap.add_argument("--waves", type=int, default=1, help="rounds of all sessions at once")
    ap.add_argument("--env", action="append", default=[], help="KEY=VALUE for the server")
    ap.add_argument("--budget", type=int, help="the server's KSEG_MEMORY_BUDGET_MB")
    ap.add_argument("--linger", type=float, default=45.0, help="seconds before 'kept' is read")
    ap.add_argument(
        "--replicas", type=int, default=0, help="serve through nginx with this many replicas"
    )
    ap.add_argument(
        "--at-once",
        action="store_true",
        help="each visitor uploads the moment the uploader shows, during the page's first run",
    )
    ap.add_argument(
        "--browser-nice",
        type=int,
        default=10,
        help="the browsers' priority below the server's (0: the same; default 10)",
    )
    a = ap.parse_args()
    env = dict(e.split("=", 1) for e in a.env)
    if a.budget:
        env["KSEG_MEMORY_BUDGET_MB"] = str(a.budget)
    r = run(
        a.sessions, a.megapixels, a.photo, a.waves, env, a.linger, a.replicas, a.at_once,
        a.browser_nice,
    )  # fmt: skip
    waits = r["waits_s"] or [0.0]
    print(
        f"sessions {r['sessions']} x {r['megapixels']} MP"
        f"{f', budget {a.budget} MB' if a.budget else ''}"
        f"{f', {a.replicas} replicas behind nginx' if a.replicas else ''}: time to result "
        f"p50 {r['p50_s']:.1f} s, p95 {r['p95_s']:.1f} s (wall {r['wall_s']:.0f} s); "
        f"errors {len(r['errors'])}, mix-ups {r['mixups']}; server CPU {r['cpu_s']:.1f} s "
        f"(the whole machine, browsers included: {r['machine_cpu_s']:.0f} s); "
        f"server memory {r['baseline_mb']:.0f} MB at start, peak {r['peak_mb']:.0f} MB "
        f"(per process {', '.join(f'{m:.0f}' for m in r['peak_per_server_mb'])} MB), "
        f"after each wave {', '.join(f'{m:.0f}' for m in r['after_wave_mb'])} MB, "
        f"kept {r['final_mb']:.0f} MB {a.linger:.0f} s after the tabs closed; "
        f"queue: {r['queued_sessions']} sessions told, {len(r['waits_s'])} waits, "
        f"longest {max(waits):.1f} s; "
        f"health {r['health_ok']} ok / {r['health_failed']} failed"
    )
    print("server jobs, by steps:\n" + r["steps"])
    for e in r["errors"]:
        print("  error:", e)
    if r["errors"]:
        print("server log (end):\n" + r["server_log_tail"])
    sys.exit(1 if r["errors"] or r["mixups"] or r["health_failed"] else 0)


if __name__ == "__main__":
    main()
