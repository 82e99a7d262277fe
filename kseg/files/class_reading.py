"""Classes read from their text, JSON or CSV form (:func:`read_classes`;
the forms are described in :mod:`kseg.engine.classes`)."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Mapping, Sequence

from kseg.engine.classes import NO_CLASS, Classes, ClassesError, ColourClass

__all__ = ["read_classes"]

_MAX_CLASSES = 64
_NAME = re.compile(r"[^\x00-\x1f:,;=]{1,60}")
_HEX = re.compile(r"#?([0-9a-fA-F]{6})")
_EXCLUDE = {"exclude", "excluded", "exclude=true", "(exclude)", "(excluded)"}


def read_classes(source: str | bytes | Mapping[str, object]) -> Classes:
    """Classes from their text, JSON or CSV form (see the module), or from
    JSON data already read (a mapping).

    Raises
    ------
    ClassesError
        If the classes cannot be read: the message names the line or class.
    """
    if isinstance(source, Mapping):
        return _from_mapping(source)
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError:
            msg = "the classes are not text (UTF-8)"
            raise ClassesError(msg) from None
    if not isinstance(source, str):
        msg = f"classes must be text, JSON or a mapping, got {type(source).__name__}"
        raise ClassesError(msg)
    text = source.strip()
    if text.startswith("{"):
        try:
            doc = json.loads(text)
        except (json.JSONDecodeError, RecursionError):
            msg = "the classes file starts like JSON but is not valid JSON"
            raise ClassesError(msg) from None
        if isinstance(doc, dict) and isinstance(doc.get("classes"), dict):
            doc = doc["classes"]  # a palette file or manifest that carries them
        if not isinstance(doc, dict):
            msg = "JSON classes must be an object of class names"
            raise ClassesError(msg)
        return _from_mapping(doc)
    first = text.splitlines()[0].lower().replace(" ", "") if text else ""
    if first.startswith("class,"):
        return _from_csv(text)
    return _from_text(text)


def _from_text(text: str) -> Classes:
    out = []
    for n, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("# ") or line == "#":
            continue
        name, sep, rest = line.partition(":")
        if not sep:
            name, sep, rest = line.partition("=")
        if not sep:
            msg = f"line {n}: write a class as 'name: colours', such as 'vegetation: 2 5 7'"
            raise ClassesError(msg)
        words = rest.replace(",", " ").split()
        exclude = any(w.lower() in _EXCLUDE for w in words)
        items = [w for w in words if w.lower() not in _EXCLUDE]
        out.append(_class(name, items, exclude, f"line {n}"))
    return _checked(out)


def _from_csv(text: str) -> Classes:
    out = []
    rows = csv.DictReader(io.StringIO(text))
    for n, row in enumerate(rows, start=2):
        row = {str(k).strip().lower(): (v or "") for k, v in row.items() if k is not None}
        items = row.get("colours", row.get("colors", "")).replace(";", " ").replace(",", " ")
        exclude = row.get("exclude", "").strip().lower() in ("yes", "true", "1", "x", "exclude")
        out.append(_class(row.get("class", ""), items.split(), exclude, f"row {n}"))
    return _checked(out)


def _from_mapping(doc: Mapping[str, object]) -> Classes:
    out = []
    for name, value in doc.items():
        exclude = False
        if isinstance(value, Mapping):
            exclude = value.get("exclude", False) is True
            value = value.get("colours", value.get("colors"))
        if not isinstance(value, list):
            msg = f"class {str(name)[:60]!r}: its colours must be a list, such as [2, 5, 7]"
            raise ClassesError(msg)
        out.append(_class(str(name), value, exclude, f"class {str(name)[:60]!r}"))
    return _checked(out)


def _class(name: str, items: Sequence[object], exclude: bool, where: str) -> ColourClass:
    name = name.strip()
    if not _NAME.fullmatch(name):
        msg = f"{where}: a class needs a name of 1 to 60 characters without : , ; or ="
        raise ClassesError(msg)
    colours: list[int | str] = []
    for item in items:
        if isinstance(item, bool):
            item = str(item)
        if isinstance(item, int) or (isinstance(item, str) and item.strip().isdigit()):
            number = int(item)
            if not 1 <= number <= 255:
                msg = f"{where}: colour numbers are from 1 to 255, got {number}"
                raise ClassesError(msg)
            colours.append(number)
            continue
        m = _HEX.fullmatch(item.strip()) if isinstance(item, str) else None
        if m is None:
            msg = f"{where}: {str(item)[:20]!r} is neither a colour number nor a hex code"
            raise ClassesError(msg)
        colours.append("#" + m.group(1).lower())
    if not colours:
        msg = f"{where}: class {name!r} has no colour"
        raise ClassesError(msg)
    return ColourClass(name, tuple(dict.fromkeys(colours)), exclude)


def _checked(classes: list[ColourClass]) -> Classes:
    names = [c.name for c in classes]
    if len(names) > _MAX_CLASSES:
        msg = f"at most {_MAX_CLASSES} classes, got {len(names)}"
        raise ClassesError(msg)
    twice = sorted({n for n in names if names.count(n) > 1} | ({NO_CLASS} & set(names)))
    if twice:
        msg = f"class names must differ (and not be {NO_CLASS!r}): {', '.join(twice)}"
        raise ClassesError(msg)
    return Classes(tuple(classes))
