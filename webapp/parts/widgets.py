"""The page's inputs; each helper draws its widgets and returns plain values."""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from typing import NoReturn

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

import kseg
from webapp.parts.region import roi_ui
from webapp.server.uploads import UploadGuard, refusal_message
from webapp.session.compute import sample_bytes
from webapp.session.jobs import on_janitor
from webapp.session.state import CLEAN_LIMITS, LIMITS, Settings, merge_changed, previous_photo

#: The caps on what visitors' uploaders hold (see webapp.server.uploads).
UPLOAD_GUARD = UploadGuard.for_budget()


def session_alive(session_id: str) -> bool:
    """Whether the server still has this session (false outside a server)."""
    return runtime.exists() and runtime.get_instance().is_active_session(session_id)


def _sweep() -> None:
    """Let go of the notes on what ended sessions uploaded."""
    if runtime.exists():
        UPLOAD_GUARD.sweep(session_alive)


on_janitor(_sweep)

UPLOAD_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif"]


def _upload_store() -> tuple[object, str] | None:
    """The server's upload store, guarded, and this session's id (None
    outside a server, as in AppTest)."""
    ctx = get_script_run_ctx()
    if ctx is None or not runtime.exists():
        return None
    store = runtime.get_instance().uploaded_file_mgr
    if not hasattr(store, "file_storage"):
        return None
    UPLOAD_GUARD.install(store)
    return store, ctx.session_id


def upload_refusals() -> None:
    """Say so when this session's uploads were refused for taking more
    memory than a visitor (or all visitors) may hold."""
    found = _upload_store()
    if found is None:
        return
    store, session_id = found
    refused = UPLOAD_GUARD.refused(session_id)
    if refused is None:
        return
    held_files = len(store.file_storage.get(session_id) or {})  # type: ignore[attr-defined]
    if refused.shown and not held_files:
        UPLOAD_GUARD.forget(session_id)  # said, and the files were removed: start afresh
        return
    refused.shown = True
    held = UPLOAD_GUARD.held(store, session_id)
    st.warning(refusal_message(UPLOAD_GUARD, held, held_files, refused), icon=":material/block:")


def source_ui() -> tuple[str, bytes, str | None]:
    """The photo, at the top of the page (on a phone the sidebar starts
    closed): an upload, or a bundled sample; after an upload that could not
    be used (and was dropped), the photo shown before it; back from "Many
    photos", the photo uploaded before.  Returns (name, bytes, sample)."""
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    round_ = st.session_state.get("upload_round", 0)
    # The uploader's state is gone (Streamlit forgets a widget in a run that
    # does not draw it) while its photo's bytes are kept: the visitor went to
    # "Many photos" with a photo uploaded, and is back.
    back = f"upload_{round_}" not in st.session_state and "_upload_bytes" in st.session_state
    upload = left.file_uploader(
        "Upload a photo",
        type=UPLOAD_TYPES,
        key=f"upload_{round_}",
        help="JPEG, PNG, WebP, BMP, TIFF or GIF (first frame), up to 50 MB and "
        f"{kseg.DEFAULT_MAX_PIXELS // 1_000_000} megapixels.",
    )
    with left:
        upload_refusals()
        failed = st.session_state.pop("upload_failed", None)
        if failed is not None:
            st.error(
                f"**{html.escape(failed[0])}** can't be used, and was removed. {failed[1]}",
                icon=":material/error:",
            )
    # A radio, not a select box: every sample in sight, one click away, and no
    # select box on a new visitor's first screen (its code is the largest).
    sample = right.radio(
        "…or try a sample photo",
        options=list(kseg.SAMPLES),
        format_func=lambda s: kseg.SAMPLES[s][1],
        key="sample",
        disabled=upload is not None,
        on_change=lambda: st.session_state.pop("keep_previous", None),
    )
    if upload is not None:
        st.session_state.pop("keep_previous", None)
        st.session_state.pop("link_from_upload", None)  # their photo is here now
        # One bytes object per uploaded file (getvalue() copies on every run):
        # what is made of it (its hash, its header) is then kept by identity.
        kept = st.session_state.get("_upload_bytes")
        if kept is None or kept[0] != upload.file_id:
            kept = (upload.file_id, upload.getvalue())
            st.session_state["_upload_bytes"] = kept
        return upload.name, kept[1], None
    st.session_state.pop("_upload_bytes", None)  # removed: its bytes go too
    if back:
        st.session_state["keep_previous"] = True  # their photo, not the sample
    if st.session_state.get("link_from_upload"):
        left.info(
            "This link was made on a photo someone uploaded. Photos never travel in "
            "links: it shows the same settings on a sample photo. Upload that photo to "
            "see its result.",
            icon=":material/link:",
        )
    previous = previous_photo()
    if st.session_state.get("keep_previous") and previous and previous[1] is not None:
        left.info(
            f"Still showing your previous photo, **{html.escape(previous[0])}**.",
            icon=":material/history:",
        )
        return previous[0], previous[1], None
    return kseg.SAMPLES[sample][0], sample_bytes(sample), sample


def drop_failed_upload(name: str, why: str) -> NoReturn:
    """Drop an upload that can't be used: its bytes leave the server's
    memory now, the uploader is emptied, and the next run says why (and
    shows the photo shown before it)."""
    round_ = st.session_state.get("upload_round", 0)
    file = st.session_state.get(f"upload_{round_}")
    ctx = get_script_run_ctx()
    if file is not None and ctx is not None:
        ctx.uploaded_file_mgr.remove_file(ctx.session_id, file.file_id)
    st.session_state.pop("_upload_bytes", None)
    st.session_state.pop("_upload", None)
    st.session_state["upload_failed"] = (name, why)
    st.session_state["upload_round"] = round_ + 1
    st.session_state["keep_previous"] = True
    st.rerun()


def settings_ui(*, suggest: bool = True) -> Settings:
    """The clustering settings: k (with "Suggest k" if ``suggest``), attempts,
    scale, and the advanced ones in an expander."""
    st.sidebar.header("Settings")
    k = st.sidebar.slider(
        "Number of colours (k)",
        *LIMITS["k"],
        key="k",
        help="How many colour groups to split the photo into (2 to 32; posterising and "
        "paint-by-number work often wants 24 to 32).",
    )
    if suggest:
        st.sidebar.button(
            "Suggest k for this photo",
            key="suggest",
            icon=":material/insights:",
            on_click=lambda: st.session_state.update(show_curve=True),
            help="Tries k = 2 to 12 quickly and shows where more colours stop helping much.",
        )
    attempts = st.sidebar.slider(
        "Attempts",
        *LIMITS["attempts"],
        key="attempts",
        help="How many independent tries; the tightest grouping is kept. "
        "More tries can find a slightly better result.",
    )
    scale = st.sidebar.slider(
        "Resize scale",
        0.1,
        1.0,
        step=0.05,
        key="scale",
        help="Find the colours on a smaller copy of the photo (faster for big "
        "photos). Masks and downloads are always full size.",
    )
    # Drawn only when open: a first visit loads no code for widgets it cannot see.
    with st.sidebar.expander("Advanced", key="advanced-open", on_change="rerun") as advanced:
        init, space, iters, eps, seed = _advanced_ui(bool(advanced.open))
    pins = pins_ui(int(k))
    return Settings(
        int(k),
        int(attempts),
        round(float(scale), 2),
        str(init),
        str(space),
        int(iters),
        round(float(eps), 2),
        int(seed),
        pins,
        roi=roi_ui(),
    )


#: Most pinned colours.
MAX_PINS = 8
#: Said beside a Pin button that is greyed out because no more can be pinned.
PINS_FULL = f"{MAX_PINS} colours are pinned, the most there can be: unpin one to pin another."


def pins_ui(k: int) -> tuple[str, ...]:
    """Colours K-means must keep exactly (session state ``pins``, "rrggbb"):
    pick one to add, untick one to remove.  At most k of them are used."""
    # One label whatever is pinned: Streamlit would take a new label for a new
    # section and close it.
    with st.sidebar.expander("Pinned colours", key="pins-open", on_change="rerun") as pinned:
        if pinned.open:  # drawn only when open (the colour picker's code is large)
            _pin_widgets()
    if st.session_state.pins and not pinned.open:
        names = ", ".join(f"#{h} {kseg.color_name(_rgb(h))}" for h in st.session_state.pins)
        st.sidebar.caption(f"Pinned: {names}")
    if len(st.session_state.pins) > k:
        st.sidebar.caption(f"Only the first {k} pinned colours are used (k = {k}).")
    return tuple(st.session_state.pins[:k])


def _pin_widgets() -> None:
    """The colour picker, its "Pin" button and the pinned colours."""
    st.caption(
        "Colours kept exactly as they are (a brand red, a stain): K-means places the "
        "other colours around them. Pin one here, or click it in the photo."
    )
    left, right = st.columns([2, 1], vertical_alignment="bottom")
    colour = left.color_picker("Colour to pin", "#c0392b", key="pin-picker")
    full = len(st.session_state.pins) >= MAX_PINS
    right.button("Pin", key="pin-add", disabled=full, on_click=lambda: add_pin(colour))
    if full:
        st.caption(PINS_FULL)
    st.multiselect(
        "Pinned",
        st.session_state.pins,
        key="pins",
        format_func=lambda h: f"#{h} {kseg.color_name(_rgb(h))}",
        placeholder="None pinned",
    )


def add_pin(colour: str) -> None:
    """Pin ``colour`` ("#rrggbb"), once, if there is room."""
    code = colour.lstrip("#").lower()
    if code not in st.session_state.pins and len(st.session_state.pins) < MAX_PINS:
        st.session_state.pins = [*st.session_state.pins, code]


def _rgb(code: str) -> tuple[int, int, int]:
    v = int(code, 16)
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)


def _advanced_ui(drawn: bool) -> tuple[str, str, int, float, int]:
    if not drawn:
        ss = st.session_state
        return str(ss.init), str(ss.space), int(ss.iters), float(ss.eps), int(ss.seed)
    init = st.radio(
        "Starting colours",
        kseg.INITS,
        key="init",
        horizontal=True,
        help="k-means++ spreads the first guesses apart; random picks them by chance.",
    )
    space = st.radio(
        "Colour space",
        kseg.COLOR_SPACES,
        key="space",
        horizontal=True,
        format_func=lambda s: {"rgb": "RGB", "lab": "Lab"}[s],
        help="Lab measures colour differences closer to how people see "
        "them: helpful when shades that look alike end up apart.",
    )
    iters = st.number_input(
        "Max iterations",
        *LIMITS["iters"],
        step=10,
        key="iters",
        help="Most refinement rounds per try.",
    )
    eps = st.number_input(
        "Epsilon",
        0.0,
        10.0,
        step=0.1,
        key="eps",
        help="Stop once no colour centre moves more than this. 0 = until nothing changes.",
    )
    seed = st.number_input(
        "Seed",
        *LIMITS["seed"],
        step=1,
        key="seed",
        help="The same seed gives the same result every time.",
    )
    return str(init), str(space), int(iters), float(eps), int(seed)


def clean_ui() -> int:
    """Speck cleaning (off by default). Returns the smallest patch kept, or 0."""
    st.sidebar.header("Clean masks")
    on = st.sidebar.toggle(
        "Remove specks and fill small holes",
        key="clean_on",
        help="Changes the pure K-means result: patches smaller than the size below "
        "join the colour around them, and the shares follow the cleaned masks.",
    )
    if not on:  # the size is kept for when cleaning is turned on again
        return 0
    size = st.sidebar.number_input(
        "Smallest patch kept (pixels)", *CLEAN_LIMITS, step=16, key="clean"
    )
    return int(size)


def _numbered(rows: Sequence[dict]) -> Callable[[int], str]:
    return lambda i: f"#{i + 1} {rows[i]['name']} ({rows[i]['hex']})"


def merge_picker(raw_palette: Sequence[dict]) -> None:
    """Colours to merge into one (session state ``merge``), numbered as
    K-means found them.  A merge makes a new result: a change reruns the
    whole page, also from inside a fragment."""
    st.multiselect(
        "Merge colours into one",
        range(len(raw_palette)),
        key="merge",
        placeholder="Pick two or more colours",
        format_func=_numbered(raw_palette),
        on_change=merge_changed,
        args=([int(p["pixels"]) for p in raw_palette],),
        help="Pick two or more colours (numbered as K-means found them) to treat as one: "
        "palette, masks, cut-outs and downloads all follow.",
    )


def background_picker(palette: Sequence[dict]) -> None:
    """Colours marked as background (session state ``hide``)."""
    st.multiselect(
        "Background (left out of cut-outs and the ZIP)",
        range(len(palette)),
        key="hide",
        placeholder="Pick colours to leave out",
        format_func=_numbered(palette),
        help="Colours marked as background get no cut-out; a combined cut-out of everything "
        "else is offered below.",
    )


def download(label: str, data: bytes | Callable[[], bytes], file_name: str, mime: str, key: str):
    """A download button whose ``data`` may be a callable, run only on click."""
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )
