"""Layers for a cutter (drawn when its section is opened): the layered SVG
at a real width (``30cm``, ``12in``: the height follows the photo), stacked
(each layer also under the layers above it) or cut out (each layer its own
colour only, grown by an overlap if asked), made on click under the memory
budget."""

from __future__ import annotations

import functools

import streamlit as st

import kseg
from webapp.one_photo.downloads import layers_file
from webapp.parts.widgets import download
from webapp.session.compute import Photo

#: The two forms of the layers, as the page names them.
FORMS = {"Stacked": True, "Cut out": False}


def cutting_section(photo: Photo, hidden: frozenset[int]) -> None:
    """The "Layers for a cutter" section."""
    with st.expander("Layers for a cutter", key="cutting-open", on_change="rerun") as box:
        if not box.open:  # drawn only when open
            return
        left, right = st.columns(2)
        width = left.text_input(
            "Width",
            key="cutting-width",
            placeholder="30cm",
            help="The drawing's width on vinyl, paper or fabric, in mm, cm or in; the height "
            "follows the photo. Empty: a pixel a pixel.",
        ).strip()
        form = right.radio(
            "Layers",
            tuple(FORMS),
            key="cutting-form",
            horizontal=True,
            help="Stacked: each layer also lies under the layers above it, so nothing shows "
            "between them when cut. Cut out: each layer is its own colour only.",
        )
        size = _size(width, photo)
        if width and size is None:
            return
        overlap = None
        if not FORMS[str(form)]:
            trap = st.number_input(
                "Overlap (mm)",
                0.0,
                5.0,
                step=0.1,
                key="cutting-overlap",
                help="Each layer grown past its borders by this much, so neighbouring colours "
                "overlap when printed or cut (a trap). 0: they only touch.",
            )
            overlap = f"{trap:g}mm" if trap else None
        stem = kseg.safe_stem(photo.name)
        make = functools.partial(layers_file, photo.ref, hidden, size, FORMS[str(form)], overlap)
        name = f"{stem}_layers_{size or 'pixels'}_{'stacked' if FORMS[str(form)] else 'cut-out'}"
        download("Layers for cutting (SVG)", make, f"{name}.svg", "image/svg+xml", "cut")


def _size(width: str, photo: Photo) -> str | None:
    """``width`` checked (said beside it when it is not a length), with the
    height it gives."""
    if not width:
        return None
    try:
        number, unit = kseg.check_length("width", width, 1.0, 100_000.0)
    except ValueError as exc:
        st.error(f"{exc}.")
        return None
    height = number * photo.height / photo.width
    st.caption(f"{number:g} × {height:.1f} {unit}")
    return f"{number:g}{unit}"
