"""A small version of bench/load.py: three real browser sessions at once."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import kseg

ROOT = Path(__file__).resolve().parents[2]


def _load_module():
    spec = importlib.util.spec_from_file_location("kseg_bench_load", ROOT / "bench" / "load.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_three_sessions_at_once_each_get_their_own_result_and_health_stays_up():
    load = _load_module()
    r = load.run(3, 1.0, kseg.sample_path("coffee"))
    assert r["errors"] == [], r["server_log_tail"]
    assert r["mixups"] == 0
    assert r["health_failed"] == 0 and r["health_ok"] > 0
    assert r["peak_mb"] - r["baseline_mb"] < 1500, r
