"""The "Stitch pattern" view: a stitch, bead or brick pattern of the
result: how many cells across, the finished size that gives, the chart
in colour with its symbols, and the chart to print (PDF, a symbol per
colour), in colour (PNG) and the counts to buy (CSV); made once under the
memory budget and kept in the page cache."""

from __future__ import annotations

import streamlit as st

import kseg
from webapp.one_photo.downloads import pattern_files
from webapp.parts.widgets import download
from webapp.session.compute import Photo

#: Cells across offered on the page (kseg takes 10 to 1,000).
CELLS = (20, 300)


def stitch_pattern(photo: Photo) -> None:
    """The pattern's cells across and fabric count, the chart in colour and
    its downloads (PDF, PNG, CSV)."""
    left, right = st.columns(2)
    cells = int(
        left.slider(
            "Cells across",
            *CELLS,
            value=100,
            step=10,
            key="pattern_cells",
            help="Stitches, beads or bricks across the picture; the rows follow its shape.",
        )
    )
    count = right.number_input(
        "Cells an inch (fabric count)",
        1.0,
        200.0,
        14.0,
        step=1.0,
        key="pattern_count",
        help="14 for 14-count Aida; for beads or bricks, 25.4 divided by their size in mm "
        "(5 mm beads: 5.08).",
    )
    _pattern(photo, cells, count)


def _pattern(photo: Photo, cells: int, count: float) -> None:
    rows = max(1, round(cells * photo.height / photo.width))
    wide, high = cells * 25.4 / count, rows * 25.4 / count
    st.caption(
        f"{cells} × {rows} cells, one colour each with its symbol (printable in black "
        f"and white); finished {wide / 10:.1f} × {high / 10:.1f} cm "
        f"({wide / 25.4:.1f} × {high / 25.4:.1f} in) at {count:g} an inch. "
        "The CSV counts the cells of each colour."
    )
    with st.spinner("Drawing the pattern…"):
        files = pattern_files(photo.ref, cells)
    st.image(
        files["png"],
        caption=f"The pattern, {cells} × {rows} cells",
        alt=f"{photo.name} as a grid of {cells} by {rows} cells, each in its colour with "
        "its symbol, a darker line every ten cells",
        width="stretch",
        output_format="PNG",
    )
    stem = kseg.safe_stem(photo.name)
    for label, kind, mime in (
        ("Pattern to print (PDF)", "pdf", "application/pdf"),
        ("Pattern in colour (PNG)", "png", "image/png"),
        ("Cells of each colour (CSV)", "csv", "text/csv"),
    ):
        download(label, files[kind], f"{stem}_pattern.{kind}", mime, f"pattern-{kind}")
