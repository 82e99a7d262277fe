"""The stored first results (kseg.samples.first) are kseg.segment's own,
field by field, for every bundled sample at the page's defaults; and a job
that needs the compiled kernels on a server that has just started waits for
them alone (webapp.server.kernels)."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

import kseg
from kseg.samples.first import DEFAULTS, has_stored, sample_digest, stored_result


@pytest.mark.parametrize("name", list(kseg.SAMPLES))
def test_each_stored_first_result_is_exactly_what_segment_gives(name):
    image = kseg.load_image(kseg.sample_path(name))
    mask = kseg.opaque_mask(image)
    fresh = kseg.segment(
        image.rgb, 5, seed=0, mask=mask, histogram=kseg.color_histogram(image.rgb, mask=mask)
    )
    stored = stored_result(sample_digest(name), DEFAULTS)
    assert stored is not None, "python -m kseg.samples.first writes them again"
    for field in ("labels", "centers", "centers_float", "counts", "shares"):
        assert np.array_equal(getattr(stored, field), getattr(fresh, field)), field
    if fresh.label_centers is not None:
        assert np.array_equal(stored.label_centers, fresh.label_centers)
    for field in ("mse", "k_requested", "n_colors", "n_iter", "converged", "notice", "pinned"):
        assert getattr(stored, field) == getattr(fresh, field), field
    assert dict(stored.settings) == dict(fresh.settings) == DEFAULTS
    assert not stored.labels.flags.writeable  # read-only, as every result


def test_only_the_page_defaults_of_a_bundled_sample_are_stored():
    digest = sample_digest("coffee")
    assert has_stored(digest, DEFAULTS)
    assert stored_result(digest, {**DEFAULTS, "k": 6}) is None
    assert stored_result(digest, {**DEFAULTS, "seed": 1}) is None
    assert stored_result("0" * 64, DEFAULTS) is None


def test_a_job_needing_the_kernels_waits_for_them_alone(monkeypatch):
    from webapp.server import kernels

    loaded = threading.Event()
    monkeypatch.setattr(kernels, "_READY", threading.Event())
    monkeypatch.setattr(kernels, "_started", False)
    monkeypatch.setattr(kernels, "is_warm", lambda: False)
    monkeypatch.setattr(kernels, "_COMPILE", "import time; time.sleep(1.0)")  # the child's work
    monkeypatch.setattr(kernels.kseg, "warm_up", lambda: loaded.set() or 0.0)
    frozen: list[bool] = []  # frozen out of the collector's walk, once loaded
    monkeypatch.setattr(kernels, "freeze_loaded_kernels", lambda: frozen.append(loaded.is_set()))
    kernels.start()
    assert not kernels.ready()
    told = []
    t = time.monotonic()
    kernels.wait(on_wait=lambda: told.append(time.monotonic() - t))
    assert kernels.ready() and loaded.is_set() and frozen == [True]
    assert told and told[0] < 0.5  # said at once, not after the wait
    assert time.monotonic() - t >= 0.9  # waited for the child
    told.clear()
    kernels.wait(on_wait=lambda: told.append(1))
    assert told == []  # ready: no message, no wait


def test_what_loading_the_kernels_made_is_frozen_out_of_the_collectors_walk():
    import gc

    from webapp.server.memory import freeze_loaded_kernels

    made = [[i] for i in range(1000)]  # tracked objects made after the start
    before = gc.get_freeze_count()
    try:
        assert freeze_loaded_kernels() >= before + len(made)
        assert gc.get_freeze_count() >= before + len(made)
        walked = {id(o) for o in gc.get_objects()}  # what a collection walks
        assert not any(id(m) in walked for m in made)
    finally:
        gc.unfreeze()
