"""Hosting for a class (docs/hosting.md), each step as a teacher takes it:
`make password` (deploy/password.sh), a certificate (self-signed here),
`make serve` with ADDRESS=0.0.0.0, TLS and the password.  Chromium is
refused without the password and served with it over HTTPS (websockets
through); plain HTTP is redirected to HTTPS; the page answers on the
host's other address too; the systemd unit passes `systemd-analyze verify`.
"""

from __future__ import annotations

import base64
import http.client
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import ROOT, free_port, free_ports
from tests.e2e.test_browser import TIMEOUT, set_k, wait_for_app
from tests.e2e.test_deploy import NGINX

NAME, PASSWORD = "class7b", "correct horse battery"


def _certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key."""
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
         "-keyout", key, "-out", cert, "-subj", "/CN=localhost",
         "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def _get(host: str, port: int, path: str = "/", *, tls: bool, auth: bool) -> tuple[int, dict]:
    """One request (no redirect followed): its status and headers."""
    if tls:
        context = ssl.create_default_context()
        context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
        conn = http.client.HTTPSConnection(host, port, timeout=5, context=context)
    else:
        conn = http.client.HTTPConnection(host, port, timeout=5)
    headers = {}
    if auth:
        headers["Authorization"] = (
            "Basic " + base64.b64encode(f"{NAME}:{PASSWORD}".encode()).decode()
        )
    try:
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        return response.status, dict(response.getheaders())
    finally:
        conn.close()


def _other_address() -> str | None:
    """An address of this host other than loopback, if it has one."""
    try:  # the address the default route leaves from (a UDP connect sends nothing)
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            s.connect(("203.0.113.1", 9))
            address = s.getsockname()[0]
    except OSError:
        return None
    return None if address.startswith("127.") else address


@pytest.fixture(scope="module")
def class_server(tmp_path_factory) -> Iterator[dict]:
    """`make serve` as a teacher runs it for a class: one replica, on every
    address, HTTPS with the certificate, a password."""
    if not Path(NGINX).exists():
        if os.environ.get("CI") == "true":
            pytest.fail("CI: nginx is missing (make test installs it)")
        pytest.skip("nginx not installed (make test installs it)")
    folder = tmp_path_factory.mktemp("hosting")
    cert, key = _certificate(folder)
    passwords = folder / "passwords"
    subprocess.run(
        ["deploy/password.sh", str(passwords), NAME],
        cwd=ROOT, env={**os.environ, "PASSWORD": PASSWORD}, check=True, capture_output=True,
    )  # fmt: skip
    port, http_port, base = free_port(), free_port(), free_ports(1)
    env = {
        **os.environ,
        "PY": sys.executable,
        "NGINX": NGINX,
        "REPLICA_BASE_PORT": str(base),
        "ADDRESS": "0.0.0.0",
        "HTTP_PORT": str(http_port),
        "TLS_CERT": str(cert),
        "TLS_KEY": str(key),
        "PASSWORD_FILE": str(passwords),
    }
    serve = subprocess.Popen(
        ["deploy/serve.sh", "1", str(port)],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT,
        start_new_session=True,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 90
        while True:
            try:
                if _get("127.0.0.1", port, "/_stcore/health", tls=True, auth=True)[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "the class server never answered"
            assert serve.poll() is None, "deploy/serve.sh stopped"
            time.sleep(0.5)
        yield {"port": port, "http_port": http_port, "passwords": passwords}
    finally:
        serve.send_signal(signal.SIGTERM)
        serve.wait(20)


def test_the_password_file_holds_a_salted_hash_not_the_password(class_server):
    line = class_server["passwords"].read_text().strip()
    assert line.startswith(f"{NAME}:$6$") and PASSWORD not in line
    assert class_server["passwords"].stat().st_mode & 0o077 == 0  # the owner's alone


def test_plain_http_is_redirected_to_https(class_server):
    status, headers = _get("127.0.0.1", class_server["http_port"], "/?k=7", tls=False, auth=False)
    assert status == 301
    assert headers["Location"] == f"https://127.0.0.1:{class_server['port']}/?k=7"


def test_without_the_password_nothing_is_served(class_server, browser: Browser):
    assert _get("127.0.0.1", class_server["port"], "/", tls=True, auth=False)[0] == 401
    status = _get("127.0.0.1", class_server["port"], "/_stcore/health", tls=True, auth=False)[0]
    assert status == 401
    context = browser.new_context(ignore_https_errors=True)
    page = context.new_page()
    # Chromium, asked for a password it does not have, shows nothing of the page.
    with pytest.raises(PlaywrightError, match="ERR_INVALID_AUTH_CREDENTIALS"):
        page.goto(f"https://127.0.0.1:{class_server['port']}/")
    expect(page.locator(".kseg-summary")).to_have_count(0)
    wrong = browser.new_context(
        ignore_https_errors=True, http_credentials={"username": NAME, "password": "guess"}
    )
    page = wrong.new_page()
    response = page.goto(f"https://127.0.0.1:{class_server['port']}/")
    assert response is not None and response.status == 401  # a wrong password: refused
    expect(page.locator(".kseg-summary")).to_have_count(0)
    context.close()
    wrong.close()


def test_with_the_password_the_page_works_over_https(class_server, browser: Browser):
    context = browser.new_context(
        ignore_https_errors=True, http_credentials={"username": NAME, "password": PASSWORD}
    )
    page = context.new_page()
    response = page.goto(f"https://127.0.0.1:{class_server['port']}/")
    assert response is not None and response.status == 200
    assert "max-age=" in (response.headers.get("strict-transport-security") or "")
    expect(page.locator(".kseg-summary")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    set_k(page, 3)  # a rerun over the websocket, through the proxy
    expect(page.locator(".kseg-swatch")).to_have_count(3, timeout=TIMEOUT)
    context.close()


def test_students_reach_it_on_the_hosts_network_address(class_server):
    address = _other_address()
    if address is None:
        pytest.skip("this host has no address but loopback")
    assert _get(address, class_server["port"], "/_stcore/health", tls=True, auth=True)[0] == 200


def test_the_systemd_unit_made_for_this_checkout_verifies(tmp_path):
    verify = shutil.which("systemd-analyze")
    if verify is None:
        pytest.skip("systemd-analyze is not on this machine")
    unit = tmp_path / "kseg.service"
    text = (ROOT / "deploy" / "kseg.service.in").read_text()
    unit.write_text(text.replace("@ROOT@", str(ROOT)))
    done = subprocess.run([verify, "verify", str(unit)], capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"ExecStart={ROOT}/deploy/serve.sh" in unit.read_text()
    assert "Restart=always" in text and "WantedBy=multi-user.target" in text
    # The check can fail: a unit whose command is not there does not verify.
    broken = tmp_path / "broken.service"
    broken.write_text(text.replace("@ROOT@", str(tmp_path / "nowhere")))
    assert subprocess.run([verify, "verify", str(broken)], capture_output=True).returncode != 0


@pytest.mark.parametrize(
    ("name", "password", "words"),
    [("class", "", "an empty password"), ("a:b", "x", "without ':'")],
)
def test_make_password_refuses_what_would_not_work(tmp_path, name, password, words):
    done = subprocess.run(
        ["deploy/password.sh", str(tmp_path / "p"), name],
        cwd=ROOT, env={**os.environ, "PASSWORD": password}, capture_output=True, text=True,
    )  # fmt: skip
    assert done.returncode == 2 and words in done.stderr
    assert not (tmp_path / "p").exists() or not (tmp_path / "p").read_text()
