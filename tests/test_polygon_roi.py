"""A polygon region of interest (kseg.parse_roi with corners): read in
pixels and fractions, each pixel inside when its centre is, a rectangle's
four corners holding the rectangle, and the command measuring only it."""

from __future__ import annotations

import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kseg
from kseg.base.opencv import cv2
from kseg.cli import main


def _centres_inside(corners: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """Independently: OpenCV's point-in-polygon test on every pixel centre,
    1 inside, -1 outside, 0 on an edge (where either answer is right)."""
    contour = corners.astype(np.float32).reshape(-1, 1, 2)
    h, w = shape
    out = np.zeros(shape, dtype=np.int8)
    for y in range(h):
        for x in range(w):
            out[y, x] = cv2.pointPolygonTest(contour, (x + 0.5, y + 0.5), False)
    return out


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 80), st.integers(0, 60)).map(lambda p: (p[0] / 4, p[1] / 4)),
        min_size=3,
        max_size=7,
    )
)
def test_a_pixel_is_inside_a_polygon_when_its_centre_is(points):
    # Simple polygons: the points sorted by angle around their centre.
    pts = np.array(points, dtype=np.float64)
    centre = pts.mean(axis=0)
    pts = pts[np.argsort(np.arctan2(pts[:, 1] - centre[1], pts[:, 0] - centre[0]))]
    roi = kseg.Roi.polygon(tuple(map(tuple, pts)))
    if roi.width == 0 or roi.height == 0:
        return
    want = _centres_inside(pts, (16, 21))
    try:
        got = roi.mask((16, 21, 3))
    except kseg.RoiError:
        assert not (want > 0).any()  # said to hold no pixel centre: it holds none
        return
    clear = want != 0
    assert np.array_equal(got[clear], want[clear] > 0)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 30), st.integers(0, 20), st.integers(2, 30), st.integers(2, 20))  # pixels
def test_a_polygon_on_a_rectangles_corners_holds_the_rectangles_pixels(x, y, w, h):
    rect = kseg.parse_roi(f"{x},{y},{w},{h}")
    poly = kseg.parse_roi(f"{x},{y}; {x + w},{y}; {x + w},{y + h}; {x},{y + h}")
    assert poly.corners and poly.box((40, 60)) == rect.box((40, 60))
    assert np.array_equal(poly.mask((40, 60)), rect.mask((40, 60)))


def test_a_polygon_in_fractions_suits_photos_of_any_size_and_reads_back():
    roi = kseg.parse_roi("0.5,0; 1,1; 0,1")
    assert roi.relative and str(roi) == "0.5,0; 1,1; 0,1"
    assert kseg.parse_roi(str(roi)) == roi
    for shape in ((100, 100), (300, 451)):
        mask = roi.mask(shape)
        assert 0.48 < mask.mean() < 0.52  # a triangle of half the photo
        assert mask[-1].all() and not mask[0, : shape[1] // 3].any()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1,1; 5,5", "3 to 200 corners"),
        ("1,1; 5,x; 3,3", "3 to 200 corners"),
        ("1,1; 5,1; 9,1", "a width and a height above 0"),
    ],
)
def test_a_polygon_that_cannot_be_read_says_why(text, words):
    with pytest.raises(kseg.RoiError, match=words):
        kseg.parse_roi(text)


def test_the_command_measures_only_the_polygon_and_says_so(tmp_path):
    from PIL import Image

    photo = tmp_path / "coffee.png"
    Image.open(kseg.sample_path("coffee")).convert("RGB").save(photo)
    out = tmp_path / "out"
    assert main([str(photo), "-k", "4", "--roi", "0,0; 1,0; 0,1", "-q", "--out", str(out)]) == 0
    manifest = json.loads((out / "coffee" / "manifest.json").read_text())
    assert manifest["roi"] == "0,0; 1,0; 0,1"
    rgb = kseg.load_image(photo).rgb
    inside = kseg.parse_roi("0,0; 1,0; 0,1").mask(rgb.shape)
    result = kseg.segment(rgb, 4, seed=0, mask=inside)
    assert int(result.counts.sum()) == int(inside.sum()) < rgb.shape[0] * rgb.shape[1] * 0.55
    assert (result.labels[~inside] == -1).all()
