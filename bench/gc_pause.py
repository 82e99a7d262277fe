"""The pause of a full garbage collection in the page's server process,
before and after the start-up heap is frozen (webapp.server.memory).

Run:  make bench-gc        (or: .venv/bin/python bench/gc_pause.py --help)

Streamlit collects garbage after every script run (``runner.postScriptGC``),
holding the interpreter lock, so no session's messages go out meanwhile.
This loads what the server holds once the page has run (Streamlit's server
and elements, the engine's compiled kernels, the page's modules), then
times --repeat full collections (``gc.collect(2)``), then calls
``webapp.server.memory.freeze_startup_heap()`` as the page's first run does, and
times them again.  Prints the medians and the number of objects tracked.
"""

from __future__ import annotations

import argparse
import gc
import importlib
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from webapp.server import memory  # noqa: E402

#: What a running server has imported besides kseg (its web server, the
#: elements the page draws, and the page's own modules).
MODULES = [
    "streamlit.web.bootstrap",
    "streamlit.web.server.server",
    "streamlit.runtime.scriptrunner.script_runner",
    "streamlit.elements.widgets.file_uploader",
    "streamlit.elements.widgets.slider",
    "streamlit.elements.image",
    "webapp.one_photo.sections",
    "webapp.many_photos.sections",
]


def pauses(repeat: int) -> list[float]:
    """Seconds of each of ``repeat`` full collections."""
    out = []
    for _ in range(repeat):
        t = time.perf_counter()
        gc.collect(2)
        out.append(time.perf_counter() - t)
    return out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--repeat", type=int, default=7)
    args = p.parse_args()
    import kseg

    kseg.warm_up()
    for name in MODULES:
        importlib.import_module(name)
    before, tracked = pauses(args.repeat), len(gc.get_objects())
    frozen = memory.freeze_startup_heap()
    after = pauses(args.repeat)
    print(f"objects tracked: {tracked:,}; frozen: {frozen:,}; {args.repeat} collections each")
    print("| heap | full collection: median | range |")
    print("|---|---|---|")
    for name, t in (("as started", before), ("start-up heap frozen", after)):
        ms = [1000 * s for s in t]
        print(f"| {name} | {statistics.median(ms):.2f} ms | {min(ms):.2f}–{max(ms):.2f} ms |")


if __name__ == "__main__":
    main()
