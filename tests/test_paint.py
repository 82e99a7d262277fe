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
from kseg.engine.regions import regions, small_regions

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


def _number_pixels(sheet) -> list[tuple[int, int, int]]:
    """Each number's pixel of the photo (x, y) and its colour index."""
    root = ET.fromstring(sheet.svg)
    tx, ty, s = map(float, re.findall(r"[-\d.]+", next(root.iter(f"{SVG}g")).get("transform")))
    return [(int((x - tx) / s), int((y - ty) / s), n - 1) for x, y, n in _numbers(sheet)]


def test_every_region_carries_a_number_inside_it(coffee):
    sheet = coffee[2]
    region, sizes = regions(sheet.labels, False)  # 4-connected, as painted
    assert sheet.regions == len(sizes) > 20
    assert len(_numbers(sheet)) == sheet.numbers >= sheet.regions
    seen = set()
    for px, py, colour in _number_pixels(sheet):
        assert sheet.labels[py, px] == colour  # inside a region of its own colour
        seen.add(int(region[py, px]))
    assert seen == set(range(sheet.regions))  # every region has one


def _dumbbell(neck: int) -> tuple[np.ndarray, kseg.Segmentation]:
    """Two discs of one colour joined by a band ``neck`` pixels wide, on a
    ground of another: one region, two areas to a painter if the neck is
    narrower than a brush."""
    yy, xx = np.mgrid[0:300, 0:600]
    shape = ((xx - 150) ** 2 + (yy - 150) ** 2 < 90**2) | (
        (xx - 450) ** 2 + (yy - 150) ** 2 < 90**2
    )
    shape |= (np.abs(yy - 150) < neck / 2) & (xx > 150) & (xx < 450)
    rgb = np.where(shape[..., None], np.uint8([200, 40, 40]), np.uint8([240, 240, 230]))
    return rgb, kseg.segment(np.ascontiguousarray(rgb), 2, seed=0)


@pytest.mark.parametrize(("neck_mm", "numbers"), [(0.8, 2), (1.5, 2), (12.0, 1)])
def test_parts_joined_only_by_a_neck_narrower_than_a_brush_carry_their_own_number(neck_mm, numbers):
    rgb, result = _dumbbell(1)
    scale = float(
        re.findall(
            r"[-\d.]+",
            next(ET.fromstring(kseg.paint_by_number(rgb, result).svg).iter(f"{SVG}g")).get(
                "transform"
            ),
        )[2]
    )
    rgb, result = _dumbbell(max(1, round(neck_mm / scale)))
    sheet = kseg.paint_by_number(rgb, result)
    red = int(np.argmin(result.centers.sum(axis=1)))
    on_red = [(x, y) for x, y, c in _number_pixels(sheet) if c == red]
    assert sheet.regions == 2 and len(on_red) == numbers
    if numbers == 2:  # one in each disc
        assert sorted(x < 300 for x, _ in on_red) == [False, True]


def test_every_area_of_a_photos_sheet_is_numbered_and_no_number_is_small():
    rgb = kseg.load_image(kseg.sample_path("astronaut")).rgb
    for k, paper in ((12, "A4"), (24, "Letter")):
        sheet = kseg.paint_by_number(rgb, kseg.segment(rgb, k, seed=0), paper=paper)
        region, sizes = regions(sheet.labels, False)
        numbered = {int(region[y, x]) for x, y, _ in _number_pixels(sheet)}
        assert numbered == set(range(len(sizes)))
        middle = next(
            g for g in ET.fromstring(sheet.svg).iter(f"{SVG}g") if g.get("text-anchor") == "middle"
        )
        assert min(float(t.get("font-size")) for t in middle) >= kseg.NUMBER_MM


def test_the_sheets_outlines_and_numbers_are_sized_in_millimetres(coffee):
    # A browser prints the SVG as the PDF prints: outlines 0.2 mm wide.
    sheet = coffee[2]
    root = ET.fromstring(sheet.svg)
    outlines = next(root.iter(f"{SVG}g"))
    scale = float(re.findall(r"[-\d.]+", outlines.get("transform"))[2])
    assert outlines.get("vector-effect") is None
    assert float(outlines.get("stroke-width")) * scale == pytest.approx(0.2, abs=1e-3)
    rgb, result, _ = coffee
    bigger = kseg.paint_by_number(rgb, result, number_mm=4.0)
    middle = next(
        g for g in ET.fromstring(bigger.svg).iter(f"{SVG}g") if g.get("text-anchor") == "middle"
    )  # the numbers (the key's text is sized apart)
    assert min(float(t.get("font-size")) for t in middle) >= 4.0


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
    # The numbers, and each colour's name and area in the key.
    assert content.count(" Tj ET") == sheet.numbers + 2 * result.k
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
    ("kwargs", "words"),
    [
        ({"paper": "B5"}, "paper"),
        ({"min_region": 0}, "min_region"),
        ({"min_width_mm": 0.1}, "min_width_mm"),
        ({"number_mm": 9}, "number_mm"),
    ],
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


def test_the_pdf_draws_the_svgs_outlines_piece_for_piece(coffee):
    from tests.drawing import path_loops

    _, _, sheet = coffee
    root = ET.fromstring(sheet.svg)
    group = next(g for g in root.iter(f"{SVG}g") if g.get("stroke"))
    tx, ty, s = map(float, re.findall(r"[-\d.]+", group.get("transform")))
    # Each piece (a curve or a line) of every loop, by its end.
    loops = [lp[1:] for p in group.iter(f"{SVG}path") for lp in path_loops(p.get("d"), steps=1)]
    stream = sheet.pdf.split(b"stream\n", 1)[1].rsplit(b"\nendstream", 1)[0]
    content = zlib.decompress(stream).decode("latin-1").splitlines()
    ends = [
        list(map(float, op.split()[4:6] if op.endswith(" c") else op.split()[:2]))
        for op in content
        if op.endswith((" c", " l"))
    ]
    starts = [op for op in content if op.endswith(" m")]
    assert len(starts) == len(loops)
    assert sum(op.endswith(" c") for op in content) > 1000  # curves, and
    assert sum(op.endswith(" l") for op in content) > 100  # straight runs
    expected = np.concatenate(loops)
    assert len(ends) == len(expected)
    np.testing.assert_allclose(np.array(ends), expected * s + (tx, ty), atol=2e-3)


def test_the_pictures_corners_stay_square_on_the_sheet(coffee):
    """The outlines along the picture's frame are its straight edges, so the
    colours in its corners reach them (the frame is not rounded off)."""
    from tests.drawing import path_loops

    _, result, sheet = coffee
    h, w = result.labels.shape
    group = next(g for g in ET.fromstring(sheet.svg).iter(f"{SVG}g") if g.get("stroke"))
    points = np.concatenate(
        [lp for p in group.iter(f"{SVG}path") for lp in path_loops(p.get("d"), steps=4)]
    )
    for corner in ((0, 0), (w, 0), (0, h), (w, h)):
        assert np.abs(points - corner).sum(axis=1).min() < 1e-6, corner


def test_the_key_gives_each_colours_area_and_the_paint_it_needs(coffee):
    rgb, result, sheet = coffee
    with_paint = kseg.paint_by_number(rgb, result, coverage=100.0)  # ml a square metre
    lay_mm2 = [a * 100 for a in with_paint.areas_cm2]
    pixels = np.bincount(with_paint.labels.ravel(), minlength=result.k)
    scale2 = lay_mm2[0] / pixels[0]  # mm² a pixel, the same for every colour
    assert np.allclose(np.array(lay_mm2), pixels * scale2)
    assert with_paint.areas_cm2 == sheet.areas_cm2
    key = [
        t.text
        for t in ET.fromstring(with_paint.svg).iter(f"{SVG}text")
        if t.text and "cm²" in t.text
    ]
    for area, line in zip(with_paint.areas_cm2, key, strict=True):
        assert line == f"{area:.1f} cm² · {area / 10_000 * 100:.1f} ml"
    assert not any("ml" in (t.text or "") for t in ET.fromstring(sheet.svg).iter(f"{SVG}text"))
    with pytest.raises(ValueError, match="coverage must be in"):
        kseg.paint_by_number(rgb, result, coverage=0.0)


def test_tabloid_paper_is_eleven_by_seventeen_inches(coffee):
    rgb, result, _ = coffee
    sheet = kseg.paint_by_number(rgb, result, paper="Tabloid")
    assert b"/MediaBox [0 0 1224.00 792.00]" in sheet.pdf  # landscape, in points
