"""Named classes of colours (kseg.read_classes, kseg.class_table), their
regions, and a region of interest (kseg.parse_roi): read in every form,
measured exactly, carried by the palette file to new photos and by the
command into classes.csv and shares.csv."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

import kseg
from kseg.cli import main
from tests.drawing import flat_art
from tests.test_app import downloads as downloads  # the fixture
from tests.test_measuring import _opencv, _result, assert_same_regions

TEXT = "vegetation: 2 5 7\nsky: 8 exclude\nlesions: #8a3324 #6B2A1F\n"


def test_the_text_json_and_csv_forms_read_the_same_classes():
    text = kseg.read_classes(TEXT)
    assert text.names == ("vegetation", "sky", "lesions")
    assert text.classes[0] == kseg.ColourClass("vegetation", (2, 5, 7))
    assert text.classes[1].exclude and not text.classes[0].exclude
    assert text.classes[2].colours == ("#8a3324", "#6b2a1f")
    as_json = kseg.read_classes(
        '{"vegetation": [2, 5, 7], "sky": {"colours": [8], "exclude": true},'
        ' "lesions": ["#8a3324", "#6b2a1f"]}'
    )
    as_csv = kseg.read_classes(
        b'class,colours,exclude\nvegetation,2 5 7,\nsky,8,yes\nlesions,"#8a3324 #6b2a1f",no\n'
    )
    assert text == as_json == as_csv
    # Written back, each form reads the same again.
    assert kseg.read_classes(text.text()) == text
    assert kseg.read_classes(json.dumps(text.to_json())) == text


@pytest.mark.parametrize(
    ("source", "words"),
    [
        ("vegetation 2 5", "line 1: write a class as 'name: colours'"),
        ("a: 2\na: 3", "class names must differ"),
        ("a: two", "'two' is neither a colour number nor a hex code"),
        ("a: 0", "colour numbers are from 1 to 255, got 0"),
        ("a: exclude", "class 'a' has no colour"),
        ('{"a": 2}', "its colours must be a list"),
        ("{not json", "not valid JSON"),
        (b"\xff\xfe", "not text"),
    ],
)
def test_classes_that_cannot_be_read_say_where_and_why(source, words):
    with pytest.raises(kseg.ClassesError, match=words):
        kseg.read_classes(source)


def test_classes_that_do_not_fit_the_palette_are_refused_with_the_reason():
    palette = np.array([[0, 0, 0], [255, 255, 255], [138, 51, 36]], np.uint8)
    assert kseg.read_classes("a: 1 #8a3324").indices(palette) == [(0, 2)]
    for text, words in (
        ("a: 4", "colour 4 is not in this palette \\(its colours are 1 to 3\\)"),
        ("a: #123456", "#123456 is not one of this palette's colours"),
        ("a: 1 2\nb: 2", "colour 2 is in two classes: 'a' and 'b'"),
    ):
        with pytest.raises(kseg.ClassesError, match=words):
            kseg.read_classes(text).indices(palette)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(0, 5000), min_size=6, max_size=6),
    st.lists(st.integers(0, 3), min_size=6, max_size=6),
    st.floats(0.01, 10),
)
def test_class_shares_add_up_and_areas_are_pixels_times_the_scale_squared(counts, group, scale):
    """Each colour goes to class 0-2 or to no class (3); class 1 is excluded."""
    centers = np.arange(18, dtype=np.uint8).reshape(6, 3)
    lines = [
        f"c{g}: " + " ".join(str(i + 1) for i in range(6) if group[i] == g)
        + (" exclude" if g == 1 else "")
        for g in range(3)
        if g in group
    ]  # fmt: skip
    classes = kseg.read_classes("\n".join(lines))
    table = kseg.class_table(np.array(counts), classes, centers=centers, mm_per_px=scale)
    total = sum(counts)
    assert int(table.pixels.sum()) == total  # every pixel in exactly one row
    for name, colours, pixels in zip(table.names, table.colours, table.pixels, strict=True):
        assert pixels == sum(counts[i] for i in colours)
        if name == kseg.engine.classes.NO_CLASS:
            assert set(colours) == {i for i in range(6) if group[i] == 3}
    if total:
        assert table.photo_percent.sum() == pytest.approx(100)
    included = [p for p, x in zip(table.included_percent, table.excluded, strict=True) if not x]
    if table.included_pixels:
        assert sum(included) == pytest.approx(100)
    assert all(
        np.isnan(p) for p, x in zip(table.included_percent, table.excluded, strict=True) if x
    )
    assert np.array_equal(table.area_mm2, table.pixels * scale**2)


@settings(max_examples=25, deadline=None)
@given(st.integers(0, 10_000), st.sampled_from([4, 8]), st.integers(1, 30))
def test_regions_of_a_class_equal_opencvs_components_of_its_colours_together(
    seed, connectivity, min_size
):
    labels = flat_art(80, 96, seed=seed).astype(np.int64)
    labels = np.unique(labels, return_inverse=True)[1].reshape(labels.shape)
    result = _result(labels)
    k = result.k
    if k < 3:
        return
    classes = kseg.read_classes(f"a: 1 2\nb: {' '.join(str(i) for i in range(3, k + 1))}")
    table = kseg.measure_regions(
        result, connectivity=connectivity, min_size=min_size, classes=classes
    )
    assert table.classes == ("a", "b")
    grouped = np.where(labels < 2, 0, 1)  # the class of each pixel
    assert_same_regions(table, _opencv(grouped, connectivity, min_size))


def test_a_region_of_interest_measures_as_the_photo_cropped_to_it():
    rgb = kseg.load_image(kseg.sample_path("chelsea")).rgb
    roi = kseg.parse_roi("40,30,200,150")
    assert roi.box(rgb.shape) == (40, 30, 240, 180) and not roi.relative
    inside = kseg.segment(rgb, 5, seed=3, mask=roi.mask(rgb.shape))
    crop = kseg.segment(np.ascontiguousarray(rgb[30:180, 40:240]), 5, seed=3)
    assert np.array_equal(inside.counts, crop.counts)
    assert np.array_equal(inside.centers, crop.centers)
    assert np.array_equal(inside.labels[30:180, 40:240], crop.labels)
    assert (inside.labels[:30] == -1).all() and (inside.labels[:, 240:] == -1).all()
    # In fractions, the same rectangle on this 451 x 300 photo (rounded to pixels).
    half = kseg.parse_roi("0.25,0.25,0.5,0.5")
    assert half.relative and half.box(rgb.shape) == (113, 75, 338, 225)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("1,2,3", "four numbers X,Y,W,H"),
        ("10,10,0,5", "a width and a height above 0"),
        ("0.5,0.5,0.6,0.2", "within the photo"),
        ("a,b,c,d", "four numbers"),
    ],
)
def test_a_region_of_interest_that_cannot_be_read_says_why(text, words):
    with pytest.raises(kseg.RoiError, match=words):
        kseg.parse_roi(text)


def test_a_rectangle_outside_the_photo_holds_no_pixel():
    with pytest.raises(kseg.RoiError, match="holds no pixel of this 451 x 300 photo"):
        kseg.parse_roi("500,10,20,20").box((300, 451, 3))


def _photos(tmp_path, names=("coffee", "chelsea")):
    for name in names:
        Image.open(kseg.sample_path(name)).convert("RGB").save(tmp_path / f"{name}.png")
    return [str(tmp_path / f"{n}.png") for n in names]


def test_the_palette_files_classes_measure_new_photos_the_same_way(tmp_path):
    photos = _photos(tmp_path)
    (tmp_path / "classes.txt").write_text("dark: 1 2\nlight: 4 exclude\n")
    argv = [*photos, "-k", "5", "--shared-palette", "--classes", str(tmp_path / "classes.txt")]
    assert main([*argv, "--regions", "--width-mm", "100", "-q", "--out", str(tmp_path / "a")]) == 0
    palette = kseg.load_palette(tmp_path / "a" / "palette.json")
    assert palette.classes == kseg.read_classes("dark: 1 2\nlight: 4 exclude")
    shares = list(csv.DictReader(io.StringIO((tmp_path / "a" / "shares.csv").read_text())))
    header = list(shares[0])
    for column in ("class_percent_dark", "class_of_included_percent_dark", "regions_light"):
        assert column in header
    assert "class_of_included_percent_light" not in header  # excluded
    assert "area_mm2_dark" in header and "class_percent_no_class" in header
    # A new photo, the palette file only: its classes are applied again.
    new = _photos(tmp_path, ("astronaut",))
    out = tmp_path / "b"
    assert (
        main([*new, "--palette", str(tmp_path / "a" / "palette.json"), "-q", "--out", str(out)])
        == 0
    )
    rows = list(csv.DictReader(io.StringIO((out / "astronaut" / "classes.csv").read_text())))
    rgb = kseg.load_image(new[0]).rgb
    result = kseg.apply_palette(rgb, palette.centers, label_centers=palette.label_centers)
    want = kseg.class_table(result, palette.classes)
    assert [r["class"] for r in rows] == list(want.names)
    assert [int(r["pixels"]) for r in rows] == want.pixels.tolist()
    manifest = json.loads((out / "astronaut" / "manifest.json").read_text())
    assert manifest["classes"] == palette.classes.to_json()
    first = json.loads((tmp_path / "a" / "coffee" / "manifest.json").read_text())
    assert first["mm_per_px"] == 100 / 600  # the scale: 100 mm over coffee's 600 pixels


def test_classes_that_do_not_fit_a_photo_skip_it_with_the_reason(tmp_path, capsys):
    photos = _photos(tmp_path, ("coffee",))
    (tmp_path / "c.txt").write_text("a: 9\n")
    out = str(tmp_path / "o")
    assert main([*photos, "-k", "4", "--classes", str(tmp_path / "c.txt"), "-q", "--out", out]) == 1
    assert "skipped: class 'a': colour 9 is not in this palette" in capsys.readouterr().err


def test_the_command_refuses_unreadable_classes_or_region_before_any_photo(tmp_path, capsys):
    (tmp_path / "c.txt").write_text("vegetation 2 5\n")
    photo = str(kseg.sample_path("coffee"))
    for argv, words in (
        (["--classes", str(tmp_path / "c.txt")], "line 1: write a class as"),
        (["--roi", "1,2,3"], "four numbers X,Y,W,H"),
    ):
        with pytest.raises(SystemExit) as stop:
            main([photo, *argv])
        assert stop.value.code == 2 and words in capsys.readouterr().err


def test_a_region_of_interest_outside_a_photo_skips_it_and_the_rest_are_measured(tmp_path, capsys):
    photos = _photos(tmp_path)  # coffee 600 x 400, chelsea 451 x 300
    out = tmp_path / "o"
    assert main([*photos, "-k", "3", "--roi", "460,10,100,100", "-q", "--out", str(out)]) == 1
    err = capsys.readouterr().err
    assert "chelsea.png: skipped: the region of interest 460,10,100,100 holds no pixel" in err
    labels = np.asarray(Image.open(out / "coffee" / "labels.png"))
    assert (labels[10:110, 460:560] != 255).all() and (labels[:10] == 255).all()


def test_the_page_measures_named_classes_carries_them_in_the_link_and_says_its_methods(
    downloads,
):
    from tests.test_app import _app

    at = _app({"k": "4"})
    at.session_state["regions-open"] = True
    at.run()
    at.text_area(key="classes_text").set_value("dark: 2 4\nlight:1 exclude").run()
    at.number_input(key="regions-width").set_value(150.0).run()  # 600 pixels: 0.25 mm each
    assert not at.exception
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    result = kseg.segment(rgb, 4, seed=0)
    classes = kseg.read_classes("dark: 2 4\nlight: 1 exclude")
    want = kseg.class_table(result, classes, mm_per_px=0.25)
    shown = at.dataframe[0].value
    assert shown["class"].tolist() == ["dark", "light", "(no class)"]
    assert shown["pixels"].tolist() == want.pixels.tolist()
    assert shown["left out"].tolist() == [False, True, False]
    included = shown["% of included"].tolist()
    assert np.isnan(included[1]) and included[0] == round(float(want.included_percent[0]), 4)
    assert shown["mm²"].tolist() == [round(float(a), 4) for a in want.area_mm2]
    regions = kseg.measure_regions(result, mm_per_px=0.25, classes=classes)
    assert downloads("_classes.csv") == kseg.classes_csv(want, regions)
    assert downloads("_regions.csv") == kseg.regions_csv(regions, result)
    captions = [im.proto.imgs[0].caption for im in at.get("image") if im.proto.imgs]
    assert (
        f"Regions outlined; the {min(150, len(regions.area))} largest numbered as in the CSV"
        in captions
    )
    per_class = at.dataframe[1].value
    assert per_class["class"].tolist() == ["dark", "light", "(no class)"]
    assert per_class["regions"].sum() == len(regions.area)
    methods = at.code[-1].value
    assert (
        "The colours were grouped into classes: dark (colours 2, 4); light (colour 1, " in methods
    )
    assert "Areas were converted at 0.25 mm per pixel" in methods
    # The ZIP of everything measures them too, and its palette file carries them.
    zipped = zipfile.ZipFile(io.BytesIO(downloads("_kseg.zip")))
    assert zipped.read("coffee/classes.csv") == kseg.classes_csv(want)
    assert kseg.load_palette(zipped.read("coffee/palette.json")).classes == classes
    # The link carries the classes, in their own form; opened, it measures them again.
    assert at.query_params["classes"] in (
        "dark: 2 4\nlight: 1 exclude",
        ["dark: 2 4\nlight: 1 exclude"],
    )
    again = _app({"k": "4", "classes": "dark: 2 4\nlight: 1 exclude"})
    assert again.session_state["classes_text"] == "dark: 2 4\nlight: 1 exclude"


def test_classes_the_palette_cannot_take_are_said_in_words_and_the_regions_still_show():
    from tests.test_app import _app

    at = _app({"k": "4"})
    at.session_state["regions-open"] = True
    at.run()
    at.text_area(key="classes_text").set_value("dark: 2 9").run()
    assert not at.exception
    assert [e.value for e in at.error] == [
        "These classes cannot be used: class 'dark': colour 9 is not in this palette "
        "(its colours are 1 to 4)."
    ]
    assert at.dataframe[0].value.columns[0] == "colour"  # the regions, per colour
    # The link keeps what was typed: with k = 9 or more, the same link measures them.
    assert at.query_params["classes"] in ("dark: 2 9", ["dark: 2 9"])
