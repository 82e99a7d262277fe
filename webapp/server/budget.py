"""The server's memory budget, and the first-come queue that keeps to it.

Every heavy step of the page (decoding, segmenting, previews, downloads, the
k curve) reserves the bytes it will need before it starts and gives them back
when it ends.  A step starts when its turn has come (first come, first
served), a worker slot is free (one per core) and the server's resident
memory plus every running step's reservation plus its own fits the budget;
before it waits, the caches are asked to let go of their least recently used
entries.  A step that could not fit even alone is refused up front by the
page, with the largest size that fits; one that fits alone is never refused:
with nothing else running it always starts.

The budget is ``KSEG_MEMORY_BUDGET_MB`` when set, else 80 % of the
container's memory limit (cgroup v2 or v1), else 80 % of physical memory.
No streamlit here: the page shows the queue through the ``on_wait`` callback.
"""

from __future__ import annotations

import os
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

MB = 2**20
#: Share of the memory limit (or of physical memory) the server keeps to.
DEFAULT_SHARE = 0.8

#: Bytes per pixel each step needs at its peak (its output included),
#: measured on 15 MP photos (peak resident growth / pixels) with 10-25 %
#: added; and a fixed part for the step's small buffers.  "segment" has 4
#: more for the compiled kernels' own buffers (about 52 bytes per distinct
#: colour, outside numpy's), which took a 570 MB budget's server 2 MB over.
BYTES_PER_PIXEL = {
    "decode": 10.0,  # Pillow's RGBX copy + our RGB (+ alpha) array
    "segment": 13.0,  # colour histogram, labels (int16), row bands, the kernels' buffers
    "previews": 1.5,  # the preview-size pictures, from the full-size labels
    "curve": 8.0,  # k = 2 to 12 on the colour histogram
    "merge": 3.0,
    "clean": 80.0,  # connected components and the distance transform (int32, float32)
    "recolour": 2.0,  # per-cluster sums in bands of 64 rows: 16.6 MB at 12 MP (1.4)
    # Region numbers and their sets (int32), statistics, each region's label
    # point (a distance transform, float32): 19.3 on the most textured 12 MP
    # bench photo at k = 16 (21,681 regions), measured 2026-12-08.
    "regions": 22.0,
    # Regions counted straight from the pixels (kseg.count_regions): the sets'
    # parents, at most one int32 per pixel (and the copy as they grow); photos
    # take far less (0.1 on the 12 MP bench photos).
    "count": 6.0,
    # Every 24-bit colour labelled (kseg.palette_lookup), "pixels" = 2**24
    # colours: the int16 table, a class table, and the colours' features a
    # million at a time; 62-75 MB measured 2026-12-08.
    "lookup": 5.0,
    "pattern": 4.0,  # the chart (under 3,200 px a side) and its PNG: 26-47 MB at 12 MP
    "mask": 2.0,  # a 1-bit PNG
    "cutout": 9.0,  # an RGBA image and its PNG
    "segmented": 3.0,  # the labels as 8-bit indices, Pillow's copy and the PNG (kseg.labels_png)
    # Measured at 12 MP (and 40 MP) on 2026-11-29; the most textured 12 MP
    # bench photo (photo-01, 16,000 outlines at k = 16) in brackets after:
    # The ZIP of everything on both cores: the sheet beside the other files
    # (a cut-out, the layers), measured 2026-12-07 with bench/zip.py: the 12 MP
    # series photos at k = 8 and 16: 32.7 to 41.1, 15 MP 38 to 41, 40 MP 30.
    "zip": 46.0,
    # The same ZIP on one thread, each file alone: 24.2 (27.9) [35.0].
    "zip_one_core": 36.0,
    "paint": 28.0,  # regions (int32), distances (float32), outlines: 22.5 (25.0) [23.9]
    "svg": 18.0,  # specks found and filled (int32 regions, distance transform): 12.2 (15.1) [17.0]
}
#: Bytes per pixel a step's output keeps while the rest of its job runs.
KEPT_PER_PIXEL = {"decode": 4.0, "segment": 2.0, "merge": 2.0, "clean": 2.0}
FIXED_BYTES = 16 * MB


def step_bytes(step: str, pixels: int) -> int:
    """Estimated peak bytes of ``step`` on a photo of ``pixels`` pixels."""
    return FIXED_BYTES + int(BYTES_PER_PIXEL[step] * pixels)


def job_bytes(steps: list[str] | tuple[str, ...], pixels: int, decode_pixels: int) -> int:
    """Estimated peak bytes of steps run one after the other, each keeping
    its output for the next (``decode_pixels``: what the decoder holds)."""
    peak = kept = 0.0
    for name in steps:
        n = decode_pixels if name == "decode" else pixels
        peak = max(peak, kept + BYTES_PER_PIXEL[name] * n)
        kept += KEPT_PER_PIXEL.get(name, 0.0) * pixels
    return FIXED_BYTES + int(peak) if steps else 0


def budget_bytes(
    environ: dict[str, str] | os._Environ = os.environ,
    cgroup: Path = Path("/sys/fs/cgroup"),
) -> tuple[int, str]:
    """The server's memory budget in bytes, and where it comes from."""
    value = environ.get("KSEG_MEMORY_BUDGET_MB", "").strip()
    if value:
        try:
            mb = float(value)
        except ValueError:
            mb = float("nan")
        if mb == mb and 0 < mb < 2**40:  # not NaN, positive, finite
            return int(mb * MB), "KSEG_MEMORY_BUDGET_MB"
    limit = _cgroup_limit(cgroup)
    physical = _physical_bytes()
    if limit is not None and limit < physical:
        return int(DEFAULT_SHARE * limit), "80 % of the container's memory limit"
    return int(DEFAULT_SHARE * physical), "80 % of physical memory"


def _cgroup_limit(root: Path) -> int | None:
    """The memory limit of this process's cgroup (v2, then v1), if any."""
    for path in (root / "memory.max", root / "memory" / "memory.limit_in_bytes"):
        try:
            text = path.read_text().strip()
        except OSError:
            continue
        if text.isascii() and text.isdecimal():
            return int(text)
    return None


def _physical_bytes() -> int:
    try:
        return os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    except (ValueError, OSError, AttributeError):  # pragma: no cover - not Linux
        return 4 * 2**30


def resident_bytes() -> int:
    """This process's resident memory (Linux; 0 where it cannot be read)."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, IndexError, ValueError):  # pragma: no cover - not Linux
        return 0
    return pages * os.sysconf("SC_PAGE_SIZE")


class Admission:
    """First-come admission of heavy steps against a memory budget.

    Parameters
    ----------
    budget : int
        Bytes the process's resident memory must stay under.
    slots : int
        Steps running at once at most (one per core: they are CPU-bound).
    resident : callable, optional
        Reads the process's resident bytes (tests pass a fake).
    poll : float
        Seconds between checks while waiting (memory also frees without
        anyone telling: a session closes, a cache lets go).
    """

    def __init__(
        self,
        budget: int,
        slots: int,
        resident: Callable[[], int] = resident_bytes,
        poll: float = 0.2,
    ) -> None:
        if budget < 1 or slots < 1:
            msg = f"budget and slots must be positive, got {budget} and {slots}"
            raise ValueError(msg)
        self.budget = budget
        self.slots = slots
        self._resident = resident
        self.base = resident()  # the idle server: no step can use this part
        self._poll = poll
        self._cond = threading.Condition()
        self._queue: deque[object] = deque()
        self._running: dict[object, int] = {}
        self._shrinkers: list[Callable[[int], int]] = []
        self._held = threading.local()
        self.waits: deque[float] = deque(maxlen=1000)  # seconds queued steps waited

    def add_shrinker(self, shrink: Callable[[int], int]) -> None:
        """Register ``shrink(nbytes)``, called (in the order registered) to free
        memory before a step waits: a cache dropping entries, the allocator
        handing freed memory back."""
        self._shrinkers.append(shrink)

    @property
    def capacity(self) -> int:
        """Bytes one step may reserve when it runs alone."""
        return max(0, self.budget - self.base)

    def fits_alone(self, nbytes: int) -> bool:
        return nbytes <= self.capacity

    def holding(self) -> bool:
        """Whether the calling thread holds a reservation."""
        return bool(getattr(self._held, "depth", 0))

    @property
    def busy(self) -> int:
        """Steps running or waiting."""
        with self._cond:
            return len(self._running) + len(self._queue)

    @contextmanager
    def reserve(self, nbytes: int, on_wait: Callable[[int], None] | None = None) -> Iterator[None]:
        """Hold ``nbytes`` of the budget and a worker slot for the block.

        Waits its turn; while it waits, ``on_wait(ahead)`` is called at every
        check (every ``poll`` seconds or sooner) with the number of steps
        ahead of this one (running or queued before it), and ``on_wait(0)``
        once when its turn came.  An exception from ``on_wait`` (Streamlit
        stopping a run the user has moved on from) leaves the queue.  A
        thread that already holds a reservation passes straight through (its
        nested steps are part of its own work; waiting would deadlock).
        """
        if getattr(self._held, "depth", 0):
            self._held.depth += 1
            try:
                yield
            finally:
                self._held.depth -= 1
            return
        ticket = object()
        started = time.monotonic()
        waited = False
        with self._cond:
            self._queue.append(ticket)
            try:
                while not self._admit(ticket, nbytes):
                    waited = True
                    ahead = len(self._running) + self._queue.index(ticket)
                    if on_wait is not None:
                        self._cond.release()  # the page may draw; never under the lock
                        try:
                            on_wait(ahead)
                        finally:
                            self._cond.acquire()
                        if self._admit(ticket, nbytes):
                            break
                    self._cond.wait(self._poll)
            except BaseException:
                self._queue.remove(ticket)
                self._cond.notify_all()
                raise
            self._queue.popleft()
            self._running[ticket] = nbytes
            if waited:
                self.waits.append(time.monotonic() - started)
        self._held.depth = 1
        try:
            if waited and on_wait is not None:
                on_wait(0)
            yield
        finally:
            self._held.depth = 0
            with self._cond:
                del self._running[ticket]
                self._cond.notify_all()

    def _admit(self, ticket: object, nbytes: int) -> bool:
        """Whether the step may start now (called under the lock)."""
        if self._queue[0] is not ticket or len(self._running) >= self.slots:
            return False
        reserved = sum(self._running.values()) + nbytes - self.budget
        over = self._resident() + reserved
        for shrink in self._shrinkers:
            if over <= 0:
                break
            shrink(over)
            over = self._resident() + reserved  # what was freed shows here
        return over <= 0 or not self._running
