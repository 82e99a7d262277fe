"""A click on a shown picture -> the full-size pixel and its cluster."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import kseg
from tests.conftest import quadrants


@given(
    width=st.integers(1, 9000),
    height=st.integers(1, 6000),
    shown_w=st.integers(1, 2000),
    shown_h=st.integers(1, 2000),
    data=st.data(),
)
def test_every_shown_pixel_maps_inside_the_image_and_in_order(
    width, height, shown_w, shown_h, data
):
    x = data.draw(st.integers(0, shown_w - 1))
    y = data.draw(st.integers(0, shown_h - 1))
    row, col = kseg.pixel_at(x, y, (shown_w, shown_h), (width, height))
    assert 0 <= row < height and 0 <= col < width
    # The full-size pixel's area holds the centre of the shown pixel.
    assert col <= (x + 0.5) * width / shown_w < col + 1 or col == width - 1
    assert row <= (y + 0.5) * height / shown_h < row + 1 or row == height - 1
    if x + 1 < shown_w:  # moving right never moves left
        assert kseg.pixel_at(x + 1, y, (shown_w, shown_h), (width, height))[1] >= col


def test_at_the_same_size_a_click_is_its_own_pixel_and_the_edges_are_the_edges():
    assert kseg.pixel_at(0, 0, (600, 400), (600, 400)) == (0, 0)
    assert kseg.pixel_at(599, 399, (600, 400), (600, 400)) == (399, 599)
    assert kseg.pixel_at(123, 45, (600, 400), (600, 400)) == (45, 123)
    # A 1200-wide preview of an 8432 x 4743 photo: the last shown pixel stands
    # for full-size columns 8425-8431 and rows 4736-4742; its centre is 8428, 4739.
    assert kseg.pixel_at(1199, 674, (1200, 675), (8432, 4743)) == (4739, 8428)
    assert kseg.pixel_at(0, 0, (1200, 675), (8432, 4743)) == (3, 3)
    # Past the edge (a click on the border line) clamps.
    assert kseg.pixel_at(1300, -5, (1200, 675), (8432, 4743)) == (0, 8431)


def test_a_click_on_a_resized_picture_names_the_cluster_of_that_region():
    img = np.repeat(np.repeat(quadrants(40, noise=0), 25, axis=0), 25, axis=1)  # 1000 x 1000
    result = kseg.segment(img, 4, seed=0)
    shown = (333, 333)
    for (x, y), colour in {
        (10, 10): (200, 30, 30),
        (320, 10): (30, 200, 30),
        (10, 320): (30, 30, 200),
        (320, 320): (230, 230, 40),
    }.items():
        row, col = kseg.pixel_at(x, y, shown, (1000, 1000))
        assert tuple(result.centers[kseg.cluster_at(result, row, col)]) == colour
    with pytest.raises(ValueError, match="row must be from 0 to 999"):
        kseg.cluster_at(result, 1000, 0)


def test_a_transparent_pixel_belongs_to_no_cluster():
    img = quadrants(20)
    mask = np.ones((20, 20), dtype=bool)
    mask[0, 0] = False
    result = kseg.segment(img, 4, mask=mask, seed=0)
    assert kseg.cluster_at(result, 0, 0) == -1 and kseg.cluster_at(result, 0, 1) >= 0
