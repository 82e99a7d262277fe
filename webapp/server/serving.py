"""How Streamlit's server sends this app's static files: in pieces of
256 KiB rather than Starlette's 64 KiB, each piece a hand-off to a worker
thread and back.  A fresh browser fetches Streamlit's whole front end
(several MB): ten new visitors cost the server about 0.5 s less CPU
(0.27 -> 0.22 s of CPU a first screen, docs/benchmarks.md).  No streamlit
here."""

from __future__ import annotations

import functools

from starlette.responses import FileResponse

__all__ = ["STATIC_CHUNK", "tune_static_files"]

#: Bytes read and sent at a time for a static file.
STATIC_CHUNK = 256 * 1024


@functools.cache
def tune_static_files() -> int:
    """Have Starlette's file responses (Streamlit's static files) read and
    send ``STATIC_CHUNK`` bytes at a time, once per process; returns it."""
    FileResponse.chunk_size = max(FileResponse.chunk_size, STATIC_CHUNK)
    return FileResponse.chunk_size
