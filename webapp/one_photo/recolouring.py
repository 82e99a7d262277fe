"""Recolour: paint any colour of the result with another (a picker, a hex
code, or one of the user's own colours); the segmented image, the layers,
the sheet and every download follow.  Kept in session state ``recolour``
("N:rrggbb") and in the link."""

from __future__ import annotations

from collections.abc import Sequence

import streamlit as st

import kseg
from kseg.files.palette_reading import parse_hex


def recolour_picker(palette: Sequence[dict], own: Sequence[str]) -> None:
    """The "Recolour" section (drawn when open) and, below it, what is
    recoloured now."""
    with st.expander("Recolour", key="recolour-open", on_change="rerun") as box:
        if box.open:  # drawn only when open (the colour picker's code is large)
            _widgets(palette, own)
    done = st.session_state.get("recolour", [])
    if done and not box.open:
        st.caption("Recoloured: " + ", ".join(_said(item) for item in done))


def _said(item: str) -> str:
    number, code = item.split(":")
    return f"#{number} → #{code} {kseg.color_name(parse_hex(code))}"


def _widgets(palette: Sequence[dict], own: Sequence[str]) -> None:
    st.caption(
        "Paint a colour with another: the picture, the layers, the sheet and every "
        "download follow. A merge starts the colours afresh."
    )
    pick = st.selectbox(
        "Colour",
        range(len(palette)),
        format_func=lambda i: f"#{i + 1} {palette[i]['name']} {palette[i]['hex']}",
        key="recolour-which",
    )
    i = int(pick or 0)
    choices = [f"#{item[:6]} {item[7:]}".strip() for item in own]
    mine = st.selectbox("One of your colours", ["(the picker's)", *choices], key="recolour-own")
    colour = st.color_picker("New colour", str(palette[i]["hex"]), key="recolour-picker")
    if mine and mine != "(the picker's)":
        colour = mine.split()[0]
    left, right = st.columns(2)
    if left.button("Recolour", key="recolour-apply", icon=":material/format_paint:"):
        _set(i + 1, colour.lstrip("#").lower())
    if st.session_state.get("recolour") and right.button("Undo all", key="recolour-undo"):
        st.session_state.recolour = []
        st.rerun()


def _set(number: int, code: str) -> None:
    """Colour ``number`` painted ``code`` (replacing an earlier choice), then
    the whole page runs again."""
    kept = [
        item for item in st.session_state.get("recolour", []) if item.split(":")[0] != str(number)
    ]
    st.session_state.recolour = sorted(
        [*kept, f"{number}:{code}"], key=lambda s: int(s.split(":")[0])
    )
    st.rerun()
