"""Render deploy/nginx.conf.template for deploy/serve.sh.

Usage: render_nginx.py PREFIX ADDRESS PORT HTTP_PORT USER SERVERS [CERT KEY PASSWORDS]

Writes PREFIX/nginx.conf: nginx on ADDRESS:PORT in front of SERVERS; with
CERT and KEY, HTTPS there and plain HTTP on HTTP_PORT redirected to it;
with PASSWORDS (a file of `make password`), basic auth on every request.
"""

from __future__ import annotations

import sys
from pathlib import Path

TLS = """        listen {address}:{port} ssl;
        ssl_certificate {cert};
        ssl_certificate_key {key};
        ssl_protocols TLSv1.2 TLSv1.3;"""

# In the location, where its other headers are (nginx takes add_header from
# one level only): browsers then keep to HTTPS for a year.
HSTS = """            add_header Strict-Transport-Security "max-age=31536000" always;"""

REDIRECT = """    server {{
        listen {address}:{http_port};
        return 301 https://$host{port_part}$request_uri;
    }}"""

AUTH = """            auth_basic "kseg";
            auth_basic_user_file {passwords};"""


def render(
    template: str,
    prefix: str,
    address: str,
    port: str,
    http_port: str,
    user: str,
    servers: str,
    cert: str = "",
    key: str = "",
    passwords: str = "",
) -> str:
    """The nginx configuration, from the template and these settings."""
    if cert:
        listen = TLS.format(address=address, port=port, cert=cert, key=key)
        port_part = "" if port == "443" else f":{port}"
        redirect = REDIRECT.format(address=address, http_port=http_port, port_part=port_part)
    else:
        listen, redirect = f"        listen {address}:{port};", ""
    auth = AUTH.format(passwords=passwords) if passwords else ""
    if cert:
        auth = f"{auth}\n{HSTS}" if auth else HSTS
    for name, value in (
        ("@PREFIX@", prefix),
        ("@USER@", user),
        ("@SERVERS@", servers.rstrip("\n")),
        ("@LISTEN@", listen),
        ("@REDIRECT@", redirect),
        ("@AUTH@", auth),
    ):
        template = template.replace(name, value)
    return template


def main(argv: list[str]) -> None:
    prefix = argv[0]
    here = Path(__file__).resolve().parent
    absolute = [str(Path(a).resolve()) if a else "" for a in argv[6:9]]
    text = render((here / "nginx.conf.template").read_text(), *argv[:6], *absolute)
    Path(prefix, "nginx.conf").write_text(text)


if __name__ == "__main__":
    main(sys.argv[1:])
