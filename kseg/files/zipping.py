"""The files of a download written into a ZIP, made on several threads:
the slowest started first, each written in order as it is done."""

from __future__ import annotations

import threading
import zipfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from kseg.base.parallel import THREADS
from kseg.files.palette_writing import zip_entry

__all__ = ["EARLY", "FIRST", "LAST", "Once", "ordered", "write_entries"]


#: When :func:`write_entries` starts a file: the slowest drawings (the
#: sheet, the pattern) first, then the layers, what waits for the drawings
#: last, everything else in between, in order.
FIRST, EARLY, LAST = -2, -1, 1


def ordered(make: Callable[[], bytes], order: int) -> Callable[[], bytes]:
    """``make``, marked with when :func:`write_entries` should start it."""
    make.order = order  # type: ignore[attr-defined]
    return make


class Once:
    """A value made on its first call, by whichever thread asks first (the
    others wait for it), then kept."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make: Callable[[], Any] | None = make
        self._lock = threading.Lock()
        self._value: Any = None

    def __call__(self) -> Any:
        with self._lock:
            if self._make is not None:
                self._value = self._make()
                self._make = None  # free what it held (the photo, the result)
            return self._value


def write_entries(
    zf: zipfile.ZipFile,
    folder: str,
    entries: list[tuple[str, Callable[[], bytes]]],
    *,
    threads: int = THREADS,
    progress: Callable[[int, int, str], None] | None = None,
) -> None:
    """Make ``entries`` on ``threads`` threads (PNG encoding releases the
    GIL) and write them in order under ``folder/``: PNGs stored as they are
    (deflating them again gains nothing), text files deflated.  The files
    are started in order, except those whose function carries an ``order``
    (the sheet's drawing first, the files that wait for it last).
    ``progress(done, total, path)`` is called after each file is written."""
    start = sorted(range(len(entries)), key=lambda i: getattr(entries[i][1], "order", 0))
    with ThreadPoolExecutor(max_workers=max(1, threads)) as workers:
        jobs = {i: workers.submit(entries[i][1]) for i in start}
        for done, (path, _) in enumerate(entries, start=1):
            data = jobs.pop(done - 1).result()  # free each file once written
            kind = zipfile.ZIP_STORED if path.endswith(".png") else zipfile.ZIP_DEFLATED
            # zlib level 1: the SVGs 1-2 % larger, deflated ten times faster
            # (on this thread, beside the workers).
            zf.writestr(
                zip_entry(f"{folder}/{path}" if folder else path, kind), data, compresslevel=1
            )
            del data
            if progress is not None:
                progress(done, len(entries), path)
