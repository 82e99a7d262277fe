"""Real sizes for cutters and painters: SVGs as wide as asked in mm, cm or
inches (the aspect kept), paint-by-number on A3 or a canvas of any size,
from the API and the command."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from PIL import Image

import kseg
from kseg.base.opencv import cv2
from kseg.cli import main
from tests.test_app import downloads as downloads  # the fixture


@pytest.fixture(scope="module")
def coffee():
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb  # 600 x 400
    return rgb, kseg.segment(rgb, 4, seed=0)


@pytest.mark.parametrize(
    ("size", "width", "height"),
    [("30cm", "30cm", "20cm"), ("12in", "12in", "8in"), ("250 mm", "250mm", "166.6667mm")],
)
def test_svgs_are_as_wide_as_asked_and_keep_the_photos_aspect(coffee, size, width, height):
    _, result = coffee
    for svg in (kseg.layers_svg(result, size=size), kseg.mask_svg(result, 1, size=size)):
        root = ET.fromstring(svg)
        assert (root.get("width"), root.get("height")) == (width, height)
        assert root.get("viewBox") == "0 0 600 400"  # drawn in the photo's pixels


@pytest.mark.parametrize(
    ("size", "error", "match"),
    [("30", ValueError, "a number and a unit"), ("0.1mm", ValueError, "from 1 mm"),
     (30, TypeError, "a length such as")],
)  # fmt: skip
def test_a_size_that_is_not_a_length_names_what_is_wrong(coffee, size, error, match):
    with pytest.raises(error, match=match):
        kseg.layers_svg(coffee[1], size=size)


@pytest.mark.parametrize(
    ("paper", "mm", "points"),
    [("A3", ("420.0mm", "297.0mm"), "1190.55 841.89"), ("40x50cm", ("500.0mm", "400.0mm"),
     "1417.32 1133.86"), ("16x20in", ("508.0mm", "406.4mm"), "1440.00 1152.00")],
)  # fmt: skip
def test_the_sheet_fits_a3_or_a_canvas_turned_to_the_photo(coffee, paper, mm, points):
    rgb, result = coffee
    sheet = kseg.paint_by_number(rgb, result, paper=paper)
    root = ET.fromstring(sheet.svg)
    assert (root.get("width"), root.get("height")) == mm and sheet.landscape
    assert f"/MediaBox [0 0 {points}]".encode() in sheet.pdf


@pytest.mark.parametrize("paper", ["A5", "40x5000cm", "3x4cm", "forty by fifty"])
def test_a_paper_that_is_not_one_names_the_choices(coffee, paper):
    with pytest.raises(ValueError, match="paper"):
        kseg.paint_by_number(*coffee, paper=paper)


def test_the_command_writes_sized_svgs_touching_layers_and_a_canvas_sheet(coffee, tmp_path):
    rgb, _ = coffee
    photo = tmp_path / "coffee.png"
    Image.fromarray(rgb).save(photo)
    out = tmp_path / "out"
    argv = [str(photo), "-k", "4", "--svg", "--size", "12in", "--touching"]
    argv += ["--paint-by-number", "--paper", "40x50cm", "--tiles", "A4", "-q", "--out", str(out)]
    assert main(argv) == 0
    folder = out / "coffee"
    layers = ET.fromstring((folder / "layers.svg").read_text())
    assert (layers.get("width"), layers.get("height")) == ("12in", "8in")
    result = kseg.segment(rgb, 4, seed=0)
    assert (folder / "layers.svg").read_text() == kseg.layers_svg(
        result, stacked=False, size="12in"
    )
    sheet = ET.fromstring((folder / "paint_by_number.svg").read_text())
    assert sheet.get("width") == "500.0mm"
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["svg_options"] == {"size": "12in", "stacked": False, "overlap": None}
    assert manifest["paper"] == "40x50cm" and manifest["tiles"] == "A4"
    canvas = kseg.paint_by_number(rgb, result, paper="40x50cm")
    assert (folder / "paint_by_number_tiles.pdf").read_bytes() == canvas.tiled("A4").pdf


@pytest.mark.parametrize(
    ("argv", "message"),
    [(["--svg", "--size", "huge"], "--size must be a number and a unit"),
     (["--paint-by-number", "--paper", "A9"], "--paper must be one of A4, A3, Letter"),
     (["--tiles", "A4"], "--tiles PAPER: is for --paint-by-number"),
     (["--paint-by-number", "--tiles", "40x50cm"], "argument --tiles: invalid choice")],
)  # fmt: skip
def test_the_command_refuses_a_bad_size_before_reading_any_photo(argv, message, capsys):
    with pytest.raises(SystemExit) as stop:
        main([str(kseg.sample_path("coffee")), *argv])
    err = capsys.readouterr().err
    assert stop.value.code == 2 and message in err and len(re.findall("usage:", err)) == 1


def test_the_page_makes_layers_for_a_cutter_at_a_width_and_cut_out(downloads):
    from tests.test_app import _app

    at = _app({"k": "4"})
    at.session_state["cutting-open"] = True
    at.run()
    at.text_input(key="cutting-width").input("12in").run()
    at.radio(key="cutting-form").set_value("Cut out").run()
    assert not at.exception
    assert any(c.value == "12 × 8.0 in" for c in at.caption)
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    want = kseg.layers_svg(kseg.segment(rgb, 4, seed=0), size="12in", stacked=False)
    assert downloads("_layers_12in_cut-out.svg").decode() == want
    at.text_input(key="cutting-width").input("twelve").run()
    assert any("width must be a number and a unit" in e.value for e in at.error)


def test_cut_out_layers_grow_by_the_overlap_so_neighbours_overlap(coffee):
    from kseg.engine.editing import cleaned_labels
    from kseg.shapes.vector import _overlap_px
    from tests.drawing import fill_element

    _, result = coffee
    assert _overlap_px("1mm", "100mm", 600, stacked=False) == 6  # 6 pixels a millimetre
    assert _overlap_px("0.1in", None, 600, stacked=False) == 10  # 96 pixels an inch
    root = ET.fromstring(
        kseg.layers_svg(result, stacked=False, size="100mm", overlap="0.5mm", min_area=64)
    )
    labels = cleaned_labels(result.labels, 64, diagonal=False)
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (7, 7))
    cover = np.zeros((400, 600), int)
    for path in root.iter("{http://www.w3.org/2000/svg}path"):
        colour = int(path.get("id").split("-")[1]) - 1
        drawn = fill_element(path, 400, 600)
        grown = cv2.dilate((labels == colour).astype(np.uint8), disc).astype(bool)
        assert (drawn & grown).sum() / (drawn | grown).sum() > 0.95
        cover += drawn
    assert (cover >= 1).mean() > 0.999 and (cover >= 2).mean() > 0.05  # a trap along borders
    with pytest.raises(ValueError, match="overlap is for cut-out layers"):
        kseg.layers_svg(result, overlap="1mm")


def test_the_command_and_the_page_grow_cut_out_layers_by_the_overlap(coffee, tmp_path, downloads):
    from tests.test_app import _app

    rgb, result = coffee
    photo = tmp_path / "coffee.png"
    Image.fromarray(rgb).save(photo)
    out = tmp_path / "out"
    argv = [str(photo), "-k", "4", "--svg", "--touching", "--size", "100mm", "--overlap", "0.5mm"]
    assert main([*argv, "-q", "--out", str(out)]) == 0
    want = kseg.layers_svg(result, stacked=False, size="100mm", overlap="0.5mm")
    assert (out / "coffee" / "layers.svg").read_text() == want
    with pytest.raises(SystemExit):
        main([str(photo), "--svg", "--overlap", "0.5mm"])  # stacked layers already overlap
    at = _app({"k": "4"})
    at.session_state["cutting-open"] = True
    at.run()
    at.text_input(key="cutting-width").input("100mm").run()
    at.radio(key="cutting-form").set_value("Cut out").run()
    at.number_input(key="cutting-overlap").set_value(0.5).run()
    assert not at.exception
    assert downloads("_layers_100mm_cut-out.svg").decode() == want


def test_stacked_is_the_default_form_and_excludes_touching(coffee, tmp_path, capsys):
    rgb, result = coffee
    photo = tmp_path / "coffee.png"
    Image.fromarray(rgb).save(photo)
    out = tmp_path / "out"
    assert main([str(photo), "-k", "4", "--svg", "--stacked", "-q", "--out", str(out)]) == 0
    assert (out / "coffee" / "layers.svg").read_text() == kseg.layers_svg(result)
    with pytest.raises(SystemExit):
        main([str(photo), "--svg", "--stacked", "--touching"])
    assert "not allowed with argument" in capsys.readouterr().err


def test_the_pages_zip_holds_the_sheet_and_layers_as_the_page_chose_them(downloads):
    import io
    import zipfile

    from tests.test_app import _app

    at = _app({"k": "4", "view": "paint"})
    at.radio(key="paper").set_value("40x50cm").run()
    at.select_slider(key="number_mm").set_value(4.0).run()  # larger numbers: fewer regions
    at.session_state["cutting-open"] = True
    at.run()
    at.text_input(key="cutting-width").set_value("12in").run()
    at.radio(key="cutting-form").set_value("Cut out").run()
    # Both kept when their widgets are no longer drawn: another view, the section closed.
    at.radio(key="view").set_value("Side by side").run()
    at.session_state["cutting-open"] = False
    at.run()
    assert not at.exception and not at.warning
    zipped = zipfile.ZipFile(io.BytesIO(downloads("_kseg.zip")))
    assert b"/MediaBox [0 0 1417.32 1133.86]" in zipped.read("coffee/paint_by_number.pdf")
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    sheet = kseg.paint_by_number(rgb, kseg.segment(rgb, 4, seed=0), paper="40x50cm", number_mm=4)
    assert zipped.read("coffee/paint_by_number.svg").decode() == sheet.svg  # the page's sheet
    layers = ET.fromstring(zipped.read("coffee/layers.svg"))
    assert (layers.get("width"), layers.get("height")) == ("12in", "8in")
    cut_out = kseg.layers_svg(kseg.segment(rgb, 4, seed=0), stacked=False, size="12in")
    assert zipped.read("coffee/layers.svg").decode() == cut_out
    manifest = json.loads(zipped.read("coffee/manifest.json"))
    assert manifest["paper"] == "40x50cm" and manifest["svg_options"]["stacked"] is False
