"""Palette files written: a row per colour (number, hex, name, RGB,
shares in percent, the background's share of the rest, the exact centre
and the centre its pixels were labelled with), as JSON, CSV and GIMP
``.gpl`` (:mod:`kseg.files.palette_reading` reads them back); and what a manifest says
of when and with what a file was made."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import platform
import zipfile
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Protocol

import numpy as np

from kseg.base.validation import safe_stem
from kseg.base.version import __version__
from kseg.engine.classes import Classes
from kseg.engine.result import names_of

__all__ = [
    "SHARES",
    "PaletteLike",
    "made_at",
    "palette_csv",
    "palette_file_rows",
    "palette_gpl",
    "palette_json",
    "palette_rows",
    "pixels_sha256",
    "provenance",
    "space_of",
    "zip_entry",
]


class PaletteLike(Protocol):
    """A palette with shares: a :class:`kseg.Segmentation` or a
    :class:`kseg.SharedPalette`."""

    @property
    def centers(self) -> np.ndarray: ...
    @property
    def shares(self) -> np.ndarray: ...
    @property
    def counts(self) -> np.ndarray: ...


def _hex(c: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in c))


def palette_rows(result: PaletteLike) -> list[dict[str, object]]:
    """One row per cluster: index (1-based), hex, name (a colour name a
    person would use, :func:`kseg.color_name`), r, g, b, share, pixels."""
    names = names_of(result)
    return [
        {
            "index": i + 1,
            "hex": _hex(c),
            "name": name,
            "r": int(c[0]),
            "g": int(c[1]),
            "b": int(c[2]),
            "share": round(float(s), 6),
            "pixels": int(n),
        }
        for i, (c, name, s, n) in enumerate(
            zip(result.centers, names, result.shares, result.counts, strict=False)
        )
    ]


#: How the palette files give shares.
SHARES = "percent of the pixels clustered; share_of_rest_percent: of those not in the background"


def space_of(result: PaletteLike) -> str:
    """The colour space a result or palette was found in (``rgb`` if it does
    not say)."""
    return str(dict(getattr(result, "settings", {}) or {}).get("color_space", "rgb"))


def palette_file_rows(result: PaletteLike, hidden: Iterable[int] = ()) -> list[dict[str, object]]:
    """What a palette file holds for each colour: index (1-based), hex,
    name, r, g, b, ``share_percent`` (of the pixels clustered),
    ``background`` (a colour in ``hidden``, 0-based), ``share_of_rest_percent``
    (of the pixels of the colours not in the background; empty for the
    background's own), pixels,
    ``center`` (the exact mean, ``centers_float``, full precision) and,
    where the result knows it, ``label_center`` (the centre its pixels were
    labelled with, in the result's colour space): what makes applying the
    file give the same labels, shares and objective."""
    exact = getattr(result, "centers_float", None)
    searched = getattr(result, "label_centers", None)
    background = {int(i) for i in hidden}
    rest = sum(int(n) for i, n in enumerate(result.counts) if i not in background)
    rows = []
    for row in palette_rows(result):
        i = int(row["index"]) - 1  # type: ignore[call-overload]
        out = {k: v for k, v in row.items() if k != "share"}
        out["share_percent"] = round(100 * float(result.shares[i]), 4)
        out["background"] = i in background
        out["share_of_rest_percent"] = (
            None if i in background else round(100 * int(result.counts[i]) / max(1, rest), 4)
        )
        out["pixels"] = out.pop("pixels")
        if exact is not None:
            out["center"] = [float(v) for v in exact[i]]
        if searched is not None:
            out["label_center"] = [float(v) for v in searched[i]]
        rows.append(out)
    return rows


def palette_json(
    result: PaletteLike, hidden: Iterable[int] = (), classes: Classes | None = None
) -> bytes:
    """The palette as JSON: the colour space the colours were found in and
    a row per colour (:func:`palette_file_rows`, ``hidden`` the background);
    shares in percent; with ``classes``, the named classes of its colours
    (read back by :func:`kseg.load_palette`, applied again to new photos)."""
    doc: dict[str, object] = {
        "tool": "kseg",
        "version": __version__,
        "color_space": space_of(result),
        "shares": SHARES,
        "palette": palette_file_rows(result, hidden),
    }
    if classes:
        doc["classes"] = classes.to_json()
    return (json.dumps(doc, indent=2) + "\n").encode()


def palette_csv(result: PaletteLike, hidden: Iterable[int] = ()) -> bytes:
    """The palette as CSV with a header row: :func:`palette_file_rows`
    flattened (``center_r`` ... ``label_3``), shares in percent, and each
    row's ``color_space``."""
    buf = io.StringIO()
    rows = []
    for row in palette_file_rows(result, hidden):
        flat = {k: v for k, v in row.items() if k not in ("center", "label_center")}
        for c, v in zip("rgb", row.get("center", ()), strict=False):  # type: ignore[call-overload]
            flat[f"center_{c}"] = repr(v)
        for j, v in enumerate(row.get("label_center", ()), start=1):  # type: ignore[call-overload]
            flat[f"label_{j}"] = repr(v)
        flat["color_space"] = space_of(result)
        rows.append(flat)
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()


def palette_gpl(result: PaletteLike, name: str = "kseg", hidden: Iterable[int] = ()) -> bytes:
    """The palette as a GIMP/Inkscape palette file (.gpl), each colour named
    with its number, name, hex and share (and its share of the rest, or
    "background"); the exact centres and the colour space in comment lines
    (``# kseg ...``), which GIMP and Inkscape skip and
    :func:`kseg.load_palette` reads."""
    lines = ["GIMP Palette", f"Name: {safe_stem(name)}", "Columns: 8", "#"]
    lines.append(f"# kseg color_space {space_of(result)}")
    rows = palette_file_rows(result, hidden)
    for row in rows:
        rest = row["share_of_rest_percent"]
        more = " background" if row["background"] else ""
        if hidden and rest is not None:
            more = f" ({rest:.2f}% of the rest)"
        lines.append(
            f"{row['r']:3d} {row['g']:3d} {row['b']:3d}\t"
            f"{row['index']} {row['name']} {row['hex']} {row['share_percent']:.2f}%{more}"
        )
    for row in rows:
        for key in ("center", "label_center"):
            if key in row:
                values = " ".join(repr(v) for v in row[key])  # type: ignore[attr-defined]
                lines.append(f"# kseg {key} {row['index']} {values}")
    return ("\n".join(lines) + "\n").encode()


def provenance() -> dict[str, object]:
    """When and with what a file was made, for a methods section: the date
    and time (UTC, to the second; ``SOURCE_DATE_EPOCH`` from the
    environment where it is set, so two runs can give the same bytes) and
    the versions of kseg, Python and the libraries it computes with."""
    import numba
    import PIL

    from kseg.base.opencv import cv2

    return {
        "created": made_at().isoformat(timespec="seconds"),
        "versions": {
            "kseg": __version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "opencv": cv2.__version__,
            "pillow": PIL.__version__,
            "numba": numba.__version__,
        },
    }


def made_at() -> datetime:
    """Now (UTC, to the second), or ``SOURCE_DATE_EPOCH`` where the
    environment sets it."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return when.replace(microsecond=0)


def zip_entry(path: str, kind: int) -> zipfile.ZipInfo:
    """A ZIP entry for ``path`` dated :func:`made_at` (so two runs with
    ``SOURCE_DATE_EPOCH`` give the same bytes), compressed by ``kind``."""
    info = zipfile.ZipInfo(path, date_time=max(made_at().timetuple()[:6], (1980, 1, 1, 0, 0, 0)))
    info.compress_type = kind
    info.external_attr = 0o644 << 16
    return info


def pixels_sha256(rgb: np.ndarray) -> str:
    """SHA-256 of the decoded pixels (rows of RGB bytes): the same for the
    same picture whatever file it came in."""
    return hashlib.sha256(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes()).hexdigest()
