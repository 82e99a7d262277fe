"""Many photos, one palette: apply_palette, segment_many, the series files and CLI."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kseg
from kseg.cli import main
from kseg.files.palette_reading import PaletteError
from tests.conftest import BADIMAGES, quadrants


@pytest.fixture(scope="module")
def samples() -> dict[str, np.ndarray]:
    return {name: kseg.load_image(kseg.sample_path(name)).rgb for name in kseg.SAMPLES}


def _brute_force(rgb: np.ndarray, palette: np.ndarray) -> tuple[np.ndarray, float]:
    """Nearest palette colour of every pixel and the mean squared error, pixel by pixel."""
    px = rgb.reshape(-1, 3).astype(np.float64)
    d = ((px[:, None, :] - palette[None].astype(np.float64)) ** 2).sum(-1)
    labels = d.argmin(1)
    return labels.reshape(rgb.shape[:2]), float(d.min(1).mean())


# --- apply_palette -----------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    pixels=st.lists(st.tuples(*[st.integers(0, 255)] * 3), min_size=12, max_size=60),
    palette=st.lists(st.tuples(*[st.integers(0, 255)] * 3), min_size=1, max_size=6),
)
def test_apply_palette_labels_each_pixel_with_its_nearest_colour_and_exact_objective(
    pixels, palette
):
    rgb = np.array(pixels, dtype=np.uint8).reshape(-1, 1, 3)
    centers = np.array(palette, dtype=np.uint8)
    result = kseg.apply_palette(rgb, centers)
    labels, mse = _brute_force(rgb, centers)
    assert np.array_equal(result.labels, labels)  # lowest index on ties, like argmin
    assert result.mse == pytest.approx(mse, rel=1e-12, abs=1e-12)
    assert np.array_equal(result.centers, centers)  # cluster i is centers[i], in order
    assert result.counts.sum() == rgb.shape[0]
    assert np.array_equal(result.counts, np.bincount(labels.ravel(), minlength=len(centers)))


def test_apply_palette_keeps_an_unused_colour_in_place_with_count_zero():
    img = quadrants(40)
    palette = np.array(
        [[230, 230, 40], [255, 0, 255], [200, 30, 30], [30, 200, 30], [30, 30, 200]], np.uint8
    )
    result = kseg.apply_palette(img, palette)
    assert result.k == 5 and np.array_equal(result.centers, palette)
    assert result.counts.tolist() == [400, 0, 400, 400, 400] and result.shares[1] == 0.0
    assert (result.labels[:20, :20] == 2).all() and (result.labels[20:, 20:] == 0).all()
    assert "1 of the palette's 5 colours is nearest to no pixel" in result.notice


def test_applying_a_results_own_centres_gives_back_its_labels(samples):
    for name, rgb in samples.items():
        for k in (2, 5, 9):
            own = kseg.segment(rgb, k, seed=1)
            assert own.converged, name
            again = kseg.apply_palette(rgb, own.centers_float)
            assert np.array_equal(again.labels, own.labels), (name, k)
            assert again.mse == pytest.approx(own.mse, rel=1e-9)


def test_apply_palette_in_lab_measures_nearness_in_lab_and_respects_the_mask():
    img = quadrants(30)
    mask = np.zeros(img.shape[:2], dtype=bool)
    mask[:, :20] = True
    palette = np.array([[200, 30, 30], [30, 30, 200], [30, 200, 30]], dtype=np.uint8)
    result = kseg.apply_palette(img, palette, color_space="lab", mask=mask)
    assert (result.labels[~mask] == -1).all() and (result.labels[mask] >= 0).all()
    assert result.counts.sum() == mask.sum()
    assert (result.labels[:15, :15] == 0).all() and (result.labels[15:, :15] == 1).all()
    assert result.settings["color_space"] == "lab"
    assert result.settings["palette"] == ["#c81e1e", "#1e1ec8", "#1ec81e"]


@pytest.mark.parametrize(
    ("centers", "error", "words"),
    [
        ([[1, 2, 3]], TypeError, "numpy array"),
        (np.zeros((2, 4), np.uint8), ValueError, "shape (p, 3)"),
        (np.zeros((0, 3), np.uint8), ValueError, "p from 1 to 255"),
        (np.zeros((256, 3), np.uint8), ValueError, "p from 1 to 255"),
        (np.array([[0, 0, 300.0]]), ValueError, "from 0 to 255"),
        (np.array([[0, 0, np.nan]]), ValueError, "from 0 to 255"),
        (np.array([["a", "b", "c"]]), TypeError, "dtype"),
    ],
)
def test_apply_palette_rejects_bad_palettes_naming_the_problem(centers, error, words):
    with pytest.raises(error, match="centers") as info:
        kseg.apply_palette(quadrants(8), centers)
    assert words in str(info.value)


# --- segment_many ------------------------------------------------------------


def test_segment_many_gives_every_photo_the_same_numbered_palette(samples):
    photos = list(samples.values())
    results = kseg.segment_many(photos, 4, seed=0)
    assert len(results) == len(photos)
    for rgb, r in zip(photos, results, strict=True):
        assert np.array_equal(r.centers, results[0].centers)
        assert r.counts.sum() == rgb.shape[0] * rgb.shape[1]  # counts add up per photo
        assert r.shares.sum() == pytest.approx(1.0)
        again = kseg.apply_palette(rgb, r.centers_float)
        assert np.array_equal(again.labels, r.labels)
        assert r.settings["shared_palette"] is True and r.settings["photos"] == len(photos)
    # Numbered by share over all the photos, largest first.
    totals = np.sum([r.counts for r in results], axis=0)
    assert (np.diff(totals) <= 0).all()
    # The shared palette's centres are the means of their pixels over all photos.
    pal = kseg.fit_shared_palette(photos, 4, seed=0)
    assert np.array_equal(pal.counts, totals)
    assert pal.pixels == sum(p.shape[0] * p.shape[1] for p in photos)
    whole = np.concatenate([p.reshape(-1, 3) for p in photos])
    labels = np.concatenate([r.labels.ravel() for r in results])
    for j in range(pal.k):
        assert np.allclose(pal.centers_float[j], whole[labels == j].mean(0), atol=1e-9)
    overall = sum(r.mse * r.counts.sum() for r in results) / pal.pixels
    assert overall == pytest.approx(pal.mse, rel=1e-9)
    assert pal.n_colors == np.unique(whole.view("V3")).size


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    k=st.integers(2, 8),
    seed=st.integers(0, 2**16),
    crop=st.tuples(st.integers(0, 100), st.integers(0, 100)),
)
def test_shared_fit_is_never_worse_than_any_one_photos_own_palette_on_all(samples, k, seed, crop):
    y, x = crop
    photos = [rgb[y : y + 200, x : x + 200] for rgb in samples.values()]
    pixels = sum(p.shape[0] * p.shape[1] for p in photos)
    shared = kseg.segment_many(photos, k, seed=seed)
    shared_total = sum(r.mse * r.counts.sum() for r in shared)
    for photo in photos:
        own = kseg.segment(photo, k, seed=seed)
        theirs = sum(
            kseg.apply_palette(p, own.centers_float).mse * p.shape[0] * p.shape[1] for p in photos
        )
        assert shared_total <= theirs * (1 + 1e-9), (shared_total / pixels, theirs / pixels)


def test_segment_many_reads_files_one_at_a_time_with_masks_and_progress(tmp_path):
    paths = [kseg.sample_path("coffee"), kseg.sample_path("chelsea").read_bytes()]
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    mask = np.zeros(rgb.shape[:2], dtype=bool)
    mask[:100] = True
    seen = []
    results = kseg.segment_many(
        paths, 3, masks=[mask, None], seed=0, progress=lambda *a: seen.append(a)
    )
    assert seen == [(stage, i, 2) for stage in ("counting", "labelling") for i in (1, 2)]
    assert results[0].counts.sum() == mask.sum() and (results[0].labels[100:] == -1).all()
    assert results[1].counts.sum() == 300 * 451
    again = kseg.segment_many([rgb, kseg.sample_path("chelsea")], 3, masks=[mask, None], seed=0)
    assert np.array_equal(again[0].labels, results[0].labels)  # paths, bytes, arrays alike


def test_a_bad_photo_raises_or_is_reported_and_left_out(tmp_path):
    bad = BADIMAGES / "hostile" / "broken.png"
    good = kseg.sample_path("coffee")
    with pytest.raises(kseg.ImageError):
        kseg.segment_many([good, bad], 3)
    errors = []
    pal = kseg.fit_shared_palette([good, bad], 3, on_error=lambda i, e: errors.append((i, e)))
    assert [i for i, _ in errors] == [1] and isinstance(errors[0][1], kseg.ImageError)
    assert pal.photos == 1 and pal.pixels == 400 * 600
    with pytest.raises(kseg.ImageError, match="None of the photos"):
        kseg.fit_shared_palette([bad], 3, on_error=lambda i, e: None)
    with pytest.raises(ValueError, match="at least one photo"):
        kseg.segment_many([], 3)
    with pytest.raises(ValueError, match="one entry per photo"):
        kseg.segment_many([good], 3, masks=[None, None])
    with pytest.raises(ValueError, match="k must be from 1 to 255"):
        kseg.segment_many([good], 0)


# --- files of a series ------------------------------------------------------


def test_series_zip_has_a_folder_per_photo_the_palette_and_shares(samples):
    names = ["coffee.png", "chelsea.png", "coffee.png"]
    photos = [samples["coffee"], samples["chelsea"], samples["coffee"]]
    pal = kseg.fit_shared_palette(photos, 4, seed=0)
    results = [kseg.apply_palette(p, pal.centers_float) for p in photos]
    seen = []
    data = kseg.series_zip(
        zip(names, photos, [None] * 3, results, strict=True),
        pal,
        count=3,
        progress=lambda i, n, name: seen.append((i, n, name)),
    )
    assert seen == [(1, 3, "coffee.png"), (2, 3, "chelsea.png"), (3, 3, "coffee.png")]
    zf = zipfile.ZipFile(io.BytesIO(data))
    files = set(zf.namelist())
    for folder in ("coffee", "chelsea", "coffee_2"):
        assert f"{folder}/segmented.png" in files and f"{folder}/labels.png" in files
        assert sum(f.startswith(f"{folder}/masks/") for f in files) == 4
        assert sum(f.startswith(f"{folder}/cutouts/") for f in files) == 4
    for top in ("palette.json", "palette.csv", "palette.gpl", "shares.csv", "manifest.json"):
        assert top in files
    rows = list(csv.DictReader(io.StringIO(zf.read("shares.csv").decode())))
    assert [r["photo"] for r in rows] == names
    for row, r in zip(rows, results, strict=True):
        shares = [float(v) for key, v in row.items() if key.startswith("share_percent_")]
        counts = [int(v) for key, v in row.items() if key.startswith("pixels_")]
        assert sum(shares) == pytest.approx(100.0, abs=1e-3)
        assert counts == r.counts.tolist() and int(row["pixels"]) == sum(counts)
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["settings"]["k"] == 4 and manifest["settings"]["shared_palette"] is True
    assert [p["folder"] for p in manifest["photos"]] == ["coffee", "chelsea", "coffee_2"]
    assert manifest["mse_all_photos"] == pytest.approx(pal.mse, rel=1e-4)
    assert np.array_equal(kseg.read_palette(zf.read("palette.json")), pal.centers)


# --- palette files -----------------------------------------------------------


def test_every_palette_file_kseg_writes_reads_back_to_its_colours(coffee_rgb):
    result = kseg.segment(coffee_rgb, 6, seed=0)
    zf = zipfile.ZipFile(io.BytesIO(kseg.export_zip(coffee_rgb, result, source_name="c")))
    for made in (
        kseg.palette_json(result),
        kseg.palette_csv(result),
        kseg.palette_gpl(result),
        zf.read("c/manifest.json"),
        b"#%s\n" % "\n#".join(r["hex"][1:] for r in kseg.palette_rows(result)).encode(),
    ):
        assert np.array_equal(kseg.read_palette(made), result.centers)


@pytest.mark.parametrize(
    ("data", "words"),
    [
        (b"", "empty"),
        (b"\xff\xfe\x00", "not text"),
        (b"[1, 2]", "no colour"),
        (b'{"palette": 3}', "not a kseg palette"),
        (b"[[0, 0, 256]]", "0 to 255"),
        (b"GIMP Palette\n1 2\n", "not 'R G B name'"),
        (b"#12345", "not a colour like"),
        (b"[" * 100_000, "not valid JSON"),
        (("#000000\n" * 256).encode(), "at most 255"),
        (b" " * 1_000_001, "larger than"),
    ],
)
def test_a_bad_palette_file_gets_a_plain_message(data, words):
    with pytest.raises(PaletteError) as info:
        kseg.read_palette(data)
    assert words in str(info.value)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.binary(max_size=300), st.text(max_size=300).map(str.encode)))
def test_any_bytes_read_as_a_palette_or_a_palette_error(data):
    try:
        palette = kseg.read_palette(data)
    except PaletteError:
        return
    assert palette.dtype == np.uint8 and palette.ndim == 2 and palette.shape[1] == 3
    assert 1 <= len(palette) <= 255


# --- command line -------------------------------------------------------------


def test_cli_shared_palette_writes_shares_and_palette_beside_the_folders(tmp_path, capsys):
    bad = tmp_path / "notes.png"
    bad.write_text("not an image")
    args = [str(kseg.sample_path(n)) for n in ("coffee", "chelsea")] + [str(bad)]
    rc = main([*args, "-k", "4", "--shared-palette", "--out", str(tmp_path / "o")])
    err = capsys.readouterr().err
    assert rc == 1 and "notes.png: skipped" in err and "1 of 3 image(s) failed" in err
    assert "[1/3]" in err and "[2/3]" in err and "shared palette: 4 colours over 2 photo(s)" in err
    out = tmp_path / "o"
    rows = list(csv.DictReader((out / "shares.csv").open()))
    assert [r["photo"] for r in rows] == args[:2]
    palette = kseg.read_palette(out / "palette.json")
    assert palette.shape == (4, 3)
    for folder in ("coffee", "chelsea"):
        assert np.array_equal(kseg.read_palette(out / folder / "palette.json"), palette)
        assert len(list((out / folder / "masks").glob("*.png"))) == 4


def test_cli_palette_labels_every_photo_with_the_given_colours(tmp_path, capsys):
    pal = tmp_path / "p.gpl"
    pal.write_text("GIMP Palette\nName: x\n#\n255 255 255 white\n 0 0 0\tblack\n")
    rc = main([str(kseg.sample_path("coffee")), "--palette", str(pal), "--out", str(tmp_path)])
    assert rc == 0
    rows = list(csv.DictReader((tmp_path / "shares.csv").open()))
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    expected = kseg.apply_palette(rgb, np.array([[255, 255, 255], [0, 0, 0]], np.uint8))
    assert int(rows[0]["pixels_01_white_ffffff"]) == expected.counts[0]
    assert int(rows[0]["pixels_02_black_000000"]) == expected.counts[1]
    pal.write_text("GIMP Palette\n300 0 0 x\n")
    with pytest.raises(SystemExit) as info:
        main([str(kseg.sample_path("coffee")), "--palette", str(pal)])
    assert info.value.code == 2 and "'300' is not a colour value" in capsys.readouterr().err


def test_color_totals_counted_one_by_one_fit_the_same_palette(samples):
    photos = list(samples.values())
    totals = kseg.ColorTotals(scale=0.5)
    for p in photos:
        totals.add(p)
    pal = totals.fit(5, seed=3)
    same = kseg.fit_shared_palette(photos, 5, scale=0.5, seed=3)
    assert np.array_equal(pal.centers_float, same.centers_float) and pal.mse == same.mse
    assert pal.photos == len(photos) and pal.settings["scale"] == 0.5
    with pytest.raises(RuntimeError, match="fitted already"):
        totals.add(photos[0])
    with pytest.raises(ValueError, match="scale must be in"):
        kseg.ColorTotals(scale=0)


def test_color_totals_keep_32_bit_counts_until_the_pixels_counted_would_pass_them(samples):
    coffee, chelsea = samples["coffee"], samples["chelsea"]
    plain = kseg.ColorTotals(scale=0.5)
    for p in (coffee, chelsea):
        plain.add(p)
    assert plain._total.dtype == np.uint32 and plain._small.dtype == np.uint32
    # As if four thousand million pixels had been counted before chelsea:
    # its counts go into 64-bit tables, the counts so far carried over.
    big = kseg.ColorTotals(scale=0.5)
    big.add(coffee)
    big._pixels = 2**32 - 10
    big.add(chelsea)
    assert big._total.dtype == np.int64 and big._small.dtype == np.int64
    assert np.array_equal(big._total, plain._total) and np.array_equal(big._small, plain._small)
    big._total[0] = 2**32  # a count no 32-bit table could hold
    pal = big.fit(4, seed=1)
    assert pal.photos == 2 and np.abs(pal.centers_float).max(axis=1).min() < 0.01  # black


@settings(max_examples=40, deadline=None)
@given(
    st.integers(1, 40),
    st.integers(1, 40),
    st.integers(1, 6),
    st.integers(0, 2**31),
    st.sampled_from(["rgb", "lab"]),
)
def test_a_palettes_counts_and_objective_from_a_histogram_are_apply_palettes(h, w, p, seed, space):
    rng = np.random.default_rng(seed)
    rgb = rng.integers(0, 256, (h, w, 3), dtype=np.uint8)
    rgb[: h // 2] = rgb[0, 0]  # repeated colours
    mask = rng.random((h, w)) < 0.8
    mask[0, 0] = True
    palette = rng.uniform(0, 255, (p, 3))
    whole = kseg.apply_palette(rgb, palette, color_space=space, mask=mask)
    totals = kseg.ColorTotals()
    histogram = totals.add(rgb, mask)
    assert histogram.pixels == int(mask.sum())
    counts, mse = kseg.palette_counts(histogram, palette, color_space=space)
    assert np.array_equal(counts, whole.counts) and mse == whole.mse


def test_labelling_a_previews_pixels_gives_the_preview_labels_of_the_whole_photo():
    rgb = kseg.load_image(kseg.sample_path("chelsea")).rgb
    mask = np.ones(rgb.shape[:2], dtype=bool)
    mask[:, :40] = False
    palette = kseg.segment(rgb, 6, seed=0).centers_float
    whole = kseg.apply_palette(rgb, palette, mask=mask)
    for size in [(120, 171), (37, 53), rgb.shape[:2]]:
        pixels, small_mask = kseg.preview_pixels(rgb, size, mask)
        small = kseg.apply_palette(pixels, palette, mask=small_mask)
        assert np.array_equal(small.labels, kseg.preview_labels(whole, size)), size


def test_palette_counts_and_preview_pixels_name_a_bad_argument():
    histogram = kseg.color_histogram(np.zeros((2, 2, 3), np.uint8))
    with pytest.raises(TypeError, match="ColorHistogram"):
        kseg.palette_counts(np.zeros(3), np.zeros((1, 3)))  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="centers"):
        kseg.palette_counts(histogram, np.zeros((1, 4)))
    with pytest.raises(ValueError, match="size"):
        kseg.preview_pixels(np.zeros((4, 4, 3), np.uint8), (0, 3))


def test_a_shared_palette_keeps_pinned_colours_exactly_and_says_which():
    photos = [quadrants(40, noise=20, seed=s) for s in range(3)]
    fixed = np.array([[255, 0, 255], [10, 200, 30]], np.uint8)
    pal = kseg.fit_shared_palette(photos, 5, seed=0, fixed_centers=fixed)
    assert len(pal.pinned) == 2
    assert sorted(pal.centers_float[list(pal.pinned)].tolist()) == sorted(fixed.tolist())
    assert pal.settings["fixed_centers"] == ["#ff00ff", "#0ac81e"]
    free = kseg.fit_shared_palette(photos, 5, seed=0)
    assert free.mse <= pal.mse  # pins are a constraint on the same objective
    results = kseg.segment_many(photos, 5, seed=0, fixed_centers=fixed)
    assert all(r.pinned == pal.pinned for r in results)
    with pytest.raises(ValueError, match="fixed_centers"):
        kseg.fit_shared_palette(photos, 1, fixed_centers=fixed)
