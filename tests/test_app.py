"""The Streamlit page, driven by AppTest (no browser)."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage
from streamlit.testing.v1 import AppTest

import kseg
from tests.conftest import BADIMAGES

APP = str(Path(__file__).resolve().parents[1] / "app.py")


@pytest.fixture
def downloads(monkeypatch):
    """File name -> bytes of every download button the app renders."""
    files: dict[str, object] = {}
    original_deferred = MediaFileManager.add_deferred
    original_store = MemoryMediaFileStorage.load_and_get_id

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        files[file_name] = data_callable
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kw)

    def load_and_get_id(self, path_or_data, mimetype, kind, filename=None):
        if filename:
            files[filename] = path_or_data
        return original_store(self, path_or_data, mimetype, kind, filename)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", load_and_get_id)

    def get(name_part: str, first: bool = False) -> bytes:
        matches = sorted(n for n in files if n and name_part in n)[: 1 if first else None]
        assert len(matches) == 1, (name_part, sorted(n for n in files if n))
        value = files[matches[0]]
        return value() if callable(value) else value

    get.files = files  # type: ignore[attr-defined]
    return get


def _first_run(query: dict[str, str] | None = None) -> AppTest:
    """A new session's first run (what is below the fold still to follow)."""
    at = AppTest.from_file(APP, default_timeout=60)
    for k, v in (query or {}).items():
        at.query_params[k] = v
    return at.run()


def _app(query: dict[str, str] | None = None) -> AppTest:
    """A new session's whole page: its first run, then the run the browser
    asks for a moment later (webapp.parts.fold; AppTest has no browser to ask)."""
    at = _first_run(query)
    waiting = "below_fold" in at.session_state and at.session_state["below_fold"] == "waiting"
    return at.run() if waiting else at


def _summary(at: AppTest) -> str:
    return next(m.value for m in at.html if "kseg-summary" in m.value)


def _swatches(at: AppTest) -> int:
    return next(m.value for m in at.html if "kseg-palette" in m.value).count("kseg-swatch")


def _zip(at: AppTest, downloads) -> zipfile.ZipFile:
    """The ZIP download (made on click)."""
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Everything (ZIP)" in labels, labels
    return zipfile.ZipFile(io.BytesIO(downloads("_kseg.zip")))


def _cards(at: AppTest) -> int:
    return sum(1 for b in at.get("download_button") if b.proto.label.startswith("Mask PNG · #"))


def test_default_page_shows_the_sample_result_with_k_swatches_and_cards():
    at = _app()
    assert not at.exception and not at.error
    assert at.slider(key="k").value == 5
    assert "600 × 400 px · <b>5</b> clusters found" in _summary(at)
    assert _swatches(at) == 5
    assert _cards(at) == 5
    labels = [b.proto.label for b in at.get("download_button")]
    assert sum(x.startswith("Cut-out PNG · #") for x in labels) == 5
    assert {"Everything (ZIP)", "Segmented image", "Palette (CSV)"} <= set(labels)


def test_a_new_visitors_first_run_draws_down_to_the_swatches_and_the_rest_follows():
    at = _first_run({"k": "4"})
    assert not at.exception and not at.error
    assert "<b>4</b> clusters found" in _summary(at) and _swatches(at) == 4
    assert _cards(at) == 0 and not at.get("download_button")
    assert not at.multiselect and at.radio(key="sample").value == "coffee"
    assert any("follow in a moment" in c.value for c in at.caption)
    assert at.query_params["k"] == "4"  # the link is written in the first run
    at.run()  # the run the browser asks for
    assert _cards(at) == 4 and {m.key for m in at.multiselect} == {"merge", "hide"}
    assert not any("follow in a moment" in c.value for c in at.caption)
    assert at.session_state["below_fold"] == "drawn"
    at.slider(key="k").set_value(3).run()  # later runs draw the whole page
    assert _cards(at) == 3 and at.session_state["below_fold"] == "drawn"


def test_moving_the_k_slider_changes_swatches_cards_and_url():
    at = _app()
    at.slider(key="k").set_value(3).run()
    assert not at.exception
    assert _swatches(at) == 3 and _cards(at) == 3
    assert at.query_params["k"] == "3"
    at.slider(key="scale").set_value(0.5).run()
    assert at.query_params["scale"] == "0.5"
    assert _cards(at) == 3


def test_url_settings_are_applied_on_first_load():
    at = _app({"k": "4", "sample": "chelsea", "space": "lab", "seed": "3", "attempts": "2"})
    assert not at.exception
    assert at.slider(key="k").value == 4
    assert at.radio(key="sample").value == "chelsea"
    assert "451 × 300 px · <b>4</b> clusters" in _summary(at)
    at.session_state["advanced-open"] = True  # the user opens "Advanced"
    at.run()
    assert at.radio(key="space").value == "lab"
    assert at.number_input(key="seed").value == 3


def _keys(widgets) -> set[str]:
    return {w.key for w in widgets}


def test_closed_sidebar_sections_draw_no_widgets_and_keep_their_values():
    at = _app({"seed": "3", "space": "lab", "pin": "ff0000"})
    # A first visit draws no widget it cannot see (no code loaded for them).
    assert {"space", "init"}.isdisjoint(_keys(at.radio))
    assert not at.number_input and not at.color_picker
    assert "pins" not in _keys(at.multiselect)
    assert any(c.value == "Pinned: #ff0000 fire engine red" for c in at.sidebar.caption)
    palette = next(m.value for m in at.html if "kseg-palette" in m.value)
    assert "#ff0000" in palette and "</svg> pinned" in palette  # the link's pin is used
    for key in ("advanced-open", "pins-open"):
        at.session_state[key] = True
        at.run()
    assert at.radio(key="space").value == "lab" and at.number_input(key="seed").value == 3
    assert at.multiselect(key="pins").value == ["ff0000"]
    assert at.color_picker(key="pin-picker").value == "#c0392b"
    at.number_input(key="seed").set_value(4).run()
    for key in ("advanced-open", "pins-open"):  # closed again: the choices stay
        at.session_state[key] = False
        at.run()
    assert not at.number_input and at.query_params["seed"] == "4"
    assert at.query_params["space"] == "lab" and at.query_params["pin"] in ("ff0000", ["ff0000"])


def test_the_patch_size_shows_only_while_cleaning_is_on():
    at = _app()
    assert "clean" not in _keys(at.number_input)
    at.toggle(key="clean_on").set_value(True).run()
    assert at.number_input(key="clean").value == 64
    at.number_input(key="clean").set_value(200).run()
    at.toggle(key="clean_on").set_value(False).run()
    assert "clean" not in _keys(at.number_input) and "clean" not in at.query_params
    at.toggle(key="clean_on").set_value(True).run()
    assert at.number_input(key="clean").value == 200  # kept while hidden


def test_bad_url_values_fall_back_to_defaults():
    at = _app({"k": "banana", "scale": "nan", "init": "evil", "sample": "../../etc"})
    assert not at.exception
    assert at.slider(key="k").value == 5
    at.session_state["advanced-open"] = True
    at.run()
    assert at.radio(key="init").value == "kmeans++"
    assert at.radio(key="sample").value == "coffee"


def test_same_settings_give_the_same_page_twice():
    a, b = _app({"k": "6"}), _app({"k": "6"})
    assert _summary(a).split(" · ")[:3] == _summary(b).split(" · ")[:3]


def test_real_upload_is_segmented():
    at = _app()
    data = kseg.sample_path("rocket").read_bytes()
    at.file_uploader(key="upload_0").upload("launch.jpg", data, "image/jpeg").run()
    assert not at.exception and not at.error
    assert "640 × 427 px" in _summary(at)
    labels = [b.proto.label for b in at.get("download_button")]
    assert sum(x.startswith("Mask PNG · #") for x in labels) == 5
    assert at.query_params.get("sample") is None  # an upload is not in the URL


@pytest.mark.parametrize(
    ("name", "data", "expect"),
    [
        ("notes.png", b"just some text, not a picture", "not an image kseg can read"),
        ("empty.jpg", b"", "The file is empty"),
        ("cut.jpg", kseg.sample_path("rocket").read_bytes()[:20000], "damaged or incomplete"),
        ("bomb.gif", (BADIMAGES / "hostile" / "decompression_bomb.gif").read_bytes(), "MP"),
    ],
)
def test_bad_uploads_show_a_message_and_no_exception(name, data, expect):
    at = _app()
    at.file_uploader(key="upload_0").upload(name, data, "image/png").run()
    assert not at.exception
    assert len(at.error) == 1
    assert name in at.error[0].value and expect in at.error[0].value
    assert "Traceback" not in at.error[0].value and "was removed" in at.error[0].value
    # The bad upload was dropped at once: a fresh uploader, the sample back.
    assert at.file_uploader(key="upload_1").value is None
    assert "600 × 400 px" in _summary(at)
    at.run()
    assert not at.exception and not at.error and "600 × 400 px" in _summary(at)


def test_after_a_bad_upload_the_previous_upload_stays_on_the_page():
    at = _app()
    rocket = kseg.sample_path("rocket").read_bytes()
    at.file_uploader(key="upload_0").upload("launch.jpg", rocket, "image/jpeg").run()
    assert "640 × 427 px" in _summary(at)
    at.file_uploader(key="upload_0").upload("notes.png", b"not a picture", "image/png").run()
    assert not at.exception
    assert len(at.error) == 1 and "notes.png" in at.error[0].value
    assert any("Still showing your previous photo, **launch.jpg**" in i.value for i in at.info)
    assert "640 × 427 px" in _summary(at)
    assert _cards(at) == 5
    # A good upload after the error carries on as usual.
    at.slider(key="k").set_value(4).run()  # the previous photo stays while the user works
    assert not at.error and "640 × 427 px" in _summary(at) and _cards(at) == 4
    chelsea = kseg.sample_path("chelsea").read_bytes()
    at.file_uploader(key="upload_1").upload("cat.jpg", chelsea, "image/jpeg").run()
    assert not at.error and "451 × 300 px" in _summary(at)


def test_a_photo_too_large_for_the_memory_budget_gets_the_largest_size_that_fits(
    monkeypatch, downloads
):
    from webapp.server.budget import MB, Admission
    from webapp.session import jobs

    # A server whose budget gives one photo 20 MB: the 640 x 427 rocket needs
    # about 21 MB for its ZIP, so it does not fit at its full size.
    monkeypatch.setattr(jobs, "ADMISSION", Admission(20 * MB, slots=1, resident=lambda: 0))
    at = _app()
    rocket = kseg.sample_path("rocket").read_bytes()
    at.file_uploader(key="upload_0").upload("launch.jpg", rocket, "image/jpeg").run()
    assert not at.exception and not at.error
    assert "launch.jpg" in at.warning[0].value and "640 × 427 pixels" in at.warning[0].value
    assert "more than this server can give one photo" in at.warning[0].value
    offer = at.button(key="use-fit")
    w, h = (
        int(v.replace(",", ""))
        for v in offer.label.split(" at ")[1].split(" pixels")[0].split(" × ")
    )
    assert w * h < 640 * 427 and abs(w / h - 640 / 427) < 0.01
    offer.click().run()
    assert not at.exception and not at.error and not at.warning
    assert f"{w} × {h} px" in _summary(at)
    assert any("reduced from 640 x 427" in i.value for i in at.info)
    mask = Image.open(io.BytesIO(downloads("_mask.png", first=True)))
    assert mask.size == (w, h)  # downloads at the reduced size too


def test_mask_download_is_full_size_black_and_white_and_matches_the_page(downloads):
    at = _app({"k": "4"})
    assert not at.exception
    mask = np.asarray(Image.open(io.BytesIO(downloads("_mask.png", first=True))).convert("L"))
    assert mask.shape == (400, 600)
    assert set(np.unique(mask).tolist()) == {0, 255}
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    result = kseg.segment(rgb, 4, attempts=10, seed=0)
    assert np.array_equal(mask == 255, result.labels == 0)


def test_downloads_rebuilt_after_the_cache_let_go_are_the_same_files(downloads):
    from webapp.server import cache

    at = _app({"k": "4"})
    assert not at.exception
    made_on_click = sorted(n for n, v in downloads.files.items() if n and callable(v))
    # masks, cut-outs and shapes; segmented image, layers, palettes (CSV,
    # JSON, .gpl: with the background's shares of the rest; .ase, CSS, PNG)
    # and ZIP
    assert len(made_on_click) == 4 + 4 + 4 + 9
    before = {name: downloads(name) for name in made_on_click}
    # Other photos pushed everything out of the caches.
    for store in (cache.FULL_SIZE, cache.ZIPS):
        store.shrink(2**40)
    assert cache.FULL_SIZE.total_bytes == 0
    for name, data in before.items():
        again = downloads(name)
        if name.endswith(".zip"):  # the same files; only the times they were made may differ
            a, b = zipfile.ZipFile(io.BytesIO(data)), zipfile.ZipFile(io.BytesIO(again))
            assert a.namelist() == b.namelist()
            for n in a.namelist():
                if n.endswith("manifest.json"):
                    ma, mb = json.loads(a.read(n)), json.loads(b.read(n))
                    assert ma.pop("created") <= mb.pop("created")
                    assert ma == mb, n
                else:
                    assert a.read(n) == b.read(n), (name, n)
        else:
            assert again == data, name
    assert cache.FULL_SIZE.total_bytes > 0  # rebuilt and kept again


def test_zip_download_holds_every_file(downloads):
    at = _app({"k": "3"})
    assert not at.exception
    zf = _zip(at, downloads)
    names = zf.namelist()
    assert sum(n.startswith("coffee/masks/") for n in names) == 3
    assert sum(n.startswith("coffee/cutouts/") for n in names) == 3
    assert {"coffee/manifest.json", "coffee/palette.csv", "coffee/segmented.png"} <= set(names)
    csv_text = downloads("_palette.csv").decode()
    assert csv_text.splitlines()[0] == (
        "index,hex,name,r,g,b,share_percent,background,share_of_rest_percent,pixels,"
        "center_r,center_g,center_b,label_1,label_2,label_3,color_space"
    )
    assert len(csv_text.splitlines()) == 4


# -- beyond the tutorial: choosing k, merge, background, views, clean -------------


def _images(at: AppTest) -> list[str]:
    return [im.proto.imgs[0].caption for im in at.get("image") if im.proto.imgs]


def test_suggest_k_shows_the_curve_and_one_click_applies_it():
    at = _app({"k": "7"})
    at.button(key="suggest").click().run()
    assert not at.exception
    reason = next(m.value for m in at.html if "kseg-curve-reason" in m.value)
    suggested = kseg.objective_curve(
        kseg.load_image(kseg.sample_path("coffee")).rgb, range(2, 13)
    ).suggested
    assert f"k = {suggested} is where the curve bends most" in reason
    assert len(at.get("vega_lite_chart")) == 1  # the curve (the colour plot is off)
    at.button(key="use-k").click().run()
    assert not at.exception
    assert at.slider(key="k").value == suggested
    assert _swatches(at) == suggested and at.query_params["k"] == str(suggested)
    assert not any("kseg-curve-reason" in m.value for m in at.html)


def test_merging_two_colours_updates_palette_cards_downloads_and_url(downloads):
    at = _app()
    before = _summary(at)
    at.multiselect(key="merge").set_value([1, 3]).run()
    assert not at.exception
    assert _swatches(at) == 4 and _cards(at) == 4
    assert at.query_params["merge"] == "2,4"
    assert "<b>4</b> clusters found" in _summary(at) and _summary(at) != before
    zf = _zip(at, downloads)
    assert sum(n.startswith("coffee/masks/") for n in zf.namelist()) == 4
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    raw = kseg.segment(rgb, 5, seed=0)
    merged = kseg.merge_clusters(raw, [[1, 3]])
    j = int(merged.labels[raw.labels == 1][0])
    mask = np.asarray(
        Image.open(
            io.BytesIO(zf.read(f"coffee/masks/{kseg.cluster_file_stem(merged, j)}.png"))
        ).convert("L")
    )
    assert np.array_equal(mask == 255, (raw.labels == 1) | (raw.labels == 3))
    assert json.loads(zf.read("coffee/manifest.json"))["settings"]["merged"] == [[1, 3]]


def test_a_background_colour_loses_its_cut_out_and_a_foreground_cut_out_appears(downloads):
    at = _app()
    at.multiselect(key="hide").set_value([0]).run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert (
        sum(x.startswith("Mask PNG · #") for x in labels) == 5
        and sum(x.startswith("Cut-out PNG · #") for x in labels) == 4
    )
    assert "Everything but background (cut-out)" in labels
    assert at.query_params["hide"] == "1"
    fg = np.asarray(Image.open(io.BytesIO(downloads("_foreground.png"))))
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    result = kseg.segment(rgb, 5, seed=0)
    assert np.array_equal(fg[..., 3] == 255, result.labels != 0)
    names = _zip(at, downloads).namelist()
    assert "coffee/cutouts/foreground.png" in names
    assert sum(n.startswith("coffee/cutouts/cluster_") for n in names) == 4


def test_merge_hide_and_clean_come_back_from_a_shared_link():
    at = _app({"k": "6", "merge": "1,2", "hide": "1", "clean": "100"})
    assert not at.exception
    assert at.multiselect(key="merge").value == [0, 1]
    assert at.multiselect(key="hide").value == [0]
    assert at.toggle(key="clean_on").value is True
    assert _swatches(at) == 5
    assert any("patches under 100 pixels" in i.value for i in at.info)


def test_the_colour_distribution_is_drawn_only_when_asked_for():
    at = _app()
    assert len(at.get("vega_lite_chart")) == 0
    at.toggle(key="show_colours").set_value(True).run()
    assert not at.exception
    charts = at.get("vega_lite_chart")
    assert len(charts) == 1
    import pyarrow as pa

    # 2,000 sampled pixels and the 5 cluster centres.
    rows = sorted(
        pa.ipc.open_stream(d.data.data).read_all().num_rows for d in charts[0].proto.datasets
    )
    assert rows == [5, 2000]
    assert len(json.loads(charts[0].proto.spec)["layer"]) == 2


def test_each_view_draws_its_picture():
    at = _app()
    assert _images(at)[:2] == ["Original · coffee.png", "Segmented · 5 colours"]
    at.radio(key="view").set_value("Boundaries").run()
    assert _images(at)[0] == "Cluster boundaries"
    at.radio(key="view").set_value("One colour").run()
    at.selectbox(key="highlight").set_value(2).run()
    assert _images(at)[0] == "Colour #3"
    at.radio(key="view").set_value("Before / after").run()
    assert at.slider(key="split").value == 50
    assert _images(at)[0] == "Original on the left, segmented on the right"
    assert not at.exception


def test_cleaning_masks_is_off_by_default_and_changes_the_result_when_on():
    at = _app({"sample": "astronaut"})
    assert at.toggle(key="clean_on").value is False
    plain = _summary(at)
    at.toggle(key="clean_on").set_value(True).run()
    assert not at.exception
    assert any("no longer the pure K-means result" in i.value for i in at.info)
    assert at.query_params["clean"] == "64"
    assert _summary(at) != plain  # the objective follows the cleaned masks


def test_transparent_pixels_are_left_out_with_a_notice(downloads):
    rgba = np.zeros((60, 80, 4), np.uint8)
    rgba[:, :40] = (250, 20, 20, 255)
    rgba[:, 40:60] = (20, 20, 250, 255)  # the last 20 columns stay fully transparent
    buf = io.BytesIO()
    Image.fromarray(rgba, "RGBA").save(buf, "PNG")
    at = _app()
    at.file_uploader(key="upload_0").upload("logo.png", buf.getvalue(), "image/png").run()
    assert not at.exception and not at.error
    assert any("Fully transparent pixels are left out" in i.value for i in at.info)
    assert "<b>2</b> clusters found" in _summary(at)
    # The segmented download leaves them transparent, as the ZIP's copy does.
    segmented = np.asarray(Image.open(io.BytesIO(downloads("logo_segmented.png"))).convert("RGBA"))
    assert (segmented[:, 60:, 3] == 0).all() and (segmented[:, :60, 3] == 255).all()
    zf = zipfile.ZipFile(io.BytesIO(downloads("logo_kseg.zip")))
    assert downloads("logo_segmented.png") == zf.read("logo/segmented.png")


def test_a_pinned_colour_stays_exactly_in_the_palette_for_any_k_and_in_the_link():
    at = _app()
    at.session_state["pins-open"] = True  # the user opens "Pinned colours"
    at.run()
    at.color_picker(key="pin-picker").set_value("#ff0000").run()
    at.button(key="pin-add").click().run()
    assert not at.exception
    assert at.multiselect(key="pins").value == ["ff0000"]  # the section stays open
    palette = next(m.value for m in at.html if "kseg-palette" in m.value)
    assert "#ff0000" in palette and "</svg> pinned" in palette
    assert at.query_params["pin"] in ("ff0000", ["ff0000"])
    for k in (3, 9):
        at.slider(key="k").set_value(k).run()
        palette = next(m.value for m in at.html if "kseg-palette" in m.value)
        assert palette.count("kseg-swatch") == k
        assert "#ff0000" in palette and palette.count("</svg> pinned") == 1
    again = _app({"pin": "ff0000,00ff00"})
    palette = next(m.value for m in again.html if "kseg-palette" in m.value)
    assert palette.count("</svg> pinned") == 2 and "#00ff00" in palette


def test_a_bad_upload_leaves_the_servers_memory_at_once(monkeypatch):
    from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager

    dropped = []
    remove_file = MemoryUploadedFileManager.remove_file

    def recording(self, session_id, file_id):
        dropped.append((file_id, len(self.file_storage.get(session_id, {}))))
        remove_file(self, session_id, file_id)

    monkeypatch.setattr(MemoryUploadedFileManager, "remove_file", recording)
    at = _app()
    at.file_uploader(key="upload_0").upload("notes.png", b"not a picture", "image/png").run()
    assert len(dropped) == 1 and dropped[0][1] == 1  # the one file held, then removed
    assert "notes.png" in at.error[0].value
    rocket = kseg.sample_path("rocket").read_bytes()
    at.file_uploader(key="upload_1").upload("launch.jpg", rocket, "image/jpeg").run()
    assert len(dropped) == 1 and not at.error  # a good photo stays in its uploader
    assert "640 × 427 px" in _summary(at)


def test_the_page_names_kseg_s_version_and_licence():
    at = _app()
    assert any(f"kseg {kseg.__version__} · MIT licence" in c.value for c in at.sidebar.caption)


def test_the_paint_by_number_view_shows_the_painted_photo_and_offers_the_sheet(downloads):
    at = _app({"k": "8"})
    at.radio(key="view").set_value("Paint by number").run()
    assert not at.exception
    caption = _images(at)[0]
    assert caption.startswith("Painted by number · ") and caption.endswith(" numbers")
    regions, numbers = map(int, re.findall(r"(\d+) (?:regions|numbers)", caption))
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    sheet = kseg.paint_by_number(rgb, kseg.segment(rgb, 8, seed=0))
    assert (regions, numbers) == (sheet.regions, sheet.numbers)  # this very result's sheet
    pdf = downloads("paint_by_number.pdf")
    assert pdf == sheet.pdf and b"/MediaBox [0 0 841.89 595.28]" in pdf  # A4, landscape
    assert downloads("paint_by_number.svg").decode() == sheet.svg
    at.radio(key="paper").set_value("40x50cm").run()  # a paint-by-number kit's canvas
    assert b"/MediaBox [0 0 1417.32 1133.86]" in downloads("paint_by_number.pdf", first=False)
    # Too large for a printer: also over A4 or Letter pages, with marks to join them.
    canvas = kseg.paint_by_number(rgb, kseg.segment(rgb, 8, seed=0), paper="40x50cm")
    labels = [b.proto.label for b in at.get("download_button")]
    for printer in ("A4", "Letter"):
        tiles = canvas.tiled(printer)
        assert downloads(f"paint_by_number_{printer}_pages.pdf") == tiles.pdf
        assert f"{tiles.pages} {printer} pages (PDF)" in labels
    at.radio(key="paper").set_value("Letter").run()
    assert b"/MediaBox [0 0 792.00 612.00]" in downloads("paint_by_number.pdf", first=False)
    assert not [b for b in at.get("download_button") if " pages (PDF)" in b.proto.label]
    at.number_input(key="pbn-coverage").set_value(100.0).run()  # ml a square metre
    svg = downloads("paint_by_number.svg").decode()
    with_paint = kseg.paint_by_number(
        rgb, kseg.segment(rgb, 8, seed=0), paper="Letter", coverage=100.0
    )
    assert svg == with_paint.svg and " ml</text>" in svg
    # Bigger numbers and a wider brush: fewer, larger numbers on the sheet.
    at.select_slider(key="number_mm").set_value(4.0).run()
    at.select_slider(key="min_width_mm").set_value(4.0).run()
    assert not at.exception
    wide = kseg.paint_by_number(
        rgb, kseg.segment(rgb, 8, seed=0), paper="Letter", min_width_mm=4.0, number_mm=4.0
    )
    caption = _images(at)[0]
    assert f"{wide.regions} regions, {wide.numbers} numbers" in caption
    assert wide.regions < regions


def test_an_uploads_header_is_read_once_and_its_bytes_hashed_once_per_session(monkeypatch):
    from webapp.server import uploads

    reads, hashes = [], []
    image_size, of = kseg.image_size, uploads.Upload.of.__func__

    def counted_size(source, **kw):
        reads.append(1)
        return image_size(source, **kw)

    def counted_of(cls, name, data):
        hashes.append(len(data))
        return of(cls, name, data)

    monkeypatch.setattr(kseg, "image_size", counted_size)
    monkeypatch.setattr(uploads.Upload, "of", classmethod(counted_of))
    at = _app()
    rocket = kseg.sample_path("rocket").read_bytes()
    reads.clear()
    hashes.clear()
    at.file_uploader(key="upload_0").upload("launch.jpg", rocket, "image/jpeg").run()
    at.slider(key="k").set_value(4).run()  # a new result of the same upload
    assert "640 × 427 px" in _summary(at) and _cards(at) == 4
    assert hashes == [len(rocket)] and reads == [1]


def test_an_uploaded_photo_is_still_there_after_a_visit_to_many_photos():
    at = _app()
    rocket = kseg.sample_path("rocket").read_bytes()
    at.file_uploader(key="upload_0").upload("launch.jpg", rocket, "image/jpeg").run()
    assert "640 × 427 px" in _summary(at)
    at.switch_page("app_pages/many_photos.py").run()
    assert not at.exception
    at.switch_page("app_pages/one_photo.py").run()
    assert not at.exception and not at.error
    assert "640 × 427 px" in _summary(at)
    assert any("Still showing your previous photo, **launch.jpg**" in i.value for i in at.info)
    # Picking a sample then shows the sample, as before.
    at.radio(key="sample").set_value("chelsea").run()
    assert "451 × 300 px" in _summary(at) and not at.info


def test_the_pin_limit_is_said_in_words_beside_the_greyed_out_button():
    pins = ",".join(f"{i:02x}0000" for i in range(8))
    at = _app({"pin": pins})
    at.session_state["pins-open"] = True
    at.run()
    assert not at.exception
    assert at.button(key="pin-add").disabled
    assert any("8 colours are pinned, the most there can be" in c.value for c in at.caption)
    palette = next(m.value for m in at.html if "kseg-palette" in m.value)
    assert "📌" not in palette and palette.count('<svg aria-hidden="true"') == 5  # k = 5 used


def test_background_leaves_the_denominator_on_the_page_and_in_the_files(downloads):
    at = _app({"k": "4"})
    at.multiselect(key="hide").set_value([0]).run()
    assert not at.exception
    palette = next(m.value for m in at.html if "kseg-palette" in m.value)
    rest = [float(v) for v in re.findall(r"([\d.]+)% of the rest", palette)]
    assert len(rest) == 3 and abs(sum(rest) - 100) < 0.2
    rows = list(csv.DictReader(io.StringIO(downloads("_palette.csv").decode())))
    assert [r["background"] for r in rows] == ["True", "False", "False", "False"]
    assert rows[0]["share_of_rest_percent"] == ""
    shown = [float(r["share_of_rest_percent"]) for r in rows[1:]]
    assert abs(sum(shown) - 100) < 1e-3
    photo = [float(r["share_percent"]) for r in rows]
    assert shown[0] == pytest.approx(100 * photo[1] / sum(photo[1:]), abs=1e-3)


def test_a_merge_keeps_every_background_choice_that_still_applies():
    at = _app({"k": "5"})
    palette = lambda: next(m.value for m in at.html if "kseg-palette" in m.value)  # noqa: E731
    first = re.findall(r'user-select:all">(#[0-9a-f]{6})</span> · RGB', palette())
    at.multiselect(key="hide").set_value([4]).run()  # the smallest colour is background
    background = first[4]
    at.multiselect(key="merge").set_value([0, 1]).run()  # two others merged
    assert not at.exception
    now = re.findall(r'user-select:all">(#[0-9a-f]{6})</span> · RGB', palette())
    hidden = at.multiselect(key="hide").value
    assert [now[i] for i in hidden] == [background]  # the same colour, wherever it went
    # Merged with a colour that was not background, it is no longer.
    at.multiselect(key="merge").set_value([0, 1, 4]).run()
    assert at.multiselect(key="hide").value == []
