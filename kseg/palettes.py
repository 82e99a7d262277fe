"""Reading a palette back: the JSON, CSV and GIMP .gpl files kseg writes
(and plain lists of hex colours), for :func:`kseg.apply_palette`."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from pathlib import Path

import numpy as np

__all__ = ["MAX_PALETTE_BYTES", "PaletteError", "parse_hex", "read_palette"]

#: Largest palette file read (a 255-colour kseg palette JSON is ~40 kB).
MAX_PALETTE_BYTES = 1_000_000
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
_MAX_COLOURS = 255


class PaletteError(ValueError):
    """A palette file kseg cannot read; the message is meant for people."""


def parse_hex(text: str) -> tuple[int, int, int]:
    """``"#aabbcc"`` or ``"aabbcc"`` -> (170, 187, 204).

    Raises
    ------
    PaletteError
        If ``text`` is not six hex digits (with or without ``#``).
    """
    m = _HEX.fullmatch(text.strip())
    if m is None:
        msg = f"{text[:20]!r} is not a colour like #1a2b3c."
        raise PaletteError(msg)
    v = int(m.group(1), 16)
    return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)


def read_palette(source: bytes | str | os.PathLike[str]) -> np.ndarray:
    """Read a palette: kseg's ``palette.json``, ``palette.csv``,
    ``palette.gpl`` or ``manifest.json``, or a text of hex colours.

    Parameters
    ----------
    source : bytes, or a path
        The file's contents, or its path.

    Returns
    -------
    (p, 3) ndarray of uint8
        The colours in the file's order (1 <= p <= 255).

    Raises
    ------
    PaletteError
        If the file is too large, not text, in none of these forms, or
        holds no colour, more than 255, or a value outside 0-255.
    """
    data = _read(source)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        msg = "This palette file is not text. Please choose a palette JSON, CSV or .gpl from kseg."
        raise PaletteError(msg) from None
    stripped = text.lstrip()
    if not stripped:
        msg = "This palette file is empty."
        raise PaletteError(msg)
    if stripped.startswith("GIMP Palette"):
        colours = _from_gpl(text)
    elif stripped[:1] in "[{":
        colours = _from_json(text)
    elif stripped.lower().startswith(("index,", "hex,", "r,")):
        colours = _from_csv(text)
    else:
        colours = [parse_hex(t) for t in re.split(r"[\s,;]+", text) if t]
    if not colours:
        msg = "This palette file holds no colour."
        raise PaletteError(msg)
    if len(colours) > _MAX_COLOURS:
        msg = f"This palette has {len(colours)} colours; at most {_MAX_COLOURS} can be used."
        raise PaletteError(msg)
    return np.array(colours, dtype=np.uint8).reshape(-1, 3)


def _read(source: object) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        try:
            path = Path(source)
            if path.stat().st_size > MAX_PALETTE_BYTES:
                data = b"x" * (MAX_PALETTE_BYTES + 1)
            else:
                data = path.read_bytes()
        except (OSError, ValueError) as exc:
            msg = f"Could not read the palette file: {exc}"
            raise PaletteError(msg) from None
    else:
        msg = f"source must be bytes or a path, got {type(source).__name__}"
        raise TypeError(msg)
    if len(data) > MAX_PALETTE_BYTES:
        msg = f"This palette file is larger than {MAX_PALETTE_BYTES // 1000} kB; it cannot be one."
        raise PaletteError(msg)
    return data


def _channel(value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        msg = f"{value!r} is not a colour value from 0 to 255."
        raise PaletteError(msg)
    try:
        number = float(value)
    except ValueError:
        msg = f"{str(value)[:20]!r} is not a colour value from 0 to 255."
        raise PaletteError(msg) from None
    if not 0 <= number <= 255 or number != int(number):
        msg = f"{str(value)[:20]!r} is not a colour value from 0 to 255."
        raise PaletteError(msg)
    return int(number)


def _from_row(row: object) -> tuple[int, int, int]:
    """One palette row: {"r", "g", "b"} or {"hex"}, or a hex string, or [r, g, b]."""
    if isinstance(row, str):
        return parse_hex(row)
    if isinstance(row, list) and len(row) == 3:
        r, g, b = (_channel(v) for v in row)
        return (r, g, b)
    if isinstance(row, dict):
        if all(c in row and row[c] not in ("", None) for c in "rgb"):
            r, g, b = (_channel(row[c]) for c in "rgb")
            return (r, g, b)
        if isinstance(row.get("hex"), str):
            return parse_hex(row["hex"])
    msg = "A palette row has no colour (r, g, b or hex)."
    raise PaletteError(msg)


def _from_json(text: str) -> list[tuple[int, int, int]]:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        msg = "This palette file is not valid JSON."
        raise PaletteError(msg) from None
    if isinstance(doc, dict):
        doc = doc.get("palette")
    if not isinstance(doc, list):
        msg = "This JSON file is not a kseg palette (a list of colours, or a manifest)."
        raise PaletteError(msg)
    return [_from_row(row) for row in doc[: _MAX_COLOURS + 1]]


def _from_csv(text: str) -> list[tuple[int, int, int]]:
    rows = csv.DictReader(io.StringIO(text))
    return [_from_row({k.strip().lower(): v for k, v in row.items() if k}) for row in rows]


def _from_gpl(text: str) -> list[tuple[int, int, int]]:
    colours = []
    for line in text.splitlines()[1:]:
        line = line.strip()
        if not line or line.startswith("#") or line.split(":")[0] in ("Name", "Columns"):
            continue
        parts = line.split()
        if len(parts) < 3:
            msg = f"The line {line[:30]!r} of this .gpl file is not 'R G B name'."
            raise PaletteError(msg)
        r, g, b = (_channel(v) for v in parts[:3])
        colours.append((r, g, b))
    return colours
