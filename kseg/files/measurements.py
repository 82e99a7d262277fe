"""Measurements as files: ``regions.csv``, one row per region of a
:class:`~kseg.RegionTable` (its colour by number, name and hex; area,
centroid, bounding box and perimeter in pixels, and in millimetres where
the table has a scale), and ``classes.csv``, one row per class of a
:class:`~kseg.ClassTable`."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from kseg.engine.classes import Classes, ClassTable, class_table
from kseg.engine.measuring import RegionTable, measure_regions
from kseg.engine.result import Segmentation, names_of

__all__ = ["classes_csv", "measurement_entries", "regions_csv"]


def measurement_entries(
    result: Segmentation,
    *,
    regions: bool = False,
    classes: Classes | None = None,
    mm_per_px: float | None = None,
) -> list[tuple[str, Callable[[], bytes]]]:
    """The measurements asked for, as (file name, function making its
    bytes): ``regions.csv`` (of each class where ``classes`` are given, else
    of each colour) and ``classes.csv`` (with each class's region count when
    ``regions``); measured now, so bad classes fail before any file is made.

    Raises
    ------
    ClassesError
        If the classes do not fit the result's palette.
    """
    entries: list[tuple[str, Callable[[], bytes]]] = []
    table = measure_regions(result, mm_per_px=mm_per_px, classes=classes) if regions else None
    if table is not None:
        entries.append(("regions.csv", lambda: regions_csv(table, result)))
    if classes:
        kinds = class_table(result, classes, mm_per_px=mm_per_px)
        entries.append(("classes.csv", lambda: classes_csv(kinds, table)))
    return entries


def regions_csv(table: RegionTable, result: Segmentation) -> bytes:
    """The regions of ``table`` (measured on ``result``, by colour or by
    class) as CSV."""
    if table.classes:  # each region's class
        head = ["class"]
        who = [[table.classes[int(c)]] for c in table.colour]
    else:  # each region's colour: its number, name and hex
        names = names_of(result)
        head = ["colour", "name", "hex"]
        who = [
            [int(c) + 1, names[int(c)], "#{:02x}{:02x}{:02x}".format(*result.centers[int(c)])]
            for c in table.colour
        ]
    scale = table.mm_per_px
    header = ["region", *head, "area_px"] + (["area_mm2"] if scale else [])
    header += ["centroid_x", "centroid_y", "bbox_x", "bbox_y", "bbox_w", "bbox_h"]
    header += ["perimeter_px"] + (["perimeter_mm"] if scale else [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i in range(len(table.area)):
        area, perimeter = int(table.area[i]), int(table.perimeter[i])
        row: list[object] = [i + 1, *who[i]]
        row += [area] + ([round(area * scale**2, 6)] if scale else [])
        row += [round(float(v), 3) for v in table.centroid[i]]
        row += [int(v) for v in table.bbox[i]]
        row += [perimeter] + ([round(perimeter * scale, 6)] if scale else [])
        writer.writerow(row)
    return out.getvalue().encode()


def classes_csv(table: ClassTable, regions: RegionTable | None = None) -> bytes:
    """The classes of ``table`` as CSV: class, colours (numbers from 1),
    excluded, pixels, percent of the photo, percent of the included area,
    area in mm² where the table has a scale, and, given ``regions`` of the
    same result and classes, each class's count of separate regions."""
    rows = table.rows()
    if regions is not None:
        if regions.classes != table.names:
            msg = "the regions were not measured by these classes (measure_regions(classes=))"
            raise ValueError(msg)
        for i, row in enumerate(rows):
            row["regions"] = int((regions.colour == i).sum())
    out = io.StringIO()
    writer = csv.DictWriter(
        out, fieldnames=list(rows[0]) if rows else ["class"], lineterminator="\n"
    )
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()
