"""The engine's compiled kernels on a fresh server, without keeping anyone
waiting who does not need them.

A server started by `make run` or deploy/serve.sh has them already
(deploy/launch.py compiles and loads them before it listens).  Started as
`streamlit run app.py` alone, as a free host starts it, with no compiled
kernels on disk, compiling them takes half a minute of one core: done here
in a child process (its own interpreter, so the server's threads keep
answering), which leaves them in numba's disk cache; this process then
loads them from there (about a second).  Meanwhile the first screen, the
bundled sample at the page's defaults, needs none of them
(:mod:`kseg.samples.first`); a job that does need them waits for them
(:func:`wait`), alone, with a message.  No streamlit here.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

import kseg
from kseg.base.parallel import single_blas_thread
from kseg.warming import is_warm
from webapp.server.memory import freeze_loaded_kernels

__all__ = ["KERNEL_FREE", "ready", "start", "wait"]

#: Job steps that need no compiled kernel (everything else waits for them).
KERNEL_FREE = frozenset({"decode", "previews", "mask", "cutout", "segmented"})

_READY = threading.Event()
_STARTED = threading.Lock()
_started = False
_COMPILE = "import kseg; kseg.warm_up()"


def start() -> None:
    """Have the kernels compiled and loaded (once per process, in the
    background); at once if this process has them already.  numpy's
    OpenBLAS is kept to one thread first (``single_blas_thread``: its
    threads cost CPU that other visitors' jobs need and gain no time)."""
    global _started
    with _STARTED:
        if _started:
            return
        _started = True
    single_blas_thread()
    if is_warm():
        _READY.set()
        return
    threading.Thread(target=_compile_then_load, name="kseg-kernels", daemon=True).start()


def _compile_then_load() -> None:
    try:
        # Run from the folder that holds kseg, so the child imports this kseg
        # whether or not it is installed, wherever the server was started.
        here = Path(kseg.__file__).resolve().parents[1]
        child = subprocess.run(
            [sys.executable, "-c", _COMPILE],
            capture_output=True,
            check=False,
            timeout=900,
            cwd=here,
        )
        if child.returncode != 0:
            print("kseg: compiling the kernels apart failed; compiling them here", flush=True)
    except (OSError, subprocess.TimeoutExpired):
        pass
    try:
        seconds = kseg.warm_up()  # from the disk cache the child filled (or compiled here)
        frozen = freeze_loaded_kernels()  # out of the collector's walk after each run
        print(f"kseg: kernels ready in {seconds:.1f} s, {frozen} objects frozen", flush=True)
    finally:
        _READY.set()


def ready() -> bool:
    """Whether the kernels are loaded in this process."""
    return _READY.is_set()


def wait(on_wait: Callable[[], None] | None = None, poll: float = 0.25) -> None:
    """Return once the kernels are loaded; ``on_wait()`` once first, if the
    caller has to wait (to say so on the page)."""
    if _READY.is_set():
        return
    start()
    if on_wait is not None:
        on_wait()
    while not _READY.wait(poll):
        time.sleep(0)
