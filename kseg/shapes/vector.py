"""Masks as shapes: SVG paths of each colour's regions, for cutters,
printers and drawing programs.

Two forms of a region's outline: *exact*, the pixel boundaries merged into
straight runs (rasterised back at the photo's size it is the mask, pixel
for pixel), and *smooth*: every border between two colours fitted once,
its corners kept sharp, and shared by the colours either side, so the
shapes fit together without gaps or overlaps and the picture's frame stays
square (:mod:`kseg.shapes.borders`).  Patches of one colour
smaller than ``min_area`` pixels are given to the colour around them first
(a cutter cannot cut them): a speck is left out of its colour's shape and
fills the hole it made in its neighbour's.  Paths use
``fill-rule="evenodd"`` in the photo's pixel coordinates (smooth ones in
whole tenths of a pixel, drawn at ``scale(.1)``).  Stacked layers are
ordered so that they draw their shared borders as few times as they can
(:mod:`kseg.shapes.stacking`).
"""

from __future__ import annotations

import html
from collections.abc import Iterable

import numpy as np

from kseg.base.opencv import cv2
from kseg.base.parallel import on_threads
from kseg.base.validation import UNITS_MM, check_int, check_length
from kseg.engine.editing import cleaned_labels
from kseg.engine.result import Segmentation, names_of
from kseg.shapes.borders import Borders, border_chains
from kseg.shapes.pathdata import exact_path
from kseg.shapes.stacking import stacking_order
from kseg.shapes.tracing import trace_loops

__all__ = ["layers_svg", "mask_path", "mask_svg"]

#: Largest deviation (pixels) of a smooth border's control polygon from the
#: staircase it replaces (corners cut by a quarter pixel).
SMOOTH_TOLERANCE = 0.6


def mask_path(mask: np.ndarray, *, smooth: bool = False) -> str:
    """The SVG path data (``d``) of the bool ``mask``'s regions and holes,
    in pixel coordinates; fill it with ``fill-rule="evenodd"``."""
    if smooth:
        return Borders(np.asarray(mask, dtype=np.int8), SMOOTH_TOLERANCE).path(1)
    corners, starts = trace_loops(np.ascontiguousarray(mask, dtype=bool))
    return exact_path(corners, starts).tobytes().decode("ascii")


def _check(result: Segmentation, min_area: object) -> int:
    if not isinstance(result, Segmentation):
        msg = f"result must be a kseg.Segmentation, got {type(result).__name__}"
        raise TypeError(msg)
    return check_int("min_area", min_area, 0, 10**9)


def _cluster(result: Segmentation, cluster: object) -> int:
    return check_int("cluster", cluster, 0, result.k - 1)


def _labels(result: Segmentation, min_area: int) -> np.ndarray:
    """The result's labels with patches under ``min_area`` pixels given to
    the colour around them (a speck left out of its colour's shape is a
    hole filled in its neighbour's).  Patches are 4-connected, as the
    outlines are: pixels touching only at a corner are cut apart."""
    if min_area <= 1:
        return result.labels
    return cleaned_labels(result.labels, min_area, diagonal=False)


def _svg(width: int, height: int, body: str, title: str, size: str | None = None) -> str:
    """The document: ``width`` x ``height`` pixels (its viewBox), drawn
    that many CSS pixels wide, or ``size`` wide (``"30cm"``: its height in
    the same unit, the aspect kept)."""
    shown_w, shown_h = str(width), str(height)
    if size is not None:
        number, unit = check_length("size", size, 1.0, 100_000.0)
        shown_w, shown_h = f"{number:g}{unit}", f"{number * height / width:.4f}".rstrip("0")
        shown_h = shown_h.rstrip(".") + unit
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" '
        'xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape" '
        f'width="{shown_w}" height="{shown_h}" viewBox="0 0 {width} {height}">\n'
        f"<title>{html.escape(title)}</title>\n{body}</svg>\n"
    )


def _rows(result: Segmentation) -> list[dict[str, object]]:
    """Each colour's number (from 1), name and hex, as the palette files
    name them."""
    return [
        {"index": i + 1, "name": name, "hex": "#{:02x}{:02x}{:02x}".format(*c)}
        for i, (c, name) in enumerate(zip(result.centers.tolist(), names_of(result), strict=True))
    ]


def _path_element(row: dict, d: str, smooth: bool) -> str:
    label = f"#{row['index']} {row['name']} {row['hex']}"
    # Smooth paths are written in whole tenths of a pixel (a dot shorter).
    rendering = ' transform="scale(.1)"' if smooth else ' shape-rendering="crispEdges"'
    return (
        f'<path id="colour-{row["index"]}" fill="{row["hex"]}" fill-rule="evenodd"'
        f'{rendering} d="{d}"><title>{html.escape(label)}</title></path>\n'
    )


def mask_svg(
    result: Segmentation,
    cluster: int,
    *,
    smooth: bool = False,
    min_area: int = 0,
    size: str | None = None,
) -> str:
    """One colour's regions as an SVG file, filled with the colour.

    Parameters
    ----------
    result : Segmentation
        A result of :func:`kseg.segment` (or merged, cleaned).
    cluster : int
        The colour's index (0-based, as in ``result.centers``).
    smooth : bool, optional
        Curves fitted to the outline (for cutting and printing) instead of
        the exact pixel boundaries (the default: rasterised back at the
        photo's size it gives the mask exactly).
    min_area : int, optional
        Patches of any colour under this many pixels join the colour
        around them first (specks left out, small holes filled); 0 keeps
        everything.
    size : str, optional
        The drawing's width on paper or vinyl, ``"30cm"``, ``"300mm"`` or
        ``"12in"``; its height follows the photo's aspect, in the same
        unit.  By default one CSS pixel a photo pixel.

    Returns
    -------
    str
        The SVG document; its ``viewBox`` is the photo's size in pixels.

    Raises
    ------
    TypeError, ValueError
        For a ``result`` that is not a Segmentation, or a ``cluster`` or
        ``min_area`` out of range.
    """
    min_area = _check(result, min_area)
    i = _cluster(result, cluster)
    row = _rows(result)[i]
    h, w = result.labels.shape
    labels = _labels(result, min_area)
    # Smooth: the borders it shares with its neighbours, as in the layers.
    d = Borders(labels, SMOOTH_TOLERANCE).path(i, tenths=True) if smooth else mask_path(labels == i)
    body = _path_element(row, d, smooth)
    return _svg(w, h, body, f"Colour #{row['index']} {row['name']} {row['hex']}", size)


def _overlap_px(overlap: str | None, size: str | None, width: int, stacked: bool) -> int:
    """The overlap in whole pixels of the photo (0 for none)."""
    if overlap is None:
        return 0
    if stacked:
        msg = "overlap is for cut-out layers (stacked=False): stacked layers already overlap"
        raise ValueError(msg)
    number, unit = check_length("overlap", overlap, 0.01, 100.0)
    if size is None:
        mm_per_px = 25.4 / 96  # CSS pixels
    else:
        wide, wide_unit = check_length("size", size, 1.0, 100_000.0)
        mm_per_px = wide * UNITS_MM[wide_unit] / width
    return max(1, round(number * UNITS_MM[unit] / mm_per_px))


def _grown_path(labels: np.ndarray, colour: int, grow: int, smooth: bool) -> str:
    """One colour's area grown by ``grow`` pixels (a disc), as its own shape."""
    disc = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * grow + 1, 2 * grow + 1))
    grown = cv2.dilate((labels == colour).astype(np.uint8), disc)
    if smooth:
        return Borders(grown.astype(np.int8), SMOOTH_TOLERANCE).path(1, tenths=True)
    return mask_path(grown.astype(bool))


def layers_svg(
    result: Segmentation,
    *,
    smooth: bool = True,
    min_area: int = 64,
    hidden: Iterable[int] = (),
    stacked: bool = True,
    size: str | None = None,
    overlap: str | None = None,
) -> str:
    """Every colour as a named layer of one SVG (Inkscape and Illustrator
    open them as layers: ``#2 copper``).

    Stacked (the default), each layer also covers the areas of the layers
    above it, as layered vinyl and screen prints are cut: the layers
    overlap, so nothing shows between them however the file is drawn or
    cut, and the bottom layer is the whole picture.  They are ordered so
    that the borders between colours are drawn by as few layers as one
    move of a layer can make it (:func:`kseg.shapes.stacking.stacking_order`),
    which keeps the file small.  Not stacked, each layer is its own
    colour's area only, the largest underneath, and the layers touch along
    shared borders (a viewer that smooths edges may draw a faint line where
    they meet).

    Parameters
    ----------
    result : Segmentation
        A result of :func:`kseg.segment` (or merged, cleaned).
    smooth : bool, optional
        Curves (the default: each border between two colours fitted once
        and shared by both, its corners kept) or the exact pixel
        boundaries.
    min_area : int, optional
        Patches under this many pixels join the colour around them first.
    hidden : iterable of int, optional
        Colours left out (the background), 0-based.
    stacked : bool, optional
        Each layer also covering the layers above it (the default), or
        only its own colour's area.
    size : str, optional
        The drawing's width, ``"30cm"``, ``"300mm"`` or ``"12in"`` (the
        height follows), as :func:`mask_svg`.
    overlap : str, optional
        Cut-out layers only (``stacked=False``): each layer grown by this
        length (``"0.5mm"``, on the drawing at ``size``, else at 96 pixels
        an inch) past its borders, so neighbouring layers overlap as screen
        printers' traps do.

    Returns
    -------
    str
        The SVG document, one ``<g inkscape:groupmode="layer">`` per colour.

    Raises
    ------
    TypeError, ValueError
        As :func:`mask_svg`, or for a ``hidden`` index out of range.
    """
    min_area = _check(result, min_area)
    skip = {_cluster(result, i) for i in hidden}
    rows = _rows(result)
    h, w = result.labels.shape
    grow = _overlap_px(overlap, size, w, stacked)
    order = [i for i in np.argsort(-result.counts, kind="stable").tolist() if i not in skip]
    labels = _labels(result, min_area)
    borders = Borders(labels, SMOOTH_TOLERANCE) if smooth else None
    if stacked and borders is not None:
        order = stacking_order(borders.sides, np.diff(borders.pieces), order)
    elif stacked:
        _, starts, sides, _ = border_chains(labels)
        order = stacking_order(sides, np.diff(starts), order)
    shapes = [order[r:] if stacked else [i] for r, i in enumerate(order)]
    if grow:
        paths = on_threads(lambda s: _grown_path(labels, s[0], grow, smooth), shapes)
    elif borders is not None:
        paths = on_threads(lambda s: borders.path(s, tenths=True), shapes)
    else:
        paths = on_threads(lambda s: mask_path(np.isin(labels, s)), shapes)
    body = []
    for i, d in zip(order, paths, strict=True):
        row = rows[i]
        label = f"#{row['index']} {row['name']}"
        body.append(
            f'<g id="layer-{row["index"]}" inkscape:groupmode="layer" '
            f'inkscape:label="{html.escape(label)}">\n' + _path_element(row, d, smooth) + "</g>\n"
        )
    return _svg(w, h, "".join(body), f"{result.k} colours as layers", size)
