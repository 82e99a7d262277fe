"""A shared link's values turned into settings, and settings into a link.

A link is input from whoever sent it.  Each parameter has one rule for its
kind of value (an integer in ASCII digits, a finite decimal number, a name
from a fixed set, a list of cluster numbers), is clamped to its widget's
domain, and is dropped when it does not follow the rule, while the rest of
the link is still honoured.  No streamlit here: the page passes the query
string in and writes what :func:`to_link` returns.  For every valid choice,
``from_link(to_link(...))`` gives it back.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import kseg

#: Integers: ASCII digits only (``str.isdigit`` also accepts "²", which
#: ``int`` refuses, and ``int`` accepts "٣" and "1_0").
_HEX = re.compile(r"[0-9a-f]{6}")
_INTEGER = re.compile(r"[0-9]{1,12}")
#: Decimal numbers: ASCII digits with at most one point, no exponent.
_DECIMAL = re.compile(r"[0-9]{1,12}(?:\.[0-9]{0,12})?|\.[0-9]{1,12}")
#: Longest value read; anything longer is not a value a page wrote.
MAX_VALUE_CHARS = 400


@dataclass(frozen=True)
class IntRange:
    """A widget's whole numbers from ``lo`` to ``hi``."""

    lo: int
    hi: int

    def parse(self, text: str) -> int | None:
        if not _INTEGER.fullmatch(text):
            return None
        return min(self.hi, max(self.lo, int(text)))

    def write(self, value: int) -> str:
        return str(value)


@dataclass(frozen=True)
class StepRange:
    """A widget's decimal numbers from ``lo`` to ``hi`` on a grid of ``step``
    (shown with ``digits`` decimals)."""

    lo: float
    hi: float
    step: float
    digits: int = 2

    def parse(self, text: str) -> float | None:
        if not _DECIMAL.fullmatch(text):
            return None
        value = min(self.hi, max(self.lo, float(text)))
        snapped = self.lo + round((value - self.lo) / self.step) * self.step
        return round(min(self.hi, snapped), self.digits)

    def write(self, value: float) -> str:
        return f"{value:.{self.digits}f}".rstrip("0").rstrip(".") or "0"


@dataclass(frozen=True)
class Choice:
    """One name from a fixed set."""

    names: tuple[str, ...]

    def parse(self, text: str) -> str | None:
        return text if text in self.names else None

    def write(self, value: str) -> str:
        return value


@dataclass(frozen=True)
class Numbers:
    """Cluster numbers as the page shows them (from 1), comma-separated;
    read as 0-based indices, each at most once, in order.  Items that are
    not numbers in range are dropped, the others kept."""

    hi: int

    def parse(self, text: str) -> list[int] | None:
        """The indices, or None when no item is a number in range."""
        items = (_INTEGER.fullmatch(p) for p in text.split(","))
        numbers = {int(m.group()) for m in items if m}
        return sorted(n - 1 for n in numbers if 1 <= n <= self.hi) or None

    def write(self, value: Iterable[int]) -> str:
        return ",".join(str(i + 1) for i in value)


@dataclass(frozen=True)
class Colours:
    """Pinned colours as six hex digits each (``ff0000,2a7f3e``), at most
    ``most``, each once, in order; items that are not colours are dropped."""

    most: int

    def parse(self, text: str) -> list[str] | None:
        found: list[str] = []
        for item in text.split(","):
            item = item.strip().lstrip("#").lower()
            if _HEX.fullmatch(item) and item not in found:
                found.append(item)
        return found[: self.most] or None

    def write(self, value: Iterable[str]) -> str:
        return ",".join(value)


@dataclass(frozen=True)
class OwnColours:
    """The user's own colours, one a line as the page's text box holds them
    (``#e32636 Cadmium red``), at most ``most``; read by kseg's palette
    reader, so what the page accepts a link accepts.  A name loses its
    line breaks and is cut to 60 characters."""

    most: int

    def parse(self, text: str) -> list[str] | None:
        """The colours as ``rrggbb name`` (or ``rrggbb``), or None."""
        try:
            palette = kseg.load_palette(text.encode())
        except kseg.PaletteError:
            return None
        names = palette.names or ("",) * len(palette.colors)
        return [
            " ".join(["{:02x}{:02x}{:02x}".format(*c), *name.split()[:12]])[:67]
            for c, name in zip(palette.colors.tolist(), names, strict=True)
        ][: self.most]

    def write(self, value: Iterable[str]) -> str:
        return "\n".join(f"#{item}" for item in value)


@dataclass(frozen=True)
class NamedClasses:
    """Named classes of colours, one a line as the page's text box holds
    them (``vegetation: 2 5 7``), read by kseg's classes reader, so what the
    page accepts a link accepts; written back in that reader's own form."""

    most_chars: int

    def parse(self, text: str) -> str | None:
        if len(text) > self.most_chars:
            return None
        try:
            classes = kseg.read_classes(text)
        except kseg.ClassesError:
            return None
        return classes.text() or None

    def write(self, text: str) -> str:
        return text


@dataclass(frozen=True)
class Region:
    """A region of interest in fractions of the photo, as kseg reads it: a
    rectangle ``0.1,0.1,0.8,0.8`` (x, y, width, height) or a polygon's
    corners ``0.1,0.1; 0.9,0.1; 0.5,0.9``; regions in pixels are not the
    page's and are dropped."""

    def parse(self, text: str) -> kseg.Roi | None:
        try:
            roi = kseg.parse_roi(text)
        except kseg.RoiError:
            return None
        return roi if roi.relative else None

    def write(self, text: str) -> str:
        return text


@dataclass(frozen=True)
class NewColours:
    """New colours for colour numbers (from 1), ``2:00ff00,5:ffffff``, each
    number once (the last wins), at most ``hi``; items that are not a
    number in range and six hex digits are dropped."""

    hi: int

    def parse(self, text: str) -> list[str] | None:
        found: dict[int, str] = {}
        for item in text.split(","):
            number, _, code = item.strip().partition(":")
            code = code.lstrip("#").lower()
            if _INTEGER.fullmatch(number) and 1 <= int(number) <= self.hi and _HEX.fullmatch(code):
                found[int(number)] = code
        return [f"{n}:{c}" for n, c in sorted(found.items())] or None

    def write(self, value: Iterable[str]) -> str:
        return ",".join(value)


#: Settings fields in the link, by parameter name (also the widget keys).
SETTINGS_PARAMS: dict[str, IntRange | StepRange | Choice] = {
    "k": IntRange(2, 32),
    "attempts": IntRange(1, 20),
    "scale": StepRange(0.1, 1.0, 0.05),
    "init": Choice(tuple(kseg.INITS)),
    "space": Choice(tuple(kseg.COLOR_SPACES)),
    "iters": IntRange(1, 1000),
    "eps": StepRange(0.0, 10.0, 0.01),
    "seed": IntRange(0, 999_999),
}
SAMPLE = Choice(tuple(kseg.SAMPLES))
#: The views of the photo, by their name in a link (``view=boundaries``).
VIEWS = {
    "side": "Side by side",
    "click": "Click a colour",
    "boundaries": "Boundaries",
    "one": "One colour",
    "split": "Before / after",
    "paint": "Paint by number",
    "pattern": "Stitch pattern",
}
VIEW = Choice(tuple(VIEWS))
#: ``photo=yours``: the link was made on a photo someone uploaded, which
#: never travels in a link.
UPLOADED = Choice(("yours",))
CLUSTERS = Numbers(SETTINGS_PARAMS["k"].hi)
CLEAN = IntRange(2, 100_000)
#: Pinned colours (``pin=ff0000,2a7f3e``): at most eight.
PINS = Colours(8)
#: New colours (``recolour=2:00ff00,5:ffffff``): colour N painted anew.
RECOLOUR = NewColours(SETTINGS_PARAMS["k"].hi)
#: The user's own colours (``own=#e32636 Cadmium red%0A#ffffff``).
OWN = OwnColours(255)
#: Longest ``own`` read: 255 colours with names.
MAX_OWN_CHARS = 255 * 68
#: The region of interest (``roi=0.1,0.1,0.8,0.8``).
ROI = Region()
#: The region's widgets, in percent: left, top, width, height.
ROI_KEYS = ("roi-x", "roi-y", "roi-w", "roi-h")
#: Named classes (``classes=vegetation: 2 5 7%0Asky: 8 exclude``).
CLASSES = NamedClasses(4000)
#: Every parameter the page reads from a link.
PARAMS = (
    *SETTINGS_PARAMS, "sample", "merge", "hide", "clean", "pin", "own", "recolour", "view",
    "photo", "classes", "roi",
)  # fmt: skip


def from_link(query: Mapping[str, str]) -> dict[str, object]:
    """Widget values from a link's parameters (bad or missing ones left out).

    ``clean=N`` also turns cleaning on (``clean_on``); ``merge`` and ``hide``
    become lists of 0-based cluster indices; ``pin`` the list ``pins`` of
    six-hex-digit colours; ``own`` the text of one's own colours
    (``own_text``); ``classes`` the text of the named classes
    (``classes_text``); ``roi`` the region of interest's widgets in percent
    (``roi_on``, ``roi-x`` …); ``view`` the view's label; ``photo=yours`` sets
    ``link_from_upload``.
    """
    out: dict[str, object] = {}

    def read(name: str, rule: Callable[[str], object | None]) -> object | None:
        text = query.get(name)
        if not isinstance(text, str) or len(text) > MAX_VALUE_CHARS:
            return None
        return rule(text)

    for name, rule in SETTINGS_PARAMS.items():
        value = read(name, rule.parse)
        if value is not None:
            out[name] = value
    if (sample := read("sample", SAMPLE.parse)) is not None:
        out["sample"] = sample
    for name in ("merge", "hide"):
        if (numbers := read(name, CLUSTERS.parse)) is not None:
            out[name] = numbers
    if (clean := read("clean", CLEAN.parse)) is not None:
        out["clean_on"] = True
        out["clean"] = clean
    if (pins := read("pin", PINS.parse)) is not None:
        out["pins"] = pins
    if (recolour := read("recolour", RECOLOUR.parse)) is not None:
        out["recolour"] = recolour
    text = query.get("own")
    if isinstance(text, str) and len(text) <= MAX_OWN_CHARS and (own := OWN.parse(text)):
        out["own_text"] = OWN.write(own)
    if (roi := read("roi", ROI.parse)) is not None:
        out["roi_on"] = True
        out |= _region_widgets(roi)
    text = query.get("classes")
    if isinstance(text, str) and (classes := CLASSES.parse(text)):
        out["classes_text"] = classes
    if (view := read("view", VIEW.parse)) is not None:
        out["view"] = VIEWS[view]  # type: ignore[index]
    if read("photo", UPLOADED.parse) is not None:
        out["link_from_upload"] = True
    return out


def to_link(
    settings: Mapping[str, object],
    defaults: Mapping[str, object],
    sample: str | None,
    merge: Iterable[int],
    hide: Iterable[int],
    clean: int,
    view: str = VIEWS["side"],
    recolour: Iterable[str] = (),
    classes: str = "",
) -> dict[str, str]:
    """The link's parameters for these choices: only what differs from the
    defaults, so a shared link stays short and shows the same result.
    Without a ``sample`` the photo was uploaded: ``photo=yours`` says so to
    whoever opens the link (the photo itself is never in it)."""
    params = {
        name: rule.write(settings[name])  # type: ignore[arg-type]
        for name, rule in SETTINGS_PARAMS.items()
        if settings[name] != defaults[name]
    }
    if sample:
        params["sample"] = sample
    else:
        params["photo"] = "yours"
    for name, values in (("merge", list(merge)), ("hide", list(hide))):
        if values:
            params[name] = CLUSTERS.write(values)
    if clean:
        params["clean"] = CLEAN.write(clean)
    if settings.get("pins"):
        params["pin"] = PINS.write(settings["pins"])  # type: ignore[arg-type]
    if recolour := list(recolour):
        params["recolour"] = RECOLOUR.write(recolour)
    if settings.get("own"):
        params["own"] = OWN.write(settings["own"])  # type: ignore[arg-type]
    if settings.get("roi"):
        params["roi"] = ROI.write(settings["roi"])  # type: ignore[arg-type]
    if classes and (text := CLASSES.parse(classes)):
        params["classes"] = CLASSES.write(text)
    if view != VIEWS["side"]:
        params["view"] = next(slug for slug, label in VIEWS.items() if label == view)
    return params


def _region_widgets(roi: kseg.Roi) -> dict[str, object]:
    """The region of interest's widgets (percent) for a region in fractions."""
    if roi.corners:
        corners = "; ".join(f"{round(100 * x, 2):g},{round(100 * y, 2):g}" for x, y in roi.corners)
        return {"roi-shape": "Polygon", "roi-corners": corners}
    box = (roi.x, roi.y, roi.width, roi.height)
    return {"roi-shape": "Rectangle"} | {
        key: round(100 * v, 2) for key, v in zip(ROI_KEYS, box, strict=True)
    }
