"""Pieces of the page that are plain Python: the byte-bounded caches and
the frozen start-up heap."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import numpy as np

from webapp.server.cache import BytesCache, nbytes

ROOT = Path(__file__).resolve().parents[1]


def test_bytes_cache_of_byte_strings_never_exceeds_its_cap_with_many_threads():
    cache = BytesCache(max_bytes=1000)
    sizes = []

    def work(t: int) -> None:
        for i in range(200):
            cache.get_or_make((t, i), lambda i=i: bytes(37 + (i * t) % 90))
            sizes.append(cache.total_bytes)

    threads = [threading.Thread(target=work, args=(t,)) for t in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert 0 < max(sizes) <= 1000 and cache.total_bytes <= 1000


def test_shrinking_a_cache_drops_the_least_recently_used_first():
    cache = BytesCache(max_bytes=10_000)
    for key in "abcd":
        cache.get_or_make(key, lambda: b"x" * 1000)
    cache.get_or_make("a", lambda: b"never made")  # a is now the most recent
    assert cache.shrink(1500) == 2000  # whole entries: b and c go
    assert "b" not in cache and "c" not in cache and "a" in cache and "d" in cache
    assert cache.total_bytes == 2000
    assert cache.shrink(10**9) == 2000 and cache.total_bytes == 0


def test_entries_unused_for_a_while_are_dropped(monkeypatch):
    from webapp.server import cache as cache_module

    now = [1000.0]
    monkeypatch.setattr(cache_module.time, "monotonic", lambda: now[0])
    cache = BytesCache(max_bytes=10_000)
    cache.get_or_make("old", lambda: b"o" * 100)
    now[0] += 20
    cache.get_or_make("new", lambda: b"n" * 100)
    now[0] += 15  # old unused for 35 s, new for 15 s
    assert cache.drop_idle(30) == 100
    assert "old" not in cache and "new" in cache and cache.total_bytes == 100


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


def test_nbytes_counts_byte_strings_and_dict_values():
    assert nbytes({"a": b"12345", "b": (np.zeros(10, np.uint8), b"123")}) == 18


def test_the_page_freezes_the_heap_it_starts_with_once_and_later_cycles_are_still_collected():
    """Streamlit collects garbage after every run; the page's first run
    freezes the start-up heap (webapp.server.memory) so those collections walk
    only what came after.  In a fresh interpreter: most objects are frozen
    by the first run, none more by the second (frozen objects are still
    freed when nothing refers to them), and a cycle made later is still
    collected."""
    code = textwrap.dedent("""
        import gc, json
        from streamlit.testing.v1 import AppTest
        at = AppTest.from_file("app.py", default_timeout=120).run()
        frozen = gc.get_freeze_count()
        at.run()
        again = gc.get_freeze_count()
        class Node: pass
        a, b = Node(), Node()
        a.other, b.other = b, a
        del a, b
        found = gc.collect()
        tracked = len(gc.get_objects())
        print(json.dumps([frozen, again, found, tracked, at.exception == []]))
    """)
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    frozen, again, found, tracked, no_exception = json.loads(out.stdout.strip().splitlines()[-1])
    assert no_exception
    assert frozen > 50_000 and again <= frozen, (frozen, again)  # some are freed since
    assert found >= 2  # the two nodes of the cycle (and their dicts)
    assert tracked < frozen, (tracked, frozen)
