"""Measurements as files: ``regions.csv``, one row per region of a
:class:`~kseg.RegionTable` (its colour by number, name and hex; area,
centroid, bounding box and perimeter in pixels, and in millimetres where
the table has a scale)."""

from __future__ import annotations

import csv
import io

from kseg.engine.measuring import RegionTable
from kseg.engine.result import Segmentation, names_of

__all__ = ["regions_csv"]


def regions_csv(table: RegionTable, result: Segmentation) -> bytes:
    """The regions of ``table`` (measured on ``result``) as CSV."""
    names = names_of(result)
    scale = table.mm_per_px
    header = ["region", "colour", "name", "hex", "area_px"]
    header += ["area_mm2"] if scale else []
    header += ["centroid_x", "centroid_y", "bbox_x", "bbox_y", "bbox_w", "bbox_h"]
    header += ["perimeter_px"] + (["perimeter_mm"] if scale else [])
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for i in range(len(table.area)):
        c = int(table.colour[i])
        area = int(table.area[i])
        row: list[object] = [
            i + 1,
            c + 1,
            names[c],
            "#{:02x}{:02x}{:02x}".format(*result.centers[c]),
        ]
        row += [area] + ([round(area * scale**2, 6)] if scale else [])
        row += [round(float(v), 3) for v in table.centroid[i]]
        row += [int(v) for v in table.bbox[i]]
        perimeter = int(table.perimeter[i])
        row += [perimeter] + ([round(perimeter * scale, 6)] if scale else [])
        writer.writerow(row)
    return out.getvalue().encode()
