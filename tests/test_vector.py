"""Masks as shapes (kseg.shapes.vector, kseg.shapes.tracing): the exact outline fills
exactly the mask's pixels, specks go to the colour around them, and the
SVG files are well-formed, named and layered as drawing programs expect.
Rendering in a real browser: tests/e2e/test_vector.py."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kseg
from kseg.base.opencv import cv2
from kseg.engine.editing import cleaned_labels
from kseg.engine.regions import small_regions
from kseg.shapes.vector import layers_svg, mask_path, mask_svg
from tests.drawing import element_loops, fill_even_odd, path_loops

SVG = "{http://www.w3.org/2000/svg}"
INKSCAPE = "{http://www.inkscape.org/namespaces/inkscape}"


def rasterise(d: str, h: int, w: int) -> np.ndarray:
    """Even-odd fill of an exact path (M x y, relative h/v, z) at 1 px:
    each vertical side toggles the pixels to its right on its rows."""
    toggles = np.zeros((h, w + 1), dtype=np.int64)
    loops = re.findall(r"M(-?\d+) (-?\d+)((?:[hv]-?\d+)*)z", d)
    assert "".join(f"M{x} {y}{r}z" for x, y, r in loops) == d  # nothing else in d
    for sx, sy, runs in loops:
        x, y = int(sx), int(sy)
        for cmd, v in re.findall(r"([hv])(-?\d+)", runs):
            if cmd == "h":
                x += int(v)
            else:
                lo, hi = sorted((y, y + int(v)))
                toggles[lo:hi, x] ^= 1
                y += int(v)
        assert x == int(sx) or y == int(sy)  # z closes with a straight side
        lo, hi = sorted((y, int(sy)))
        toggles[lo:hi, x] ^= 1
    return (np.cumsum(toggles, axis=1)[:, :w] % 2).astype(bool)


label_images = st.tuples(st.integers(1, 14), st.integers(1, 14), st.integers(1, 4)).flatmap(
    lambda t: hnp.arrays(np.int16, (t[0], t[1]), elements=st.integers(-1 if t[2] > 3 else 0, t[2]))
)


@settings(max_examples=300, deadline=None)
@given(label_images)
def test_the_exact_outline_fills_exactly_each_labels_pixels(labels):
    # Holes, nested regions, regions touching at a corner, single pixels and
    # the image border all occur in small random label images.
    h, w = labels.shape
    for value in np.unique(labels):
        mask = labels == value
        assert np.array_equal(rasterise(mask_path(mask), h, w), mask)


def test_an_empty_mask_has_no_outline_and_a_full_one_is_the_frame():
    assert mask_path(np.zeros((3, 4), bool)) == ""
    assert mask_path(np.ones((3, 4), bool)) == "M0 0h4v3h-4z"
    ring = np.ones((5, 5), bool)
    ring[2, 2] = False  # one hole: two loops, filled even-odd
    assert mask_path(ring) == "M0 0h5v5h-5zM2 2v1h1v-1z"


@settings(max_examples=100, deadline=None)
@given(label_images, st.integers(1, 12), st.booleans())
def test_small_regions_are_the_connected_patches_under_the_size(labels, min_area, diagonal):
    want = np.zeros(labels.shape, bool)
    for value in np.unique(labels[labels >= 0]):
        _, comp, stats, _ = cv2.connectedComponentsWithStats(
            (labels == value).view(np.uint8), connectivity=8 if diagonal else 4
        )
        small = stats[:, cv2.CC_STAT_AREA] < min_area
        small[0] = False
        want |= small[comp]
    assert np.array_equal(small_regions(labels, min_area, diagonal), want)


@settings(max_examples=60, deadline=None)
@given(label_images, st.integers(2, 10))
def test_after_cleaning_a_patch_under_min_area_borders_no_other_colour(labels, min_area):
    cleaned = cleaned_labels(labels, min_area)
    assert np.array_equal(cleaned < 0, labels < 0)  # left-out pixels stay out
    if small_regions(labels, min_area)[labels >= 0].all():
        return  # every patch is small: nothing to give them to
    for y, x in zip(*np.nonzero(small_regions(cleaned, min_area)), strict=True):
        around = cleaned[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2]
        assert set(np.unique(around)) <= {-1, cleaned[y, x]}  # walled in by left-out pixels


@pytest.fixture(scope="module")
def coffee():
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    return rgb, kseg.segment(rgb, 6, seed=0)


def test_a_colours_svg_is_its_mask_named_and_sized_as_the_photo(coffee):
    _, result = coffee
    root = ET.fromstring(mask_svg(result, 1))
    assert root.get("viewBox") == "0 0 600 400"
    (path,) = root.iter(f"{SVG}path")
    row = kseg.palette_rows(result)[1]
    assert path.get("fill") == row["hex"] and path.get("fill-rule") == "evenodd"
    assert path.find(f"{SVG}title").text == f"#2 {row['name']} {row['hex']}"
    assert np.array_equal(rasterise(path.get("d"), 400, 600), result.labels == 1)


def test_touching_layers_are_named_largest_first_and_leave_out_the_background(coffee):
    _, result = coffee
    root = ET.fromstring(layers_svg(result, hidden=[2], min_area=16, stacked=False))
    layers = [g for g in root.iter(f"{SVG}g") if g.get(f"{INKSCAPE}groupmode") == "layer"]
    rows = kseg.palette_rows(result)
    names = [g.get(f"{INKSCAPE}label") for g in layers]
    want = [f"#{r['index']} {r['name']}" for r in rows if r["index"] != 3]
    assert names == sorted(want, key=lambda n: -rows[int(n[1:].split()[0]) - 1]["pixels"])
    # The exact layers, not stacked, cover every pixel but the hidden
    # colour's, each once.
    exact = ET.fromstring(layers_svg(result, smooth=False, min_area=16, stacked=False))
    cover = np.zeros((400, 600), np.int64)
    for path in exact.iter(f"{SVG}path"):
        cover += rasterise(path.get("d"), 400, 600)
    assert (cover == 1).all()
    cleaned = cleaned_labels(result.labels, 16, diagonal=False)
    first = next(exact.iter(f"{SVG}path"))
    index = int(first.get("id").split("-")[1]) - 1
    assert np.array_equal(rasterise(first.get("d"), 400, 600), cleaned == index)


def test_the_smooth_outline_is_few_curves_that_follow_the_mask():
    yy, xx = np.mgrid[0:80, 0:120]
    ring = ((xx - 60) ** 2 + (yy - 40) ** 2 < 35**2) & ((xx - 55) ** 2 + (yy - 45) ** 2 > 12**2)
    d = mask_path(ring, smooth=True)
    assert len(path_loops(d)) == 2  # the ring and its hole
    drawn = fill_even_odd(d, 80, 120)
    iou = (drawn & ring).sum() / (drawn | ring).sum()
    assert iou > 0.97, iou
    curves = sum(len(loop) - 1 for loop in path_loops(d, steps=1))
    corners = len(re.findall("[hv]", mask_path(ring))) + 2
    assert curves < corners / 2  # simplified: fewer curves than half the staircase's corners


def test_a_wavy_outline_is_followed_closely_by_fitted_curves():
    # Blobs with wavy edges, like a photo's colour regions.
    rng = np.random.default_rng(3)
    field = cv2.GaussianBlur(rng.normal(size=(150, 200)).astype(np.float32), (0, 0), 4)
    mask = field > 0
    d = mask_path(mask, smooth=True)
    drawn = fill_even_odd(d, 150, 200)
    assert (drawn & mask).sum() / (drawn | mask).sum() > 0.97
    # Fewer pieces than half the staircase's corners.
    pieces = sum(len(loop) - 1 for loop in path_loops(d, steps=1))
    assert pieces < len(re.findall("[hv]", mask_path(mask))) / 2


def test_the_smooth_outline_is_curves_within_the_photo(coffee):
    _, result = coffee
    path = ET.fromstring(mask_svg(result, 0, smooth=True, min_area=64)).find(f"{SVG}path")
    loops = element_loops(path)
    assert loops and all(
        (lp[:, 0] >= 0).all() and (lp[:, 0] <= 600).all() and (lp[:, 1] <= 400).all()
        for lp in loops
    )


@pytest.mark.parametrize(
    ("call", "words"),
    [
        (lambda r: mask_svg(r, 6), "cluster"),
        (lambda r: mask_svg(r, -1), "cluster"),
        (lambda r: mask_svg(r, 0, min_area=-5), "min_area"),
        (lambda r: layers_svg(r, hidden=[9]), "cluster"),
    ],
)
def test_bad_arguments_name_the_value_and_the_range(coffee, call, words):
    with pytest.raises(ValueError, match=words):
        call(coffee[1])


def test_a_result_that_is_not_a_segmentation_is_a_type_error():
    with pytest.raises(TypeError, match="Segmentation"):
        mask_svg(np.zeros((2, 2)), 0)  # type: ignore[arg-type]
