"""Palette files reproduce their numbers: a palette file (JSON, CSV, .gpl,
manifest) written by a run and applied to the same photos gives that run's
labels, shares and objective exactly, in RGB and in CIELAB."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import kseg
from tests.conftest import quadrants

WRITERS = {
    "json": kseg.palette_json,
    "csv": kseg.palette_csv,
    "gpl": kseg.palette_gpl,
}


def applied(data: bytes, rgb: np.ndarray) -> kseg.Segmentation:
    """What a user gets from "Use a palette file" (or ``kseg --palette``)."""
    p = kseg.load_palette(data)
    return kseg.apply_palette(
        rgb, p.centers, color_space=p.color_space or "rgb", label_centers=p.label_centers
    )


def assert_same(again: kseg.Segmentation, result: kseg.Segmentation) -> None:
    assert np.array_equal(again.labels, result.labels)
    assert np.array_equal(again.counts, result.counts)
    assert np.array_equal(again.shares, result.shares)
    assert again.mse == result.mse


images = st.tuples(st.integers(4, 24), st.integers(4, 24), st.integers(0, 2**32 - 1)).map(
    lambda t: np.random.default_rng(t[2]).integers(0, 256, (t[0], t[1], 3), dtype=np.uint8)
)


@settings(max_examples=40, deadline=None)
@given(
    images,
    st.integers(1, 8),
    st.sampled_from(["rgb", "lab"]),
    st.sampled_from([1.0, 0.5]),
    st.sampled_from(sorted(WRITERS)),
)
def test_a_palette_file_applied_to_its_photo_gives_the_runs_numbers(rgb, k, space, scale, fmt):
    result = kseg.segment(rgb, k, seed=0, color_space=space, scale=scale, attempts=2)
    assert_same(applied(WRITERS[fmt](result), rgb), result)


@pytest.mark.parametrize("space", ["rgb", "lab"])
def test_a_photos_palette_files_and_manifest_reproduce_it(coffee_rgb, space):
    result = kseg.segment(coffee_rgb, 6, seed=0, color_space=space)
    for write in WRITERS.values():
        assert_same(applied(write(result), coffee_rgb), result)
    files = zipfile.ZipFile(io.BytesIO(kseg.export_zip(coffee_rgb, result, source_name="c.jpg")))
    manifest = files.read("c/manifest.json")
    assert kseg.load_palette(manifest).color_space == space
    assert_same(applied(manifest, coffee_rgb), result)
    assert_same(applied(files.read("c/palette.json"), coffee_rgb), result)


@pytest.mark.parametrize("space", ["rgb", "lab"])
def test_a_series_palette_file_applied_to_its_photos_gives_their_numbers(space):
    photos = [quadrants(40, noise=30, seed=s) for s in range(3)]
    shared = kseg.fit_shared_palette(photos, 4, seed=0, color_space=space)
    for write in WRITERS.values():
        data = write(shared)
        for rgb in photos:
            want = kseg.apply_palette(rgb, shared.centers_float, color_space=space)
            assert_same(applied(data, rgb), want)


def test_the_file_says_its_colour_space_and_applying_it_in_another_gives_other_numbers():
    # Why the file must carry it: a series fitted in CIELAB and applied in
    # RGB labels pixels differently.
    rgb = kseg.load_image(kseg.sample_path("chelsea")).rgb
    result = kseg.segment(rgb, 8, seed=0, color_space="lab")
    p = kseg.load_palette(kseg.palette_csv(result))
    assert p.color_space == "lab"
    in_rgb = kseg.apply_palette(rgb, p.centers, color_space="rgb")
    assert not np.array_equal(in_rgb.labels, result.labels)


def test_a_plain_list_of_colours_still_reads_as_colours_without_a_space():
    p = kseg.load_palette(b"#ff0000\n#00ff00\n")
    assert p.color_space is None and p.label_centers is None
    assert p.centers.tolist() == [[255.0, 0.0, 0.0], [0.0, 255.0, 0.0]]
    old = json.dumps([{"hex": "#102030", "share": 0.5}, {"r": 1, "g": 2, "b": 3}]).encode()
    assert kseg.load_palette(old).colors.tolist() == [[16, 32, 48], [1, 2, 3]]


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b'{"palette": [{"hex": "#000000", "center": [1, 2]}]}', "three numbers"),
        (b'{"palette": [{"hex": "#000000", "center": [1, 2, 300]}]}', "out of range"),
        (b'{"color_space": "hsv", "palette": ["#000000"]}', "rgb or lab"),
    ],
)
def test_bad_recorded_centres_are_refused_in_words(data, words):
    with pytest.raises(kseg.PaletteError, match=words):
        kseg.load_palette(data)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, (3, 3), elements=st.floats(0, 255)))
def test_exact_centres_survive_every_file_format(centres):
    # Full precision: the shortest repr of each float reads back as itself.
    rgb = np.zeros((2, 2, 3), np.uint8)
    result = kseg.apply_palette(rgb, centres)
    for write in WRITERS.values():
        assert np.array_equal(kseg.load_palette(write(result)).centers, centres)


def test_the_manifest_says_when_and_with_what_it_was_made_and_which_photo(tmp_path):
    import datetime
    import hashlib

    path = kseg.sample_path("coffee")
    rgb = kseg.load_image(path).rgb
    result = kseg.segment(rgb, 4, seed=0)
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    data = kseg.export_zip(rgb, result, source_name="coffee.png", source_sha256=digest)
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(data)).read("coffee/manifest.json"))
    created = datetime.datetime.fromisoformat(manifest["created"])
    now = datetime.datetime.now(datetime.UTC)
    assert created.tzinfo is not None and abs((now - created).total_seconds()) < 600
    assert set(manifest["versions"]) == {"kseg", "python", "numpy", "opencv", "pillow", "numba"}
    assert manifest["versions"]["numpy"] == np.__version__
    assert manifest["source"]["sha256"] == digest
    assert manifest["source"]["pixels_sha256"] == hashlib.sha256(rgb.tobytes()).hexdigest()
    # The command line records the file's own checksum.
    from kseg.cli import main

    assert main([str(path), "-k", "3", "--out", str(tmp_path), "-q"]) == 0
    written = json.loads((tmp_path / "coffee" / "manifest.json").read_text())
    assert written["source"]["sha256"] == digest


def test_the_series_columns_carry_each_colours_number_and_name():
    photos = [quadrants(40, noise=4, seed=s) for s in range(2)]
    shared = kseg.fit_shared_palette(photos, 4, seed=0)
    counts = [kseg.apply_palette(p, shared.centers_float).counts for p in photos]
    rows = kseg.shares_rows(["a", "b"], counts, shared.centers)
    names = kseg.color_names(shared.centers)
    shares = [k for k in rows[0] if k.startswith("share_percent_")]
    assert len(shares) == 4
    for i, (column, name) in enumerate(zip(shares, names, strict=True)):
        word = name.replace(" ", "_")
        hexa = "{:02x}{:02x}{:02x}".format(*shared.centers[i].tolist())
        assert column == f"share_percent_{i + 1:02d}_{word}_{hexa}"
