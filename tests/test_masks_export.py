from __future__ import annotations

import csv
import hashlib
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
from tests.conftest import quadrants


@pytest.fixture(scope="module")
def quad():
    img = quadrants(40)
    return img, kseg.segment(img, 4, seed=0)


def _decode(data: bytes) -> np.ndarray:
    im = Image.open(io.BytesIO(data))
    if im.mode == "P":  # an indexed PNG, as any viewer shows it
        return np.asarray(im.convert("RGBA" if "transparency" in im.info else "RGB"))
    return np.asarray(im.convert("L") if im.mode == "1" else im)


@settings(max_examples=60, deadline=None)
@given(
    st.integers(1, 30),
    st.integers(1, 30),
    st.integers(1, 32),
    st.integers(0, 255),
    st.integers(0, 2**31),
)
def test_an_indexed_png_of_labels_decodes_to_the_painted_labels(h, w, k, grey, seed):
    rng = np.random.default_rng(seed)
    labels = rng.integers(-1, k, (h, w)).astype(np.int16)
    centers = rng.integers(0, 256, (k, 3)).astype(np.uint8)
    data = kseg.labels_png(labels, centers, background=grey)
    assert Image.open(io.BytesIO(data)).mode == "P"
    assert np.array_equal(_decode(data), kseg.paint_labels(labels, centers, grey))
    see_through = _decode(kseg.labels_png(labels, centers, background=None))
    assert np.array_equal(see_through[..., :3], kseg.paint_labels(labels, centers, 255))
    assert np.array_equal(see_through[..., 3] == 0, labels < 0)
    assert (see_through[..., 3][labels >= 0] == 255).all()


def test_an_indexed_png_refuses_more_colours_than_it_can_index():
    with pytest.raises(ValueError, match="at most 255 colours"):
        kseg.labels_png(np.zeros((2, 2), np.int16), np.zeros((256, 3), np.uint8))


def test_the_segmented_download_is_see_through_only_where_pixels_were_left_out(coffee_rgb):
    opaque = kseg.segment(coffee_rgb, 4, seed=0)
    picture = _decode(kseg.segmented_png(opaque))
    assert picture.shape == (*coffee_rgb.shape[:2], 3)  # nothing left out: no alpha
    assert np.array_equal(picture, kseg.segmented_image(opaque))
    mask = np.ones(coffee_rgb.shape[:2], bool)
    mask[:50, :70] = False
    holed = kseg.segment(coffee_rgb, 4, seed=0, mask=mask)
    picture = _decode(kseg.segmented_png(holed))
    assert np.array_equal(picture[..., 3] == 0, ~mask)
    assert np.array_equal(picture[mask][:, :3], kseg.segmented_image(holed)[mask])
    with pytest.raises(TypeError, match=r"kseg\.Segmentation"):
        kseg.segmented_png(holed.labels)


def test_mask_image_is_full_size_black_and_white_and_matches_labels(quad):
    img, r = quad
    for i in range(r.k):
        m = kseg.mask_image(r, i)
        assert m.shape == img.shape[:2]
        assert set(np.unique(m).tolist()) <= {0, 255}
        assert np.array_equal(m == 255, r.labels == i)
        png = _decode(kseg.encode_png(m))
        assert np.array_equal(png, m)


def test_cutout_keeps_original_pixels_inside_and_is_transparent_outside(quad):
    img, r = quad
    c = kseg.cutout(img, r, 1)
    assert c.shape == (*img.shape[:2], 4)
    inside = r.labels == 1
    assert np.array_equal(c[..., :3][inside], img[inside])
    assert (c[..., 3][inside] == 255).all() and (c[..., 3][~inside] == 0).all()
    # Nothing of the rest of the photo hides under the transparent pixels.
    assert (c[~inside] == 0).all()
    rgba = _decode(kseg.encode_png(c))
    assert np.array_equal(rgba, c)


def test_cutout_of_several_clusters_and_source_alpha(quad):
    img, r = quad
    alpha = np.full(img.shape[:2], 128, np.uint8)
    c = kseg.cutout(img, r, [0, 2], alpha=alpha)
    inside = (r.labels == 0) | (r.labels == 2)
    assert (c[..., 3][inside] == 128).all() and (c[..., 3][~inside] == 0).all()


def test_bad_cluster_indices_raise(quad):
    img, r = quad
    with pytest.raises(
        ValueError, match="cluster index 4 is out of range: valid indices are 0 to 3"
    ):
        kseg.mask_image(r, 4)
    with pytest.raises(ValueError, match="rgb has shape"):
        kseg.cutout(img[:10], r, 0)


def test_segmented_image_paints_centres_and_label_map_marks_left_out(quad):
    img, r = quad
    seg = kseg.segmented_image(r)
    assert np.array_equal(seg, r.centers[r.labels])
    mask = np.ones(img.shape[:2], bool)
    mask[0, 0] = False
    rm = kseg.segment(img, 4, mask=mask)
    lm = kseg.label_map(rm)
    assert lm[0, 0] == 255 and lm.max() == 255 and np.array_equal(lm[1:], rm.labels[1:])
    assert (kseg.segmented_image(rm)[0, 0] == 255).all()


def test_palette_formats_agree(quad):
    _, r = quad
    rows = kseg.palette_rows(r)
    assert [row["index"] for row in rows] == [1, 2, 3, 4]
    assert sum(row["pixels"] for row in rows) == 1600
    doc = json.loads(kseg.palette_json(r))
    assert doc["color_space"] == "rgb" and doc["palette"] == kseg.palette_file_rows(r)
    assert [row["hex"] for row in doc["palette"]] == [row["hex"] for row in rows]
    # Shares in percent in every file, as the series' CSV has them.
    assert [row["share_percent"] for row in doc["palette"]] == [
        round(100 * row["share"], 4) for row in rows
    ]
    parsed = list(csv.DictReader(io.StringIO(kseg.palette_csv(r).decode())))
    assert [p["hex"] for p in parsed] == [row["hex"] for row in rows]
    assert [float(p["share_percent"]) for p in parsed] == [100 * row["share"] for row in rows]
    gpl = kseg.palette_gpl(r, "../evil/name.png").decode().splitlines()
    assert gpl[0] == "GIMP Palette" and gpl[1] == "Name: name"
    assert gpl[4] == "# kseg color_space rgb"
    first = gpl[5].split()
    assert [int(v) for v in first[:3]] == [rows[0]["r"], rows[0]["g"], rows[0]["b"]]
    assert first[-1] == f"{100 * rows[0]['share']:.2f}%"


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("../../etc/passwd.png", "passwd"),
        ("C:\\Users\\me\\photo 1.JPG", "photo_1"),
        ("..", "image"),
        ("", "image"),
        (".hidden", "hidden"),
        ("a/b/c.tar.gz", "c.tar"),
    ],
)
def test_safe_stem_drops_path_parts(name, stem):
    assert kseg.safe_stem(name) == stem


def test_zip_holds_every_file_with_a_manifest(quad):
    img, r = quad
    data = kseg.export_zip(img, r, source_name="../x/My Photo.png")
    zf = zipfile.ZipFile(io.BytesIO(data))
    names = set(zf.namelist())
    assert all(n.startswith("My_Photo/") for n in names)
    expected = {
        "segmented.png",
        "labels.png",
        "palette.json",
        "palette.csv",
        "palette.gpl",
        "palette.ase",
        "palette.css",
        "palette.png",
        "methods.txt",
        "manifest.json",
    }
    rows = kseg.palette_rows(r)
    slug = [row["name"].replace(" ", "-") for row in rows]  # type: ignore[union-attr]
    stems = [f"cluster_{i + 1:02d}_{slug[i]}_{rows[i]['hex'][1:]}" for i in range(4)]
    expected |= {f"masks/{s}.png" for s in stems} | {f"cutouts/{s}.png" for s in stems}
    assert names == {f"My_Photo/{n}" for n in expected}
    methods = zf.read("My_Photo/methods.txt").decode()
    assert methods.startswith("My Photo.png (40 × 40 pixels) was segmented into 4 colours")
    assert f"Made with kseg {kseg.__version__} " in methods
    manifest = json.loads(zf.read("My_Photo/manifest.json"))
    assert manifest["source"] == {
        "name": "My_Photo",
        "width": 40,
        "height": 40,
        "sha256": None,  # the caller did not say; the pixels' own checksum is there
        "pixels_sha256": hashlib.sha256(img.tobytes()).hexdigest(),
    }
    assert manifest["settings"]["k"] == 4 and manifest["clusters_found"] == 4
    masks = [_decode(zf.read(f"My_Photo/masks/{s}.png")) for s in stems]
    assert (np.sum([m == 255 for m in masks], axis=0) == 1).all()


def test_cli_writes_folders_and_reports_failures(tmp_path, capsys):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    good = kseg.sample_path("chelsea")
    rc = main(
        [str(good), str(bad), str(good), "-k", "3", "--attempts", "2", "--out", str(tmp_path / "o")]
    )
    out, err = capsys.readouterr()
    assert rc == 1 and out == ""  # progress and problems on stderr
    assert "[1/3]" in err and "[3/3]" in err and "3 clusters" in err
    assert "notes.png: skipped: This file is not an image" in err
    assert "1 of 3 image(s) failed" in err
    for folder in ("chelsea", "chelsea_2"):
        d = tmp_path / "o" / folder
        assert len(list((d / "masks").glob("*.png"))) == 3
        m = _decode((next((d / "masks").glob("cluster_01_*.png"))).read_bytes())
        assert m.shape == (300, 451)


def test_cli_succeeds_with_zero_exit_and_rejects_bad_options(tmp_path, capsys):
    assert main([str(kseg.sample_path("coffee")), "-k", "2", "--out", str(tmp_path)]) == 0
    assert "[1/1]" in capsys.readouterr().err
    assert main([str(kseg.sample_path("coffee")), "-k", "2", "-q", "--out", str(tmp_path)]) == 0
    assert capsys.readouterr() == ("", "")  # --quiet: nothing when all went well
    with pytest.raises(SystemExit) as info:
        main(["x.png", "--scale", "2"])
    assert info.value.code == 2
    assert "must be more than 0 and at most 1" in capsys.readouterr().err


def test_cli_help_explains_every_option(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    for opt in (
        "-k",
        "--attempts",
        "--scale",
        "--init",
        "--color-space",
        "--max-iter",
        "--seed",
        "--out",
    ):
        assert opt in out


def test_mask_png_is_one_bit_and_decodes_exactly_to_the_cluster(quad):
    img, r = quad
    for i in range(r.k):
        data = kseg.mask_png(r, i)
        im = Image.open(io.BytesIO(data))
        assert im.mode == "1" and im.size == (img.shape[1], img.shape[0])
        assert np.array_equal(np.asarray(im), r.labels == i)
        assert len(data) < len(kseg.encode_png(kseg.mask_image(r, i)))


def test_bilevel_is_only_for_grey_images(quad):
    img, _ = quad
    with pytest.raises(ValueError, match="bilevel PNGs are grey"):
        kseg.encode_png(img, bilevel=True)


def test_zip_files_decode_to_exactly_the_results_pictures(coffee_rgb):
    alpha = np.full(coffee_rgb.shape[:2], 255, np.uint8)
    alpha[:50] = 0  # a transparent band, left out of the clusters
    alpha[50:60] = 90
    image = kseg.LoadedImage(rgb=coffee_rgb, alpha=alpha, format="PNG")
    r = kseg.segment(coffee_rgb, 6, seed=0, mask=kseg.opaque_mask(image))
    calls = []
    data = kseg.export_zip(
        coffee_rgb,
        r,
        alpha=alpha,
        source_name="c.png",
        hidden=[1],
        progress=lambda done, total, path: calls.append((done, total, path)),
    )
    zf = zipfile.ZipFile(io.BytesIO(data))
    seg = _decode(zf.read("c/segmented.png"))
    assert np.array_equal(seg[..., :3], kseg.segmented_image(r))
    assert np.array_equal(seg[..., 3] == 0, r.labels < 0)
    assert np.array_equal(_decode(zf.read("c/labels.png")), kseg.label_map(r))
    for i in range(r.k):
        stem = kseg.cluster_file_stem(r, i)
        if i == 1:
            assert f"c/masks/{stem}.png" not in zf.namelist()
            continue
        assert np.array_equal(_decode(zf.read(f"c/masks/{stem}.png")), kseg.mask_image(r, i))
        cut = _decode(zf.read(f"c/cutouts/{stem}.png"))
        assert np.array_equal(cut, kseg.cutout(coffee_rgb, r, i, alpha))
    fg = _decode(zf.read("c/cutouts/foreground.png"))
    assert np.array_equal(fg, kseg.cutout(coffee_rgb, r, [0, 2, 3, 4, 5], alpha))
    # Progress: once per file, in the ZIP's order, ending with the manifest.
    names = [n.removeprefix("c/") for n in zf.namelist()]
    # palette etc., 5 shown clusters, foreground, methods, manifest
    assert len(names) == 8 + 2 * 5 + 1 + 1 + 1
    assert [c[2] for c in calls] == names and [c[0] for c in calls] == list(range(1, 22))
    assert {c[1] for c in calls} == {len(names)} and names[-1] == "manifest.json"


def test_zip_is_the_same_on_one_thread_or_several(quad, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1700000000")  # one date for both, to the byte
    img, r = quad
    one = kseg.export_zip(img, r, threads=1)
    assert kseg.export_zip(img, r, threads=3) == one
    # Every entry is dated SOURCE_DATE_EPOCH (2023-11-14 22:13:20 UTC), not the clock.
    dates = {i.date_time for i in zipfile.ZipFile(io.BytesIO(one)).infolist()}
    assert dates == {(2023, 11, 14, 22, 13, 20)}


def test_fast_png_decodes_to_the_same_pixels(coffee_rgb):
    r = kseg.segment(coffee_rgb, 5, seed=0)
    for picture in (kseg.cutout(coffee_rgb, r, 1), kseg.segmented_image(r), kseg.label_map(r)):
        assert np.array_equal(_decode(kseg.encode_png(picture, fast=True)), picture)


def test_svg_files_join_the_zip_and_the_command_only_when_asked(coffee_rgb, tmp_path):
    result = kseg.segment(coffee_rgb, 4, seed=0)
    plain = dict(kseg.export_files(coffee_rgb, result))
    assert not [p for p in plain if p.endswith(".svg")]
    with_svg = dict(kseg.export_files(coffee_rgb, result, hidden=[3], svg=True))
    shapes = sorted(p for p in with_svg if p.startswith("svg/"))
    assert shapes == sorted(f"svg/{kseg.cluster_file_stem(result, i)}.svg" for i in range(3))
    assert with_svg[shapes[0]].decode() == kseg.mask_svg(result, 0)
    assert with_svg["layers.svg"].decode() == kseg.layers_svg(result, hidden=[3])
    assert json.loads(with_svg["manifest.json"])["svg"] is True
    photo = tmp_path / "coffee.png"
    Image.fromarray(coffee_rgb).save(photo)
    assert main([str(photo), "-k", "4", "--svg", "-q", "--out", str(tmp_path / "out")]) == 0
    written = sorted(p.name for p in (tmp_path / "out" / "coffee" / "svg").iterdir())
    assert len(written) == 4 and (tmp_path / "out" / "coffee" / "layers.svg").exists()
