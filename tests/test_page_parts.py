"""Pieces of the page that are plain Python: the byte-bounded stores."""

from __future__ import annotations

import threading

import numpy as np

from webapp.cache import BytesCache, nbytes
from webapp.compute import ZipStore


def test_zip_store_drops_the_least_recently_used_and_never_exceeds_its_cap():
    store = ZipStore(max_bytes=100)
    store.put(("a",), b"x" * 40)
    store.put(("b",), b"y" * 40)
    assert store.get(("a",)) == b"x" * 40  # a is now the most recently used
    store.put(("c",), b"z" * 40)  # 120 bytes: b, the least recently used, goes
    assert store.get(("b",)) is None
    assert store.get(("a",)) == b"x" * 40 and store.get(("c",)) == b"z" * 40
    assert store.nbytes == 80


def test_zip_store_keeps_nothing_larger_than_its_cap():
    store = ZipStore(max_bytes=100)
    store.put(("a",), b"x" * 60)
    store.put(("big",), b"y" * 101)
    assert store.get(("big",)) is None and store.get(("a",)) == b"x" * 60


def test_zip_store_stays_under_its_cap_with_many_threads():
    store = ZipStore(max_bytes=1000)
    sizes = []

    def work(t: int) -> None:
        for i in range(200):
            store.put((t, i), bytes(37 + (i * t) % 90))
            sizes.append(store.nbytes)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert max(sizes) <= 1000 and store.nbytes <= 1000


def test_bytes_cache_drops_the_least_recently_used_by_bytes_not_entries():
    cache = BytesCache(max_bytes=1000)
    made = []

    def maker(key, size):
        def make():
            made.append(key)
            return np.zeros(size, np.uint8)

        return make

    cache.get_or_make("a", maker("a", 400))
    cache.get_or_make("b", maker("b", 400))
    cache.get_or_make("a", maker("a", 400))  # kept: not made again, now most recent
    cache.get_or_make("c", maker("c", 400))  # 1200 bytes: b goes
    assert made == ["a", "b", "c"]
    assert "b" not in cache and "a" in cache and "c" in cache
    assert cache.total_bytes == 800
    big = cache.get_or_make("big", maker("big", 5000))  # handed out, not kept
    assert big.nbytes == 5000 and "big" not in cache and cache.total_bytes == 800


def test_bytes_cache_makes_a_value_once_for_many_sessions_at_the_same_moment():
    cache = BytesCache(max_bytes=10_000)
    calls = []
    gate = threading.Event()

    def make():
        calls.append(1)
        gate.wait(2)
        return np.ones(10, np.uint8)

    results = []
    threads = [
        threading.Thread(target=lambda: results.append(cache.get_or_make("k", make)))
        for _ in range(6)
    ]
    for t in threads:
        t.start()
    gate.set()
    for t in threads:
        t.join()
    assert len(calls) == 1 and len(results) == 6
    assert all(r is results[0] for r in results)


def test_nbytes_counts_the_arrays_of_a_result(coffee_rgb):
    import kseg

    result = kseg.segment(coffee_rgb, 4, seed=0)
    assert nbytes(result) >= result.labels.nbytes + result.centers.nbytes
    assert nbytes(result) < result.labels.nbytes + 10_000
