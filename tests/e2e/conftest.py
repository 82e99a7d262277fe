"""Browser tests: one Streamlit server per session, Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
SHOTS = ROOT / "tests" / "artifacts" / "screenshots"
#: Flags for Chromium on a machine with no network but loopback.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "e2e" in str(item.fspath):
            item.add_marker(pytest.mark.browser)
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            raise pytest.UsageError(f"CI: {CHROMIUM} is missing; browser tests must run in CI")
        skip = pytest.mark.skip(reason=f"{CHROMIUM} not installed (make test installs it)")
        for item in items:
            if "e2e" in str(item.fspath):
                item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args() -> dict:
    return {
        "executable_path": CHROMIUM,
        "headless": True,
        "args": ["--headless", *CHROMIUM_ARGS],
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args) -> dict:
    return {
        **browser_context_args,
        "viewport": {"width": 1400, "height": 1000},
        "accept_downloads": True,
    }


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def free_ports(n: int) -> int:
    """The first of ``n`` consecutive ports free now (deploy/serve.sh puts its
    replicas on REPLICA_BASE_PORT, +1, ...)."""
    for _ in range(100):
        base = free_port()
        sockets = [socket.socket() for _ in range(n)]
        try:
            for i, s in enumerate(sockets):
                s.bind(("127.0.0.1", base + i))
            return base
        except OSError:
            continue
        finally:
            for s in sockets:
                s.close()
    raise AssertionError(f"no {n} consecutive free ports in 100 tries")


def start_server(
    extra_env: dict[str, str] | None = None, plain: bool = False
) -> tuple[subprocess.Popen, str, Path]:
    """Start the page's server on a free port as `make run` does
    (deploy/launch.py: the kernels loaded first) and wait for its health
    check.  ``plain``: ``streamlit run app.py`` with no environment of ours
    (as Community Cloud starts it)."""
    port = free_port()
    log = Path(tempfile.mkstemp(prefix="kseg-streamlit-", suffix=".log")[1])
    start = [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py")]
    if not plain:
        start = [sys.executable, str(ROOT / "deploy" / "launch.py")]
    cmd = [
        *start,
        "--server.address", "127.0.0.1", "--server.port", str(port),
        "--server.headless", "true", "--server.fileWatcherType", "none",
        "--browser.gatherUsageStats", "false",
    ]  # fmt: skip
    with open(log, "wb") as out:
        proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            stdout=out,
            stderr=subprocess.STDOUT,
            # Two malloc arenas: Streamlit's many script threads otherwise each
            # keep freed memory of their own (as `make run` does; see README).
            env={**os.environ, **({} if plain else {"MALLOC_ARENA_MAX": "2"}), **(extra_env or {})},
        )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited: {log.read_text()}")
        try:
            with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as r:
                if r.status == 200:
                    return proc, url, log
        except OSError:
            time.sleep(0.3)
    proc.kill()
    raise RuntimeError(f"streamlit did not become healthy: {log.read_text()}")


@contextmanager
def served(extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """A server (see ``start_server``) for the block; its URL."""
    proc, url, log = start_server(extra_env)
    try:
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.unlink(missing_ok=True)


@pytest.fixture(scope="session")
def app_server() -> Iterator[str]:
    with served() as url:
        yield url


@pytest.fixture(scope="session")
def shots() -> Path:
    SHOTS.mkdir(parents=True, exist_ok=True)
    return SHOTS
