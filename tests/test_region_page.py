"""The region of interest on the page (AppTest): typed in percent in the
sidebar, carried in the link, and only its pixels fitted, counted and
downloaded, on both pages."""

from __future__ import annotations

import csv
import io
import zipfile

import numpy as np
from PIL import Image

import kseg
from tests.test_app import _app, _summary
from tests.test_app import downloads as downloads  # the fixture
from tests.test_many_page import _many, _photos, _upload


def _roi_result(roi: str, k: int = 4) -> kseg.Segmentation:
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    return kseg.segment(rgb, k, seed=0, mask=kseg.parse_roi(roi).mask(rgb.shape))


def test_a_typed_rectangle_is_all_that_is_fitted_counted_and_downloaded(downloads):
    at = _app({"k": "4"})
    at.session_state["roi-open"] = True
    at.run()
    at.toggle(key="roi_on").set_value(True).run()
    for key, value in (("roi-x", 10.0), ("roi-y", 20.0), ("roi-w", 50.0), ("roi-h", 40.0)):
        at.number_input(key=key).set_value(value).run()
    assert not at.exception and not at.error
    want = _roi_result("0.1,0.2,0.5,0.4")
    assert f"objective (mean squared RGB error) <b>{want.mse:.1f}</b>" in _summary(at)
    assert at.query_params["roi"] in ("0.1,0.2,0.5,0.4", ["0.1,0.2,0.5,0.4"])
    zipped = zipfile.ZipFile(io.BytesIO(downloads("_kseg.zip")))
    labels = np.asarray(Image.open(io.BytesIO(zipped.read("coffee/labels.png"))))
    assert "0.1,0.2,0.5,0.4" in zipped.read("coffee/methods.txt").decode()
    assert (labels[80:240, 60:360] != 255).all()  # 600 x 400: x 60-360, y 80-240
    assert (labels[:80] == 255).all() and (labels[:, 360:] == 255).all()
    palette = list(csv.DictReader(io.StringIO(downloads("_palette.csv").decode())))
    assert [int(r["pixels"]) for r in palette] == want.counts.tolist()
    assert sum(want.counts) == 300 * 160


def test_a_link_with_a_rectangle_opens_on_it_and_says_so_in_the_sidebar():
    at = _app({"k": "4", "roi": "0.25,0.25,0.5,0.5"})
    assert not at.exception
    ss = at.session_state
    assert ss["roi_on"] and (ss["roi-x"], ss["roi-y"], ss["roi-w"], ss["roi-h"]) == (25, 25, 50, 50)
    want = _roi_result("0.25,0.25,0.5,0.5")
    assert f"<b>{want.mse:.1f}</b>" in _summary(at)
    assert any(
        "Measuring only: from 25 % left and 25 % down, 50 × 50 % of the photo." in c.value
        for c in at.sidebar.caption
    )
    # A rectangle in pixels is not the page's (it has no photo size to read it by).
    assert "roi_on" not in _app({"roi": "10,10,100,100"}).query_params


def test_an_empty_rectangle_is_said_and_the_whole_photo_is_measured():
    at = _app({"k": "4"})
    at.session_state["roi-open"] = True
    at.run()
    at.toggle(key="roi_on").set_value(True).run()
    at.number_input(key="roi-x").set_value(100.0).run()
    assert [e.value for e in at.error] == [
        "This rectangle holds nothing of the photo: give it a width and a height."
    ]
    assert "roi" not in at.query_params


def test_one_rectangle_in_percent_measures_every_photo_of_a_series(downloads):
    at = _many(4)
    at.session_state["roi_on"] = True
    at.session_state["roi-w"] = 50.0
    at.session_state["roi-h"] = 50.0
    at = _upload(at, _photos())
    assert not at.exception
    rows = list(csv.DictReader(io.StringIO(downloads("shares.csv").decode())))
    for row, (name, _) in zip(rows, _photos(), strict=True):
        image = kseg.load_image(kseg.sample_path(name.rsplit(".", 1)[0]))
        box = kseg.parse_roi("0,0,0.5,0.5").box(image.rgb.shape)
        assert int(row["pixels"]) == (box[2] - box[0]) * (box[3] - box[1])


def test_a_photo_of_a_series_can_have_a_region_of_its_own(downloads):
    at = _upload(_many(4), _photos())
    digest = kseg.samples.first.sample_digest("chelsea")  # the second photo
    key = f"photo-roi-{digest[:16]}"
    at.toggle(key=f"{key}-on").set_value(True).run()
    at.number_input(key=f"{key}-roi-w").set_value(50.0).run()
    at.number_input(key=f"{key}-roi-h").set_value(50.0).run()
    assert not at.exception and not at.error
    rows = list(csv.DictReader(io.StringIO(downloads("shares.csv", first=False).decode())))
    sizes = {
        name: kseg.load_image(kseg.sample_path(name)).rgb.shape
        for name in ("coffee", "chelsea", "rocket")
    }
    half = kseg.parse_roi("0,0,0.5,0.5").box(sizes["chelsea"])
    assert int(rows[1]["pixels"]) == (half[2] - half[0]) * (half[3] - half[1])  # its own region
    assert int(rows[0]["pixels"]) == sizes["coffee"][0] * sizes["coffee"][1]  # the others whole
    assert int(rows[2]["pixels"]) == sizes["rocket"][0] * sizes["rocket"][1]


def test_a_typed_polygon_is_all_that_is_fitted_and_its_link_opens_on_it(downloads):
    at = _app({"k": "4"})
    at.session_state["roi-open"] = True
    at.run()
    at.toggle(key="roi_on").set_value(True).run()
    at.radio(key="roi-shape").set_value("Polygon").run()
    assert [e.value for e in at.error] == [
        "These corners make no polygon: give three or more, such as 10,10; 90,10; 50,90."
    ]
    at.text_input(key="roi-corners").set_value("0,0; 100,0; 0,100").run()
    assert not at.exception and not at.error
    want = _roi_result("0,0; 1,0; 0,1")
    assert f"objective (mean squared RGB error) <b>{want.mse:.1f}</b>" in _summary(at)
    link = at.query_params["roi"]
    assert link in ("0,0; 1,0; 0,1", ["0,0; 1,0; 0,1"])
    zipped = zipfile.ZipFile(io.BytesIO(downloads("_kseg.zip")))
    labels = np.asarray(Image.open(io.BytesIO(zipped.read("coffee/labels.png"))))
    inside = kseg.parse_roi("0,0; 1,0; 0,1").mask(labels.shape)
    assert np.array_equal(labels != 255, inside)  # the triangle above the diagonal
    assert (
        "Only the polygon with corners 0,0; 1,0; 0,1" in zipped.read("coffee/methods.txt").decode()
    )
    # The link opens on the same polygon, said in the sidebar.
    again = _app({"k": "4", "roi": "0,0; 1,0; 0,1"})
    ss = again.session_state
    assert (
        ss["roi_on"] and ss["roi-shape"] == "Polygon" and ss["roi-corners"] == "0,0; 100,0; 0,100"
    )
    assert f"<b>{want.mse:.1f}</b>" in _summary(again)
    assert any(
        "Measuring only: the polygon 0,0; 100,0; 0,100 (% across, % down)." in c.value
        for c in again.sidebar.caption
    )
