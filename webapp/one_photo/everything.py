"""The "Download everything" part of the page: the ZIP of everything (with
the classes and scale the Measure section uses), the segmented image, the
layers, and the palette files (the JSON with the classes)."""

from __future__ import annotations

import functools

import streamlit as st

import kseg
from webapp.one_photo.cutting import FORMS
from webapp.one_photo.downloads import (
    Choices,
    cutout_file,
    layers_file,
    palette_file,
    segmented_file,
    zip_bytes,
)
from webapp.one_photo.measuring import scale_of
from webapp.one_photo.paint_view import sheet_options
from webapp.parts.classes_box import centers_of, typed_classes
from webapp.parts.widgets import download
from webapp.session.compute import Photo, PhotoRef


def everything(photo: Photo, hidden: frozenset[int]) -> None:
    """Everything at once (ZIP), the segmented image and the palette files."""
    ref, views = photo.ref, photo.views
    stem = kseg.safe_stem(photo.name)
    classes = typed_classes(centers_of(views.palette))
    st.subheader("Download everything")
    c1, c2, c3, c4 = st.columns(4)
    with c1:
        _zip_ui(ref, hidden, stem, _chosen(photo, classes))
        if hidden:
            keep = [i for i in range(views.k) if i not in hidden]
            download(
                "Everything but background (cut-out)",
                lambda: cutout_file(ref, keep),
                f"{stem}_foreground.png",
                "image/png",
                "foreground",
            )
    with c2:
        download(
            "Segmented image",
            lambda: segmented_file(ref),
            f"{stem}_segmented.png",
            "image/png",
            "segmented",
        )
        download(
            "Layers (SVG)",
            lambda: layers_file(ref, hidden),
            f"{stem}_layers.svg",
            "image/svg+xml",
            "layers",
        )
    with c3:
        csv = functools.partial(palette_file, ref, "csv", hidden)
        json = functools.partial(palette_file, ref, "json", hidden, classes)
        download("Palette (CSV)", csv, f"{stem}_palette.csv", "text/csv", "csv")
        download("Palette (JSON)", json, f"{stem}_palette.json", "application/json", "json")
    with c4:
        for label, kind, mime in (
            ("Palette (GIMP .gpl)", "gpl", "text/plain"),
            ("Palette (Adobe .ase)", "ase", "application/octet-stream"),
            ("Palette (CSS)", "css", "text/css"),
            ("Palette image (PNG)", "png", "image/png"),
        ):
            make = functools.partial(palette_file, ref, kind, hidden)
            download(label, make, f"{stem}_palette.{kind}", mime, kind)


def _zip_ui(ref: PhotoRef, hidden: frozenset[int], stem: str, chosen: Choices) -> None:
    """The ZIP of everything, made on click (on two threads; a finished ZIP
    is kept in the server's ZIP store for the next click)."""
    download(
        "Everything (ZIP)",
        lambda: zip_bytes(ref, hidden, chosen),
        f"{stem}_kseg.zip",
        "application/zip",
        "zip",
    )


def _chosen(photo: Photo, classes: str) -> Choices:
    """What the page chose that the ZIP should follow: the classes and scale
    (Measure), the sheet's paper (Paint by number) and the layers' width,
    form and overlap (Layers for a cutter), where chosen."""
    ss = st.session_state
    chosen: list[tuple[str, object]] = [("classes", classes), ("mm_per_px", scale_of(photo))]
    chosen.append(("paper", str(ss.get("paper", "A4"))))
    chosen.append(("sheet", sheet_options()))
    width = str(ss.get("cutting-width", "")).strip()
    try:
        number, unit = kseg.check_length("width", width, 1.0, 100_000.0)
        chosen.append(("size", f"{number:g}{unit}"))
    except (TypeError, ValueError):  # none, or not a length: the layers at a pixel a pixel
        pass
    stacked = FORMS.get(str(ss.get("cutting-form", "Stacked")), True)
    chosen.append(("stacked", stacked))
    trap = float(ss.get("cutting-overlap", 0.0) or 0.0)
    if not stacked and trap:
        chosen.append(("overlap", f"{trap:g}mm"))
    return tuple(chosen)
