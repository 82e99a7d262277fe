"""Pinned colours: segment(..., fixed_centers=...)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kseg
from tests.conftest import quadrants

colours = st.tuples(*[st.integers(0, 255)] * 3)


@pytest.fixture(scope="module")
def coffee() -> np.ndarray:
    return kseg.load_image(kseg.sample_path("coffee")).rgb


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    pins=st.lists(colours, min_size=1, max_size=4, unique=True),
    extra=st.integers(0, 4),
    space=st.sampled_from(["rgb", "lab"]),
    seed=st.integers(0, 1000),
)
def test_pinned_centres_stay_exactly_and_the_others_are_their_pixels_means(
    coffee, pins, extra, space, seed
):
    fixed = np.array(pins, dtype=np.uint8)
    k = len(pins) + extra
    r = kseg.segment(coffee, k, fixed_centers=fixed, color_space=space, seed=seed, attempts=3)
    assert len(r.pinned) == len(pins) and r.k == k
    assert sorted(map(tuple, r.centers[list(r.pinned)].tolist())) == sorted(pins)
    assert np.array_equal(r.centers_float[list(r.pinned)], r.centers[list(r.pinned)])
    px = coffee.reshape(-1, 3).astype(np.float64)
    labels = r.labels.ravel()
    for j in range(r.k):
        if j not in r.pinned:
            assert np.allclose(r.centers_float[j], px[labels == j].mean(0), atol=1e-9)
    # The objective is exact for these labels and these centres.
    mse = ((px - r.centers_float[labels]) ** 2).sum(1).mean()
    assert r.mse == pytest.approx(mse, rel=1e-12)
    assert r.settings["fixed_centers"] == ["#{:02x}{:02x}{:02x}".format(*c) for c in pins]


def test_with_every_centre_pinned_the_labels_are_the_nearest_pinned_colour(coffee):
    pins = np.array([[250, 250, 250], [160, 80, 40], [40, 20, 10], [200, 120, 70]], np.uint8)
    r = kseg.segment(coffee, 4, fixed_centers=pins, seed=0)
    nearest = kseg.apply_palette(coffee, pins)
    assert sorted(r.pinned) == [0, 1, 2, 3]
    # Same partition, numbered by share instead of in the pins' order.
    order = [int(np.flatnonzero((r.centers == p).all(1))[0]) for p in pins]
    assert np.array_equal(np.asarray(order)[nearest.labels], r.labels)
    assert r.mse == pytest.approx(nearest.mse, rel=1e-12)


def test_a_pinned_colour_of_the_photo_keeps_its_region_and_is_deterministic():
    img = quadrants(40, noise=3)
    red = np.array([[200, 30, 30]], np.uint8)
    a = kseg.segment(img, 4, fixed_centers=red, seed=5)
    b = kseg.segment(img, 4, fixed_centers=red, seed=5)
    assert np.array_equal(a.labels, b.labels) and a.mse == b.mse
    (j,) = a.pinned
    assert tuple(a.centers[j]) == (200, 30, 30)
    assert (a.labels[:20, :20] == j).all() and (a.labels != j).sum() == 1200


def test_pinning_never_beats_free_kmeans_but_stays_close_on_a_photo_colour(coffee):
    free = kseg.segment(coffee, 6, seed=0)
    pinned = kseg.segment(coffee, 6, fixed_centers=free.centers[:1], seed=0)
    assert pinned.mse >= free.mse * (1 - 1e-3)
    assert pinned.mse <= free.mse * 1.05


@pytest.mark.parametrize(
    ("fixed", "k", "error", "words"),
    [
        (np.array([[1, 2, 3], [1, 2, 3]], np.uint8), 4, ValueError, "#010203 more than once"),
        (np.zeros((3, 3), np.uint8), 2, ValueError, "p from 1 to k = 2"),
        (np.zeros((1, 4), np.uint8), 2, ValueError, "shape (p, 3)"),
        (np.zeros((1, 3), np.float64), 2, TypeError, "uint8"),
        ([[1, 2, 3]], 2, TypeError, "numpy array"),
    ],
)
def test_bad_pins_are_refused_with_a_clear_message(coffee, fixed, k, error, words):
    with pytest.raises(error) as info:
        kseg.segment(coffee, k, fixed_centers=fixed)
    assert words in str(info.value)


def test_merging_drops_the_pin_marks():
    img = quadrants(20)
    r = kseg.segment(img, 4, fixed_centers=np.array([[200, 30, 30]], np.uint8), seed=0)
    assert r.pinned
    assert kseg.merge_clusters(r, [[0, 1]]).pinned == ()
