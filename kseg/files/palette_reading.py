"""Reading a palette back: the JSON, CSV and GIMP .gpl files kseg writes
(and plain lists of hex colours), for :func:`kseg.apply_palette`.

:func:`read_palette` gives the colours; :func:`load_palette` also what
kseg's own files record so that applying one reproduces the run that wrote
it: the exact centres, the centres the pixels were labelled with, and the
colour space."""

from __future__ import annotations

import csv
import io
import json
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from kseg.base.naming import color_names
from kseg.engine.classes import Classes, ClassesError
from kseg.files.class_reading import read_classes
from kseg.files.swatches import AseError, read_ase

__all__ = [
    "MAX_PALETTE_BYTES",
    "Palette",
    "PaletteError",
    "load_palette",
    "parse_hex",
    "read_palette",
]

#: Largest palette file read (a 255-colour kseg palette JSON is ~40 kB).
MAX_PALETTE_BYTES = 1_000_000
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
_HEX_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])#?[0-9a-fA-F]{6}(?![0-9A-Za-z])")
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


@dataclass(frozen=True)
class Palette:
    """A palette file read back.

    Attributes
    ----------
    colors : (p, 3) ndarray of uint8
        The colours, in the file's order.
    centers : (p, 3) ndarray of float64
        The exact centres where the file records them (kseg's files), else
        ``colors``: what :func:`kseg.apply_palette` measures the objective to.
    label_centers : (p, 3) ndarray of float64, or None
        The centres the run that wrote the file labelled its pixels with, in
        ``color_space``, where the file records them.
    color_space : {"rgb", "lab"} or None
        The colour space the file's colours were found in, if it says.
    names : tuple of str
        Each colour's name where the file names its colours (a paint's
        name and code; a colour the file leaves unnamed is named in
        words), else empty.
    classes : Classes
        The named classes of colours the file carries (kseg's
        ``palette.json`` and ``manifest.json``), checked against its
        colours; empty where it carries none.
    """

    colors: np.ndarray
    centers: np.ndarray
    label_centers: np.ndarray | None = None
    color_space: str | None = None
    names: tuple[str, ...] = ()
    classes: Classes = field(default_factory=lambda: Classes(()))


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
    return load_palette(source).colors


def load_palette(source: bytes | str | os.PathLike[str]) -> Palette:
    """Read a palette file (as :func:`read_palette`) with what it records
    besides its colours: the exact centres, the centres its pixels were
    labelled with and the colour space (kseg's JSON, CSV, .gpl and
    manifest files), so that ``kseg.apply_palette(rgb, p.centers,
    color_space=p.color_space, label_centers=p.label_centers)`` gives the
    labels, shares and objective of the run that wrote it.

    Raises
    ------
    PaletteError
        As :func:`read_palette`, or if the recorded centres or colour space
        are malformed.
    """
    data = _read(source)
    if data[:4] == b"ASEF":
        try:
            colours, names = read_ase(data)
        except AseError as exc:
            raise PaletteError(str(exc)) from None
        return _palette(colours, {"names": names})
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        msg = "This palette file is not text. Please choose a palette JSON, CSV or .gpl from kseg."
        raise PaletteError(msg) from None
    stripped = text.lstrip()
    if not stripped:
        msg = "This palette file is empty."
        raise PaletteError(msg)
    extra: dict[str, object] = {}
    if stripped.startswith("GIMP Palette"):
        colours = _from_gpl(text, extra)
    elif stripped[:1] in "[{":
        colours = _from_json(text, extra)
    elif stripped.lower().startswith(("index,", "hex,", "r,")):
        colours = _from_csv(text, extra)
    else:
        colours = _from_text(text, extra)
    return _palette(colours, extra)


def _palette(colours: list[tuple[int, int, int]], extra: dict[str, object]) -> Palette:
    if not colours:
        msg = "This palette file holds no colour."
        raise PaletteError(msg)
    if len(colours) > _MAX_COLOURS:
        msg = f"This palette has {len(colours)} colours; at most {_MAX_COLOURS} can be used."
        raise PaletteError(msg)
    rgb = np.array(colours, dtype=np.uint8).reshape(-1, 3)
    centers = _centres(extra.get("center"), len(rgb), 0.0, 255.0)
    searched = _centres(extra.get("label_center"), len(rgb), -1e6, 1e6)
    space = extra.get("color_space")
    if space is not None and space not in ("rgb", "lab"):
        msg = f"This palette's colour space {str(space)[:10]!r} is not rgb or lab."
        raise PaletteError(msg)
    given = list(extra.get("names") or [])  # type: ignore[call-overload]
    names: tuple[str, ...] = ()
    if any(given):
        words = color_names(rgb)
        names = tuple((n or w)[:80] for n, w in zip(given, words, strict=True))
    classes = Classes(())
    if isinstance(extra.get("classes"), dict):
        try:
            classes = read_classes(extra["classes"])  # type: ignore[arg-type]
            classes.indices(rgb)
        except ClassesError as exc:
            msg = f"This palette's classes do not fit it: {exc}."
            raise PaletteError(msg) from None
    return Palette(
        colors=rgb,
        centers=rgb.astype(np.float64) if centers is None else centers,
        label_centers=searched,
        color_space=space,  # type: ignore[arg-type]
        names=names,
        classes=classes,
    )


def _from_text(text: str, extra: dict[str, object]) -> list[tuple[int, int, int]]:
    """Hex colours in a text: several a line, or one a line with its name
    before or after it (``#E32636 Cadmium red``)."""
    colours: list[tuple[int, int, int]] = []
    names: list[str] = []
    for line in text.splitlines():
        codes = _HEX_IN_TEXT.findall(line)
        rest = " ".join(_HEX_IN_TEXT.sub(" ", line).replace(",", " ").split())
        if len(codes) == 1 and rest:
            colours.append(parse_hex(codes[0]))
            names.append(rest)
            continue
        tokens = [t for t in re.split(r"[\s,;]+", line) if t]
        colours += [parse_hex(t) for t in tokens]
        names += [""] * len(tokens)
    extra["names"] = names
    return colours


def _centres(rows: object, count: int, lo: float, hi: float) -> np.ndarray | None:
    """Recorded centres (one triple per colour, or none at all), checked."""
    if not rows:
        return None
    try:
        values = np.array(rows, dtype=np.float64)
    except (TypeError, ValueError):
        values = np.empty(0)
    if values.shape != (count, 3) or not np.isfinite(values).all():
        msg = "This palette's exact centres are not three numbers for each colour."
        raise PaletteError(msg)
    if values.min() < lo or values.max() > hi:
        msg = "This palette's exact centres are out of range."
        raise PaletteError(msg)
    return values


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


def _recorded(rows: list[dict], extra: dict[str, object]) -> None:
    """The exact centres of rows that all record them (``center``,
    ``label_center``) into ``extra``."""
    for key in ("center", "label_center"):
        if rows and all(isinstance(r, dict) and key in r for r in rows):
            extra[key] = [r[key] for r in rows]


def _from_json(text: str, extra: dict[str, object]) -> list[tuple[int, int, int]]:
    try:
        doc = json.loads(text)
    except (json.JSONDecodeError, RecursionError):
        msg = "This palette file is not valid JSON."
        raise PaletteError(msg) from None
    if isinstance(doc, dict):
        settings = doc.get("settings")
        space = doc.get("color_space")
        if space is None and isinstance(settings, dict):
            space = settings.get("color_space")
        if space is not None:
            extra["color_space"] = space
        if "classes" in doc:
            extra["classes"] = doc["classes"]
        doc = doc.get("palette")
    if not isinstance(doc, list):
        msg = "This JSON file is not a kseg palette (a list of colours, or a manifest)."
        raise PaletteError(msg)
    rows = doc[: _MAX_COLOURS + 1]
    _recorded(rows, extra)
    extra["names"] = [_name(row) for row in rows]
    return [_from_row(row) for row in rows]


def _from_csv(text: str, extra: dict[str, object]) -> list[tuple[int, int, int]]:
    rows = [
        {k.strip().lower(): v for k, v in row.items() if k}
        for row in csv.DictReader(io.StringIO(text))
    ]
    for row in rows:
        if all(row.get(f"center_{c}") not in (None, "") for c in "rgb"):
            row["center"] = [row[f"center_{c}"] for c in "rgb"]
        if all(row.get(f"label_{j}") not in (None, "") for j in (1, 2, 3)):
            row["label_center"] = [row[f"label_{j}"] for j in (1, 2, 3)]
    spaces = {row.get("color_space") for row in rows} - {None, ""}
    if len(spaces) == 1:
        extra["color_space"] = spaces.pop()
    _recorded(rows, extra)
    extra["names"] = [_name(row) for row in rows]
    return [_from_row(row) for row in rows]


def _name(row: object) -> str:
    name = row.get("name") if isinstance(row, dict) else None
    return name.strip() if isinstance(name, str) else ""


def _from_gpl(text: str, extra: dict[str, object]) -> list[tuple[int, int, int]]:
    colours = []
    names: list[str] = []
    extra["names"] = names
    recorded: dict[str, dict[int, list[str]]] = {"center": {}, "label_center": {}}
    for line in text.splitlines()[1:]:
        line = line.strip()
        parts = line.split()
        if line.startswith("# kseg color_space") and len(parts) == 4:
            extra["color_space"] = parts[3]
            continue
        if line.startswith("# kseg ") and len(parts) == 7 and parts[2] in recorded:
            if parts[3].isdigit():
                recorded[parts[2]][int(parts[3])] = parts[4:]
            continue
        if not line or line.startswith("#") or line.split(":")[0] in ("Name", "Columns"):
            continue
        parts = line.split()
        if len(parts) < 3:
            msg = f"The line {line[:30]!r} of this .gpl file is not 'R G B name'."
            raise PaletteError(msg)
        r, g, b = (_channel(v) for v in parts[:3])
        colours.append((r, g, b))
        names.append(" ".join(parts[3:]))
    for key, found in recorded.items():
        if sorted(found) == list(range(1, len(colours) + 1)):
            extra[key] = [found[i] for i in sorted(found)]
    return colours
