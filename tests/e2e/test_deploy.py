"""`make serve`: two replicas behind nginx, sticky on a cookie the proxy sets.

One memory budget for the whole server, split between the replicas: a
visitor who drops more than a replica takes per visitor is told so, and
another visitor segments.  Four (or more) browser sessions through the
proxy land on both replicas; each uploads its own photo, changes k and
downloads a mask without a mix-up; killing one replica leaves the sessions
on the other working, and a new visitor is served by the live one.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import Browser, Page, expect

from tests.e2e.conftest import ROOT, free_port, free_ports
from tests.e2e.test_browser import (
    TIMEOUT,
    download,
    no_exceptions,
    set_k,
    upload,
    wait_for_app,
)
from tests.e2e.test_many_photos import open_many

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
#: The whole server's budget: 450 MB a replica, so 45 MB of uploads a visitor.
BUDGET_MB = 900


@pytest.fixture(scope="module")
def proxy() -> Iterator[tuple[str, dict[str, int], subprocess.Popen]]:
    """deploy/serve.sh with two replicas; yields the proxy's URL, each
    replica's pid by address, and the serve.sh process."""
    if not Path(NGINX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI: nginx is missing (make test installs it)")
        pytest.skip("nginx not installed (make test installs it)")
    port, base = free_port(), free_ports(2)
    env = {
        **os.environ,
        "PY": sys.executable,
        "NGINX": NGINX,
        "REPLICA_BASE_PORT": str(base),
        "KSEG_MEMORY_BUDGET_MB": str(BUDGET_MB),
    }
    serve = subprocess.Popen(
        ["deploy/serve.sh", "2", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    pids: dict[str, int] = {}
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    shares = ""
    while len(pids) < 2 and time.monotonic() < deadline:
        line = serve.stdout.readline()
        shares = line if line.startswith("each of 2 replicas") else shares
        if m := re.match(r"replica \d of 2: (127\.0\.0\.1:\d+) \(pid (\d+)\) log (\S+)", line):
            pids[m.group(1)] = int(m.group(2))
            LOGS.append(Path(m.group(3)))
    try:
        assert shares.startswith(f"each of 2 replicas: a memory budget of {BUDGET_MB // 2} MB")
        LOGS.append(LOGS[0].parent / "error.log")
        # Every replica listening, then the proxy: a visitor hashed onto a
        # replica still starting would be sent to the other one.
        for address in pids:
            _wait_healthy(f"http://{address}", deadline)
        _wait_healthy(url, deadline)
        yield url, pids, serve
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(20)
        LOGS.clear()


#: The replicas' logs and nginx's error log while the proxy runs.
LOGS: list[Path] = []


def _log_tails(lines: int = 40) -> str:
    """The end of every replica's log and of nginx's, for a failure's report."""
    tails = []
    for log in LOGS:
        text = log.read_text(errors="replace") if log.exists() else "(no log)"
        tails.append(f"--- {log.name}\n" + "\n".join(text.splitlines()[-lines:]))
    return "\n".join(tails)


def _wait_healthy(url: str, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise AssertionError(f"{url} never answered /_stcore/health\n{_log_tails()}")


def _photo(i: int) -> tuple[bytes, tuple[int, int]]:
    """A smooth photo-like JPEG of a size unique to session ``i``."""
    w, h = 400 + 7 * i, 300 + 3 * i
    y, x = np.mgrid[0:h, 0:w].astype(np.float32)
    img = np.stack([128 + 100 * np.sin(x / (20 + i)), 128 + 90 * np.cos(y / 31), x % 255], -1)
    buf = io.BytesIO()
    Image.fromarray(np.clip(img, 0, 255).astype(np.uint8)).save(buf, "JPEG", quality=90)
    return buf.getvalue(), (w, h)


def _visit(browser: Browser, url: str) -> tuple[Page, str]:
    """A new visitor (own cookies): the page and the replica that served it."""
    page = browser.new_context(accept_downloads=True).new_page()
    response = page.goto(url)
    try:
        expect(page.locator(".kseg-summary")).to_be_visible(timeout=TIMEOUT)
    except AssertionError as error:
        raise AssertionError(f"{error}\n{_log_tails()}") from error
    wait_for_app(page)
    return page, response.headers["x-kseg-replica"]


def test_each_replica_keeps_its_share_of_one_budget_and_refuses_a_flood(
    browser: Browser, proxy, tmp_path: Path
):
    url, _, _ = proxy
    flood = browser.new_context().new_page()
    open_many(flood, url)
    files = []
    for i in range(8):  # 80 MB that are not images, over a visitor's 45 MB
        files.append(tmp_path / f"notes{i}.jpg")
        files[-1].write_bytes(bytes([i]) * 10_000_000)
    flood.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(files)
    message = flood.get_by_test_id("stAlert").filter(has_text="per visitor at a time")
    expect(message).to_contain_text("45 MB of photos per visitor", timeout=TIMEOUT)
    wait_for_app(flood)
    no_exceptions(flood)
    other, _ = _visit(browser, url)
    expect(other.locator(".kseg-summary")).to_contain_text("clusters found")
    no_exceptions(other)
    flood.context.close()
    other.context.close()


def test_sessions_stick_to_their_replica_and_survive_the_other_one_dying(browser: Browser, proxy):
    url, pids, _ = proxy
    visitors: list[tuple[Page, str]] = []
    while len(visitors) < 4 or len({r for _, r in visitors}) < 2:
        assert len(visitors) < 20, "twenty visitors, all on one replica: no spreading"
        visitors.append(_visit(browser, url))
    assert {r for _, r in visitors} == set(pids)

    for i, (page, _) in enumerate(visitors):
        data, (w, h) = _photo(i)
        upload(page, f"visitor{i}.jpg", data, "image/jpeg")
        expect(page.locator(".kseg-summary")).to_contain_text(f"{w} × {h} px", timeout=TIMEOUT)
        set_k(page, 4)
        mask = Image.open(io.BytesIO(download(page, "Mask PNG")))
        assert mask.size == (w, h), (i, mask.size)  # this session's own photo

    dead = visitors[0][1]
    os.kill(pids[dead], signal.SIGTERM)
    for i, (page, replica) in enumerate(visitors):
        if replica == dead:
            continue
        set_k(page, 5)  # the survivors keep their session and their photo
        w, h = _photo(i)[1]
        expect(page.locator(".kseg-summary")).to_contain_text(f"{w} × {h} px")
        expect(page.get_by_test_id("stException")).to_have_count(0)

    page, tried = _visit(browser, url)
    assert tried.split(", ")[-1] != dead  # nginx lists every replica it tried
    expect(page.locator(".kseg-summary")).to_contain_text("600 × 400 px")
