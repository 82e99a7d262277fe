"""The classes box both pages draw: named classes of colours typed one a
line (``vegetation: 2 5 7``, ``sky: 8 exclude``), read and checked by kseg
against the palette shown, and said in words when they do not fit."""

from __future__ import annotations

import numpy as np
import streamlit as st

import kseg
from kseg.files.palette_reading import parse_hex

#: The box's example, what a first-time user sees in it.
EXAMPLE = "vegetation: 2 5 7\nsky: 8 exclude"


def classes_box(centers: np.ndarray) -> kseg.Classes | None:
    """The classes typed in (session state ``classes_text``, also in the
    link), if they read and fit the palette ``centers``; else a message and
    None."""
    text = st.text_area(
        "Classes (optional)",
        key="classes_text",
        placeholder=EXAMPLE,
        height=100,
        help="One class a line: a name, then its colours' numbers as the swatches show them "
        "(or hex codes). Add 'exclude' to leave a class out of the measured area, such as "
        "the sky over a field. Colours in no class are counted as '(no class)'.",
    ).strip()
    if not text:
        return None
    try:
        classes = kseg.read_classes(text)
        classes.indices(centers)
    except kseg.ClassesError as exc:
        st.error(f"These classes cannot be used: {exc}.", icon=":material/error:")
        return None
    return classes


def centers_of(palette: tuple[dict, ...] | list[dict]) -> np.ndarray:
    """The palette's colours (rows of :func:`kseg.palette_rows`) as (k, 3) uint8."""
    return np.array([parse_hex(row["hex"]) for row in palette], dtype=np.uint8).reshape(-1, 3)


def typed_classes(centers: np.ndarray) -> str:
    """The classes typed in (kseg's text form), if they read and fit the
    palette ``centers``, without drawing anything; else ""."""
    text = str(st.session_state.get("classes_text", "")).strip()
    try:
        classes = kseg.read_classes(text) if text else None
        if classes:
            classes.indices(centers)
    except kseg.ClassesError:
        return ""
    return classes.text() if classes else ""
