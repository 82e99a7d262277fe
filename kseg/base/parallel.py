"""kseg's small thread pool, and the ways the engine spreads work over it.

numpy and OpenCV release the GIL in their inner loops, so cutting a large
array into chunks and handing them to a few threads uses every core.  Every
helper here gives the same result on any number of threads: each job writes
only its own slice or slot, and results are combined in a fixed order.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

import numpy as np

__all__ = ["CHUNK", "THREADS", "gather", "on_chunks", "on_threads", "pool"]

T = TypeVar("T")

#: Threads kseg uses: one per core, at most 4.
THREADS = max(1, min(4, os.cpu_count() or 1))
#: Chunk of points for the nearest-centre search (bounds temporaries).
CHUNK = 1 << 18


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
