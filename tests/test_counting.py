"""Regions counted straight from the pixels (kseg.palette_lookup,
kseg.count_regions): each colour's or class's count equals what
kseg.measure_regions finds on kseg.apply_palette's result, with noise,
masks, both connectivities and classes; and the lookup labels every colour
as apply_palette does."""

from __future__ import annotations

from collections import Counter
from functools import cache

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kseg
from tests.drawing import flat_art

PALETTE = np.array(
    [[200, 30, 40], [30, 160, 60], [20, 40, 190], [230, 220, 70], [90, 90, 90]], np.uint8
)


@cache
def _lookup(space: str = "rgb", classes: str = "") -> kseg.PaletteLookup:
    """The palette's lookup (half a second each: made once)."""
    named = kseg.read_classes(classes) if classes else None
    return kseg.palette_lookup(PALETTE, color_space=space, classes=named)


def _photo(seed: int, shape: tuple[int, int], noise: int) -> np.ndarray:
    """Flat-colour art in the palette's colours, with noise that moves
    pixels across colours' borders (speckles, diagonal touches)."""
    art = flat_art(*shape, seed=seed).astype(np.int64)
    art = np.unique(art, return_inverse=True)[1].reshape(shape) % len(PALETTE)
    rng = np.random.default_rng(seed)
    rgb = PALETTE[art].astype(np.int64) + rng.integers(-noise, noise + 1, (*shape, 3))
    return np.clip(rgb, 0, 255).astype(np.uint8)


@settings(max_examples=30, deadline=None)
@given(
    st.integers(0, 10_000),
    st.sampled_from([4, 8]),
    st.sampled_from([0, 60, 140]),
    st.sampled_from(["rgb", "lab"]),
    st.booleans(),
    st.sampled_from([(1, 1), (1, 57), (40, 1), (61, 83)]),
)
def test_counts_equal_measure_regions_on_apply_palettes_result(
    seed, connectivity, noise, space, masked, shape
):
    rgb = _photo(seed, shape, noise)
    mask = None
    if masked:
        mask = np.random.default_rng(seed + 1).random(shape) < 0.8
        mask.flat[0] = True
    lookup = _lookup(space)
    counted = kseg.count_regions(rgb, lookup, mask=mask, connectivity=connectivity)
    result = kseg.apply_palette(rgb, PALETTE, color_space=space, mask=mask)
    table = kseg.measure_regions(result, connectivity=connectivity)
    found = Counter(table.colour.tolist())
    assert counted.tolist() == [found[c] for c in range(len(PALETTE))]


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([4, 8]))
def test_class_counts_join_neighbouring_colours_of_a_class(seed, connectivity):
    rgb = _photo(seed, (70, 90), 90)
    text = "warm: 1 4\ncool: 2 3\ngrey: 5 exclude"
    classes, lookup = kseg.read_classes(text), _lookup("rgb", text)
    assert lookup.classes == ("warm", "cool", "grey") and lookup.labels == 3
    counted = kseg.count_regions(rgb, lookup, connectivity=connectivity)
    result = kseg.apply_palette(rgb, PALETTE)
    table = kseg.measure_regions(result, connectivity=connectivity, classes=classes)
    found = Counter(table.colour.tolist())
    assert counted.tolist() == [found[c] for c in range(3)]
    # Joined: a class has at most its colours' regions together.
    by_colour = kseg.count_regions(rgb, _lookup(), connectivity=connectivity)
    assert counted[0] <= by_colour[0] + by_colour[3]


def test_the_lookup_labels_every_colour_as_apply_palette_does():
    rng = np.random.default_rng(3)
    rgb = rng.integers(0, 256, (64, 256, 3), dtype=np.uint8)  # 16,384 random colours
    for space in ("rgb", "lab"):
        lookup = _lookup(space)
        codes = (rgb[..., 0].astype(np.int64) << 16) | (rgb[..., 1].astype(np.int64) << 8)
        codes |= rgb[..., 2]
        labels = kseg.apply_palette(rgb, PALETTE, color_space=space).labels
        assert np.array_equal(lookup.table[codes], labels)
    with pytest.raises(ValueError, match="read-only"):
        lookup.table[0] = 1


def test_a_checkerboard_counts_every_square_apart_only_when_4_connected():
    squares = (np.indices((6, 8)).sum(axis=0) % 2).astype(np.int64)
    rgb = PALETTE[squares]
    lookup = _lookup()
    assert kseg.count_regions(rgb, lookup, connectivity=4)[:2].tolist() == [24, 24]
    assert kseg.count_regions(rgb, lookup, connectivity=8)[:2].tolist() == [1, 1]


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda lk: kseg.count_regions(np.zeros((2, 2, 3), np.uint8), lk, connectivity=6),
         ValueError, "connectivity must be 4 or 8, got 6"),
        (lambda lk: kseg.count_regions(np.zeros((2, 2, 3), np.uint8), PALETTE),
         TypeError, "lookup must be a kseg.PaletteLookup, got ndarray"),
        (lambda lk: kseg.count_regions(np.zeros((2, 2), np.uint8), lk), ValueError, "3"),
        (lambda lk: kseg.palette_lookup(PALETTE, color_space="hsv"), ValueError, "hsv"),
        (lambda lk: kseg.palette_lookup(PALETTE, classes=kseg.read_classes("a: 9")),
         kseg.ClassesError, "9"),
    ],
)  # fmt: skip
def test_bad_counting_arguments_name_the_value(call, error, match):
    with pytest.raises(error, match=match):
        call(_lookup())
