"""Files of a series segmented with one palette: the shares of every colour
in every photo (CSV), and one ZIP with a folder per photo."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np

from kseg.base.naming import color_names
from kseg.base.parallel import THREADS
from kseg.base.version import __version__
from kseg.engine.classes import Classes, class_table
from kseg.engine.result import Segmentation
from kseg.files.export import export_entries, unique_stems, write_entries
from kseg.files.palette_writing import (
    SHARES,
    PaletteLike,
    palette_csv,
    palette_file_rows,
    palette_gpl,
    palette_json,
    pixels_sha256,
    provenance,
    zip_entry,
)
from kseg.files.swatches import palette_ase, palette_css, palette_png
from kseg.series.fitting import SharedPalette

__all__ = [
    "SeriesPhoto",
    "class_slug",
    "colour_columns",
    "measured_rows",
    "series_zip",
    "shares_csv",
    "shares_rows",
]

#: One photo of a series for the ZIP: its name, RGB pixels, alpha (or None)
#: and its result with the shared palette.
SeriesPhoto = tuple[str, np.ndarray, "np.ndarray | None", Segmentation]


def colour_columns(centers: np.ndarray) -> list[str]:
    """Each colour's column name: its number, name and hex
    (``02_light_grey_d1d1cf``)."""
    words = [re.sub(r"[^a-z0-9]+", "_", n.lower()).strip("_") for n in color_names(centers)]
    return [
        "{:02d}_{}_{:02x}{:02x}{:02x}".format(i + 1, word, *(int(v) for v in centre))
        for i, (word, centre) in enumerate(zip(words, centers, strict=True))
    ]


def shares_rows(
    names: Sequence[str],
    counts: Sequence[np.ndarray],
    centers: np.ndarray,
    hidden: Iterable[int] = (),
) -> list[dict[str, object]]:
    """One row per photo: its name, pixels clustered, then each colour's
    share in percent of the photo's clustered pixels
    (``share_percent_01_dark_green_2e5a1c``); with colours ``hidden`` as
    the background (0-based), the pixels of the rest and each other
    colour's share of them (``share_of_rest_percent_02_...``); then each
    colour's pixel count (``pixels_01_dark_green_2e5a1c``)."""
    columns = colour_columns(centers)
    background = {int(i) for i in hidden}
    rows = []
    for name, c in zip(names, counts, strict=True):
        total = int(np.sum(c))
        row: dict[str, object] = {"photo": name, "pixels": total}
        for i, column in enumerate(columns):
            row[f"share_percent_{column}"] = round(100 * int(c[i]) / max(1, total), 4)
        if background:
            rest = sum(int(c[i]) for i in range(len(columns)) if i not in background)
            row["pixels_of_rest"] = rest
            for i, column in enumerate(columns):
                if i not in background:
                    share = round(100 * int(c[i]) / rest, 4) if rest else None
                    row[f"share_of_rest_percent_{column}"] = share
        for i, column in enumerate(columns):
            row[f"pixels_{column}"] = int(c[i])
        rows.append(row)
    return rows


def measured_rows(
    rows: list[dict[str, object]],
    counts: Sequence[np.ndarray],
    centers: np.ndarray,
    classes: Classes | None = None,
    scales: Sequence[float | None] | None = None,
    regions: Sequence[Mapping[int, int]] | None = None,
) -> list[dict[str, object]]:
    """``rows`` (of :func:`shares_rows`) with what was measured, per photo:
    for each class, its share of the photo (``class_percent_vegetation``)
    and of the included area (``class_of_included_percent_vegetation``) and
    its pixels; with a scale per photo (``scales``, mm a pixel), each
    colour's or class's area (``area_mm2_…``); with ``regions`` (per photo,
    regions per colour, or per class with ``classes``), their counts
    (``regions_…``).

    Raises
    ------
    ClassesError
        If the classes do not fit the palette.
    """
    columns = colour_columns(centers)
    if classes:
        names, _, _ = classes.groups(centers)
        columns = [class_slug(n) for n in names]
    for n, (row, c) in enumerate(zip(rows, counts, strict=True)):
        pixels = np.asarray(c, dtype=np.int64)
        if classes:
            table = class_table(pixels, classes, centers=centers)
            pixels = table.pixels
            for i, column in enumerate(columns):
                row[f"class_percent_{column}"] = round(float(table.photo_percent[i]), 4)
                if not table.excluded[i]:
                    share = float(table.included_percent[i])
                    row[f"class_of_included_percent_{column}"] = (
                        None if np.isnan(share) else round(share, 4)
                    )
                row[f"class_pixels_{column}"] = int(table.pixels[i])
        scale = None if scales is None else scales[n]
        if scale is not None:
            for i, column in enumerate(columns):
                row[f"area_mm2_{column}"] = round(float(pixels[i]) * scale**2, 4)
        if regions is not None:
            for i, column in enumerate(columns):
                row[f"regions_{column}"] = int(regions[n].get(i, 0))
    return rows


def class_slug(name: str) -> str:
    """A class's name as written in column names (``green_cover``)."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "class"


def shares_csv(
    names: Sequence[str],
    counts: Sequence[np.ndarray],
    centers: np.ndarray,
    hidden: Iterable[int] = (),
    **measured: Any,
) -> bytes:
    """:func:`shares_rows` as CSV with a header row, with the columns of
    :func:`measured_rows` for its keywords (``classes``, ``scales``,
    ``regions``)."""
    rows = shares_rows(names, counts, centers, hidden)
    if measured:
        rows = measured_rows(rows, counts, centers, **measured)
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()


def series_zip(
    photos: Iterable[SeriesPhoto],
    palette: SharedPalette | PaletteLike,
    *,
    settings: Mapping[str, object] | None = None,
    cutouts: bool = True,
    count: int | None = None,
    progress: Callable[[int, int, str], None] | None = None,
    threads: int = THREADS,
    hidden: Iterable[int] = (),
) -> bytes:
    """One ZIP for a series: a folder per photo (every file of
    :func:`kseg.export_entries`), then ``palette.json``, ``palette.csv``,
    ``palette.gpl`` (shares over all the photos), ``palette.ase``,
    ``palette.css``, ``palette.png``, ``shares.csv`` and
    ``manifest.json`` at the top.

    ``photos`` is read one at a time (a generator can load each photo only
    when its turn comes); ``progress(i, n, name)`` is called after photo i
    of ``count`` (0 if not given) is written.  ``palette`` gives the colours
    and their shares over all the photos; ``settings`` for the manifest
    (default: a shared palette's own).  ``cutouts=False`` leaves the
    full-colour cut-outs out (a long series of large photos).  ``hidden``
    colours are the background: each photo's folder leaves them out, and
    the shares and palette files give every other colour's share of the
    rest.
    """
    buf = io.BytesIO()
    names: list[str] = []
    counts: list[np.ndarray] = []
    listed: list[dict[str, object]] = []
    background = sorted({int(i) for i in hidden})
    with zipfile.ZipFile(buf, "w") as zf:
        for i, (name, rgb, alpha, result) in enumerate(photos, start=1):
            folder = unique_stems([*names, name])[-1]
            entries = export_entries(
                rgb, result, alpha=alpha, source_name=name, cutouts=cutouts, hidden=background
            )
            write_entries(zf, folder, entries, threads=threads)
            names.append(name)
            counts.append(result.counts)
            listed.append(
                {
                    "name": name,
                    "folder": folder,
                    "width": int(rgb.shape[1]),
                    "height": int(rgb.shape[0]),
                    "pixels": int(result.counts.sum()),
                    "pixels_sha256": pixels_sha256(rgb),
                    "mse": round(result.mse, 4),
                }
            )
            del rgb, alpha, result, entries
            if progress is not None:
                progress(i, count or 0, name)
        if not names:
            msg = "photos is empty: a series needs at least one photo"
            raise ValueError(msg)
        top = {
            "palette.json": palette_json(palette, background),
            "palette.csv": palette_csv(palette, background),
            "palette.gpl": palette_gpl(palette, "series", background),
            "palette.ase": palette_ase(palette),
            "palette.css": palette_css(palette),
            "palette.png": palette_png(palette),
            "shares.csv": shares_csv(names, counts, palette.centers, background),
        }
        for path, data in top.items():
            zf.writestr(zip_entry(path, zipfile.ZIP_DEFLATED), data)
        manifest = _manifest(palette, settings, listed, cutouts, background)
        text = json.dumps(manifest, indent=2) + "\n"
        zf.writestr(zip_entry("manifest.json", zipfile.ZIP_DEFLATED), text)
    return buf.getvalue()


def _manifest(
    palette: PaletteLike,
    settings: Mapping[str, object] | None,
    listed: list[dict[str, object]],
    cutouts: bool,
    hidden: list[int] | None = None,
) -> dict[str, object]:
    """What a series ZIP's ``manifest.json`` says: settings, palette, photos."""
    pixels = sum(int(p["pixels"]) for p in listed)  # type: ignore[call-overload]
    error = sum(float(p["mse"]) * int(p["pixels"]) for p in listed)  # type: ignore[arg-type, call-overload]
    return {
        "tool": "kseg",
        "version": __version__,
        **provenance(),
        "settings": dict(getattr(palette, "settings", {}) if settings is None else settings),
        "clusters_found": len(palette.centers),
        "cutouts": cutouts,
        "mse_all_photos": round(error / pixels, 4),
        "color_space": str(dict(getattr(palette, "settings", {}) or {}).get("color_space", "rgb")),
        "shares": SHARES,
        "palette": palette_file_rows(palette, hidden or ()),
        "hidden": hidden or [],
        "photos": listed,
    }
