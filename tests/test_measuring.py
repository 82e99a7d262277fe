"""Regions measured (kseg.measure_regions): each colour's separate regions
counted and measured exactly as an independent count (OpenCV's connected
components, same connectivity and minimum size) finds them; areas in mm²
are pixels times the scale squared."""

from __future__ import annotations

import csv
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kseg
from kseg.base.opencv import cv2
from tests.drawing import flat_art
from tests.test_app import downloads as downloads  # the fixture


def _result(labels: np.ndarray) -> kseg.Segmentation:
    k = int(labels.max()) + 1
    palette = np.array([[40 * i, 255 - 30 * i, (70 * i) % 256] for i in range(k)], np.uint8)
    return kseg.apply_palette(palette[labels], palette)


def _opencv(labels: np.ndarray, connectivity: int, min_size: int) -> list[tuple]:
    """(colour, area, x, y, w, h, centroid x, centroid y) of every region, sorted."""
    found = []
    for c in range(int(labels.max()) + 1):
        n, _, stats, centroids = cv2.connectedComponentsWithStats(
            (labels == c).astype(np.uint8), connectivity=connectivity
        )
        for i in range(1, n):
            x, y, w, h, area = stats[i]
            if area >= min_size:
                cx, cy = centroids[i]
                found.append((c, int(area), int(x), int(y), int(w), int(h), cx + 0.5, cy + 0.5))
    return sorted(found)


def assert_same_regions(table: kseg.RegionTable, found: list[tuple]) -> None:
    """The table's regions are OpenCV's: the same colour (or class), area
    and bounding box each, and centroids equal to within float rounding."""
    mine = sorted(
        (int(c), int(a), *map(int, b), float(x), float(y))
        for c, a, b, (x, y) in zip(
            table.colour, table.area, table.bbox, table.centroid, strict=True
        )
    )
    assert [m[:6] for m in mine] == [f[:6] for f in found]
    np.testing.assert_allclose([m[6:] for m in mine], [f[6:] for f in found], atol=1e-9)


@settings(max_examples=40, deadline=None)
@given(
    st.integers(0, 10_000),
    st.sampled_from([4, 8]),
    st.integers(1, 40),
    st.sampled_from([(60, 80), (97, 131)]),
)
def test_regions_equal_opencvs_connected_components(seed, connectivity, min_size, shape):
    labels = flat_art(*shape, seed=seed).astype(np.int64)
    labels = np.unique(labels, return_inverse=True)[1].reshape(shape)  # colours 0..k-1
    result = _result(labels)
    table = kseg.measure_regions(result, connectivity=connectivity, min_size=min_size)
    # apply_palette numbers colours in the palette's order: colour c is label c.
    assert np.array_equal(result.labels, labels)
    assert_same_regions(table, _opencv(labels, connectivity, min_size))
    # Each region's label point is one of its own pixels' centres.
    x, y = np.floor(table.inside).astype(int).T
    assert np.array_equal(labels[y, x], table.colour)
    assert ((x >= table.bbox[:, 0]) & (x < table.bbox[:, 0] + table.bbox[:, 2])).all()
    assert ((y >= table.bbox[:, 1]) & (y < table.bbox[:, 1] + table.bbox[:, 3])).all()


def test_perimeter_counts_the_pixel_edges_and_areas_scale_exactly():
    labels = np.zeros((10, 12), np.int64)
    labels[2:5, 3:7] = 1  # a 4 x 3 block: perimeter 14, area 12
    labels[7:9, 0:2] = 1  # a 2 x 2 block on the frame: perimeter 8
    result = _result(labels)
    table = kseg.measure_regions(result, mm_per_px=0.25)
    ones = table.colour == 1
    assert sorted(table.perimeter[ones].tolist()) == [8, 14]
    assert sorted(table.area[ones].tolist()) == [4, 12]
    assert np.array_equal(table.area_mm2(), table.area * 0.0625)
    background = table.perimeter[table.colour == 0][0]
    # The frame but where the 2 x 2 block sits on it (2 edges), the block's
    # other 6 edges, and the 4 x 3 block's 14.
    assert background == 2 * (10 + 12) - 2 + 6 + 14
    rows = list(csv.DictReader(io.StringIO(kseg.regions_csv(table, result).decode())))
    assert [float(r["area_mm2"]) for r in rows] == (table.area * 0.0625).tolist()
    assert table.summary(2)[1] == {"regions": 2, "total": 16, "min": 4, "median": 8.0, "max": 12}


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"connectivity": 6}, ValueError, "connectivity must be 4 or 8, got 6"),
        ({"min_size": 0}, ValueError, "min_size must be from 1"),
        ({"mm_per_px": 0.0}, ValueError, "mm_per_px must be in"),
    ],
)
def test_bad_measuring_arguments_name_the_value(kwargs, error, match):
    result = _result(np.zeros((4, 4), np.int64))
    with pytest.raises(error, match=match):
        kseg.measure_regions(result, **kwargs)


def test_the_command_writes_the_regions_with_areas_at_the_scene_width(tmp_path):
    import json

    from PIL import Image

    from kseg.cli import main

    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb  # 600 pixels wide
    photo = tmp_path / "coffee.png"
    Image.fromarray(rgb).save(photo)
    out = tmp_path / "out"
    argv = [str(photo), "-k", "4", "--regions", "--width-mm", "150", "-q", "--out", str(out)]
    assert main(argv) == 0
    result = kseg.segment(rgb, 4, seed=0)
    table = kseg.measure_regions(result, mm_per_px=0.25)
    assert (out / "coffee" / "regions.csv").read_bytes() == kseg.regions_csv(table, result)
    rows = list(csv.DictReader(io.StringIO((out / "coffee" / "regions.csv").read_text())))
    assert sum(int(r["area_px"]) for r in rows) == 600 * 400
    assert sum(float(r["area_mm2"]) for r in rows) == pytest.approx(150 * 100)
    manifest = json.loads((out / "coffee" / "manifest.json").read_text())
    assert manifest["regions"]["mm_per_px"] == 0.25


def test_the_page_counts_the_regions_and_gives_their_table(downloads):
    from tests.test_app import _app

    at = _app({"k": "4"})
    at.session_state["regions-open"] = True
    at.run()
    at.number_input(key="regions-min").set_value(50).run()
    at.number_input(key="regions-width").set_value(150.0).run()  # 600 pixels: 0.25 mm each
    assert not at.exception
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    result = kseg.segment(rgb, 4, seed=0)
    table = kseg.measure_regions(result, min_size=50, mm_per_px=0.25)
    assert any(f"{len(table.area):,} regions; 0.25 mm a pixel" in c.value for c in at.caption)
    shown = at.dataframe[0].value
    assert shown["regions"].tolist() == [r["regions"] for r in table.summary(4)]
    assert shown["total mm²"].tolist() == [round(r["total"] / 16, 2) for r in table.summary(4)]
    assert downloads("_regions.csv") == kseg.regions_csv(table, result)


def test_the_regions_picture_outlines_every_border_and_numbers_the_largest():
    labels = np.zeros((120, 160), np.int64)
    labels[20:60, 20:80] = 1  # region 2 (raster order), the second largest
    labels[80:110, 100:150] = 1  # region 3
    result = _result(labels)
    table = kseg.measure_regions(result)
    rgb = np.full((60, 80, 3), 128, np.uint8)  # a half-size preview
    small = labels[::2, ::2]
    picture = kseg.numbered_regions(rgb, small, table, 160, most=2)
    edge = np.zeros(small.shape, bool)
    edge[:, 1:] |= small[:, 1:] != small[:, :-1]
    edge[1:, :] |= small[1:, :] != small[:-1, :]
    white = (picture == 255).all(axis=2)
    assert white[edge].mean() > 0.9  # every border in white, but where a number sits
    dark = (picture < 60).all(axis=2)  # the numbers' strokes
    for i in np.argsort(-table.area)[:2]:
        x, y = (table.inside[i] / 2).astype(int)
        assert dark[max(0, y - 6) : y + 6, max(0, x - 8) : x + 8].any(), i
    x, y = (table.inside[np.argmin(table.area)] / 2).astype(int)
    assert not dark[y - 6 : y + 6, x - 8 : x + 8].any()  # the third is not numbered


def test_a_c_shaped_region_is_numbered_inside_itself_not_at_its_centroid():
    labels = np.zeros((100, 100), np.int64)
    labels[10:90, 10:30] = 1  # a C: its centroid lies in the background it encloses
    labels[10:30, 30:90] = 1
    labels[70:90, 30:90] = 1
    table = kseg.measure_regions(_result(labels))
    c = int(np.flatnonzero(table.colour == 1)[0])
    cx, cy = table.centroid[c].astype(int)
    assert labels[cy, cx] == 0  # the centroid is outside the C
    x, y = table.inside[c].astype(int)
    assert (labels[y - 6 : y + 7, x - 6 : x + 7] == 1).all()  # deep inside an arm
    picture = kseg.numbered_regions(np.full((100, 100, 3), 128, np.uint8), labels, table, 100)
    dark = (picture < 60).all(axis=2)  # the numbers' strokes
    assert dark[y - 5 : y + 5, x - 8 : x + 8].any()


def test_a_line_on_a_ruler_and_its_length_give_the_scale_of_every_area(downloads):
    from tests.test_app import _app

    at = _app({"k": "4"})
    at.session_state["regions-open"] = True
    at.run()
    at.number_input(key="regions-width").set_value(600.0).run()  # 1 mm a pixel, overridden:
    at.toggle(key="ruler-on").set_value(True).run()
    at.number_input(key="ruler-px").set_value(200.0).run()  # a line 200 pixels long
    at.number_input(key="ruler-mm").set_value(50.0).run()  # is 50 mm: 0.25 mm a pixel
    assert not at.exception
    assert any("0.25 mm a pixel: the photo is 150 mm wide." in c.value for c in at.caption)
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    table = kseg.measure_regions(kseg.segment(rgb, 4, seed=0), mm_per_px=0.25)
    shown = at.dataframe[0].value
    assert shown["total mm²"].tolist() == [round(r["total"] / 16, 2) for r in table.summary(4)]
    assert "0.25 mm per pixel" in at.code[-1].value  # the Methods say so


def _flood(labels: np.ndarray, diagonal: bool) -> tuple[np.ndarray, list[int]]:
    """Regions by a plain flood fill, numbered in raster order of their first pixel."""
    h, w = labels.shape
    out, sizes = np.full((h, w), -1), []
    for y in range(h):
        for x in range(w):
            if labels[y, x] < 0 or out[y, x] >= 0:
                continue
            out[y, x], todo, n = len(sizes), [(y, x)], 0
            while todo:
                a, b = todo.pop()
                n += 1
                for dy in (-1, 0, 1):
                    for dx in (-1, 0, 1):
                        yy, xx = a + dy, b + dx
                        near = (dy or dx) and (diagonal or not (dy and dx))
                        inside = near and 0 <= yy < h and 0 <= xx < w
                        if inside and out[yy, xx] < 0 and labels[yy, xx] == labels[y, x]:
                            out[yy, xx] = len(sizes)
                            todo.append((yy, xx))
            sizes.append(n)
    return out, sizes


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 24),
    st.integers(1, 24),
    st.integers(0, 2**32 - 1),
    st.integers(1, 4),
    st.booleans(),
)
def test_regions_are_numbered_in_raster_order_as_a_flood_fill_finds_them(h, w, seed, k, diagonal):
    from kseg.engine.regions import regions

    labels = np.random.default_rng(seed).integers(-1, k, (h, w)).astype(np.int16)
    region, sizes = regions(labels, diagonal)
    want, want_sizes = _flood(labels, diagonal)
    assert np.array_equal(region, want) and sizes.tolist() == want_sizes
