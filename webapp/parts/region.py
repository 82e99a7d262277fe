"""The region of interest in the sidebar: a rectangle of the photo, in
percent of its width and height (so one rectangle suits every photo of a
series), typed in; only its pixels are fitted, counted and downloaded."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence

import streamlit as st

import kseg
from webapp.server.links import ROI_KEYS
from webapp.server.uploads import Upload
from webapp.session.state import Settings

#: The rectangle's widgets (session state keys) and their labels.
SIDES = {
    "roi-x": "Left edge (%)",
    "roi-y": "Top edge (%)",
    "roi-w": "Width (%)",
    "roi-h": "Height (%)",
}


def roi_ui() -> str:
    """The region of interest as kseg reads it (fractions, ``"0.1,0.1,0.8,0.8"``),
    or "" for the whole photo."""
    with st.sidebar.expander("Region of interest", key="roi-open", on_change="rerun") as box:
        if box.open:  # drawn only when open
            _widgets()
    roi = roi_text()
    if roi and not box.open:
        st.sidebar.caption(f"Measuring only: {roi_words(roi)}.")
    return roi


def _widgets() -> None:
    st.toggle(
        "Only a rectangle of the photo",
        key="roi_on",
        help="Only its pixels are fitted, counted and downloaded: the plot without the "
        "path around it, the leaf without the bench.",
    )
    left, right = st.columns(2)
    for i, (key, label) in enumerate(SIDES.items()):
        (left if i % 2 == 0 else right).number_input(
            label, 0.0, 100.0, step=1.0, key=key, disabled=not st.session_state.roi_on
        )
    if st.session_state.roi_on and not roi_text():
        st.error("This rectangle holds nothing of the photo: give it a width and a height.")


def roi_text() -> str:
    """The chosen rectangle as kseg's fractions, or "" (off, or empty)."""
    ss = st.session_state
    if not ss.get("roi_on"):
        return ""
    return _fractions(*(float(ss[key]) for key in ROI_KEYS))


def _fractions(x: float, y: float, w: float, h: float) -> str:
    """A rectangle given in percent, cut to the photo, as kseg's fractions
    (``"0.1,0.2,0.5,0.4"``), or "" when nothing of the photo is left."""
    x, y, w, h = x / 100, y / 100, w / 100, h / 100
    w, h = min(w, 1 - x), min(h, 1 - y)
    if w <= 0 or h <= 0:
        return ""
    return str(kseg.Roi(round(x, 4), round(y, 4), round(w, 4), round(h, 4), relative=True))


def roi_words(roi: str) -> str:
    """The rectangle in words: ``from 10 % left, 20 % down, 80 × 60 %``."""
    x, y, w, h = (100 * float(v) for v in roi.split(","))
    return f"from {x:g} % left and {y:g} % down, {w:g} × {h:g} % of the photo"


def photo_roi_ui(digest: str) -> None:
    """A series photo's own region of interest (in percent of it), for when
    the photos differ: a toggle and the rectangle's four numbers."""
    key = photo_roi_key(digest)
    on = st.toggle(
        "A region of its own",
        key=f"{key}-on",
        help="Only this rectangle of this photo is fitted and measured, instead of the "
        "sidebar's region for every photo.",
    )
    if not on:
        return
    columns = st.columns(4)
    for column, (side, label), default in zip(
        columns, SIDES.items(), (0.0, 0.0, 100.0, 100.0), strict=True
    ):
        column.number_input(label, 0.0, 100.0, default, step=1.0, key=f"{key}-{side}")
    if not own_roi(digest):
        st.error("This rectangle holds nothing of the photo: give it a width and a height.")


def photo_roi_key(digest: str) -> str:
    return f"photo-roi-{digest[:16]}"


def own_roi(digest: str) -> str:
    """The photo's own region of interest as kseg reads it, or "" (none)."""
    ss, key = st.session_state, photo_roi_key(digest)
    if not ss.get(f"{key}-on"):
        return ""
    defaults = (0.0, 0.0, 100.0, 100.0)
    return _fractions(
        *(float(ss.get(f"{key}-{s}", d)) for s, d in zip(SIDES, defaults, strict=True))
    )


def with_photo_regions(settings: Settings, photos: Sequence[Upload]) -> Settings:
    """``settings`` with the photos' own regions of interest (by SHA-256)."""
    rois = tuple((p.digest, roi) for p in photos if (roi := own_roi(p.digest)))
    return dataclasses.replace(settings, rois=rois)
