"""Pieces of the page that are plain Python: the byte-bounded ZIP store."""

from __future__ import annotations

import threading

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
