"""Jobs under the server's memory budget: the one admission queue, what the
page shows while a job waits, the photo too large to fit, and the janitor
that drops idle cache entries and hands freed memory back.

A job is a page run that must build full-size pieces, or a download: it
reserves, before it holds anything, the bytes of every step it will run
(``webapp.server.budget``), waits its turn when the budget or every worker is
taken, and hands its freed memory back when it ends.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar

import streamlit as st
from streamlit.logger import get_logger

import kseg
from webapp.server import kernels
from webapp.server.budget import Admission, budget_bytes, job_bytes, step_bytes
from webapp.server.cache import FULL_SIZE, IDLE_SECONDS, PAGE, ZIPS
from webapp.server.memory import limit_arenas, trim
from webapp.server.uploads import Upload

LOG = get_logger(__name__)
limit_arenas()
# The engine's compiled kernels: loaded already where `make run` or
# deploy/serve.sh started the server; on a fresh `streamlit run app.py`,
# compiled in a child process and then loaded, while the first screen (a
# stored sample result) needs none of them (webapp.server.kernels).
kernels.start()

#: The server's one admission queue (``KSEG_MEMORY_BUDGET_MB``); the caches
#: let go of their least recently used entries before a step has to wait.
ADMISSION = Admission(budget_bytes()[0], slots=max(1, os.cpu_count() or 1))
ADMISSION.add_shrinker(trim)  # freed memory the allocator still holds, first
for _cache in (ZIPS, PAGE, FULL_SIZE):
    ADMISSION.add_shrinker(_cache.shrink)
ADMISSION.add_shrinker(trim)  # and what the dropped cache entries held on the heap
#: A file that gets one JSON line per job (its steps, pixels, seconds waited
#: and at work, and the process's CPU seconds meanwhile), for the benchmarks'
#: per-step breakdown; unset, nothing is written.
STEP_LOG = os.environ.get("KSEG_STEP_LOG")
_STEP_LOG_LOCK = threading.Lock()
#: How the current script run shows its place in the queue (see queue_notice).
_ON_WAIT: ContextVar[Callable[[int], None] | None] = ContextVar("on_wait", default=None)


class TooLarge(Exception):
    """The photo needs more memory than the server's budget gives one photo.

    ``fit`` is the largest pixel count that fits (None when not even a
    smaller size can be offered: the file must be decoded in full), and
    ``fit_size`` the (width, height) of the photo reduced to it.
    """

    def __init__(self, width: int, height: int, need: int, fit: int | None) -> None:
        self.width, self.height, self.need, self.fit = width, height, need, fit
        self.fit_size = kseg.fitted_size(width, height, fit) if fit else None
        self.capacity, self.budget = ADMISSION.capacity, ADMISSION.budget
        super().__init__(f"{width} x {height} needs {need} bytes; fits: {fit}")


@contextmanager
def job(
    steps: list[str],
    pixels: int,
    decoder_pixels: int | None = None,
    extra: int = 0,
    replan: Callable[[], list[str]] | None = None,
) -> Iterator[None]:
    """Run a job of heavy steps under the memory budget, waiting its turn if
    needed.  The whole job reserves before it holds anything (a job waiting
    with a decoded photo in hand would hold memory the budget does not see);
    the steps inside pass straight through.  No steps: nothing to wait for.
    ``extra``: bytes the job needs besides its steps' (e.g. a series' tables).
    ``replan``: the steps as the caches stand, asked again when the job's
    turn comes (a cached piece it counted on may have been dropped for other
    jobs meanwhile, and is then made again here: the job queues again for
    the bytes that takes)."""
    if not steps:
        yield
        return
    if not set(steps) <= kernels.KERNEL_FREE and not kernels.ready():
        show = _ON_WAIT.get()
        kernels.wait(on_wait=None if show is None else lambda: show(-1))
    decoder = pixels if decoder_pixels is None else decoder_pixels
    t0 = time.monotonic()
    outermost = not ADMISSION.holding()
    try:
        with _reserved(steps, pixels, decoder, extra, replan if outermost else None) as ran:
            waited = time.monotonic() - t0
            if waited > 0.05:
                what = "+".join(ran)
                LOG.info("kseg admission: waited %.2f s for %s (%d px)", waited, what, pixels)
            t1, cpu1 = time.monotonic(), time.process_time()
            yield
            if STEP_LOG and outermost:
                _log_job(ran, pixels, waited, time.monotonic() - t1, time.process_time() - cpu1)
    finally:
        if outermost:
            trim()  # the job's freed buffers go back to the system, not to the next job


@contextmanager
def _reserved(
    steps: list[str],
    pixels: int,
    decoder: int,
    extra: int,
    replan: Callable[[], list[str]] | None,
) -> Iterator[list[str]]:
    """Hold the bytes of ``steps`` for the block (yields the steps held
    for); with ``replan``, once admitted, queue again while the steps have
    grown since (twice at most, then run with what is held)."""
    for attempt in range(3):
        need = extra + job_bytes(steps, pixels, decoder)
        with ADMISSION.reserve(need, on_wait=_ON_WAIT.get()):
            now = replan() if replan is not None and attempt < 2 else steps
            if now and extra + job_bytes(now, pixels, decoder) > need:
                steps = now
                continue  # (leaves the queue's slot to whoever is next)
            yield steps
            return


def _log_job(steps: list[str], pixels: int, waited: float, wall: float, cpu: float) -> None:
    """One line of ``STEP_LOG``; the process's CPU includes every thread
    (kseg's pool too, and other jobs running at the same time)."""
    line = {"steps": "+".join(steps), "pixels": pixels, "waited": waited, "wall": wall, "cpu": cpu}
    with _STEP_LOG_LOCK, open(STEP_LOG, "a") as f:  # type: ignore[arg-type]
        f.write(json.dumps(line) + "\n")


def step(name: str, pixels: int) -> AbstractContextManager[None]:
    """One heavy step under the memory budget (inside a job: passes through)."""
    return job([name], pixels)


#: More work for the janitor (what ended sessions left), added by the page.
_SWEEPS: list[Callable[[], None]] = []


def on_janitor(sweep: Callable[[], None]) -> None:
    """Have the janitor call ``sweep()`` every few seconds."""
    _SWEEPS.append(sweep)


def _janitor() -> None:
    """Every 5 s: drop cache entries nobody used for IDLE_SECONDS (a closed
    tab's photo), run the sweeps and, when no step is at work, hand freed
    memory back."""
    while True:
        time.sleep(5.0)
        for cache in (FULL_SIZE, PAGE, ZIPS):
            cache.drop_idle(IDLE_SECONDS)
        for sweep in list(_SWEEPS):
            try:
                sweep()
            except Exception:  # a sweep that fails must not stop the janitor
                LOG.exception("janitor sweep failed")
        if not ADMISSION.busy:
            trim()


threading.Thread(target=_janitor, name="kseg-cache-janitor", daemon=True).start()


#: Seconds between two draws of the same queue notice.
REDRAW_S = 1.0


@contextmanager
def queue_notice() -> Iterator[None]:
    """While the block runs, a step that waits for its turn says so on the
    page, with how many are ahead ("2 photos ahead of yours")."""
    slot = st.empty()
    drawn = {"ahead": 0, "at": 0.0}

    def show(ahead: int) -> None:
        # Drawn when the count changes, and again every REDRAW_S seconds: each
        # draw is where Streamlit stops a run the user has moved on from, so
        # a stale run leaves the queue within that time instead of holding a
        # place in it (drawn at every check, ten waiting tabs cost the server
        # as much as their photos).
        if not ahead:
            slot.empty()
            return
        now = time.monotonic()
        if ahead == drawn["ahead"] and now - drawn["at"] < REDRAW_S:
            return
        drawn.update(ahead=ahead, at=now)
        if ahead < 0:  # not a queue: the kernels of a server that has just started
            slot.info(
                "The server has just started and is getting its engine ready, once: "
                "about half a minute. Your photo follows at once.",
                icon=":material/hourglass_top:",
            )
            return
        photos = "1 photo" if ahead == 1 else f"{ahead} photos"
        slot.info(
            f"The server is busy: **{photos} ahead of yours** in the queue. Yours starts "
            "as soon as there is memory and a free worker for it.",
            icon=":material/hourglass_top:",
        )

    token = _ON_WAIT.set(show)
    try:
        yield
    finally:
        _ON_WAIT.reset(token)
        slot.empty()


def decode_pixels(width: int, height: int, fit: int | None, jpeg: bool) -> int:
    """Pixels the decoder holds at its peak: the full size, or for a reduced
    JPEG at most four times the reduced size (its decoder scales by halves)."""
    if fit is None or width * height <= fit:
        return width * height
    if jpeg:
        return min(width * height, 4 * fit)
    return width * height


#: The steps any photo on the page goes through (downloads included: a ZIP
#: of a photo the page showed must be possible, on one core if need be), and
#: those cleaning adds.
PHOTO_STEPS = (
    "decode", "segment", "previews", "merge", "mask", "cutout", "segmented", "svg", "paint",
    "zip_one_core",
)  # fmt: skip


def check_fits(upload: Upload, fit: int | None, clean: int) -> None:
    """Raise :class:`TooLarge` when the photo, reduced to ``fit`` pixels if
    given, needs more memory than the budget gives one photo (nothing that
    fits is refused)."""
    width, height = upload.size
    pixels = min(fit, width * height) if fit else width * height
    steps = (*PHOTO_STEPS, "clean") if clean else PHOTO_STEPS
    need = max(step_bytes(s, pixels) for s in steps)
    decode_need = step_bytes("decode", decode_pixels(width, height, pixels, upload.jpeg))
    if ADMISSION.fits_alone(max(need, decode_need)):
        return
    per_pixel = max(step_bytes(s, 10**6) - step_bytes(s, 0) for s in steps) / 10**6
    largest = int((ADMISSION.capacity - step_bytes("decode", 0)) / per_pixel)
    offer = largest if largest >= 10_000 else None
    if offer is not None:
        smallest_decode = step_bytes("decode", decode_pixels(width, height, largest, upload.jpeg))
        offer = offer if ADMISSION.fits_alone(smallest_decode) else None
    raise TooLarge(width, height, max(need, decode_need), offer)
