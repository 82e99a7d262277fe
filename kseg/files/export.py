"""Files a user downloads: PNGs, palettes (JSON, CSV, GIMP .gpl) and a ZIP."""

from __future__ import annotations

import functools
import io
import json
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np

from kseg.base.naming import color_name
from kseg.base.parallel import THREADS
from kseg.base.validation import safe_stem
from kseg.base.version import __version__
from kseg.engine.classes import Classes
from kseg.engine.result import Segmentation
from kseg.files.encoding import encode_png, segmented_png
from kseg.files.measurements import measurement_entries
from kseg.files.methods import methods_text
from kseg.files.palette_writing import (
    SHARES,
    palette_csv,
    palette_file_rows,
    palette_gpl,
    palette_json,
    pixels_sha256,
    provenance,
    space_of,
)
from kseg.files.pattern import stitch_pattern
from kseg.files.swatches import palette_ase, palette_css, palette_png
from kseg.files.zipping import EARLY, FIRST, LAST, Once, ordered, write_entries
from kseg.pictures.masks import cluster_mask, cutout_channels, label_map
from kseg.shapes.paint import paint_by_number
from kseg.shapes.vector import layers_svg, mask_svg

__all__ = [
    "cluster_file_stem",
    "cutout_png",
    "export_entries",
    "export_files",
    "export_zip",
    "mask_png",
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
    return encode_png(cutout_channels(rgb, result, clusters, alpha, bgra=True), fast=True, bgr=True)


def cluster_file_stem(result: Segmentation, index: int) -> str:
    """``cluster_01_light-blue_aabbcc`` for cluster 0: numbered from 1, with
    its colour's name and hex (two clusters of one name differ by number)."""
    centre = result.centers[index]
    name = re.sub(r"[^a-z0-9]+", "-", color_name(centre).lower()).strip("-")
    code = "{:02x}{:02x}{:02x}".format(*(int(v) for v in centre))
    return f"cluster_{index + 1:02d}_{name}_{code}"


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
    size: str | None = None,
    stacked: bool = True,
    paper: str = "A4",
    pattern: int | None = None,
    overlap: str | None = None,
    regions: bool = False,
    mm_per_px: float | None = None,
    tiles: str | None = None,
    classes: Classes | None = None,
    roi: str | None = None,
    sheet: Mapping[str, object] | None = None,
) -> list[tuple[str, Callable[[], bytes]]]:
    """Every download, as (relative path, function that makes its bytes).

        The paths are ``segmented.png``, ``labels.png`` (cluster index per pixel,
        255 for left-out pixels), ``palette.json``, ``palette.csv``,
        ``palette.gpl``, ``palette.ase`` (Adobe), ``palette.css`` and
        ``palette.png`` (the swatches), ``masks/cluster_NN_rrggbb.png`` (1-bit) and
        ``cutouts/cluster_NN_rrggbb.png`` for each cluster not in ``hidden``
        (clusters marked as background), then, when some are hidden,
        ``cutouts/foreground.png`` (everything but the background); with
        ``svg=True``, ``svg/cluster_NN_rrggbb.svg`` (each colour's exact
        shapes, :func:`kseg.mask_svg`) and ``layers.svg`` (every shown colour a
        smooth layer, specks under 64 pixels given to their surroundings,
        :func:`kseg.layers_svg`); with ``paint=True``,
        ``paint_by_number.svg`` and ``paint_by_number.pdf`` (an A4 sheet,
        :func:`kseg.paint_by_number`, drawn once for both); and ``manifest.json`` last
        (the date, the library versions, the source's size and checksums:
        ``source_sha256``, the file's, where the caller knows it, and the
        pixels'); with ``cutouts=False`` no cut-outs.  ``size`` is the SVGs'
        width on paper or vinyl (``"30cm"``, :func:`kseg.layers_svg`),
        ``stacked`` the layers' form, ``paper`` the sheet's paper or canvas
        (``"A3"``, ``"40x50cm"``), ``sheet`` its other options
        (:func:`kseg.paint_by_number`'s ``min_region``, ``min_width_mm``,
        ``number_mm``, ``coverage``) and ``tiles`` a smaller paper to print it on
        (``"A4"``: ``paint_by_number_tiles.pdf``, the sheet over as many pages
        as it takes, with marks to join them, :meth:`PaintByNumber.tiled`);
        with ``pattern``, a stitch pattern that
        many cells across (``pattern.pdf``, ``pattern.png``, ``pattern.csv``,
    :func:`kseg.stitch_pattern`); with ``regions``, ``regions.csv`` (every
        colour's separate regions, 8-connected, with areas in mm² at
        ``mm_per_px``, :func:`kseg.measure_regions`; by class with
        ``classes``); with ``classes``, ``classes.csv`` (each class's pixels
        and shares, :func:`kseg.class_table`), the classes also in
        ``palette.json`` and the manifest, as ``roi`` (the region of interest
        the result was fitted in, for the manifest); ``methods.txt``, a
        paragraph saying how it was made and measured
        (:func:`kseg.methods_text`).  Nothing is
        encoded until a function is called, so the files can be made one at a
        time or on several threads.

        Raises
        ------
        ValueError
            If a hidden index is out of range, or every cluster is hidden.
    """
    hidden_set, shown = _shown(result, hidden)
    stems = [cluster_file_stem(result, i) for i in shown]
    entries: list[tuple[str, Callable[[], bytes]]] = [
        ("segmented.png", lambda: segmented_png(result)),
        ("labels.png", lambda: encode_png(label_map(result), fast=True)),
        ("palette.json", lambda: palette_json(result, hidden_set, classes)),
        ("palette.csv", lambda: palette_csv(result, hidden_set)),
        ("palette.gpl", lambda: palette_gpl(result, source_name, hidden_set)),
        ("palette.ase", lambda: palette_ase(result)),
        ("palette.css", lambda: palette_css(result)),
        ("palette.png", lambda: palette_png(result)),
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
    shapes = {"size": size, "stacked": stacked, "overlap": overlap}
    if svg:
        entries += _svg_entries(result, dict(zip(shown, stems, strict=True)), hidden_set, shapes)
    made = {"paint": paint, "paper": paper, "tiles": tiles, "pattern": pattern, "sheet": sheet}
    entries += _made_things(rgb, result, made)
    entries += measurement_entries(result, regions=regions, classes=classes, mm_per_px=mm_per_px)
    measured = {"classes": classes, "roi": roi, "mm_per_px": mm_per_px}
    measured |= {"regions": REGIONS} if regions else {}
    methods = methods_text(result, photo=Path(str(source_name)).name or "The photo", **measured)
    entries.append(("methods.txt", lambda: (methods + "\n").encode()))
    about = (rgb, result, source_name, stems, hidden_set, source_sha256)
    asked = _asked(svg, shapes, made, measured)
    entries.append(("manifest.json", functools.partial(_manifest_file, about, asked)))
    return entries


def _manifest_file(about: tuple, asked: dict[str, object]) -> bytes:
    """``manifest.json``: :func:`_manifest` of ``about`` (its pixels'
    checksum made here, beside the other files) and what was ``asked``."""
    return (json.dumps(_manifest(*about) | asked, indent=2) + "\n").encode()


#: How the files' regions are counted.
REGIONS = {"connectivity": 8, "min_size": 1}


def _asked(svg: bool, shapes: dict, made: dict, measured: dict) -> dict[str, object]:
    """What the manifest says was asked for besides the result: the SVGs'
    options, the sheet's, the pattern's, the regions', the scale, the
    classes and the region of interest."""
    out: dict[str, object] = {"svg": svg, **({"svg_options": shapes} if svg else {})}
    out["paint_by_number"] = made["paint"]
    if made["paint"]:
        out |= {"paper": made["paper"], "tiles": made["tiles"], "sheet": dict(made["sheet"] or {})}
    out |= {"pattern_cells": made["pattern"]} if made["pattern"] is not None else {}
    scale = measured["mm_per_px"]
    out |= {"regions": {**REGIONS, "mm_per_px": scale}} if "regions" in measured else {}
    out |= {"mm_per_px": scale} if scale else {}  # the scale of every area
    out |= {"classes": measured["classes"].to_json()} if measured["classes"] else {}
    out |= {"roi": measured["roi"]} if measured["roi"] else {}
    return out


def _shown(result: Segmentation, hidden: Iterable[int]) -> tuple[set[int], list[int]]:
    """The hidden clusters, checked, and the shown ones."""
    hidden_set = {int(i) for i in hidden}
    shown = [i for i in range(result.k) if i not in hidden_set]
    if any(not 0 <= i < result.k for i in hidden_set):
        msg = f"hidden cluster indices must be from 0 to {result.k - 1}, got {sorted(hidden_set)}"
        raise ValueError(msg)
    if not shown:
        msg = "every cluster is hidden: nothing would be left to export"
        raise ValueError(msg)
    return hidden_set, shown


def _svg_entries(
    result: Segmentation, stems: dict[int, str], hidden: set[int], shapes: dict
) -> list[tuple[str, Callable[[], bytes]]]:
    """Each shown colour's exact shapes and the layers, at ``shapes``'s
    size, form and overlap."""
    entries: list[tuple[str, Callable[[], bytes]]] = [
        (f"svg/{stem}.svg", functools.partial(_svg_file, result, i, shapes["size"]))
        for i, stem in stems.items()
    ]
    layers = functools.partial(layers_svg, result, hidden=hidden, **shapes)
    entries.append(("layers.svg", ordered(lambda: layers().encode(), EARLY)))
    return entries


def _made_things(
    rgb: np.ndarray,
    result: Segmentation,
    made: dict,
) -> list[tuple[str, Callable[[], bytes]]]:
    """The sheet (``made``'s paint, paper and tiles) and the pattern (its
    cells), where asked for.  The sheet is drawn once, by its SVG's entry,
    which :func:`write_entries` starts first (the slowest part, beside the
    other files); the PDFs, which need the drawing, start last."""
    entries: list[tuple[str, Callable[[], bytes]]] = []
    paper, pattern = made["paper"], made["pattern"]
    if made["paint"]:
        options = dict(made["sheet"] or {})
        sheet = Once(lambda: paint_by_number(rgb, result, paper=paper, **options))
        entries.append(("paint_by_number.svg", ordered(lambda: sheet().svg.encode(), FIRST)))
        entries.append(("paint_by_number.pdf", ordered(lambda: sheet().pdf, LAST)))
        if made["tiles"] is not None:
            tiles = made["tiles"]
            entries.append(
                ("paint_by_number_tiles.pdf", ordered(lambda: sheet().tiled(tiles).pdf, LAST))
            )
    if pattern is not None:
        chart = Once(lambda: stitch_pattern(rgb, result, pattern, paper=paper))
        entries.append(("pattern.pdf", ordered(lambda: chart().pdf, FIRST)))
        entries.append(("pattern.png", ordered(lambda: chart().png, LAST)))
        entries.append(("pattern.csv", ordered(lambda: chart().csv.encode(), LAST)))
    return entries


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
        "color_space": space_of(result),
        "shares": SHARES,
        "palette": palette_file_rows(result, hidden),
        "clusters": stems,
        "hidden": sorted(hidden),
        "pinned": list(result.pinned),
    }


def _svg_file(result: Segmentation, index: int, size: str | None = None) -> bytes:
    return mask_svg(result, index, size=size).encode()


def export_files(
    rgb: np.ndarray, result: Segmentation, **options: Any
) -> Iterator[tuple[str, bytes]]:
    """Every download, as (relative path, bytes) pairs, produced one by one
    (the files of :func:`export_entries`, in its order; ``options`` are its
    keyword arguments).

    Raises
    ------
    ValueError
        If a hidden index is out of range, or every cluster is hidden.
    """
    entries = export_entries(rgb, result, **options)
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
    **options: Any,
) -> bytes:
    """All of :func:`export_entries` in one ZIP, under a folder named for the image
    (``options``: :func:`export_entries`'s, such as ``svg``, ``paint``,
    ``classes`` and ``roi``).

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
        **options,
    )
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        write_entries(zf, safe_stem(source_name), entries, threads=threads, progress=progress)
    return buf.getvalue()


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
