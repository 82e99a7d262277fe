"""A small version of bench/load.py: real browser sessions at once."""

from __future__ import annotations

import kseg
from bench.load import run


def test_open_sessions_do_not_pin_their_photos_in_server_memory():
    """Three sessions with 12 MP photos and a 64 MB full-size cache: what the
    server keeps afterwards is bounded by the cache, not by the sessions.
    (Measured with four: about 290 MB over the idle server; with each session
    pinning its decoded photo and labels, about 730 MB, 110 MB a session.)"""
    r = run(3, 12.0, kseg.sample_path("rocket"), env={"KSEG_CACHE_MB": "64"})
    print(f"3 x 12 MP: kept {r['final_mb'] - r['baseline_mb']:.0f} MB, peak {r['peak_mb']:.0f} MB")
    assert r["errors"] == [], r["server_log_tail"]
    assert r["mixups"] == 0 and r["health_failed"] == 0
    assert r["final_mb"] - r["baseline_mb"] < 450, r


def test_with_a_budget_for_one_photo_at_a_time_everyone_is_served_in_turn_under_it():
    """Three sessions upload 8 MP photos at once to a server with a 570 MB
    budget: the idle server (about 240 MB with the engine's kernels loaded,
    measured) and one photo's job (about 120 MB) fit, two do not.  All three
    get their result, the page tells at least one of them that it waits, and
    the server's memory, sampled ten times a second, stays under the budget;
    each session gets its own photo's result, and the health check answers
    throughout."""
    r = run(3, 8.0, kseg.sample_path("rocket"), env={"KSEG_MEMORY_BUDGET_MB": "570"})
    print(
        f"3 x 8 MP, budget 570 MB: peak {r['peak_mb']:.0f} MB, p95 {r['p95_s']:.1f} s, "
        f"{r['queued_sessions']} told to wait, waits {r['waits_s']}"
    )
    assert r["errors"] == [], r["server_log_tail"]
    assert r["mixups"] == 0 and r["health_failed"] == 0 and r["health_ok"] > 0
    assert r["queued_sessions"] >= 1 and r["waits_s"], r
    assert r["peak_mb"] < 570, r
