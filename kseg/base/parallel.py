"""kseg's small thread pool, and the ways the engine spreads work over it.

numpy and OpenCV release the GIL in their inner loops, so cutting a large
array into chunks and handing them to a few threads uses every core.  Every
helper here gives the same result on any number of threads: each job writes
only its own slice or slot, and results are combined in a fixed order.
"""

from __future__ import annotations

import ctypes
import functools
import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

__all__ = [
    "CHUNK",
    "THREADS",
    "gather",
    "on_chunks",
    "on_threads",
    "pool",
    "single_blas_thread",
]

T = TypeVar("T")

#: Threads kseg uses: one per core, at most 4.
THREADS = max(1, min(4, os.cpu_count() or 1))
#: Chunk of points for the nearest-centre search (bounds temporaries).
CHUNK = 1 << 18
#: What OpenBLAS builds call their thread count's setter (numpy's wheels
#: carry scipy-openblas, 64-bit integers).
_BLAS_SETTERS = (
    "scipy_openblas_set_num_threads64_",
    "scipy_openblas_set_num_threads",
    "openblas_set_num_threads64_",
    "openblas_set_num_threads",
)


def single_blas_thread(maps: Path = Path("/proc/self/maps")) -> int:
    """Have every OpenBLAS loaded in this process use one thread; returns
    how many it set (0 where none is found, or off Linux).

    kseg spreads its work over its own threads.  OpenBLAS's own threads,
    on the engine's small products (pixels x k), gain no time and spin
    while they wait for work: a 12 MP photo's K-means took 0.25 s of CPU
    with them and 0.13 s without, in the same 0.13 s.  A server, where
    every core is someone's, and the ``kseg`` command call this; a script
    may.  It sets the whole process, numpy's products elsewhere too.
    """
    try:
        lines = maps.read_text().splitlines()
    except OSError:
        return 0
    paths = sorted({ln.split()[-1] for ln in lines if "openblas" in ln.lower() and "/" in ln})
    done = 0
    for path in paths:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        setter = next((getattr(lib, n) for n in _BLAS_SETTERS if hasattr(lib, n)), None)
        if setter is not None:
            setter(1)
            done += 1
    return done


@functools.cache
def pool() -> ThreadPoolExecutor:
    """Threads for the nearest-centre search and the pixel lookup."""
    return ThreadPoolExecutor(max_workers=THREADS)


def on_chunks(fn: Callable[[int, int], T], n: int, chunk: int = CHUNK) -> list[T]:
    """``fn(lo, hi)`` over chunks of about ``chunk`` items covering
    ``range(n)``, in order, on the thread pool when there is more than one.
    The chunks depend only on ``n`` and ``chunk``: equal, and a multiple of
    the threads in number, so none idles."""
    n_parts = max(1, -(-n // max(1, chunk)))
    if n_parts == 1:
        return [fn(0, n)]
    n_parts = -(-n_parts // THREADS) * THREADS
    edges = [n * i // n_parts for i in range(n_parts + 1)]
    jobs = [pool().submit(fn, lo, hi) for lo, hi in itertools.pairwise(edges)]
    return [job.result() for job in jobs]


def on_threads(fn: Callable[[Any], T], items: list[Any]) -> list[T]:
    """``[fn(x) for x in items]`` on up to one thread per core (each call is
    independent and writes only its own slot, so results do not depend on
    the threads).  Plain threads, not the pool: ``fn`` itself may use the
    pool, and a pool job waiting on pool jobs could wait forever."""
    n_threads = min(len(items), THREADS)
    if n_threads < 2:
        return [fn(x) for x in items]
    results: list[T | None] = [None] * len(items)

    def work(first: int) -> None:
        for i in range(first, len(items), n_threads):
            results[i] = fn(items[i])

    threads = [threading.Thread(target=work, args=(j,)) for j in range(1, n_threads)]
    for t in threads:
        t.start()
    work(0)
    for t in threads:
        t.join()
    if any(r is None for r in results):  # a thread failed: run here to raise
        return [fn(x) for x in items]
    return results  # type: ignore[return-value]


def gather(table: np.ndarray, index: np.ndarray) -> np.ndarray:
    """``table[index]`` for a large integer ``index`` (an image of labels), in
    chunks on the thread pool.  A negative index counts from the end, as in
    numpy (label -1 reads the last entry)."""
    flat = np.ascontiguousarray(index).reshape(-1)
    out = np.empty((flat.size, *table.shape[1:]), dtype=table.dtype)
    on_chunks(
        lambda lo, hi: np.take(table, flat[lo:hi], axis=0, out=out[lo:hi], mode="wrap"), flat.size
    )
    return out.reshape(*index.shape, *table.shape[1:])
