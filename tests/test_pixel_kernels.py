"""The compiled pixel passes (kseg.engine.pixel_kernels) against plain numpy: the
distinct colours and their counts as ``np.unique`` gives them, and every
pixel's label as a gather through the packed colour, on any number of
threads."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from kseg.base import parallel
from kseg.engine.pixel_kernels import count_colours, label_through


def packed(rgb: np.ndarray) -> np.ndarray:
    return (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8) | rgb[..., 2]


#: A 2^24 table shared by the examples (only the drawn colours' entries matter).
_TABLE = np.full(1 << 24, 7, dtype=np.int16)


def images(max_side: int = 24):
    """Small images, some of few colours (many pixels per colour), some of
    many, with or without a mask."""
    shapes = st.tuples(st.integers(1, max_side), st.integers(1, max_side))
    values = st.one_of(st.sampled_from([0, 1, 127, 128, 255]), st.integers(0, 255))
    return shapes.flatmap(
        lambda s: st.tuples(
            hnp.arrays(np.uint8, (*s, 3), elements=values),
            st.one_of(st.none(), hnp.arrays(np.bool_, s)),
        )
    )


@settings(max_examples=150, deadline=None)
@given(images(), st.sampled_from([1, 2, 3, 4]))
def test_counted_colours_are_numpys_unique_colours_and_counts(case, threads):
    rgb, mask = case
    parallel.THREADS, saved = threads, parallel.THREADS
    try:
        colors, counts = count_colours(rgb, mask)
    finally:
        parallel.THREADS = saved
    codes = packed(rgb) if mask is None else packed(rgb)[mask]
    want_colors, want_counts = np.unique(codes, return_counts=True)
    assert colors.dtype == np.uint32 and counts.dtype == np.int64
    np.testing.assert_array_equal(colors, want_colors)
    np.testing.assert_array_equal(counts, want_counts)


@settings(max_examples=100, deadline=None)
@given(images(), st.integers(0, 2**32 - 1))
def test_labels_through_the_table_are_the_gather_of_the_packed_colour(case, seed):
    rgb, mask = case
    codes = np.unique(packed(rgb))
    lut = _TABLE  # the entries of this image's colours drawn afresh (a full draw is slow)
    lut[codes] = np.random.default_rng(seed).integers(-1, 300, codes.size)
    labels = label_through(rgb, mask, lut)
    want = lut[packed(rgb)]
    if mask is not None:
        want[~mask] = -1
    assert labels.dtype == np.int16
    np.testing.assert_array_equal(labels, want)


@pytest.mark.parametrize("threads", [1, 2, 4])
def test_a_photo_counts_and_labels_the_same_on_any_number_of_threads(
    coffee_rgb, monkeypatch, threads
):
    monkeypatch.setattr(parallel, "THREADS", threads)
    monkeypatch.setattr(parallel, "CHUNK", 1 << 12)
    colors, counts = count_colours(coffee_rgb, None)
    want_colors, want_counts = np.unique(packed(coffee_rgb), return_counts=True)
    np.testing.assert_array_equal(colors, want_colors)
    np.testing.assert_array_equal(counts, want_counts)
    lut = np.full(1 << 24, 7, dtype=np.int16)
    lut[colors] = np.arange(colors.size) % 300
    np.testing.assert_array_equal(label_through(coffee_rgb, None, lut), lut[packed(coffee_rgb)])


def test_a_colour_with_more_than_16_million_pixels_is_counted_exactly():
    # OpenCV's float32 histogram, used before, needed a recount above 2**24.
    rgb = np.zeros((4097, 4097, 3), dtype=np.uint8)
    rgb[0, 0] = (1, 2, 3)
    colors, counts = count_colours(rgb, None)
    np.testing.assert_array_equal(colors, [0, 0x010203])
    np.testing.assert_array_equal(counts, [4097 * 4097 - 1, 1])
