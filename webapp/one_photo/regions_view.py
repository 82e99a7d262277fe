"""Regions (drawn when its section is opened): each colour's separate
regions counted and measured (:func:`kseg.measure_regions`), with their
sizes per colour, in pixels and, given the width of the scene, in mm²;
the table of every region as CSV.  Measured once per photo, settings and
choices, under the memory budget, kept in the page cache."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

import kseg
from webapp.parts.widgets import download
from webapp.server.cache import PAGE
from webapp.session.compute import Photo, PhotoRef, missing_steps, photo_sizes
from webapp.session.jobs import job


@dataclass(frozen=True, eq=False)
class Measured:
    """What the page shows of a result's regions: a row per colour, and
    the CSV of every region."""

    rows: tuple[dict, ...]
    csv: bytes
    regions: int


def measured(ref: PhotoRef, connectivity: int, min_size: int, mm_per_px: float | None) -> Measured:
    """The regions of the photo's result (page cache)."""

    def make() -> Measured:
        pixels, decoder = photo_sizes(ref.source)
        steps = [*missing_steps(ref.digest, ref.settings, ref.edits), "regions"]
        with job(steps, pixels, decoder):
            result = ref.result()
            table = kseg.measure_regions(
                result, connectivity=connectivity, min_size=min_size, mm_per_px=mm_per_px
            )
            rows = []
            for i, (row, p) in enumerate(
                zip(table.summary(result.k), kseg.palette_rows(result), strict=True)
            ):
                named = {"colour": f"#{i + 1} {p['name']}", **row}
                if mm_per_px is not None:
                    named["total mm²"] = round(row["total"] * mm_per_px**2, 2)
                rows.append(named)
            return Measured(tuple(rows), kseg.regions_csv(table, result), len(table.area))

    key = ("regions", ref.digest, ref.settings, ref.edits, connectivity, min_size, mm_per_px)
    return PAGE.get_or_make(key, make)


def regions_section(photo: Photo) -> None:
    """The "Regions" section."""
    with st.expander("Count and measure regions", key="regions-open", on_change="rerun") as box:
        if not box.open:  # drawn only when open
            return
        a, b, c = st.columns(3)
        connectivity = a.radio(
            "Regions join",
            (8, 4),
            key="regions-connectivity",
            format_func=lambda n: {8: "at corners too (8)", 4: "by sides only (4)"}[n],
            help="Whether pixels of one colour touching only at a corner are one region.",
        )
        min_size = b.number_input(
            "Smallest region (pixels)", 1, 10**6, 1, key="regions-min", step=10
        )
        width = c.number_input(
            "Width of the scene (mm)",
            0.0,
            1e6,
            0.0,
            key="regions-width",
            help="What the photo's width measures in the scene (or on a ruler in it), for "
            "areas in mm². 0: pixels only.",
        )
        scale = width / photo.width if width else None
        found = measured(photo.ref, int(connectivity), int(min_size), scale)
        st.caption(
            f"{found.regions:,} regions"
            + (f"; {scale:.4g} mm a pixel" if scale else "")
            + ". Areas in pixels: total, smallest, median and largest per colour."
        )
        st.dataframe(list(found.rows), hide_index=True)
        stem = kseg.safe_stem(photo.name)
        download("Regions (CSV)", found.csv, f"{stem}_regions.csv", "text/csv", "regions")
