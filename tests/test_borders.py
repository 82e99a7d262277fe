"""Smooth shapes that fit together (kseg.shapes.borders): every border fitted once
and shared by the colours either side, corners kept, the frame square.
Drawn here by flattening the curves (tests/drawing.py); as Chromium draws
them: tests/e2e/test_vector.py."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kseg
from kseg.base.opencv import cv2
from kseg.engine.editing import cleaned_labels
from kseg.shapes.borders import Borders, border_chains
from kseg.shapes.stacking import drawn_size, stacking_order
from kseg.shapes.vector import SMOOTH_TOLERANCE, layers_svg
from tests.drawing import border_distance, fill_element, fill_even_odd, flat_art, path_loops

art_cases = st.tuples(
    st.sampled_from([(60, 80), (97, 131), (150, 120)]), st.integers(0, 10_000), st.integers(2, 6)
)


def shapes(labels: np.ndarray) -> tuple[Borders, dict[int, np.ndarray]]:
    h, w = labels.shape
    borders = Borders(labels, SMOOTH_TOLERANCE)
    drawn = {int(v): fill_even_odd(borders.path(int(v)), h, w) for v in np.unique(labels)}
    return borders, drawn


@settings(max_examples=25, deadline=None)
@given(art_cases)
def test_every_pixel_lies_in_exactly_one_colours_smooth_shape(case):
    (h, w), seed, colours = case
    labels = cleaned_labels(flat_art(h, w, seed, colours=colours), 64, diagonal=False)
    _, drawn = shapes(labels)
    cover = sum(d.astype(np.int64) for d in drawn.values())
    # Neighbours share each border exactly: no gap, no overlap anywhere.
    assert (cover == 1).all(), f"{(cover != 1).sum()} pixels covered {set(cover[cover != 1])}"
    for value, d in drawn.items():
        want = labels == value
        iou = (d & want).sum() / (d | want).sum()
        assert iou >= 0.95 or want.sum() < 400, (value, iou, want.sum())


@settings(max_examples=20, deadline=None)
@given(art_cases)
def test_no_curve_strays_more_than_a_pixel_and_a_half_from_the_pixel_borders(case):
    (h, w), seed, colours = case
    labels = cleaned_labels(flat_art(h, w, seed, colours=colours), 64, diagonal=False)
    borders = Borders(labels, SMOOTH_TOLERANCE)
    points = np.concatenate(
        [lp for v in np.unique(labels) for lp in path_loops(borders.path(int(v)), steps=16)]
    )
    assert border_distance(labels, points).max() <= 1.5


def test_straight_edges_and_square_corners_stay_exact():
    labels = np.zeros((40, 60), np.int16)
    labels[8:30, 10:45] = 1  # a rectangle: four corners, four straight sides
    labels[30:, 45:] = 2  # a block in the picture's corner, on the frame
    borders = Borders(labels, SMOOTH_TOLERANCE)
    assert borders.path(1) == "M45 30h-35v-22h35v22z"
    for value in range(3):
        assert np.array_equal(fill_even_odd(borders.path(value), 40, 60), labels == value)


def test_a_star_keeps_its_points():
    labels = np.zeros((200, 200), np.int16)
    angles = np.pi / 2 + np.arange(10) * np.pi / 5
    radii = np.where(np.arange(10) % 2 == 0, 90, 38)
    star = np.stack([100 + radii * np.cos(angles), 100 - radii * np.sin(angles)], axis=1)
    cv2.fillPoly(labels, [np.round(star).astype(np.int32)], 1)
    outline = np.concatenate(path_loops(Borders(labels, SMOOTH_TOLERANCE).path(1)))
    for x, y in star:  # each point and each inner corner, within a pixel and a half
        assert np.hypot(outline[:, 0] - x, outline[:, 1] - y).min() <= 1.5, (x, y)
    drawn = fill_even_odd(Borders(labels, SMOOTH_TOLERANCE).path(1), 200, 200)
    assert (drawn & (labels == 1)).sum() / (drawn | (labels == 1)).sum() > 0.98


def test_the_picture_frame_and_its_corners_stay_square():
    # A disc running off the picture's top-left corner: where it meets the
    # frame the shape runs along the frame, and the corner pixel is its.
    yy, xx = np.mgrid[0:50, 0:70]
    labels = ((xx - 5) ** 2 + (yy - 5) ** 2 < 30**2).astype(np.int16)
    borders = Borders(labels, SMOOTH_TOLERANCE)
    d0 = fill_even_odd(borders.path(0), 50, 70)
    d1 = fill_even_odd(borders.path(1), 50, 70)
    assert d1[0, 0] and d0[49, 69] and d0[0, 69] and d0[49, 0]
    loops = path_loops(borders.path(1))
    frame = np.concatenate(loops)
    assert ((frame[:, 0] == 0) | (frame[:, 1] == 0)).sum() >= 2  # along the frame
    assert (frame >= 0).all()
    assert (d0 ^ d1).all()


def test_a_loop_inside_another_colour_is_its_hole_and_the_same_curve():
    yy, xx = np.mgrid[0:60, 0:60]
    labels = ((xx - 30) ** 2 + (yy - 28) ** 2 < 15**2).astype(np.int16)
    _, _, sides, closed = border_chains(labels)
    inner = [i for i in range(len(sides)) if tuple(sides[i]) == (0, 1)]
    assert len(inner) == 1 and closed[inner[0]]  # one closed border, no node
    borders = Borders(labels, SMOOTH_TOLERANCE)
    disc = borders.path(1)
    assert disc in borders.path(0)  # the background's hole is the disc's outline
    iou = (fill_even_odd(disc, 60, 60) & (labels == 1)).sum() / (labels == 1).sum()
    assert iou > 0.97


def test_several_labels_drawn_as_one_shape_are_their_union():
    labels = cleaned_labels(flat_art(120, 150, 7, colours=5), 64, diagonal=False)
    borders = Borders(labels, SMOOTH_TOLERANCE)
    union = fill_even_odd(borders.path([1, 3, 4]), 120, 150)
    parts = [fill_even_odd(borders.path(v), 120, 150) for v in (1, 3, 4)]
    assert np.array_equal(union, parts[0] | parts[1] | parts[2])
    assert not (parts[0] & parts[1]).any()


@pytest.fixture(scope="module")
def chelsea():
    return kseg.segment(kseg.load_image(kseg.sample_path("chelsea")).rgb, 8, seed=0)


def test_stacked_layers_each_cover_their_colour_and_every_layer_above(chelsea):
    import xml.etree.ElementTree as ET

    h, w = chelsea.labels.shape
    root = ET.fromstring(layers_svg(chelsea))
    paths = list(root.iter("{http://www.w3.org/2000/svg}path"))
    order = [int(p.get("id").split("-")[1]) - 1 for p in paths]
    assert sorted(order) == list(range(chelsea.k))
    labels = cleaned_labels(chelsea.labels, 64, diagonal=False)
    assert fill_element(paths[0], h, w).all()  # the bottom layer covers the whole photo
    for r, path in enumerate(paths):
        drawn = fill_element(path, h, w)
        want = np.isin(labels, order[r:])
        assert (drawn & want).sum() / (drawn | want).sum() > 0.97, r
        assert path.get("stroke") is None  # what a cutter cuts is what is drawn
    touching = ET.fromstring(layers_svg(chelsea, stacked=False))
    cover = sum(
        fill_element(p, h, w).astype(int) for p in touching.iter("{http://www.w3.org/2000/svg}path")
    )
    assert (cover == 1).all()


def test_stacked_layers_are_ordered_to_draw_fewer_borders_than_largest_first(chelsea):
    import xml.etree.ElementTree as ET

    labels = cleaned_labels(chelsea.labels, 64, diagonal=False)
    borders = Borders(labels, SMOOTH_TOLERANCE)
    largest_first = np.argsort(-chelsea.counts, kind="stable").tolist()
    root = ET.fromstring(layers_svg(chelsea))
    paths = list(root.iter("{http://www.w3.org/2000/svg}path"))
    order = [int(p.get("id").split("-")[1]) - 1 for p in paths]
    sizes = np.diff(borders.pieces)
    assert drawn_size(borders.sides, sizes, order) < drawn_size(borders.sides, sizes, largest_first)

    def written(stack: list[int]) -> int:
        return sum(len(borders.path(stack[r:], tenths=True)) for r in range(len(stack)))

    assert written(order) < 0.8 * written(largest_first)
    # The file holds exactly those paths, in that order.
    assert [p.get("d") for p in paths] == [borders.path(order[r:], tenths=True) for r in range(8)]


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 7), st.integers(0, 10_000))
def test_no_single_move_of_a_layer_makes_the_stack_smaller(n, seed):
    rng = np.random.default_rng(seed)
    m = int(rng.integers(1, 30))
    sides = rng.integers(-2, n + 1, size=(m, 2))  # -2 the frame, n a colour left out
    sizes = rng.integers(1, 50, size=m)[sides[:, 0] != sides[:, 1]]
    sides = sides[sides[:, 0] != sides[:, 1]]
    start = rng.permutation(n).tolist()
    order = stacking_order(sides, sizes, start)
    assert sorted(order) == list(range(n))
    best = drawn_size(sides, sizes, order)
    assert best <= drawn_size(sides, sizes, start)
    for p in range(n):
        for q in range(n):
            moved = order.copy()
            moved.insert(q, moved.pop(p))
            assert drawn_size(sides, sizes, moved) >= best


def test_the_drawn_size_counts_each_border_once_per_layer_that_draws_it():
    # Colours 0, 1, 2 stacked in that order: layer 0 is all three (the
    # frame), layer 1 is {1, 2}, layer 2 is {2}.
    sides = np.array([[0, 1], [0, 2], [1, 2], [-2, 0], [-2, 2]])
    sizes = np.array([1, 10, 100, 1000, 10000])
    # 0|1 drawn by layer 1; 0|2 by layers 1, 2; 1|2 by layer 2; the frame
    # of 0 by layer 0; the frame of 2 by layers 0, 1, 2.
    assert drawn_size(sides, sizes, [0, 1, 2]) == 1 + 2 * 10 + 100 + 1000 + 3 * 10000
