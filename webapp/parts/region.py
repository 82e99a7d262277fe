"""The region of interest in the sidebar: a rectangle or a polygon of the
photo, in percent of its width and height (so one region suits every photo
of a series), typed in; only its pixels are fitted, counted and
downloaded."""

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
    on = st.toggle(
        "Only a region of the photo",
        key="roi_on",
        help="Only its pixels are fitted, counted and downloaded: the plot without the "
        "path around it, the leaf without the bench.",
    )
    shape = st.radio("Shape", SHAPES, key="roi-shape", horizontal=True, disabled=not on)
    if shape == "Polygon":
        st.text_input(
            "Corners (% across, % down)",
            key="roi-corners",
            placeholder="10,10; 90,10; 50,90",
            disabled=not on,
            help="Each corner as two numbers, across then down, in percent of the photo's "
            "width and height; corners separated by semicolons, 3 to 200 of them. A pixel "
            "is measured when its centre is inside.",
        )
        if on and not roi_text():
            st.error(
                "These corners make no polygon: give three or more, such as 10,10; 90,10; 50,90."
            )
        return
    left, right = st.columns(2)
    for i, (key, label) in enumerate(SIDES.items()):
        (left if i % 2 == 0 else right).number_input(
            label, 0.0, 100.0, step=1.0, key=key, disabled=not on
        )
    if on and not roi_text():
        st.error("This rectangle holds nothing of the photo: give it a width and a height.")


#: The region's shapes.
SHAPES = ("Rectangle", "Polygon")


def roi_text() -> str:
    """The chosen region as kseg's fractions, or "" (off, or empty)."""
    ss = st.session_state
    if not ss.get("roi_on"):
        return ""
    if ss.get("roi-shape") == "Polygon":
        return polygon_fractions(str(ss.get("roi-corners", "")))
    return _fractions(*(float(ss[key]) for key in ROI_KEYS))


def polygon_fractions(text: str) -> str:
    """Corners typed in percent (``"10,10; 90,10; 50,90"``) as kseg's
    fractions (``"0.1,0.1; 0.9,0.1; 0.5,0.9"``), or "" when they make no
    polygon within the photo."""
    try:
        percent = kseg.parse_roi(text if ";" in text else "")
    except (kseg.RoiError, TypeError):
        return ""
    if any(v > 100 for corner in percent.corners for v in corner):
        return ""
    corners = tuple((round(x / 100, 4), round(y / 100, 4)) for x, y in percent.corners)
    return str(kseg.Roi.polygon(corners, relative=True))


def polygon_percent(roi: kseg.Roi) -> str:
    """A polygon in fractions as the corners box shows it, in percent."""
    return "; ".join(f"{100 * x:g},{100 * y:g}" for x, y in roi.corners)


def _fractions(x: float, y: float, w: float, h: float) -> str:
    """A rectangle given in percent, cut to the photo, as kseg's fractions
    (``"0.1,0.2,0.5,0.4"``), or "" when nothing of the photo is left."""
    x, y, w, h = x / 100, y / 100, w / 100, h / 100
    w, h = min(w, 1 - x), min(h, 1 - y)
    if w <= 0 or h <= 0:
        return ""
    return str(kseg.Roi(round(x, 4), round(y, 4), round(w, 4), round(h, 4), relative=True))


def roi_words(roi: str) -> str:
    """The region in words: ``from 10 % left, 20 % down, 80 × 60 %``, or
    ``the polygon 10,10; 90,10; 50,90 (% across, % down)``."""
    region = kseg.parse_roi(roi)
    if region.corners:
        return f"the polygon {polygon_percent(region)} (% across, % down)"
    x, y, w, h = (100 * v for v in (region.x, region.y, region.width, region.height))
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
