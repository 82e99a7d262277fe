"""Files a user downloads: PNGs, palettes (JSON, CSV, GIMP .gpl) and a ZIP."""

from __future__ import annotations

import csv
import functools
import hashlib
import io
import json
import os
import platform
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol

import numpy as np

from kseg._version import __version__
from kseg.encoding import encode_png, segmented_png
from kseg.masks import cluster_mask, cutout, label_map
from kseg.naming import color_name, color_names
from kseg.paint import paint_by_number
from kseg.parallel import THREADS
from kseg.result import Segmentation
from kseg.vector import layers_svg, mask_svg

__all__ = [
    "cluster_file_stem",
    "cutout_png",
    "export_entries",
    "export_files",
    "export_zip",
    "mask_png",
    "palette_csv",
    "palette_file_rows",
    "palette_gpl",
    "palette_json",
    "palette_rows",
    "pixels_sha256",
    "provenance",
    "safe_stem",
    "unique_stems",
    "write_entries",
]


def mask_png(result: Segmentation, clusters: int | Iterable[int]) -> bytes:
    """The full-size black-and-white mask of the cluster(s) as a 1-bit PNG
    (it decodes to :func:`kseg.mask_image`: 255 inside, 0 elsewhere)."""
    # The 1-bit writer sets every non-zero pixel: 0/1 needs no multiply.
    return encode_png(cluster_mask(result, clusters).view(np.uint8), bilevel=True)


def cutout_png(
    rgb: np.ndarray,
    result: Segmentation,
    clusters: int | Iterable[int],
    alpha: np.ndarray | None = None,
) -> bytes:
    """The full-size cut-out of the cluster(s) (see :func:`kseg.cutout`) as PNG."""
    return encode_png(cutout(rgb, result, clusters, alpha), fast=True)


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
    names = color_names(result.centers)
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


def _space(result: PaletteLike) -> str:
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


def palette_json(result: PaletteLike, hidden: Iterable[int] = ()) -> bytes:
    """The palette as JSON: the colour space the colours were found in and
    a row per colour (:func:`palette_file_rows`, ``hidden`` the background);
    shares in percent."""
    doc = {
        "tool": "kseg",
        "version": __version__,
        "color_space": _space(result),
        "shares": SHARES,
        "palette": palette_file_rows(result, hidden),
    }
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
        flat["color_space"] = _space(result)
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
    lines.append(f"# kseg color_space {_space(result)}")
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


def safe_stem(name: str, default: str = "image") -> str:
    """A file-name stem with no path parts or unsafe characters.

    ``"../../etc/passwd.png"`` becomes ``"passwd"``.
    """
    base = Path(str(name).replace("\\", "/")).name
    stem = base.rsplit(".", 1)[0] if "." in base[1:] else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:80]
    return stem or default


def cluster_file_stem(result: Segmentation, index: int) -> str:
    """``cluster_01_light-blue_aabbcc`` for cluster 0: numbered from 1, with
    its colour's name and hex (two clusters of one name differ by number)."""
    centre = result.centers[index]
    name = re.sub(r"[^a-z0-9]+", "-", color_name(centre).lower()).strip("-")
    return f"cluster_{index + 1:02d}_{name}_{_hex(centre)[1:]}"


def export_entries(
    rgb: np.ndarray,
    result: Segmentation,
    *,
    alpha: np.ndarray | None = None,
    source_name: str = "image",
    hidden: Iterable[int] = (),
    cutouts: bool = True,
    svg: bool = False,
    paint: bool = False,
    source_sha256: str | None = None,
) -> list[tuple[str, Callable[[], bytes]]]:
    """Every download, as (relative path, function that makes its bytes).

    The paths are ``segmented.png``, ``labels.png`` (cluster index per pixel,
    255 for left-out pixels), ``palette.json``, ``palette.csv``,
    ``palette.gpl``, ``masks/cluster_NN_rrggbb.png`` (1-bit) and
    ``cutouts/cluster_NN_rrggbb.png`` for each cluster not in ``hidden``
    (clusters marked as background), then, when some are hidden,
    ``cutouts/foreground.png`` (everything but the background); with
    ``svg=True``, ``svg/cluster_NN_rrggbb.svg`` (each colour's exact
    shapes, :func:`kseg.mask_svg`) and ``layers.svg`` (every shown colour a
    smooth layer, specks under 64 pixels given to their surroundings,
    :func:`kseg.layers_svg`); with ``paint=True``,
    ``paint_by_number.svg`` and ``paint_by_number.pdf`` (an A4 sheet,
    :func:`kseg.paint_by_number`, drawn at once); and ``manifest.json`` last
    (the date, the library versions, the source's size and checksums:
    ``source_sha256``, the file's, where the caller knows it, and the
    pixels'); with ``cutouts=False`` no cut-outs.  Nothing is
    encoded until a function is called, so the files can be made one at a
    time or on several threads.

    Raises
    ------
    ValueError
        If a hidden index is out of range, or every cluster is hidden.
    """
    hidden_set = {int(i) for i in hidden}
    shown = [i for i in range(result.k) if i not in hidden_set]
    if any(not 0 <= i < result.k for i in hidden_set):
        msg = f"hidden cluster indices must be from 0 to {result.k - 1}, got {sorted(hidden_set)}"
        raise ValueError(msg)
    if not shown:
        msg = "every cluster is hidden: nothing would be left to export"
        raise ValueError(msg)
    stems = [cluster_file_stem(result, i) for i in shown]
    entries: list[tuple[str, Callable[[], bytes]]] = [
        ("segmented.png", lambda: segmented_png(result)),
        ("labels.png", lambda: encode_png(label_map(result), fast=True)),
        ("palette.json", lambda: palette_json(result, hidden_set)),
        ("palette.csv", lambda: palette_csv(result, hidden_set)),
        ("palette.gpl", lambda: palette_gpl(result, source_name, hidden_set)),
    ]
    for i, stem in zip(shown, stems, strict=True):
        entries.append((f"masks/{stem}.png", functools.partial(mask_png, result, i)))
        if cutouts:
            entries.append(
                (f"cutouts/{stem}.png", functools.partial(cutout_png, rgb, result, i, alpha))
            )
    if hidden_set and cutouts:
        entries.append(
            ("cutouts/foreground.png", functools.partial(cutout_png, rgb, result, shown, alpha))
        )
    if svg:
        for i, stem in zip(shown, stems, strict=True):
            entries.append((f"svg/{stem}.svg", functools.partial(_svg_file, result, i)))
        entries.append(("layers.svg", lambda: layers_svg(result, hidden=hidden_set).encode()))
    if paint:
        # Drawn now, alone: its peak memory is then never added to the encoders'.
        sheet = paint_by_number(rgb, result)
        entries.append(("paint_by_number.svg", lambda: sheet.svg.encode()))
        entries.append(("paint_by_number.pdf", lambda: sheet.pdf))
    manifest = _manifest(rgb, result, source_name, stems, hidden_set, source_sha256)
    manifest["svg"] = svg
    manifest["paint_by_number"] = paint
    entries.append(("manifest.json", lambda: (json.dumps(manifest, indent=2) + "\n").encode()))
    return entries


def provenance() -> dict[str, object]:
    """When and with what a file was made, for a methods section: the date
    and time (UTC, to the second; ``SOURCE_DATE_EPOCH`` from the
    environment where it is set, so two runs can give the same bytes) and
    the versions of kseg, Python and the libraries it computes with."""
    import numba
    import PIL

    from kseg._cv import cv2

    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")
    when = datetime.fromtimestamp(int(epoch), UTC) if epoch.isdigit() else datetime.now(UTC)
    return {
        "created": when.isoformat(timespec="seconds"),
        "versions": {
            "kseg": __version__,
            "python": platform.python_version(),
            "numpy": np.__version__,
            "opencv": cv2.__version__,
            "pillow": PIL.__version__,
            "numba": numba.__version__,
        },
    }


def pixels_sha256(rgb: np.ndarray) -> str:
    """SHA-256 of the decoded pixels (rows of RGB bytes): the same for the
    same picture whatever file it came in."""
    return hashlib.sha256(np.ascontiguousarray(rgb, dtype=np.uint8).tobytes()).hexdigest()


def _manifest(
    rgb: np.ndarray,
    result: Segmentation,
    source_name: str,
    stems: list[str],
    hidden: set[int],
    source_sha256: str | None = None,
) -> dict[str, object]:
    """What the ZIP's ``manifest.json`` says: when and with what it was
    made, the source (with its checksums), settings, result and files."""
    return {
        "tool": "kseg",
        "version": __version__,
        **provenance(),
        "source": {
            "name": safe_stem(source_name),
            "width": int(rgb.shape[1]),
            "height": int(rgb.shape[0]),
            "sha256": source_sha256,
            "pixels_sha256": pixels_sha256(rgb),
        },
        "settings": dict(result.settings),
        "clusters_found": result.k,
        "mse": round(result.mse, 4),
        "notice": result.notice,
        "color_space": _space(result),
        "shares": SHARES,
        "palette": palette_file_rows(result, hidden),
        "clusters": stems,
        "hidden": sorted(hidden),
        "pinned": list(result.pinned),
    }


def _svg_file(result: Segmentation, index: int) -> bytes:
    return mask_svg(result, index).encode()


def export_files(
    rgb: np.ndarray,
    result: Segmentation,
    *,
    alpha: np.ndarray | None = None,
    source_name: str = "image",
    hidden: Iterable[int] = (),
    svg: bool = False,
    paint: bool = False,
    source_sha256: str | None = None,
) -> Iterator[tuple[str, bytes]]:
    """Every download, as (relative path, bytes) pairs, produced one by one
    (the files of :func:`export_entries`, in its order).

    Raises
    ------
    ValueError
        If a hidden index is out of range, or every cluster is hidden.
    """
    entries = export_entries(
        rgb,
        result,
        alpha=alpha,
        source_name=source_name,
        hidden=hidden,
        svg=svg,
        paint=paint,
        source_sha256=source_sha256,
    )
    for path, make in entries:
        yield path, make()


def export_zip(
    rgb: np.ndarray,
    result: Segmentation,
    *,
    alpha: np.ndarray | None = None,
    source_name: str = "image",
    hidden: Iterable[int] = (),
    progress: Callable[[int, int, str], None] | None = None,
    threads: int = THREADS,
    svg: bool = False,
    paint: bool = False,
    source_sha256: str | None = None,
) -> bytes:
    """All of :func:`export_entries` in one ZIP, under a folder named for the image.

    The files are made and written by :func:`write_entries`; ``progress(done,
    total, path)`` is called from the calling thread after each file is written.

    Raises
    ------
    ValueError
        If a hidden index is out of range, or every cluster is hidden.
    """
    entries = export_entries(
        rgb,
        result,
        alpha=alpha,
        source_name=source_name,
        hidden=hidden,
        svg=svg,
        paint=paint,
        source_sha256=source_sha256,
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        write_entries(zf, safe_stem(source_name), entries, threads=threads, progress=progress)
    return buf.getvalue()


def write_entries(
    zf: zipfile.ZipFile,
    folder: str,
    entries: list[tuple[str, Callable[[], bytes]]],
    *,
    threads: int = THREADS,
    progress: Callable[[int, int, str], None] | None = None,
) -> None:
    """Make ``entries`` on ``threads`` threads (PNG encoding releases the
    GIL) and write them in order under ``folder/``: PNGs stored as they are
    (deflating them again gains nothing), text files deflated.
    ``progress(done, total, path)`` is called after each file is written."""
    with ThreadPoolExecutor(max_workers=max(1, threads)) as workers:
        jobs = [workers.submit(make) for _, make in entries]
        for done, (path, _) in enumerate(entries, start=1):
            data = jobs[done - 1].result()
            jobs[done - 1] = None  # type: ignore[call-overload]  # free each file once written
            kind = zipfile.ZIP_STORED if path.endswith(".png") else zipfile.ZIP_DEFLATED
            zf.writestr(f"{folder}/{path}" if folder else path, data, compress_type=kind)
            del data
            if progress is not None:
                progress(done, len(entries), path)


def unique_stems(names: Iterable[str]) -> list[str]:
    """:func:`safe_stem` of each name, made unique (``photo``, ``photo_2``, ...)."""
    used: set[str] = set()
    stems = []
    for name in names:
        stem = safe_stem(name)
        folder, i = stem, 2
        while folder in used:
            folder = f"{stem}_{i}"
            i += 1
        used.add(folder)
        stems.append(folder)
    return stems
