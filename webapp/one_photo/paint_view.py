"""The "Paint by number" view: the printable sheet of a photo's result
(made once per photo, settings, paper and smallest region, kept in the
page cache) and its part of the page: the painted preview, the paper and
region-size choices and the sheet's downloads (PDF, SVG)."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import kseg
from webapp.parts.widgets import download
from webapp.server.cache import PAGE
from webapp.session.compute import PREVIEW_SIDE, Photo, PhotoRef, missing_steps, photo_sizes
from webapp.session.jobs import job, queue_notice


@dataclass(frozen=True, eq=False)
class Sheet:
    """A paint-by-number sheet of a result: its SVG and PDF, the painted
    preview (PNG, preview size) and how many regions it numbers."""

    svg: bytes
    pdf: bytes
    preview: bytes
    regions: int
    landscape: bool
    numbers: int
    #: For a paper larger than the printer's: the sheet over A4 and over
    #: Letter pages (PDF), and how many pages each takes.
    tiles: dict[str, tuple[bytes, int]]


def paint_sheet(
    ref: PhotoRef,
    paper: str,
    min_region: int | None,
    width_mm: float = kseg.MIN_WIDTH_MM,
    number_mm: float = kseg.NUMBER_MM,
    coverage: float | None = None,
) -> Sheet:
    """The paint-by-number sheet of the photo's result (page cache)."""

    def make() -> Sheet:
        pixels, decoder = photo_sizes(ref.source)
        steps = [*missing_steps(ref.digest, ref.settings, ref.edits), "paint"]
        with job(steps, pixels, decoder):
            image, result = ref.image(), ref.result()
            sheet = kseg.paint_by_number(
                image.rgb,
                result,
                paper=paper,
                min_region=min_region,
                min_width_mm=width_mm,
                number_mm=number_mm,
                coverage=coverage,
            )
            preview = kseg.downscale(sheet.preview, PREVIEW_SIDE)
            tiles = {}
            if paper not in PRINTERS:
                tiles = {p: (t.pdf, t.pages) for p in PRINTERS for t in [sheet.tiled(p)]}
            return Sheet(
                sheet.svg.encode(),
                sheet.pdf,
                kseg.encode_png(preview, compression=1),
                sheet.regions,
                sheet.landscape,
                sheet.numbers,
                tiles,
            )

    key = ("paint", ref.digest, ref.settings, ref.edits, paper, min_region, width_mm, number_mm)
    key += (coverage,)
    return PAGE.get_or_make(key, make)


#: The papers most printers take: a larger sheet is also offered over them.
PRINTERS = ("A4", "Letter")

#: The papers offered, by what kseg calls them: their labels.
PAPERS = {
    "A4": "A4",
    "A3": "A3",
    "Letter": "Letter",
    "Tabloid": "Tabloid",
    "40x50cm": "40 × 50 cm canvas",
}


def paint_by_number(photo: Photo) -> None:
    """The photo painted by numbers, the paper, smallest region, narrowest
    area and smallest number, and the printable sheet (PDF, SVG)."""
    paper, min_region, width_mm, number_mm, coverage = _sheet_settings()
    with queue_notice(), st.spinner("Drawing the sheet…"):
        sheet = paint_sheet(photo.ref, paper, min_region, width_mm, number_mm, coverage)
    st.image(
        sheet.preview,
        caption=f"Painted by number · {sheet.regions} regions, {sheet.numbers} numbers",
        alt=f"{photo.name} painted by number: {sheet.regions} regions, each in its "
        f"colour of the {photo.views.k}",
        width="stretch",
        output_format="PNG",
    )
    stem = kseg.safe_stem(photo.name)
    left, right = st.columns(2)
    with left:
        download("Sheet (PDF)", sheet.pdf, f"{stem}_paint_by_number.pdf", "application/pdf",
                 "pbn-pdf")  # fmt: skip
    with right:
        download("Sheet (SVG)", sheet.svg, f"{stem}_paint_by_number.svg", "image/svg+xml",
                 "pbn-svg")  # fmt: skip
    if sheet.tiles:
        st.caption(
            "Too large for your printer? The same sheet over A4 or Letter pages: each page "
            "repeats a 1 cm strip of the next, with a dashed line and crosses to join them."
        )
        for column, (printer, (pdf, pages)) in zip(st.columns(2), sheet.tiles.items(), strict=True):
            with column:
                download(f"{pages} {printer} pages (PDF)", pdf,
                         f"{stem}_paint_by_number_{printer}_pages.pdf", "application/pdf",
                         f"pbn-tiles-{printer}")  # fmt: skip


def _sheet_settings() -> tuple[str, int | None, float, float, float | None]:
    """The sheet's paper, smallest region, narrowest area, smallest number
    and paint coverage (None: areas only), as chosen."""
    paper_col, size_col = st.columns(2)
    paper = paper_col.radio(
        "Paper",
        tuple(PAPERS),
        key="paper",
        horizontal=True,
        format_func=lambda p: PAPERS[p],
        help="A printed sheet, or the usual 40 × 50 cm canvas of a paint-by-number kit.",
    )
    smallest = size_col.select_slider(
        "Smallest region (pixels)",
        options=["auto", 25, 50, 100, 200, 400, 800, 1600, 3200],
        key="min_region",
        help="Smaller regions are merged into a neighbour before numbering. "
        "Auto: a disc 3 mm across on the printed sheet.",
    )
    min_region = None if smallest == "auto" else int(smallest)
    width_col, number_col = st.columns(2)
    width_mm = width_col.select_slider(
        "Narrowest area to paint (mm)",
        options=[1.0, 1.5, 2.0, 3.0, 4.0, 6.0],
        key="min_width_mm",
        help="Narrower strips are merged into a neighbour, and a part joined to the rest of "
        "its region only by a narrower neck gets its own number.",
    )
    number_mm = number_col.select_slider(
        "Smallest number (mm)",
        options=[1.5, 2.0, 2.5, 3.0, 4.0, 5.0],
        key="number_mm",
        help="No number on the sheet is smaller; regions too narrow for one are merged.",
    )
    coverage = st.number_input(
        "Paint a square metre takes (ml)",
        0.0,
        10_000.0,
        step=10.0,
        key="pbn-coverage",
        help="From the paint's label (acrylic often covers about 10 m² a litre: 100 ml). "
        "The key then gives each colour's paint beside its area. 0: areas only.",
    )
    return str(paper), min_region, float(width_mm), float(number_mm), float(coverage) or None


def sheet_options() -> tuple[tuple[str, object], ...]:
    """The sheet's options as chosen in the view (kseg.paint_by_number's
    keywords), for the ZIP of everything; the defaults where not chosen."""
    ss = st.session_state
    smallest = ss.get("min_region", "auto")
    return (
        ("min_region", None if smallest == "auto" else int(smallest)),
        ("min_width_mm", float(ss.get("min_width_mm", kseg.MIN_WIDTH_MM))),
        ("number_mm", float(ss.get("number_mm", kseg.NUMBER_MM))),
        ("coverage", float(ss.get("pbn-coverage", 0.0)) or None),
    )
