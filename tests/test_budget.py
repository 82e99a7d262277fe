"""The server's memory budget and its first-come admission queue."""

from __future__ import annotations

import threading
import time

import pytest

from webapp.server.budget import MB, Admission, budget_bytes, step_bytes


def test_budget_comes_from_the_environment_variable_first(tmp_path):
    assert budget_bytes({"KSEG_MEMORY_BUDGET_MB": "2500"}, tmp_path) == (
        2500 * MB,
        "KSEG_MEMORY_BUDGET_MB",
    )


@pytest.mark.parametrize("bad", ["", "lots", "-5", "0", "nan", "inf", "1e99"])
def test_a_bad_budget_variable_falls_back_to_the_machine(bad, tmp_path):
    budget, source = budget_bytes({"KSEG_MEMORY_BUDGET_MB": bad}, tmp_path)
    assert source == "80 % of physical memory" and budget > 0


def test_budget_is_80_percent_of_a_cgroup_v2_limit(tmp_path):
    (tmp_path / "memory.max").write_text(f"{3 * 2**30}\n")
    assert budget_bytes({}, tmp_path) == (
        int(0.8 * 3 * 2**30),
        "80 % of the container's memory limit",
    )


def test_budget_is_80_percent_of_a_cgroup_v1_limit(tmp_path):
    (tmp_path / "memory").mkdir()
    (tmp_path / "memory" / "memory.limit_in_bytes").write_text(f"{2**30}\n")
    assert budget_bytes({}, tmp_path)[0] == int(0.8 * 2**30)


def test_an_unlimited_cgroup_means_80_percent_of_physical_memory(tmp_path):
    (tmp_path / "memory.max").write_text("max\n")
    budget, source = budget_bytes({}, tmp_path)
    assert source == "80 % of physical memory"
    (tmp_path / "memory.max").write_text(f"{2**62}\n")  # v1 writes a huge number
    assert budget_bytes({}, tmp_path) == (budget, source)


def test_step_estimates_grow_with_the_pixels():
    assert step_bytes("decode", 40_000_000) > step_bytes("decode", 12_000_000) > 0
    assert step_bytes("zip", 10**6) > step_bytes("mask", 10**6)


def _run_in_threads(admission, needs, hold, log, waits=None):
    """Start one thread per need, in order, 20 ms apart; each holds its
    reservation ``hold`` seconds and logs start/end."""

    def work(i, need):
        on_wait = (lambda ahead: waits.append((i, ahead))) if waits is not None else None
        with admission.reserve(need, on_wait=on_wait):
            log.append(("start", i))
            time.sleep(hold)
            log.append(("end", i))

    threads = [threading.Thread(target=work, args=(i, n)) for i, n in enumerate(needs)]
    for t in threads:
        t.start()
        time.sleep(0.02)
    for t in threads:
        t.join(10)
    return threads


def test_steps_start_in_arrival_order_and_waiters_hear_how_many_are_ahead():
    admission = Admission(budget=10**9, slots=1, resident=lambda: 0, poll=0.01)
    log, waits = [], []
    _run_in_threads(admission, [1, 1, 1], 0.1, log, waits)
    assert [i for what, i in log if what == "start"] == [0, 1, 2]
    assert all(log.index(("end", i)) < log.index(("start", i + 1)) for i in range(2))
    assert (1, 1) in waits and (2, 2) in waits  # the third saw two ahead of it
    assert (2, 1) in waits  # ... and then one
    assert (1, 0) in waits and (2, 0) in waits  # ... and heard when its turn came
    assert [a for i, a in waits if i == 2][-1] == 0
    assert waits.count((2, 2)) > 1  # told at every check, not once
    assert len(admission.waits) == 2 and admission.busy == 0


def test_a_step_waits_until_the_budget_has_room_for_it():
    used = {"bytes": 100}  # the idle process
    admission = Admission(budget=1000, slots=4, resident=lambda: used["bytes"], poll=0.01)
    log = []
    # 600 + 600 > 900 free: the second waits for the first, the third (200) for the second.
    _run_in_threads(admission, [600, 600, 200], 0.1, log)
    assert log.index(("end", 0)) < log.index(("start", 1))
    assert log.index(("start", 2)) > log.index(("start", 1))  # first come, first served


def test_steps_that_fit_together_run_together_up_to_the_slots():
    admission = Admission(budget=1000, slots=2, resident=lambda: 0, poll=0.01)
    log = []
    _run_in_threads(admission, [100, 100, 100], 0.2, log)
    assert log.index(("start", 1)) < log.index(("end", 0))  # two at once
    assert log.index(("start", 2)) > log.index(("end", 0))  # never three


def test_caches_are_asked_to_let_go_before_a_step_waits():
    used = {"bytes": 900}
    freed = []

    def shrink(nbytes):
        freed.append(nbytes)
        used["bytes"] -= 500
        return 500

    admission = Admission(budget=1000, slots=2, resident=lambda: used["bytes"], poll=0.01)
    admission.add_shrinker(shrink)
    used["bytes"] = 900  # caches filled up after start
    with admission.reserve(300):
        pass
    assert freed == [200] and used["bytes"] == 400


def test_a_step_that_fits_alone_always_starts_when_nothing_else_runs():
    admission = Admission(budget=1000, slots=2, resident=lambda: 990, poll=0.01)
    started = threading.Event()

    def work():
        with admission.reserve(500):
            started.set()

    t = threading.Thread(target=work)
    t.start()
    assert started.wait(2), "a lone step must never wait for ever"
    t.join()


def test_a_nested_step_in_the_same_thread_passes_straight_through():
    admission = Admission(budget=1000, slots=1, resident=lambda: 0, poll=0.01)
    with admission.reserve(800), admission.reserve(800):
        assert admission.busy == 1
    assert admission.busy == 0


def test_a_waiter_that_is_interrupted_leaves_the_queue():
    admission = Admission(budget=1000, slots=1, resident=lambda: 0, poll=0.01)

    class Stop(Exception):
        pass

    def on_wait(ahead):
        raise Stop  # Streamlit stops a script run this way when the user moves on

    raised = []

    def leaver():
        try:
            with admission.reserve(10, on_wait=on_wait):
                pass
        except Stop:
            raised.append(True)

    with admission.reserve(10):
        t = threading.Thread(target=leaver)
        t.start()
        t.join(2)
        assert raised == [True] and admission.busy == 1
    with admission.reserve(10):  # the queue is not stuck behind the leaver
        assert admission.busy == 1


def test_the_idle_process_is_not_part_of_what_a_step_may_use():
    admission = Admission(budget=1000, slots=1, resident=lambda: 300)
    assert admission.capacity == 700
    assert admission.fits_alone(700) and not admission.fits_alone(701)
    with pytest.raises(ValueError, match="budget and slots must be positive"):
        Admission(budget=0, slots=1)


def test_the_zip_uses_both_cores_only_where_the_budget_can_hold_that(monkeypatch):
    from types import SimpleNamespace

    from webapp.one_photo import downloads

    pixels = 12_000_000
    monkeypatch.setattr(downloads, "photo_sizes", lambda source: (pixels, pixels))
    monkeypatch.setattr(downloads, "missing_steps", lambda *args: [])
    ref = SimpleNamespace(source=None, digest="d", settings=None, edits=())
    both, one = step_bytes("zip", pixels), step_bytes("zip_one_core", pixels)
    assert both > one
    for capacity, want in ((both, "zip"), (both - 1, "zip_one_core"), (one, "zip_one_core")):
        fits = SimpleNamespace(fits_alone=lambda n, c=capacity: n <= c)
        monkeypatch.setattr(downloads, "ADMISSION", fits)
        assert downloads.zip_step(ref) == want, capacity


def test_a_job_whose_cached_piece_went_while_it_waited_queues_again_for_it(monkeypatch):
    """Planned with the photo cached, then the photo dropped for other jobs
    while this one waited: once its turn comes it holds the decode's bytes
    too before it runs (it would decode unreserved otherwise)."""
    from webapp.server.budget import job_bytes
    from webapp.session import jobs

    held, real = [], jobs.ADMISSION.reserve
    monkeypatch.setattr(
        jobs.ADMISSION, "reserve", lambda n, on_wait=None: held.append(n) or real(n, on_wait)
    )
    pixels, small, large = 2_000_000, ["previews"], ["decode", "previews"]
    plans = iter([large, large])
    with jobs.job(small, pixels, replan=lambda: next(plans)):
        assert jobs.ADMISSION.holding()
    assert held == [job_bytes(small, pixels, pixels), job_bytes(large, pixels, pixels)]
    held.clear()
    with jobs.job(small, pixels, replan=lambda: small):  # nothing went: held once
        pass
    assert held == [job_bytes(small, pixels, pixels)]
