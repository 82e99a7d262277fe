"""The "Many photos" page, driven by AppTest (no browser)."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

import kseg
from tests.conftest import BADIMAGES
from tests.test_app import APP, downloads  # noqa: F401  (fixture)

PAGE = "app_pages/many_photos.py"


@pytest.fixture(autouse=True)
def no_photos_held():
    """AppTest gives every test the same session id: each starts with no
    photos on the spool."""
    from webapp.many_photos.widgets import SPOOL

    SPOOL.remove("test session id")
    yield
    SPOOL.remove("test session id")


def _many(k: int = 4) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=120).run()
    at.switch_page(PAGE).run()
    at.slider(key="k").set_value(k).run()
    return at


def _upload(at: AppTest, files: list[tuple[str, bytes]]) -> AppTest:
    state = at.session_state  # AppTest's session state has no .get
    rounds = state["series_round"] if "series_round" in state else 0  # noqa: SIM401
    up = at.file_uploader(key=f"series_upload_{rounds}")
    for name, data in files:
        up.upload(name, data, "image/jpeg" if name.endswith(".jpg") else "image/png")
    return at.run()


def _photos() -> list[tuple[str, bytes]]:
    return [
        (kseg.SAMPLES[s][0], kseg.sample_path(s).read_bytes())
        for s in ("coffee", "chelsea", "rocket")
    ]


def test_three_photos_get_one_palette_and_a_shares_table_summing_to_100(downloads):  # noqa: F811
    at = _upload(_many(4), _photos())
    assert not at.exception and not at.error
    palette = next(m.value for m in at.html if "kseg-palette" in m.value)
    assert palette.count("kseg-swatch") == 4
    assert any("One palette of 4 colours" in s.value for s in at.subheader)
    table = at.dataframe[0].value
    assert list(table["photo"]) == [name for name, _ in _photos()]
    shares = table[[c for c in table.columns if c.endswith("(%)")]]
    assert len(shares.columns) == 4
    assert np.allclose(shares.sum(axis=1), 100.0, atol=0.01)
    rows = list(csv.DictReader(io.StringIO(downloads("shares.csv").decode())))
    assert len(rows) == 3
    # The palette is the one kseg fits on the three photos together.
    expected = kseg.fit_shared_palette(
        [kseg.sample_path(s) for s in ("coffee", "chelsea", "rocket")], 4
    )
    assert np.array_equal(kseg.read_palette(downloads("series-palette.json")), expected.centers)
    zf = zipfile.ZipFile(io.BytesIO(downloads("kseg-series.zip")))
    folders = {n.split("/")[0] for n in zf.namelist() if "/" in n}
    assert folders == {"coffee", "chelsea", "rocket"}
    assert "shares.csv" in zf.namelist()
    manifest = json.loads(zf.read("manifest.json"))
    assert manifest["settings"]["k"] == 4 and len(manifest["photos"]) == 3


def test_a_bad_file_among_the_uploads_gets_its_own_message_and_the_others_segment():
    bad = (BADIMAGES / "hostile" / "broken.png").read_bytes()
    at = _upload(_many(3), [*_photos()[:2], ("broken.png", bad)])
    assert not at.exception
    assert len(at.error) == 1 and "broken.png" in at.error[0].value
    assert list(at.dataframe[0].value["photo"]) == ["coffee.png", "chelsea.png"]


def test_masks_of_a_photo_on_demand_match_its_labels_with_the_shared_palette(downloads):  # noqa: F811
    at = _upload(_many(3), _photos()[:2])
    at.toggle(key="series-masks-1").set_value(True).run()
    mask = downloads("chelsea_02_", first=True)
    from PIL import Image

    got = np.asarray(Image.open(io.BytesIO(mask)).convert("L")) > 0
    results = kseg.segment_many([kseg.sample_path("coffee"), kseg.sample_path("chelsea")], 3)
    assert np.array_equal(got, results[1].labels == 1)


def test_a_palette_file_labels_the_photos_without_fitting():
    at = _many(4)
    at.radio(key="series_palette").set_value("Use a palette file").run()
    assert any("Choose a palette file" in i.value for i in at.info)
    at.file_uploader(key="palette_file").upload(
        "p.gpl", b"GIMP Palette\n255 255 255 w\n0 0 0 b\n", "text/plain"
    ).run()
    assert not at.exception
    assert any("One palette of 2 colours, from your palette file" in s.value for s in at.subheader)
    at.file_uploader(key="palette_file").clear().upload(
        "p.gpl", b"GIMP Palette\n1 2\n", "text/plain"
    ).run()
    assert "can't be used as a palette" in at.error[0].value


def test_the_settings_carry_over_between_the_two_pages():
    at = _many(7)
    at.switch_page("app_pages/one_photo.py").run()
    assert not at.exception
    assert at.slider(key="k").value == 7
    assert any("kseg-summary" in m.value and "<b>7</b> clusters" in m.value for m in at.html)


def test_a_rerun_of_the_same_series_reuses_it_without_decoding_again(monkeypatch):
    from webapp.server.cache import PAGE

    monkeypatch.setattr(PAGE, "max_bytes", 0)  # a series too large for the shared cache
    at = _upload(_many(3), _photos()[:2])
    calls = []
    original = kseg.load_image
    monkeypatch.setattr(kseg, "load_image", lambda *a, **kw: calls.append(1) or original(*a, **kw))
    at.toggle(key="series-masks-0").set_value(True).run()  # a rerun, same photos and settings
    assert not at.exception and calls == []
    at.slider(key="k").set_value(4).run()  # new settings: the photos are decoded again
    assert len(calls) == 2  # two photos, each decoded once: counted, then labelled from that


def test_the_link_carries_the_series_settings_but_never_the_photos():
    at = _upload(_many(7), _photos()[:2])
    assert at.query_params["k"] == ["7"] or at.query_params["k"] == "7"
    assert "sample" not in at.query_params and "upload" not in at.query_params
    again = AppTest.from_file(APP, default_timeout=120)
    again.query_params["k"] = "7"
    again.run().switch_page(PAGE).run()
    assert again.slider(key="k").value == 7


def test_uploaded_photos_leave_the_uploader_and_memory_for_the_disk_until_removed(monkeypatch):
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    from webapp.many_photos.widgets import SPOOL

    dropped = []
    remove_file = MemoryUploadedFileManager.remove_file

    def recording(self, session_id, file_id):
        dropped.append(file_id)
        remove_file(self, session_id, file_id)

    monkeypatch.setattr(MemoryUploadedFileManager, "remove_file", recording)
    at = _upload(_many(3), [*_photos()[:2], ("notes.png", b"not an image at all")])
    assert not at.exception
    assert len(dropped) == 3  # every file's bytes left the upload store, the refused one too
    assert not at.file_uploader(key="series_upload_1").value  # a fresh, empty uploader
    assert len(at.error) == 1 and "notes.png" in at.error[0].value
    held = SPOOL.photos("test session id")
    assert [u.name for u in held] == ["coffee.png", "chelsea.png"]
    assert all(
        u.path.read_bytes() == kseg.sample_path(s).read_bytes()
        for u, s in zip(held, ("coffee", "chelsea"), strict=True)
    )
    assert "Your photos: 2" in at.expander[0].label
    assert list(at.dataframe[0].value["photo"]) == ["coffee.png", "chelsea.png"]
    at.multiselect(key="series_remove_choice").select(held[0].digest).run()
    at.button(key="series_remove").click().run()
    assert [u.name for u in SPOOL.photos("test session id")] == ["chelsea.png"]
    assert list(at.dataframe[0].value["photo"]) == ["chelsea.png"]
    assert not held[0].path.exists()
    at.button(key="series_remove_all").click().run()
    assert SPOOL.photos("test session id") == [] and not held[1].path.exists()
    assert any("Until you upload photos" in c.value for c in at.caption)


def _png(pixels: np.ndarray) -> bytes:
    return kseg.encode_png(pixels)


def _shown(png: bytes) -> np.ndarray:
    """A PNG's pixels as a viewer shows them."""
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(png)).convert("RGBA"))


@pytest.mark.parametrize("space", ["rgb", "lab"])
def test_a_counted_photos_view_is_the_one_its_decoded_pixels_give(space, tmp_path):
    from webapp.many_photos.views import count, counted_view, photo_view
    from webapp.server.uploads import Upload

    # A photo with transparency (its mask), one without, a tiny one, and one
    # opaque in two pixels only (its preview may show none of them).
    rocket = kseg.load_image(kseg.sample_path("rocket")).rgb
    rgba = np.dstack([rocket, np.zeros(rocket.shape[:2], "u1")])
    rgba[50:300, 100:500, 3] = 255
    specks = np.zeros((961, 963, 4), "u1")
    specks[1, 1] = specks[500, 7] = (200, 10, 10, 255)
    photos = [
        _png(rgba),
        kseg.sample_path("chelsea").read_bytes(),
        _png(np.full((3, 5, 3), 9, "u1")),
        _png(specks),
    ]
    totals = kseg.ColorTotals()
    ups = [Upload.of(f"p{i}.png", data) for i, data in enumerate(photos)]
    counted = []
    for i, up in enumerate(ups):
        image = kseg.load_image(up.data)
        kept = count(image, kseg.opaque_mask(image), totals, tmp_path / f"{i}.npy", 2**30)
        counted.append(kept)
    centers = totals.fit(6, seed=0).centers_float
    for up, kept in zip(ups, counted, strict=True):
        fast, slow = counted_view(up, kept, centers, space), photo_view(up, centers, space)
        assert np.array_equal(fast.counts, slow.counts) and fast.mse == slow.mse
        # The same picture (an indexed PNG's unused palette entries may differ).
        assert np.array_equal(_shown(fast.segmented), _shown(slow.segmented))
        assert fast.original == slow.original
        assert (fast.width, fast.height, fast.notices) == (slow.width, slow.height, slow.notices)


def test_the_series_reserves_32_bit_count_tables_since_its_largest_series_never_needs_more():
    from webapp.many_photos.photos import MAX_PHOTOS, TABLE_BYTES

    # ColorTotals keeps 32-bit counts while the pixels counted stay under 2**32.
    assert MAX_PHOTOS * kseg.DEFAULT_MAX_PIXELS < 2**32
    totals = kseg.ColorTotals()
    assert totals._total.nbytes == TABLE_BYTES


def test_a_series_keeps_colours_on_disk_only_within_its_share_and_labels_the_rest_again(
    monkeypatch,
):
    import webapp.many_photos.photos as series
    from webapp.server.uploads import Upload
    from webapp.session.state import Settings

    ups = tuple(Upload.of(f"{n}.png", kseg.sample_path(n).read_bytes()) for n in kseg.SAMPLES)
    settings = Settings(k=5)
    normal = series.run_series(ups, settings, None, lambda *_: None)
    # Room (a quarter of KSEG_SPOOL_MB) for the first photo's colours and a
    # byte: the others are counted, then decoded again to be labelled.
    first = kseg.color_histogram(kseg.load_image(ups[0].data).rgb).colors.size
    room = 8 * first + 128 + 1
    monkeypatch.setenv("KSEG_SPOOL_MB", str(4 * room / 2**20))
    kept, decoded_again = [], []
    count, view = series.count, series.photo_view

    def counting(image, mask, totals, path, room):
        done = count(image, mask, totals, path, room)
        kept.append(None if done is None else path.stat().st_size)
        return done

    def labelling(up, centers, space, searched=None, roi=""):
        decoded_again.append(up.name)
        return view(up, centers, space, searched, roi)

    monkeypatch.setattr(series, "count", counting)
    monkeypatch.setattr(series, "photo_view", labelling)
    tight = series.run_series(ups, settings, None, lambda *_: None)
    assert kept == [room - 1] + [None] * (len(ups) - 1)
    assert decoded_again == [u.name for u in ups[1:]]
    assert np.array_equal(tight.centers_float, normal.centers_float) and tight.mse == normal.mse
    for a, b in zip(tight.photos, normal.photos, strict=True):
        assert np.array_equal(a.counts, b.counts) and a.mse == b.mse and a.original == b.original
        assert np.array_equal(_shown(a.segmented), _shown(b.segmented))


def test_a_palette_file_found_in_cielab_is_applied_in_cielab_and_gives_its_runs_shares(
    downloads,  # noqa: F811
):
    # A series fitted in CIELAB (sidebar left at RGB): its palette file gives
    # that run's shares again, and the page says why it measures in CIELAB.
    paths = [kseg.sample_path(s) for s in ("coffee", "chelsea", "rocket")]
    fitted = kseg.fit_shared_palette(paths, 4, seed=0, color_space="lab")
    at = _upload(_many(4), _photos())
    at.radio(key="series_palette").set_value("Use a palette file").run()
    at.file_uploader(key="palette_file").upload(
        "palette.json", kseg.palette_json(fitted), "application/json"
    ).run()
    assert not at.exception and not at.error
    assert any("found in CIELAB, so it is applied in CIELAB" in i.value for i in at.info)
    rows = list(csv.DictReader(io.StringIO(downloads("shares.csv").decode())))
    for row, path in zip(rows, paths, strict=True):
        want = kseg.apply_palette(
            kseg.load_image(path).rgb, fitted.centers_float, color_space="lab"
        )
        counts = [int(v) for k, v in row.items() if k.startswith("pixels_")]
        assert counts == want.counts.tolist()
    # The palette file the page writes records the space and the exact centres.
    again = kseg.load_palette(downloads("series-palette.json"))
    assert again.color_space == "lab" and np.array_equal(again.centers, fitted.centers_float)


def test_the_shares_chart_lists_every_colour_in_its_legend():
    at = _upload(_many(12), _photos())
    assert not at.exception
    spec = json.loads(at.get("vega_lite_chart")[0].proto.spec)
    legend = spec["encoding"]["color"]["legend"]
    assert legend["symbolLimit"] == 12 and legend["orient"] == "bottom"
    assert len(spec["encoding"]["color"]["scale"]["domain"]) == 12
    # Tall enough for the bars and three rows of four legend entries below
    # them (Streamlit fits the whole chart, legend included, in this height).
    assert spec["height"] >= 120 + 3 * 32


def test_pinned_colours_are_kept_exactly_in_the_shared_palette():
    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params["pin"] = "ff0000"
    at.run()
    at.switch_page(PAGE).run()
    at.slider(key="k").set_value(4).run()
    at = _upload(at, _photos())
    assert not at.exception and not at.error
    palette = next(m.value for m in at.html if "kseg-palette" in m.value)
    assert "#ff0000" in palette and palette.count("</svg> pinned") == 1
    # The palette and shares are those of the pinned fit, not the free one.
    paths = [kseg.sample_path(s) for s in ("coffee", "chelsea", "rocket")]
    pinned = kseg.fit_shared_palette(paths, 4, fixed_centers=np.array([[255, 0, 0]], np.uint8))
    assert pinned.pinned and [255, 0, 0] in pinned.centers.tolist()
    table = at.dataframe[0].value
    shown = [c for c in table.columns if c.endswith("(%)")]
    red = next(c for c in shown if c.startswith(f"#{pinned.pinned[0] + 1} "))
    want = kseg.apply_palette(kseg.load_image(paths[0]).rgb, pinned.centers_float)
    assert table[red].iloc[0] == pytest.approx(100 * want.shares[pinned.pinned[0]], abs=0.01)


def test_a_background_leaves_the_denominator_of_the_series_shares(downloads):  # noqa: F811
    at = _upload(_many(4), _photos())
    at.multiselect(key="series_hide").set_value([0]).run()
    assert not at.exception and not at.error
    palette = next(m.value for m in at.html if "kseg-palette" in m.value)
    assert palette.count("of the rest") == 3 and "background" in palette
    table = at.dataframe[0].value
    rest = table[[c for c in table.columns if c.endswith("(% of rest)")]]
    assert len(rest.columns) == 3 and np.allclose(rest.sum(axis=1), 100.0, atol=0.01)
    rows = list(csv.DictReader(io.StringIO(downloads("shares.csv").decode())))
    for row in rows:
        shares = [float(v) for k, v in row.items() if k.startswith("share_of_rest_percent_")]
        counts = [int(v) for k, v in row.items() if k.startswith("pixels_0")]
        assert len(shares) == 3 and abs(sum(shares) - 100) < 0.01
        assert int(row["pixels_of_rest"]) == sum(counts[1:])
    zf = zipfile.ZipFile(io.BytesIO(downloads("kseg-series.zip")))
    assert "share_of_rest_percent_" in zf.read("shares.csv").decode().splitlines()[0]
    assert json.loads(zf.read("manifest.json"))["hidden"] == [0]


def test_named_classes_get_their_columns_and_the_palette_file_carries_them_to_a_new_series(
    downloads,  # noqa: F811
):
    at = _upload(_many(4), _photos())
    at.session_state["series-classes-open"] = True
    at.text_area(key="classes_text").set_value("warm: 1 3\nrest: 2 exclude").run()
    assert not at.exception and not at.error
    shown = at.dataframe[0].value
    assert {"warm (%)", "warm (% of included)", "rest (%)", "(no class) (%)"} <= set(shown)
    assert "rest (% of included)" not in shown  # excluded from the included area
    rows = list(csv.DictReader(io.StringIO(downloads("shares.csv").decode())))
    classes = kseg.read_classes("warm: 1 3\nrest: 2 exclude")
    for row, shown_row in zip(rows, shown.to_dict("records"), strict=True):
        counts = np.array([int(v) for k, v in row.items() if k.startswith("pixels_")])
        centers = np.array(
            [
                [int(k[-6:][i : i + 2], 16) for i in (0, 2, 4)]
                for k in row
                if k.startswith("pixels_")
            ],
            np.uint8,
        )
        want = kseg.class_table(counts, classes, centers=centers)
        assert float(row["class_percent_warm"]) == round(float(want.photo_percent[0]), 4)
        assert float(row["class_of_included_percent_warm"]) == pytest.approx(
            shown_row["warm (% of included)"]
        )
        assert int(row["class_pixels_rest"]) == int(want.pixels[1])
    palette_file = downloads("series-palette.json")
    assert kseg.load_palette(palette_file).classes == classes
    # A new session given that palette file measures by the same classes at once.
    fresh = _upload(_many(4), _photos())
    fresh.radio(key="series_palette").set_value("Use a palette file").run()
    fresh.file_uploader(key="palette_file").upload(
        "palette.json", palette_file, "application/json"
    ).run()
    assert not fresh.exception
    assert fresh.session_state["classes_text"] == classes.text()
    assert "warm (% of included)" in fresh.dataframe[0].value


def test_adding_a_photo_refits_and_says_so_unless_the_palette_is_kept(downloads):  # noqa: F811
    photos = _photos()
    at = _upload(_many(4), photos[:2])
    before = list(csv.DictReader(io.StringIO(downloads("shares.csv").decode())))
    at = _upload(at, photos[2:])  # a third photo: the palette is fitted again
    assert any("The palette was fitted again on these 3 photos" in w.value for w in at.warning)
    # Keep the palette fitted on the first two, then add the third: applied, not fitted.
    from webapp.many_photos.widgets import SPOOL

    SPOOL.remove("test session id")
    fresh = _upload(_many(4), photos[:2])
    fresh.button(key="keep-palette").click().run()
    assert fresh.session_state["series_palette"] == "Keep the palette fitted here"
    fresh = _upload(fresh, photos[2:])
    assert not fresh.exception and not fresh.warning
    assert any("kept from an earlier fit on this page" in h.value for h in fresh.subheader)
    after = list(csv.DictReader(io.StringIO(downloads("shares.csv", first=False).decode())))
    assert [r["photo"] for r in after] == [p[0] for p in photos]
    assert after[:2] == before  # the same colours, numbers and shares for the first two


def test_each_photos_regions_are_counted_on_request_per_colour_and_per_class(
    downloads,  # noqa: F811
):
    at = _upload(_many(4), _photos())
    at.toggle(key="series-regions").set_value(True).run()
    assert not at.exception
    rows = list(csv.DictReader(io.StringIO(downloads("shares.csv").decode())))
    palette = kseg.load_palette(downloads("series-palette.json"))
    for row, (name, _) in zip(rows, _photos(), strict=True):
        image = kseg.load_image(kseg.sample_path(name.rsplit(".", 1)[0]))
        result = kseg.apply_palette(image.rgb, palette.centers, label_centers=palette.label_centers)
        table = kseg.measure_regions(result)
        counted = [int(v) for k, v in row.items() if k.startswith("regions_")]
        assert counted == [int((table.colour == c).sum()) for c in range(4)]
    shown = at.dataframe[0].value
    assert sum(c.startswith("regions: ") for c in shown.columns) == 4
    # By class: neighbouring colours of one class are one region.
    at.session_state["series-classes-open"] = True
    at.text_area(key="classes_text").set_value("a: 1 2\nb: 3 4").run()
    rows = list(csv.DictReader(io.StringIO(downloads("shares.csv", first=False).decode())))
    image = kseg.load_image(kseg.sample_path("coffee"))
    result = kseg.apply_palette(image.rgb, palette.centers, label_centers=palette.label_centers)
    by_class = kseg.measure_regions(result, classes=kseg.read_classes("a: 1 2\nb: 3 4"))
    assert int(rows[0]["regions_a"]) == int((by_class.colour == 0).sum())
    assert int(rows[0]["regions_b"]) == int((by_class.colour == 1).sum())
