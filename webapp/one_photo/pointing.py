"""Pointing at the photo: click a colour, and the page answers with that
colour and what can be done with it (mark it as background, merge it with
another, download its mask).  The multiselects below stay for keyboard use.

The click is mapped to the full-size pixel (``kseg.pixel_at``) and its
cluster read from the full-size result, so the answer is exact on a
resized preview too.
"""

from __future__ import annotations

import html

import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

import kseg
from webapp.one_photo.downloads import mask_file
from webapp.parts import markup
from webapp.parts.widgets import MAX_PINS, PINS_FULL, add_pin, download
from webapp.session.compute import Photo, run_segmentation


def clickable_photo(photo: Photo) -> dict | None:
    """The photo, clickable; the last click ({x, y, width, height, ...}) or None."""
    st.caption("Click a colour in the photo.")
    return streamlit_image_coordinates(
        photo.views.previews.original[..., :3],
        key="click",
        width="stretch",
        image_format="JPEG",
        jpeg_quality=85,
        cursor="crosshair",
    )


def clicked_pixel(photo: Photo, click: dict) -> tuple[int, int]:
    """The full-size (row, col) under the click."""
    shown = (max(1, int(click["width"])), max(1, int(click["height"])))
    return kseg.pixel_at(click["x"], click["y"], shown, (photo.width, photo.height))


def answer(photo: Photo, click: dict | None) -> None:
    """The clicked colour: its swatch, number, name and share, and the actions."""
    if not click:
        return
    row, col = clicked_pixel(photo, click)
    index = kseg.cluster_at(photo.ref.result(), row, col)
    with st.container(border=True, key="click-answer"):
        if index < 0:
            st.markdown(f"Pixel ({col}, {row}) is transparent: it belongs to no colour.")
            return
        raw = kseg.cluster_at(run_segmentation(photo.ref.source, photo.settings), row, col)
        pending = _second_click_merge(click, raw)
        entry = photo.views.palette[index]
        title = markup.card_title(index, entry, index in st.session_state.hide)
        st.html(f"<p>You clicked pixel ({col}, {row}): {title}</p>")
        views = photo.views
        st.image(
            kseg.highlight(views.previews.original[..., :3], views.previews.labels, index),
            alt=f"{photo.name} with only #{index + 1} {entry['name']} in full colour",
            width=360,
        )
        if pending is not None:
            st.info(f"Now click the colour to merge with #{pending + 1}.")
        _actions(photo, index, raw, entry)
        _pixel_colour(photo, row, col)


def _pixel_colour(photo: Photo, row: int, col: int) -> None:
    """The clicked pixel's own colour (it may differ from its cluster's, on
    a small object), and a button to pin exactly that colour."""
    rgb = photo.ref.image().rgb[row, col]
    code = "{:02x}{:02x}{:02x}".format(*(int(v) for v in rgb))
    name = kseg.color_name(rgb)
    left, right = st.columns([3, 1], vertical_alignment="center")
    left.html(
        f'<p>The pixel itself: <span style="display:inline-block;width:1rem;height:1rem;'
        f'vertical-align:-2px;border:1px solid #6d6c6a;background:#{code}"></span> '
        f"<b>#{code}</b> {html.escape(name)}</p>"
    )
    pinned = code in st.session_state.pins
    full = len(st.session_state.pins) >= MAX_PINS
    if right.button(
        f"Pinned #{code}" if pinned else f"Pin #{code}",
        key="click-pin-pixel",
        disabled=pinned or full,
        help=f"K-means keeps the clicked pixel's colour, {name}, exactly, for any k.",
    ):
        add_pin(code)
        st.rerun()
    if full and not pinned:
        st.caption(PINS_FULL)


def _second_click_merge(click: dict, raw: int) -> int | None:
    """After "Merge with a click", the next new click merges; returns the
    colour still waiting for its partner (None once merged or not asked)."""
    waiting = st.session_state.get("merge_from")
    fresh = click.get("unix_time") != st.session_state.get("merge_click")
    if waiting is None or not fresh:
        return waiting
    st.session_state.merge_from = None
    if raw != waiting:
        st.session_state.merge = sorted({*st.session_state.merge, waiting, raw})
        st.rerun()
    return None


def _actions(photo: Photo, index: int, raw: int, entry: dict) -> None:
    hidden = st.session_state.hide
    name = html.escape(str(entry["name"]))
    a, b, c, d = st.columns(4)
    foreground = [i for i in range(photo.views.k) if i not in hidden]
    if a.button(
        "Mark as background" if index not in hidden else "Back in the foreground",
        key="click-background",
        disabled=index not in hidden and len(foreground) <= 1,
    ):
        st.session_state.hide = sorted(set(hidden) ^ {index})
        st.rerun()
    if b.button(f"Merge #{raw + 1} with a click…", key="click-merge"):
        st.session_state.merge_from = raw
        st.session_state.merge_click = st.session_state["click"].get("unix_time")
        st.rerun(scope="fragment")
    others = [i for i in range(len(photo.raw_palette)) if i != raw]
    partner = b.selectbox(
        "…or merge with",
        others,
        index=None,
        key="click-merge-pick",
        placeholder="Pick a colour",
        format_func=lambda i: f"#{i + 1} {photo.raw_palette[i]['name']}",
    )
    if partner is not None:
        st.session_state.merge = sorted({*st.session_state.merge, raw, partner})
        st.session_state.pop("click-merge-pick", None)
        st.rerun()
    code = str(entry["hex"]).lstrip("#")
    pinned = code in st.session_state.pins
    if d.button(
        f"Pinned #{code}" if pinned else f"Pin #{index + 1}'s colour",
        key="click-pin",
        disabled=pinned or len(st.session_state.pins) >= MAX_PINS,
        help=f"K-means keeps #{code} exactly, for any k.",
    ):
        add_pin(code)
        st.rerun()
    stem = f"{kseg.safe_stem(photo.name)}_{photo.views.stems[index]}"
    with c:
        download(
            f"Download the mask of #{index + 1} {name}",
            lambda i=index, ref=photo.ref: mask_file(ref, i),
            f"{stem}_mask.png",
            "image/png",
            "click-mask",
        )
