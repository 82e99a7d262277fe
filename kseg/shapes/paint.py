"""Paint by number: a printable sheet of a segmentation's regions, each
outlined in thin grey and numbered with its colour, with a key of the
colours; as SVG and PDF, on A4 or Letter paper turned to fit the photo.

Regions too small to paint or to hold a number (under ``min_region``
pixels, or narrower than ``min_width_mm`` or the number) are merged into
their neighbours first.  A painter sees a region joined to the rest of it
only by a strip narrower than that as an area of its own: every such
part carries its own number, at its point farthest from its edges, and no
number is smaller than ``number_mm``.  The sheet's outlines and numbers are
sized in millimetres (SVG and PDF alike), so either prints as it is.
"""

from __future__ import annotations

import html
import math
import re
import zlib
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from kseg._cv import cv2
from kseg.curves import smooth_path
from kseg.editing import cleaned_labels, fill_nearest
from kseg.masks import paint_labels
from kseg.naming import color_names
from kseg.parallel import on_threads
from kseg.result import Segmentation
from kseg.tracing import poles, regions, swept_areas, trace_loops
from kseg.validation import check_choice, check_int, check_number, check_rgb, check_same_size

__all__ = ["MIN_WIDTH_MM", "NUMBER_MM", "PAPERS", "PaintByNumber", "paint_by_number"]

#: Paper sizes (width, height) in millimetres, portrait.
PAPERS = {"A4": (210.0, 297.0), "Letter": (215.9, 279.4)}
_MARGIN = 10.0  # mm
_KEY_ROW = 7.0  # mm per row of the key
_KEY_COLUMNS = 4
#: Smallest number printed by default (mm, the digits' height), and largest.
NUMBER_MM = 2.5
_NUMBER_MAX = 6.0
#: Narrowest area a painter fills by default (mm): narrower regions are
#: merged, and parts joined by a narrower neck are numbered apart.
MIN_WIDTH_MM = 2.0
#: The outlines' width on paper (mm).
_OUTLINE_MM = 0.2
_PT = 72 / 25.4  # points per millimetre


@dataclass(frozen=True)
class PaintByNumber:
    """A paint-by-number sheet.

    Attributes
    ----------
    svg : str
        The sheet as SVG (millimetres; outlines, numbers and the key).
    pdf : bytes
        The same sheet as a one-page PDF.
    preview : (H, W, 3) ndarray of uint8
        The photo painted by numbers: every region in its colour.
    labels : (H, W) ndarray of int16
        Each pixel's colour after the small regions were merged.
    regions : int
        Regions on the sheet.
    numbers : int
        Numbers on the sheet: one per region, and one more for every part
        joined to its region only by a neck narrower than ``min_width_mm``.
    paper : str
        "A4" or "Letter", with ``landscape`` telling the orientation.
    landscape : bool
    """

    svg: str
    pdf: bytes
    preview: np.ndarray
    labels: np.ndarray
    regions: int
    paper: str
    landscape: bool
    numbers: int = 0


@dataclass(frozen=True)
class _Layout:
    width: float  # the paper, mm
    height: float
    x0: float  # the picture's top-left corner, mm
    y0: float
    scale: float  # mm per pixel
    key_top: float


def _layout(w: int, h: int, k: int, paper: str) -> tuple[_Layout, bool]:
    pw, ph = PAPERS[paper]
    landscape = w > h
    if landscape:
        pw, ph = ph, pw
    rows = math.ceil(k / _KEY_COLUMNS)
    key_h = rows * _KEY_ROW + 4
    area_w, area_h = pw - 2 * _MARGIN, ph - 2 * _MARGIN - key_h
    scale = min(area_w / w, area_h / h)
    x0 = (pw - w * scale) / 2
    y0 = _MARGIN
    return _Layout(pw, ph, x0, y0, scale, y0 + h * scale + 4), landscape


def paint_by_number(
    rgb: np.ndarray,
    result: Segmentation,
    *,
    paper: str = "A4",
    min_region: int | None = None,
    min_width_mm: float = MIN_WIDTH_MM,
    number_mm: float = NUMBER_MM,
) -> PaintByNumber:
    """A printable paint-by-number sheet of ``result``.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The photo that was segmented (for its size).
    result : Segmentation
        Its segmentation; k from 8 to 32 works well.
    paper : {"A4", "Letter"}, optional
        The paper; portrait or landscape as the photo is.
    min_region : int, optional
        Smallest region kept, in pixels; smaller ones are merged into a
        neighbour.  By default, the area of a disc 3 mm across on the
        printed sheet.  A region narrower than a printed number is merged
        too.
    min_width_mm : float, optional
        Narrowest area a painter fills, in millimetres on the sheet (0.5 to
        10): narrower regions are merged, and each part of a region joined
        to the rest only by a narrower neck carries its own number.
    number_mm : float, optional
        Smallest number printed, in millimetres (1.5 to 6).

    Returns
    -------
    PaintByNumber
        The sheet (``.svg``, ``.pdf``), the painted preview and the labels.

    Raises
    ------
    TypeError, ValueError
        For a bad ``paper`` or ``min_region``, or a photo of another size.
    """
    if not isinstance(result, Segmentation):
        msg = f"result must be a kseg.Segmentation, got {type(result).__name__}"
        raise TypeError(msg)
    rgb = check_rgb(rgb)
    check_same_size(rgb, result.labels)
    paper = check_choice("paper", paper, tuple(PAPERS))
    h, w = result.labels.shape
    min_width_mm = check_number("min_width_mm", min_width_mm, 0.5, 10.0)
    number_mm = check_number("number_mm", number_mm, 1.5, _NUMBER_MAX)
    lay, landscape = _layout(w, h, result.k, paper)
    if min_region is None:
        min_region = max(16, round(math.pi * (1.5 / lay.scale) ** 2))
    min_region = check_int("min_region", min_region, 1, 10**9)
    # Half the narrowest paintable width (and half a number), in pixels.
    reach = max(min_width_mm, number_mm) / 2 / lay.scale
    labels = _merged(result.labels, min_region, reach)
    region, _ = regions(labels, False)
    count = int(region.max()) + 1 if region.size else 0
    dist = cv2.distanceTransform(_inner(region), cv2.DIST_L2, 3)
    at, radius = _numbered_parts(region, count, dist, reach, min_region)
    colour_of = labels.ravel()[at[:, 1] * w + at[:, 0]] if len(at) else np.zeros(0, np.int64)
    # Outlines as smooth as print allows: within 0.15 mm of the pixels.
    tolerance = max(0.5, 0.15 / lay.scale)
    outlines = on_threads(
        lambda i: _outline(labels == i, tolerance),
        [i for i in range(result.k) if (labels == i).any()],
    )
    names = color_names(result.centers)
    sheet = _Sheet(lay, outlines, at, radius, colour_of, result.centers, names, number_mm)
    svg, pdf = _sheet_svg(sheet), _sheet_pdf(sheet)
    preview = paint_labels(labels, result.centers)
    return PaintByNumber(svg, pdf, preview, labels, count, paper, landscape, len(at))


def _numbered_parts(
    region: np.ndarray, count: int, dist: np.ndarray, reach: float, min_region: int
) -> tuple[np.ndarray, np.ndarray]:
    """Where the numbers go: the pole (point farthest from the edges) of
    every part of every region, a part being what a disc ``reach`` pixels
    across the middle sweeps without leaving the region around one
    connected piece of its core (the pixels at least ``reach`` from the
    edge), counted when it covers ``min_region`` pixels; a region with no
    such part keeps one number at its own pole.  (n, 2) (x, y) and each
    number's room (pixels)."""
    at, radius = poles(region, count, dist)
    # ``dist`` runs to the centres of the edge pixels, half a pixel inside.
    core = np.where(dist >= reach - 0.5, region, -1).astype(np.int32)
    part, _ = regions(core, True)
    del core
    parts = int(part.max()) + 1 if part.size else 0
    if parts == 0:
        return at, radius
    part_at, part_radius = poles(part, parts, dist)
    # Each pixel to the nearest core pixel (OpenCV numbers them in raster
    # order); within reach, in the same region, it is swept by that part.
    away, nearest = cv2.distanceTransformWithLabels(
        (part < 0).view(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    area = swept_areas(region, part, away, nearest, reach, parts)
    del away, nearest
    big = area >= min_region
    has_part = np.zeros(count, dtype=bool)
    width = region.shape[1]
    has_part[region.ravel()[part_at[big, 1] * width + part_at[big, 0]]] = True
    return (
        np.concatenate([part_at[big], at[~has_part]]),
        np.concatenate([part_radius[big], radius[~has_part]]),
    )


def _merged(labels: np.ndarray, min_region: int, min_radius: float) -> np.ndarray:
    """Labels with regions under ``min_region`` pixels, then regions too
    narrow for a number (inscribed radius under ``min_radius`` pixels),
    merged into the neighbour nearest them."""
    labels = cleaned_labels(labels, min_region, diagonal=False)
    region, _ = regions(labels, False)
    count = int(region.max()) + 1 if region.size else 0
    dist = cv2.distanceTransform(_inner(region), cv2.DIST_L2, 3)
    _, radius = poles(region, count, dist)
    thin = radius < min_radius
    if thin.any() and not thin.all():
        speck = (region >= 0) & thin[np.maximum(region, 0)]
        labels = fill_nearest(labels, speck)
    return labels


def _inner(region: np.ndarray) -> np.ndarray:
    """uint8: 1 where a pixel's four neighbours are in its region (0 on a
    region's edge and the image's border)."""
    inner = np.zeros(region.shape, dtype=np.uint8)
    core = region[1:-1, 1:-1]
    same = (
        (core == region[:-2, 1:-1])
        & (core == region[2:, 1:-1])
        & (core == region[1:-1, :-2])
        & (core == region[1:-1, 2:])
        & (core >= 0)
    )
    inner[1:-1, 1:-1] = same
    return inner


def _outline(mask: np.ndarray, tolerance: float) -> str:
    corners, starts = trace_loops(np.ascontiguousarray(mask))
    return smooth_path(corners, starts, tolerance).tobytes().decode("ascii")


def _number_size(radius: float, scale: float, smallest: float) -> float:
    return min(_NUMBER_MAX, max(smallest, 1.2 * radius * scale))


def _hex(c: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in c))


@dataclass(frozen=True)
class _Sheet:
    """What is drawn on the sheet: the outlines (smooth path data, one per
    colour), each region's number at its pole, and the key."""

    lay: _Layout
    outlines: list[str]
    at: np.ndarray  # (regions, 2) pixel (x, y) of each number
    radius: np.ndarray  # room around it, pixels
    colour_of: np.ndarray  # each region's colour index
    centres: np.ndarray
    names: list[str]
    number_mm: float  # the smallest number

    def numbers(self) -> Iterator[tuple[float, float, float, str]]:
        """Each region's number: its centre on the sheet (mm), size, text."""
        lay = self.lay
        for (x, y), r, c in zip(
            self.at.tolist(), self.radius.tolist(), self.colour_of.tolist(), strict=True
        ):
            size = _number_size(r, lay.scale, self.number_mm)
            yield lay.x0 + (x + 0.5) * lay.scale, lay.y0 + (y + 0.5) * lay.scale, size, str(c + 1)

    def key(self) -> Iterator[tuple[float, float, np.ndarray, str]]:
        """Each colour's key entry: its top-left (mm), colour and name."""
        col_w = (self.lay.width - 2 * _MARGIN) / _KEY_COLUMNS
        for i, (centre, name) in enumerate(zip(self.centres, self.names, strict=True)):
            x = _MARGIN + (i % _KEY_COLUMNS) * col_w
            y = self.lay.key_top + (i // _KEY_COLUMNS) * _KEY_ROW
            yield x, y, centre, f"{i + 1} · {name}"


def _sheet_svg(sheet: _Sheet) -> str:
    lay = sheet.lay
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{lay.width}mm" '
        f'height="{lay.height}mm" viewBox="0 0 {lay.width} {lay.height}">\n'
        "<title>Paint by number</title>\n"
        f'<rect width="{lay.width}" height="{lay.height}" fill="#ffffff"/>\n'
        f'<g transform="translate({lay.x0:.3f} {lay.y0:.3f}) scale({lay.scale:.6f})" '
        f'fill="none" stroke="#8c8c8c" stroke-width="{_OUTLINE_MM / lay.scale:.4f}" '
        'stroke-linejoin="round">\n'
    ]
    parts += [f'<path d="{d}"/>\n' for d in sheet.outlines if d]
    parts.append("</g>\n<g font-family=\"Helvetica, Arial, sans-serif\" fill=\"#4a4a4a\" "
                 'text-anchor="middle" dominant-baseline="central">\n')  # fmt: skip
    for cx, cy, size, text in sheet.numbers():
        parts.append(f'<text x="{cx:.2f}" y="{cy:.2f}" font-size="{size:.2f}">{text}</text>\n')
    parts.append('</g>\n<g font-family="Helvetica, Arial, sans-serif" font-size="3.2" '
                 'fill="#1a1a1a">\n')  # fmt: skip
    for x, y, centre, label in sheet.key():
        parts.append(
            f'<rect x="{x:.2f}" y="{y:.2f}" width="8" height="5" fill="{_hex(centre)}" '
            'stroke="#8c8c8c" stroke-width="0.2"/>'
            f'<text x="{x + 10:.2f}" y="{y + 3.8:.2f}">{html.escape(label)}</text>\n'
        )
    parts.append("</g>\n</svg>\n")
    return "".join(parts)


_TOKEN = re.compile(r"[Mqtz]|-?(?:\d+(?:\.\d+)?|\.\d+)")


def _pdf_path(d: str, lay: _Layout) -> list[str]:
    """PDF path operators of a smooth outline (per loop ``M``, a relative
    ``q``, relative ``t``s, ``z``), in millimetres on the sheet (quadratic
    curves as cubic ones; a ``t``'s control is the last one reflected)."""
    ops: list[str] = []
    s = lay.scale
    x = y = qx = qy = 0.0
    nums: list[float] = []
    mode = ""

    def mm(px: float, py: float) -> str:
        return f"{lay.x0 + px * s:.3f} {lay.y0 + py * s:.3f}"

    def curve(ex: float, ey: float) -> None:
        c1 = (x + 2 / 3 * (qx - x), y + 2 / 3 * (qy - y))
        c2 = (ex + 2 / 3 * (qx - ex), ey + 2 / 3 * (qy - ey))
        ops.append(f"{mm(*c1)} {mm(*c2)} {mm(ex, ey)} c")

    for tok in _TOKEN.findall(d):
        if tok in ("M", "q", "t"):
            mode, nums = tok, []
        elif tok == "z":
            ops.append("h")
        else:
            nums.append(float(tok))
            if mode == "M" and len(nums) == 2:
                x, y = nums
                ops.append(f"{mm(x, y)} m")
                nums = []
            elif mode == "q" and len(nums) == 4:
                qx, qy = x + nums[0], y + nums[1]
                curve(x + nums[2], y + nums[3])
                x, y, nums = x + nums[2], y + nums[3], []
            elif mode == "t" and len(nums) == 2:
                qx, qy = 2 * x - qx, 2 * y - qy
                curve(x + nums[0], y + nums[1])
                x, y, nums = x + nums[0], y + nums[1], []
    return ops


def _sheet_pdf(sheet: _Sheet) -> bytes:
    """The sheet as a one-page PDF drawn in millimetres from the top-left
    (one transform turns that into PDF points from the bottom-left)."""
    lay = sheet.lay
    ops = [f"{_PT:.6f} 0 0 {-_PT:.6f} 0 {lay.height * _PT:.4f} cm", f"{_OUTLINE_MM} w 1 J 1 j"]
    ops.append("0.549 0.549 0.549 RG")
    for d in sheet.outlines:
        ops += _pdf_path(d, lay)
        ops.append("S")
    ops.append("0.29 0.29 0.29 rg")
    for cx, cy, size, text in sheet.numbers():
        left, base = cx - 0.28 * size * len(text), cy + 0.36 * size
        ops.append(f"BT /F1 {size:.2f} Tf 1 0 0 -1 {left:.3f} {base:.3f} Tm ({text}) Tj ET")
    for x, y, centre, label in sheet.key():
        r, g, b = (int(v) / 255 for v in centre)
        ops.append(f"{r:.3f} {g:.3f} {b:.3f} rg {x:.2f} {y:.2f} 8 5 re B")
        text = label.replace("·", "-").encode("latin-1", "replace").decode("latin-1")
        text = text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(
            f"0.1 0.1 0.1 rg BT /F1 3.2 Tf 1 0 0 -1 {x + 10:.2f} {y + 3.8:.2f} Tm ({text}) Tj ET"
        )
    return _pdf_file(ops, lay)


def _pdf_file(ops: list[str], lay: _Layout) -> bytes:
    """A one-page PDF of the content operators ``ops`` on ``lay``'s paper,
    with Helvetica as /F1."""
    content = zlib.compress("\n".join(ops).encode("latin-1"))
    w_pt, h_pt = lay.width * _PT, lay.height * _PT
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        (
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {w_pt:.2f} {h_pt:.2f}] "
            "/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>"
        ).encode(),
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(content)
        + content
        + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)
