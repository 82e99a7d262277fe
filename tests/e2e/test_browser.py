"""End-to-end: a real user in headless Chromium."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Page, expect
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

import kseg

TIMEOUT = 60_000


def wait_for_app(page: Page) -> None:
    """Wait until the script run is over, nothing on the page is stale and
    nothing is still to follow (a new visitor's first run leaves what is
    below the fold to the run after it: webapp.parts.fold)."""
    following = page.locator(".st-key-below-fold")
    for _ in range(2):
        expect(page.get_by_test_id("stApp")).to_have_attribute(
            "data-test-script-state", "notRunning", timeout=TIMEOUT
        )
        expect(page.locator("[data-stale='true']")).to_have_count(0, timeout=TIMEOUT)
        if following.count() == 0:
            return
        expect(following).to_have_count(0, timeout=TIMEOUT)
    raise AssertionError("the part below the fold came back after it had been drawn")


def expect_summary(page: Page, text: str) -> None:
    """The result's summary says ``text`` once the run is over (while a run
    redraws the page, the summary before it may still show beside the new
    one)."""
    summary = page.locator(".kseg-summary")
    expect(summary.filter(has_text=text)).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)
    expect(summary).to_have_count(1)
    expect(summary).to_contain_text(text)


def open_app(page: Page, url: str) -> None:
    page.goto(url)
    expect(page.locator(".kseg-summary")).to_be_visible(timeout=TIMEOUT)
    wait_for_app(page)


def set_k(page: Page, k: int, *, one_photo: bool = True) -> None:
    """Move k with the arrow keys and wait for the new result (on the one
    photo page, for its summary to say so)."""
    slider = (
        page.get_by_test_id("stSlider").filter(has_text="Number of colours").get_by_role("slider")
    )
    for _ in range(3):  # a key pressed while a rerun redraws the slider can be lost
        current = int(slider.input_value())
        if current == k:
            break
        slider.focus()
        key = "ArrowRight" if k > current else "ArrowLeft"
        for _ in range(abs(k - current)):
            slider.press(key)
        try:
            expect(slider).to_have_value(str(k), timeout=3000)
        except AssertionError:
            continue
    expect(slider).to_have_value(str(k))
    # The app reruns on release of the key; wait for the new result.
    if one_photo:
        expect(page.locator(".kseg-summary")).to_contain_text(
            f"{k} clusters found", timeout=TIMEOUT
        )
    wait_for_app(page)


def download(page: Page, label: str, nth: int = 0) -> bytes:
    wait_for_app(page)
    button = page.get_by_test_id("stDownloadButton").filter(has_text=label).nth(nth)
    with page.expect_download(timeout=TIMEOUT) as info:
        button.get_by_role("button").click()
    return Path(info.value.path()).read_bytes()


def pick(page: Page, label: str, *numbers: str) -> None:
    """Choose the options starting with each of ``numbers`` ("#2 ") in the
    multiselect labelled ``label``, waiting for the page after each."""
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label)
    for number in numbers:
        open_dropdown(page, box.get_by_role("combobox"))
        page.get_by_role("option").filter(has_text=re.compile(f"^{re.escape(number)}")).click()
        wait_for_app(page)
    page.keyboard.press("Escape")


def open_dropdown(page: Page, combobox) -> None:
    """Open a select's dropdown (a click right after another dropdown closed
    can be taken as that one's outside click; then one more opens it)."""
    for _ in range(3):
        if combobox.get_attribute("aria-expanded") == "true":
            return
        combobox.click()
        page.wait_for_timeout(150)
    expect(combobox).to_have_attribute("aria-expanded", "true")


def download_zip(page: Page) -> bytes:
    """The ZIP of everything (made on click)."""
    return download(page, "Everything (ZIP)")


def no_exceptions(page: Page) -> None:
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_page_opens_on_the_sample_result(page: Page, app_server: str, shots: Path):
    open_app(page, app_server)
    expect(page.locator(".kseg-summary")).to_contain_text("600 × 400 px")
    expect(page.locator(".kseg-swatch")).to_have_count(5)
    expect(page.locator("[class*='st-key-card-']")).to_have_count(5)
    expect(page.get_by_test_id("stImage").first).to_be_visible()
    no_exceptions(page)
    page.screenshot(path=str(shots / "01-sample.png"), full_page=True)


#: Watches the page from its first load: on every frame while the note that
#: the rest follows is shown, the most mask cards seen beside it.
WATCH = """() => {
    window.__noteFrames = 0;
    window.__cardsWithNote = 0;
    const tick = () => {
        const note = document.querySelector('.st-key-below-fold');
        if (note && note.innerText.includes('follow in a moment')) {
            window.__noteFrames += 1;
            const cards = document.querySelectorAll("[class*='st-key-card-']").length;
            window.__cardsWithNote = Math.max(window.__cardsWithNote, cards);
        }
        requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
}"""


def watch_runs(page: Page) -> list[str]:
    """From now on, how each script run of the page ended, in order, as the
    server says it over the websocket (``script_finished``): counted on the
    wire, since a short run can start and end between two of the browser's
    renders and never show as "running" in the page."""
    ends: list[str] = []

    def on_frame(payload: bytes | str) -> None:
        msg = ForwardMsg()
        if isinstance(payload, bytes):
            msg.ParseFromString(payload)
            if msg.WhichOneof("type") == "script_finished":
                ends.append(ForwardMsg.ScriptFinishedStatus.Name(msg.script_finished))

    page.on("websocket", lambda ws: ws.on("framereceived", on_frame))
    return ends


def test_a_new_visitor_sees_the_first_screen_then_the_rest_follows_by_itself(
    page: Page, app_server: str
):
    page.add_init_script(f"({WATCH})()")
    runs = watch_runs(page)
    page.goto(app_server)
    # The first run draws down to the swatches, with a note where the masks
    # will be (what it draws exactly: the AppTest test of the first run);
    # with no input from the visitor, the rest follows in one more run ...
    expect(page.locator("[class*='st-key-card-']")).to_have_count(5, timeout=TIMEOUT)
    expect(page.get_by_role("button", name="Everything (ZIP)")).to_be_visible()
    wait_for_app(page)
    expect(page.locator(".st-key-below-fold")).to_have_count(0)
    assert page.evaluate("window.__noteFrames") > 0, "the note was never drawn"
    assert page.evaluate("window.__cardsWithNote") == 0, "cards were drawn beside the note"
    # ... and no run after it: the timer that asked for it is gone.  Two
    # runs: the first (a full run) and the follow-up (a run of the fragment
    # below the pictures only, which stops the timer).
    page.wait_for_timeout(3000)  # three times the follow-up's delay
    assert runs == ["FINISHED_SUCCESSFULLY", "FINISHED_FRAGMENT_RUN_SUCCESSFULLY"]
    no_exceptions(page)


def test_moving_k_changes_swatches_and_cards(page: Page, app_server: str, shots: Path):
    open_app(page, app_server)
    set_k(page, 3)
    expect(page.locator(".kseg-swatch")).to_have_count(3)
    expect(page.locator("[class*='st-key-card-']")).to_have_count(3)
    assert "k=3" in page.url
    set_k(page, 7)
    expect(page.locator(".kseg-swatch")).to_have_count(7)
    expect(page.locator("[class*='st-key-card-']")).to_have_count(7)
    no_exceptions(page)
    page.screenshot(path=str(shots / "02-k7.png"), full_page=True)


def test_shared_link_reproduces_the_view(page: Page, app_server: str):
    page.goto(f"{app_server}/?k=4&sample=chelsea")
    expect(page.locator(".kseg-summary")).to_contain_text("451 × 300 px", timeout=TIMEOUT)
    wait_for_app(page)
    expect(page.locator(".kseg-swatch")).to_have_count(4)


def test_mask_download_is_a_full_size_black_and_white_png(page: Page, app_server: str):
    open_app(page, app_server)
    mask = np.asarray(Image.open(io.BytesIO(download(page, "Mask PNG"))).convert("L"))
    assert mask.shape == (400, 600)
    assert set(np.unique(mask).tolist()) == {0, 255}
    cut = Image.open(io.BytesIO(download(page, "Cut-out PNG")))
    assert cut.mode == "RGBA" and cut.size == (600, 400)
    assert np.array_equal(np.asarray(cut)[..., 3] == 255, mask == 255)


def test_zip_download_has_every_file(page: Page, app_server: str):
    open_app(page, app_server)
    zf = zipfile.ZipFile(io.BytesIO(download_zip(page)))
    names = zf.namelist()
    assert sum(n.startswith("coffee/masks/") for n in names) == 5
    assert sum(n.startswith("coffee/cutouts/") for n in names) == 5
    assert "coffee/manifest.json" in names and "coffee/palette.gpl" in names


def upload(page: Page, name: str, data: bytes, mime: str) -> None:
    page.get_by_test_id("stFileUploaderDropzoneInput").set_input_files(
        files=[{"name": name, "mimeType": mime, "buffer": data}]
    )


def test_uploading_a_real_photo_segments_it(page: Page, app_server: str, shots: Path):
    open_app(page, app_server)
    upload(page, "launch.jpg", kseg.sample_path("rocket").read_bytes(), "image/jpeg")
    expect(page.locator(".kseg-summary")).to_contain_text("640 × 427 px", timeout=TIMEOUT)
    wait_for_app(page)
    expect(page.locator(".kseg-swatch")).to_have_count(5)
    no_exceptions(page)
    page.screenshot(path=str(shots / "03-upload.png"), full_page=True)


def test_non_image_upload_is_dropped_with_a_message_and_the_page_keeps_working(
    page: Page, app_server: str, shots: Path
):
    open_app(page, app_server)
    upload(page, "notes.png", b"this is text, not a picture", "image/png")
    alert = page.get_by_test_id("stAlert").filter(has_text="can't be used")
    expect(alert).to_contain_text("notes.png", timeout=TIMEOUT)
    expect(alert).to_contain_text("Accepted: JPEG, PNG")
    wait_for_app(page)
    no_exceptions(page)
    page.screenshot(path=str(shots / "04-bad-upload.png"), full_page=True)
    # The bad file was dropped at once: the uploader is empty, the sample is back.
    expect(alert).to_contain_text("was removed")
    expect(page.get_by_test_id("stFileUploaderFile")).to_have_count(0)
    expect(page.locator(".kseg-summary")).to_contain_text("600 × 400 px", timeout=TIMEOUT)
    set_k(page, 4)
    expect(page.locator(".kseg-swatch")).to_have_count(4)
    no_exceptions(page)


def test_suggest_k_shows_the_curve_and_applies_the_suggestion(
    page: Page, app_server: str, shots: Path
):
    open_app(page, app_server + "?k=9")
    page.get_by_role("button", name="Suggest k for this photo").click()
    reason = page.locator(".kseg-curve-reason")
    expect(reason).to_contain_text("is where the curve bends most", timeout=TIMEOUT)
    wait_for_app(page)
    expect(page.locator(".st-key-k-curve [data-testid='stVegaLiteChart']")).to_be_visible()
    suggested = int(reason.inner_text().split("k = ")[1].split(" ")[0])
    page.screenshot(path=str(shots / "08-suggest-k.png"), full_page=True)
    page.get_by_role("button", name=f"Use k = {suggested}").click()
    expect_summary(page, f"{suggested} clusters found")
    expect(page.locator(".kseg-swatch")).to_have_count(suggested)
    expect(reason).to_have_count(0)
    slider = page.get_by_test_id("stSlider").filter(has_text="Number of colours")
    expect(slider.get_by_role("slider")).to_have_value(str(suggested))
    no_exceptions(page)


def test_merging_two_colours_in_the_palette(page: Page, app_server: str, shots: Path):
    open_app(page, app_server)
    pick(page, "Merge colours into one", "#2 ", "#4 ")
    expect(page.locator(".kseg-summary")).to_contain_text("4 clusters found", timeout=TIMEOUT)
    wait_for_app(page)
    expect(page.locator(".kseg-swatch")).to_have_count(4)
    expect(page.locator("[class*='st-key-card-']")).to_have_count(4)
    assert "merge=2%2C4" in page.url or "merge=2,4" in page.url
    page.screenshot(path=str(shots / "09-merged.png"), full_page=True)
    names = zipfile.ZipFile(io.BytesIO(download_zip(page))).namelist()
    assert sum(n.startswith("coffee/masks/") for n in names) == 4
    no_exceptions(page)


def test_a_chosen_view_travels_in_the_link_and_opens_again(page: Page, app_server: str):
    # A view reruns only its part of the page; the link follows it all the same.
    open_app(page, app_server)
    page.get_by_test_id("stRadio").filter(has_text="Boundaries").get_by_text("Boundaries").click()
    wait_for_app(page)
    expect(page).to_have_url(re.compile(r"view=boundaries"), timeout=TIMEOUT)
    other = page.context.new_page()
    other.goto(page.url)
    expect(other.locator(".kseg-swatch").first).to_be_visible(timeout=TIMEOUT)
    chosen = other.get_by_test_id("stRadio").filter(has_text="Boundaries").locator("input:checked")
    expect(chosen).to_have_value(re.compile("Boundaries|2"), timeout=TIMEOUT)
    no_exceptions(other)
    other.close()
