"""The "Measure" section (drawn when opened): named classes of colours (a
text box, carried in the link), the scale, each class's pixels and shares,
the separate regions of each colour or class (:func:`kseg.measure_regions`)
with their sizes, and the Methods paragraph to cite it all by.  Measured
once per photo, settings and choices, under the memory budget, kept in the
page cache."""

from __future__ import annotations

import math
from dataclasses import dataclass

import streamlit as st
from streamlit_image_coordinates import streamlit_image_coordinates

import kseg
from webapp.parts.classes_box import centers_of, classes_box
from webapp.parts.widgets import download
from webapp.server.cache import PAGE
from webapp.session.compute import PREVIEW_SIDE, Photo, PhotoRef, missing_steps, photo_sizes
from webapp.session.jobs import job

#: Regions numbered on the picture, the largest first.
NUMBERED = 150


@dataclass(frozen=True, eq=False)
class Measured:
    """What the page shows of a result's measurement: a row per class (if
    any) and per colour or class of the regions, their CSVs, and the
    Methods paragraph."""

    classes: tuple[dict, ...]
    classes_csv: bytes
    rows: tuple[dict, ...]
    csv: bytes
    regions: int
    methods: str
    picture: bytes  # the preview with the regions outlined, the largest numbered (PNG)


@dataclass(frozen=True)
class Choices:
    """How to measure: regions joined at corners (8) or by sides (4), the
    smallest region, the scale (mm a pixel) and the classes (their text)."""

    connectivity: int = 8
    min_size: int = 1
    mm_per_px: float | None = None
    classes: str = ""


def measured(ref: PhotoRef, how: Choices) -> Measured:
    """The classes and regions of the photo's result (page cache)."""

    def make() -> Measured:
        pixels, decoder = photo_sizes(ref.source)
        steps = [*missing_steps(ref.digest, ref.settings, ref.edits), "regions"]
        with job(steps, pixels, decoder):
            result = ref.result()
            classes = kseg.read_classes(how.classes) if how.classes else None
            table = kseg.measure_regions(
                result,
                connectivity=how.connectivity,
                min_size=how.min_size,
                mm_per_px=how.mm_per_px,
                classes=classes,
            )
            kinds, kinds_csv = (), b""
            if classes:
                counted = kseg.class_table(result, classes, mm_per_px=how.mm_per_px)
                kinds = tuple(_class_row(row) for row in counted.rows())
                kinds_csv = kseg.classes_csv(counted, table)
            methods = kseg.methods_text(
                result,
                photo=ref.name,
                classes=classes,
                roi=ref.settings.roi or None,
                mm_per_px=how.mm_per_px,
                regions={"connectivity": how.connectivity, "min_size": how.min_size},
            )
            rows = _region_rows(table, result, how.mm_per_px)
            csv = kseg.regions_csv(table, result)
            picture = _picture(ref, result, table, classes)
            return Measured(kinds, kinds_csv, rows, csv, len(table.area), methods, picture)

    key = ("regions", ref.digest, ref.name, ref.settings, ref.edits, how)
    return PAGE.get_or_make(key, make)


def _picture(
    ref: PhotoRef,
    result: kseg.Segmentation,
    table: kseg.RegionTable,
    classes: kseg.Classes | None,
) -> bytes:
    """The photo's preview with its regions outlined, the largest numbered."""
    rgb = kseg.downscale(ref.image().rgb, PREVIEW_SIDE)
    labels = kseg.preview_labels(result, rgb.shape[:2])
    if classes:
        labels = classes.lut(result.centers)[labels]
    shown = kseg.numbered_regions(rgb, labels, table, result.labels.shape[1], most=NUMBERED)
    return kseg.encode_png(shown, compression=1)


def _class_row(row: dict) -> dict:
    """A class's row as the page shows it."""
    shown = {
        "class": row["class"],
        "colours": row["colours"],
        "pixels": row["pixels"],
        "% of photo": row["percent_of_photo"],
        "left out": row["excluded"] == "yes",
        "% of included": row["percent_of_included"] if row["excluded"] == "no" else None,
    }
    if "area_mm2" in row:
        shown["mm²"] = row["area_mm2"]
    return shown


def _region_rows(
    table: kseg.RegionTable, result: kseg.Segmentation, mm_per_px: float | None
) -> tuple[dict, ...]:
    """Per colour (or class): its regions and their sizes."""
    if table.classes:
        names = list(table.classes)
    else:
        names = [f"#{i + 1} {p['name']}" for i, p in enumerate(kseg.palette_rows(result))]
    rows = []
    for name, sizes in zip(names, table.summary(len(names)), strict=True):
        row = {"class" if table.classes else "colour": name, **sizes}
        if mm_per_px is not None:
            row["total mm²"] = round(row["total"] * mm_per_px**2, 2)
        rows.append(row)
    return tuple(rows)


def measure_section(photo: Photo) -> None:
    """The "Measure" section."""
    with st.expander(
        "Measure: classes, regions, areas", key="regions-open", on_change="rerun"
    ) as box:
        if not box.open:  # drawn only when open
            return
        classes = classes_box(centers_of(photo.views.palette))
        how = Choices(*_region_choices(photo), classes=classes.text() if classes else "")
        found = measured(photo.ref, how)
        stem = kseg.safe_stem(photo.name)
        if found.classes:
            st.dataframe(list(found.classes), hide_index=True)
            download("Classes (CSV)", found.classes_csv, f"{stem}_classes.csv", "text/csv",
                     "classes-csv")  # fmt: skip
        scale = how.mm_per_px
        st.caption(
            f"{found.regions:,} regions"
            + (f"; {scale:.4g} mm a pixel" if scale else "")
            + f". Areas in pixels: total, smallest, median and largest per "
            f"{'class' if how.classes else 'colour'}."
        )
        st.dataframe(list(found.rows), hide_index=True)
        download("Regions (CSV)", found.csv, f"{stem}_regions.csv", "text/csv", "regions")
        numbered = min(NUMBERED, found.regions)
        st.image(
            found.picture,
            caption=f"Regions outlined; the {numbered} largest numbered as in the CSV",
            alt=f"{photo.name} with its {found.regions:,} regions outlined in white and the "
            f"{numbered} largest numbered",
            width="stretch",
            output_format="PNG",
        )
        st.caption(
            "Methods: what was done, to copy into a report (the copy button is at the right)."
        )
        st.code(found.methods, language=None, wrap_lines=True)


def _region_choices(photo: Photo) -> tuple[int, int, float | None]:
    """How regions join, the smallest kept, and the scale (mm a pixel)."""
    a, b, c = st.columns(3)
    connectivity = a.radio(
        "Regions join",
        (8, 4),
        key="regions-connectivity",
        format_func=lambda n: {8: "at corners too (8)", 4: "by sides only (4)"}[n],
        help="Whether pixels of one colour touching only at a corner are one region.",
    )
    min_size = b.number_input("Smallest region (pixels)", 1, 10**6, 1, key="regions-min", step=10)
    c.number_input(
        "Width of the scene (mm)",
        0.0,
        1e6,
        key="regions-width",
        help="What the photo's width measures in the scene, for areas in mm². 0: pixels only.",
    )
    _ruler(photo)
    return int(connectivity), int(min_size), scale_of(photo)


def _ruler(photo: Photo) -> None:
    """A line drawn along a ruler (or any length known) in the photo, and
    its length typed in: the scale, instead of the scene's width."""
    if not st.toggle(
        "Set the scale on a ruler in the photo",
        key="ruler-on",
        help="Drag along a ruler or anything of known length in the photo, then type its "
        "length: areas in mm² follow. The line's length in pixels can be typed too.",
    ):
        return
    line = streamlit_image_coordinates(
        photo.views.previews.original[..., :3],
        key="ruler-draw",
        width="stretch",
        image_format="JPEG",
        jpeg_quality=85,
        click_and_drag=True,
        cursor="crosshair",
    )
    if line and line.get("x2") is not None and line != st.session_state.get("ruler-seen"):
        st.session_state["ruler-seen"] = line  # each drawn line is read once
        sx, sy = photo.width / max(1, line["width"]), photo.height / max(1, line["height"])
        dx, dy = (line["x2"] - line["x1"]) * sx, (line["y2"] - line["y1"]) * sy
        st.session_state["ruler-px"] = round(math.hypot(dx, dy), 1)
    left, right = st.columns(2)
    left.number_input("The line (pixels of the photo)", 0.0, 1e6, step=1.0, key="ruler-px")
    right.number_input("Its length (mm)", 0.0, 1e6, step=1.0, key="ruler-mm")
    scale = scale_of(photo)
    if scale is not None:
        st.caption(f"{scale:.4g} mm a pixel: the photo is {scale * photo.width:.4g} mm wide.")


def scale_of(photo: Photo) -> float | None:
    """Millimetres a pixel: from the ruler, when one is set, else from the
    width of the scene typed in (mm); None for neither."""
    ss = st.session_state
    line, length = float(ss.get("ruler-px", 0.0)), float(ss.get("ruler-mm", 0.0))
    if ss.get("ruler-on") and line > 0 and length > 0:
        return length / line
    width = float(ss.get("regions-width", 0.0))
    return width / photo.width if width else None
