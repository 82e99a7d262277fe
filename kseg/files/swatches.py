"""Palettes for designers' tools: Adobe Swatch Exchange (``.ase``, written
and read), CSS custom properties, and a palette image (a PNG strip of
swatches with their numbers).

An ``.ase`` file is big-endian: ``ASEF``, version 1.0, the number of
blocks, then blocks of a type (``0x0001`` a colour, ``0xC001``/``0xC002``
a group's start and end), a length, a UTF-16 name ending in a zero, a
colour model (``RGB``, ``CMYK``, ``LAB`` or ``Gray``), its float values and
a colour type (global, spot or normal).
"""

from __future__ import annotations

import re
import struct

import numpy as np

from kseg.base.opencv import cv2
from kseg.engine.result import names_of
from kseg.files.encoding import encode_png

__all__ = [
    "AseError",
    "ase_bytes",
    "css_text",
    "palette_ase",
    "palette_css",
    "palette_png",
    "read_ase",
    "swatch_strip",
]

_COLOUR, _GROUP_START, _GROUP_END = 0x0001, 0xC001, 0xC002
_NORMAL = 2
_VALUES = {b"RGB ": 3, b"CMYK": 4, b"LAB ": 3, b"Gray": 1}
_MAX_BLOCKS = 10_000


class AseError(ValueError):
    """An ``.ase`` file that cannot be read, with a message for a person."""


def _name_bytes(name: str) -> bytes:
    units = name.encode("utf-16-be") + b"\0\0"
    return struct.pack(">H", len(units) // 2) + units


def ase_bytes(colours: np.ndarray, names: list[str], group: str = "kseg") -> bytes:
    """The colours (uint8 RGB) as an Adobe Swatch Exchange file: one group
    named ``group`` holding each colour (model RGB, type normal) with its
    name, in order."""
    blocks = [struct.pack(">H", _GROUP_START) + _block(_name_bytes(group))]
    for c, name in zip(np.asarray(colours).tolist(), names, strict=True):
        body = _name_bytes(name) + b"RGB " + struct.pack(">3f", *(v / 255 for v in c))
        blocks.append(struct.pack(">H", _COLOUR) + _block(body + struct.pack(">H", _NORMAL)))
    blocks.append(struct.pack(">H", _GROUP_END) + struct.pack(">I", 0))
    return b"ASEF" + struct.pack(">HHI", 1, 0, len(blocks)) + b"".join(blocks)


def _block(body: bytes) -> bytes:
    return struct.pack(">I", len(body)) + body


def read_ase(data: bytes) -> tuple[list[tuple[int, int, int]], list[str]]:
    """The colours (8-bit RGB) and names of an ``.ase`` file, in order;
    CMYK, LAB and grey swatches converted to RGB.

    Raises
    ------
    AseError
        If the file is not one, or is cut short or malformed.
    """
    if data[:4] != b"ASEF" or len(data) < 12:
        msg = "This file is not an Adobe Swatch Exchange (.ase) palette."
        raise AseError(msg)
    (count,) = struct.unpack(">I", data[8:12])
    if count > _MAX_BLOCKS:
        msg = f"This .ase file claims {count} blocks; it cannot be a palette."
        raise AseError(msg)
    colours: list[tuple[int, int, int]] = []
    names: list[str] = []
    at = 12
    for _ in range(count):
        kind, length = _unpack(">HI", data, at)
        body = data[at + 6 : at + 6 + length]
        if len(body) != length:
            msg = "This .ase file is cut short."
            raise AseError(msg)
        at += 6 + length
        if kind == _COLOUR:
            colour, name = _swatch(body)
            colours.append(colour)
            names.append(name)
    return colours, names


def _unpack(fmt: str, data: bytes, at: int) -> tuple:
    try:
        return struct.unpack_from(fmt, data, at)
    except struct.error:
        msg = "This .ase file is cut short."
        raise AseError(msg) from None


def _swatch(body: bytes) -> tuple[tuple[int, int, int], str]:
    (units,) = _unpack(">H", body, 0)
    name = body[2 : 2 + 2 * units].decode("utf-16-be", "replace").rstrip("\0")
    at = 2 + 2 * units
    model = body[at : at + 4]
    if model not in _VALUES:
        msg = f"This .ase file has a colour in an unknown model {model!r:.12}."
        raise AseError(msg)
    values = _unpack(f">{_VALUES[model]}f", body, at + 4)
    if not all(np.isfinite(values)):
        msg = "This .ase file has a colour that is not a number."
        raise AseError(msg)
    return _to_rgb(model, values), name


def _to_rgb(model: bytes, v: tuple[float, ...]) -> tuple[int, int, int]:
    if model == b"RGB ":
        rgb = np.array(v)
    elif model == b"Gray":
        rgb = np.array([v[0]] * 3)
    elif model == b"CMYK":
        c, m, y, k = (min(1.0, max(0.0, x)) for x in v)
        rgb = np.array([(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)])
    else:  # LAB: L from 0 to 1 (as Adobe writes it) or to 100
        lab = np.array([[[v[0] * 100 if v[0] <= 1 else v[0], v[1], v[2]]]], np.float32)
        rgb = cv2.cvtColor(lab, cv2.COLOR_Lab2RGB)[0, 0].astype(np.float64)
    r, g, b = (int(x) for x in np.clip(np.rint(rgb * 255), 0, 255))
    return (r, g, b)


def css_text(colours: np.ndarray, names: list[str], prefix: str = "kseg") -> str:
    """The colours as CSS custom properties on ``:root``, one a line
    (``--kseg-1-light-grey: #d1d1cf;``), each name kept in a comment."""
    lines = [":root {"]
    for i, (c, name) in enumerate(zip(np.asarray(colours).tolist(), names, strict=True)):
        slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "colour"
        hex_code = "#{:02x}{:02x}{:02x}".format(*c)
        comment = name.replace("*/", "* /")
        lines.append(f"  --{prefix}-{i + 1}-{slug}: {hex_code}; /* {comment} */")
    return "\n".join([*lines, "}"]) + "\n"


def swatch_strip(colours: np.ndarray, side: int = 96) -> np.ndarray:
    """The colours as a strip of square swatches (``side`` pixels each, in
    order), each with its number in black or white, whichever reads; an
    (side, side * p, 3) uint8 image."""
    colours = np.asarray(colours, dtype=np.uint8)
    strip = np.repeat(np.repeat(colours[None], side, axis=0), side, axis=1)
    strip = np.ascontiguousarray(strip)
    for i, c in enumerate(colours.tolist()):
        light = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2] > 140
        ink = (0, 0, 0) if light else (255, 255, 255)
        text = str(i + 1)
        scale = side / 64
        (tw, th), _ = cv2.getTextSize(text, cv2.FONT_HERSHEY_SIMPLEX, scale, 2)
        org = (i * side + (side - tw) // 2, (side + th) // 2)
        cv2.putText(strip, text, org, cv2.FONT_HERSHEY_SIMPLEX, scale, ink, 2, cv2.LINE_AA)
    return strip


def palette_ase(result: object) -> bytes:
    """A result's palette (or a series' totals) as ``palette.ase``, each
    colour with its name, in the result's order."""
    return ase_bytes(result.centers, names_of(result))  # type: ignore[attr-defined]


def palette_css(result: object) -> bytes:
    """A result's palette as ``palette.css`` (custom properties)."""
    return css_text(result.centers, names_of(result)).encode()  # type: ignore[attr-defined]


def palette_png(result: object) -> bytes:
    """A result's palette as ``palette.png``: its swatches, numbered."""
    return encode_png(swatch_strip(result.centers))  # type: ignore[attr-defined]
