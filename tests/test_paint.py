"""Paint by number (kseg.paint_by_number): one number per region, inside
it; no region under the smallest size; the sheet as SVG and as a PDF of
the paper asked for, turned to fit the photo."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
import zlib

import numpy as np
import pytest

import kseg
from kseg.tracing import regions, small_regions

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def coffee():
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    result = kseg.segment(rgb, 12, seed=0)
    return rgb, result, kseg.paint_by_number(rgb, result)


def _numbers(sheet) -> list[tuple[float, float, int]]:
    root = ET.fromstring(sheet.svg)
    groups = [g for g in root.iter(f"{SVG}g") if g.get("text-anchor") == "middle"]
    return [(float(t.get("x")), float(t.get("y")), int(t.text)) for t in groups[0]]


def test_every_region_carries_exactly_one_number_inside_it(coffee):
    sheet = coffee[2]
    region, sizes = regions(sheet.labels, False)  # 4-connected, as painted
    assert sheet.regions == len(sizes) > 20
    numbers = _numbers(sheet)
    assert len(numbers) == sheet.regions
    root = ET.fromstring(sheet.svg)
    tx, ty, s = map(float, re.findall(r"[-\d.]+", next(root.iter(f"{SVG}g")).get("transform")))
    seen = set()
    for x, y, n in numbers:
        px, py = int((x - tx) / s), int((y - ty) / s)  # the pixel under the number
        assert sheet.labels[py, px] == n - 1  # inside a region of its own colour
        seen.add(int(region[py, px]))
    assert seen == set(range(sheet.regions))  # one number per region


def test_no_region_is_under_the_smallest_size_and_the_preview_paints_the_regions(coffee):
    _, result, _ = coffee
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    sheet = kseg.paint_by_number(rgb, result, min_region=200)
    assert not small_regions(sheet.labels, 200, False).any()
    assert sheet.regions < kseg.paint_by_number(rgb, result, min_region=20).regions
    np.testing.assert_array_equal(sheet.preview, result.centers[sheet.labels])


@pytest.mark.parametrize(
    ("paper", "size_mm", "points"),
    [
        ("A4", ("297.0mm", "210.0mm"), "841.89 595.28"),
        ("Letter", ("279.4mm", "215.9mm"), "792.00 612.00"),
    ],
)
def test_the_sheet_is_the_paper_asked_for_turned_to_fit_the_photo(coffee, paper, size_mm, points):
    rgb, result, _ = coffee  # 600 x 400: landscape
    sheet = kseg.paint_by_number(rgb, result, paper=paper)
    assert sheet.landscape and sheet.paper == paper
    root = ET.fromstring(sheet.svg)
    assert (root.get("width"), root.get("height")) == size_mm
    pdf = sheet.pdf
    assert pdf.startswith(b"%PDF-1.4") and pdf.rstrip().endswith(b"%%EOF")
    assert f"/MediaBox [0 0 {points}]".encode() in pdf
    stream = pdf.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    content = zlib.decompress(stream).decode("latin-1")
    assert content.count(" Tj ET") == sheet.regions + result.k  # the numbers and the key
    offset = int(pdf.rsplit(b"startxref\n", 1)[1].split()[0])
    assert pdf[offset:].startswith(b"xref")


def test_a_portrait_photo_gets_a_portrait_sheet_with_its_key():
    rgb = np.ascontiguousarray(kseg.load_image(kseg.sample_path("coffee")).rgb.transpose(1, 0, 2))
    result = kseg.segment(rgb, 8, seed=0)
    sheet = kseg.paint_by_number(rgb, result)
    root = ET.fromstring(sheet.svg)
    assert not sheet.landscape and root.get("width") == "210.0mm"
    key = [t.text for t in root.iter(f"{SVG}text") if "·" in (t.text or "")]
    assert key == [f"{i + 1} · {n}" for i, n in enumerate(kseg.color_names(result.centers))]


@pytest.mark.parametrize(
    ("kwargs", "words"), [({"paper": "A3"}, "paper"), ({"min_region": 0}, "min_region")]
)
def test_bad_arguments_name_the_value(coffee, kwargs, words):
    rgb, result, _ = coffee
    with pytest.raises(ValueError, match=words):
        kseg.paint_by_number(rgb, result, **kwargs)


def test_a_wrong_result_or_photo_is_a_typed_error(coffee):
    rgb, result, _ = coffee
    with pytest.raises(TypeError, match="Segmentation"):
        kseg.paint_by_number(rgb, np.zeros((400, 600)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="shape"):
        kseg.paint_by_number(rgb[:100], result)


def test_the_pdf_draws_the_svgs_outlines_curve_for_curve(coffee):
    from tests.drawing import path_loops

    _, _, sheet = coffee
    root = ET.fromstring(sheet.svg)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("stroke"))
    tx, ty, s = map(float, re.findall(r"[-\d.]+", group.get("transform")))
    loops = [lp[1:] for p in group.iter(f"{SVG}path") for lp in path_loops(p.get("d"), steps=5)]
    stream = sheet.pdf.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    content = zlib.decompress(stream).decode("latin-1").splitlines()
    curves = [list(map(float, op.split()[4:6])) for op in content if op.endswith(" c")]
    starts = [list(map(float, op.split()[:2])) for op in content if op.endswith(" m")]
    assert len(starts) == len(loops)
    # Each curve flattened into five points after the start, its end the fifth.
    ends = np.concatenate([lp[4::5] for lp in loops])
    assert len(curves) == len(ends)
    np.testing.assert_allclose(np.array(curves), ends * s + (tx, ty), atol=2e-3)
