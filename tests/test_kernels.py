"""The compiled kernels (kseg.engine.kernels) against plain numpy references.

Every reference here measures every point in every iteration with the same
float32 arithmetic, so the compiled paths must agree label for label: the
bounds may only skip work, never change an answer.
"""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kseg
from kseg.base import parallel
from kseg.engine.lloyd import assign2, init_centres, lloyd

ROOT = Path(__file__).resolve().parents[1]


def brute_sqdist(pts: np.ndarray, centres: np.ndarray) -> np.ndarray:
    """(n, k) float32 squared distances, summed x, y, z in that order."""
    p = pts.astype(np.float32)
    c = centres.astype(np.float32)
    d = (p[:, None, 0] - c[None, :, 0]) ** 2
    d += (p[:, None, 1] - c[None, :, 1]) ** 2
    d += (p[:, None, 2] - c[None, :, 2]) ** 2
    return d


def brute_nearest(pts: np.ndarray, centres: np.ndarray) -> np.ndarray:
    return np.argmin(brute_sqdist(pts, centres), axis=1)  # first of equals


def plain_lloyd(
    pts: np.ndarray, w: np.ndarray, c0: np.ndarray, max_iter: int, fixed: int = 0
) -> tuple[np.ndarray, np.ndarray, int]:
    """Lloyd as documented, every point measured every time: free centres to
    their means (an empty one first onto the costliest point under the
    others), all points to their nearest; until no point moves."""
    k = c0.shape[0]
    c = c0.astype(np.float64).copy()
    labels = brute_nearest(pts, c)
    for it in range(1, max_iter + 1):
        cw = np.bincount(labels, weights=w, minlength=k)
        if (cw[fixed:] == 0).any():
            kept = cw > 0
            kept[:fixed] = True
            sums = np.stack([np.bincount(labels, w * pts[:, x], minlength=k) for x in range(3)], 1)
            free = (cw > 0) & (np.arange(k) >= fixed)
            c[free] = sums[free] / cw[free, None]
            cost = w * brute_sqdist(pts, c[kept]).min(axis=1).astype(np.float64)
            for j in np.flatnonzero(~kept):
                far = int(np.argmax(cost))
                c[j] = pts[far]
                cost[far] = -1.0
            labels = brute_nearest(pts, c)
            cw = np.bincount(labels, weights=w, minlength=k)
        sums = np.stack([np.bincount(labels, w * pts[:, x], minlength=k) for x in range(3)], 1)
        free = (cw > 0) & (np.arange(k) >= fixed)
        c[free] = sums[free] / cw[free, None]
        new = brute_nearest(pts, c)
        if np.array_equal(new, labels):
            return labels, c, it
        labels = new
    return labels, c, max_iter


def objective(pts, w, labels, centres) -> float:
    d = pts.astype(np.float64) - centres[labels]
    return float(np.dot(w, np.einsum("ij,ij->i", d, d)))


@st.composite
def weighted_points(draw):
    n = draw(st.integers(1, 120))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    if draw(st.booleans()):  # colours: integers, often repeated near each other
        pts = rng.integers(0, draw(st.sampled_from([4, 32, 256])), (n, 3)).astype(np.float32)
    else:  # Lab-like floats
        pts = rng.normal(50, draw(st.sampled_from([1.0, 20.0])), (n, 3)).astype(np.float32)
    w = rng.integers(1, 50, n).astype(np.float64)
    return pts, w, rng


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted_points(), st.integers(1, 9), st.integers(0, 2))
def test_compiled_lloyd_gives_plain_lloyds_labels_centres_and_objective(data, k, fixed):
    pts, w, rng = data
    fixed = min(fixed, k - 1)
    pinned = rng.uniform(0, 255, (fixed, 3))
    starts = pts[rng.integers(0, len(pts), k - fixed)].astype(np.float64)
    c0 = np.vstack([pinned, starts])
    run = lloyd(pts, w, c0, 300, 0.0, fixed=fixed)
    labels, centres, n_iter = plain_lloyd(pts, w, c0, 300, fixed)
    assert run.converged and run.n_iter == n_iter
    assert np.array_equal(run.labels, labels)
    assert np.allclose(run.centres, centres, rtol=0, atol=1e-9)
    assert np.array_equal(run.centres[:fixed], pinned)
    assert math.isclose(
        run.score + float(np.dot(w, np.einsum("ij,ij->i", pts.astype(float), pts))),
        objective(pts, w, labels, centres),
        rel_tol=1e-9,
        abs_tol=1e-6,
    )


@settings(max_examples=80, deadline=None)
@given(weighted_points(), st.integers(1, 40), st.booleans())
def test_nearest_centre_search_is_brute_force_with_ties_to_the_lowest_index(data, k, twins):
    pts, _, rng = data
    centres = rng.uniform(0, 255, (k, 3))
    if twins and k > 1:
        centres[-1] = centres[0]  # an exact tie everywhere: centre 0 must win
    labels, d1, d2 = assign2(pts, centres)
    d = brute_sqdist(pts, centres)
    assert np.array_equal(labels, np.argmin(d, axis=1))
    assert np.array_equal(d1, d.min(axis=1))
    if k > 1:
        assert np.array_equal(d2, np.sort(d, axis=1)[:, 1])
    else:
        assert np.isinf(d2).all()


def numpy_kmeanspp(pts, w, k, rng):
    """The greedy weighted k-means++ the engine used before its kernels, in
    numpy: the kernel must choose the same points from the same draws."""
    n = pts.shape[0]
    chosen = [int(rng.choice(n, p=w / w.sum()))]
    closest = brute_sqdist(pts, pts[chosen[0]][None])[:, 0].astype(np.float64)
    trials = 2 + int(math.log(k))
    for _ in range(1, k):
        cum = np.cumsum(w * closest)
        if cum[-1] <= 0:
            chosen.append(int(rng.choice(np.setdiff1d(np.arange(n), chosen))))
            continue
        cand = np.minimum(np.searchsorted(cum, rng.random(trials) * cum[-1], side="right"), n - 1)
        best = None
        for c in cand:
            d = np.minimum(closest, brute_sqdist(pts, pts[c][None])[:, 0])
            pot = float(np.dot(w, d))
            if best is None or pot < best[0]:
                best = (pot, int(c), d)
        chosen.append(best[1])
        closest = best[2]
    return pts[np.asarray(chosen)].astype(np.float64)


@settings(max_examples=60, deadline=None)
@given(weighted_points(), st.integers(1, 12), st.integers(0, 1000))
def test_compiled_kmeanspp_chooses_the_points_the_numpy_version_chooses(data, k, seed):
    pts, w, _ = data
    k = min(k, len(np.unique(pts, axis=0)))  # the degenerate tail draws differently
    got = init_centres(pts, w, k, "kmeans++", np.random.default_rng(seed))
    want = numpy_kmeanspp(pts, w, k, np.random.default_rng(seed))
    assert np.array_equal(got, want)


def fingerprint(result: kseg.Segmentation) -> str:
    h = hashlib.sha256()
    for a in (result.labels, result.centers, np.asarray(result.counts)):
        h.update(np.ascontiguousarray(a).tobytes())
    h.update(repr(result.mse).encode())
    return h.hexdigest()


@pytest.mark.parametrize("k", [5, 16])
def test_results_are_identical_on_one_two_and_four_threads(coffee_rgb, monkeypatch, k):
    found = set()
    for threads in (1, 2, 4):
        monkeypatch.setattr(parallel, "THREADS", threads)
        monkeypatch.setattr(parallel, "CHUNK", 1 << 12)  # many chunks even on a small photo
        found.add(fingerprint(kseg.segment(coffee_rgb, k, seed=3)))
        found.add(fingerprint(kseg.segment(coffee_rgb, k, seed=3, color_space="lab")) + "lab")
    assert len(found) == 2


SCRIPT = """
import hashlib, sys, numpy as np, kseg
rgb = kseg.load_image(kseg.sample_path("rocket")).rgb
r = kseg.segment(rgb, 12, seed=7)
h = hashlib.sha256()
for a in (r.labels, r.centers, np.asarray(r.counts)):
    h.update(np.ascontiguousarray(a).tobytes())
h.update(repr(r.mse).encode())
print(h.hexdigest())
"""


def test_another_process_gives_the_same_result_for_the_same_seed():
    """(A fresh installation's first process, compiling with no compiler or
    network, is checked in tests/test_packaging.py.)"""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    rgb = kseg.load_image(kseg.sample_path("rocket")).rgb
    assert out.stdout.strip() == fingerprint(kseg.segment(rgb, 12, seed=7))


def test_numpys_openblas_is_kept_to_one_thread(tmp_path):
    """The server and the command keep OpenBLAS to one thread (its threads
    spin beside the engine's own); every OpenBLAS loaded reads 1 after."""
    import ctypes

    assert parallel.single_blas_thread() >= 1  # numpy's wheels carry OpenBLAS
    maps = Path("/proc/self/maps").read_text().splitlines()
    paths = {ln.split()[-1] for ln in maps if "openblas" in ln.lower() and "/" in ln}
    getters = [n.replace("_set_", "_get_") for n in parallel._BLAS_SETTERS]
    for path in paths:
        lib = ctypes.CDLL(path)
        getter = next(getattr(lib, n) for n in getters if hasattr(lib, n))
        assert getter() == 1, path
    assert parallel.single_blas_thread(tmp_path / "missing") == 0
    (tmp_path / "maps").write_text("7f00-7f01 r-xp 0 08:01 1 /usr/lib/libm.so.6\n")
    assert parallel.single_blas_thread(tmp_path / "maps") == 0
