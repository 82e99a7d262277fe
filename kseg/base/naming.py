"""Colour names a person would use: "light blue", "dark purple", "off white".

Each colour gets the nearest name in CIELAB among the colour names of the
XKCD colour survey (bundled in ``xkcd_colors.tsv``, CC0); a colour far from
every name gets a plain name instead: a lightness word and a basic colour
word ("dark green").  A colour with almost no hue (CIELAB chroma under
``NEUTRAL``) is white, grey or black by its lightness ("light grey" for
#eeeeed, which the survey's nearest name would call "very light pink").
A few of the survey's names are rude or unkind ("puke", "ugly ...") or
name no colour ("dark") and are never used.
"""

from __future__ import annotations

import functools
from pathlib import Path

import numpy as np

from kseg.base.opencv import cv2

__all__ = [
    "FAR",
    "NEUTRAL",
    "basic_name",
    "color_name",
    "color_names",
    "grey_name",
    "survey_colours",
]

#: CIELAB distance beyond which the nearest survey name is not trusted.
FAR = 12.0
#: CIELAB chroma under which a colour is a grey, named by its lightness.
NEUTRAL = 5.0
#: Names of the greys by CIELAB lightness (lower limits).
_GREYS = (
    (97, "white"),
    (80, "light grey"),
    (45, "grey"),
    (25, "dark grey"),
    (10, "very dark grey"),
)
_DATA = Path(__file__).with_name("xkcd_colors.tsv")
_UNUSED_WORDS = {
    "barf", "booger", "diarrhea", "poo", "poop", "puke", "shit", "sick", "snot", "ugly", "vomit",
}  # fmt: skip
#: Survey names that are only a lightness word, no colour ("#2 dark" says nothing).
_NOT_A_COLOUR = {"dark", "pale"}


def _lab(rgb: np.ndarray) -> np.ndarray:
    """(n, 3) RGB 0-255 -> (n, 3) CIELAB (L 0-100) as float32."""
    scaled = np.asarray(rgb, dtype=np.float32).reshape(-1, 1, 3) / np.float32(255.0)
    return cv2.cvtColor(scaled, cv2.COLOR_RGB2Lab).reshape(-1, 3)


@functools.cache
def survey_colours() -> tuple[tuple[str, ...], np.ndarray]:
    """The usable XKCD survey names and their (n, 3) uint8 RGB colours."""
    names, rgb = [], []
    for line in _DATA.read_text(encoding="utf-8").splitlines():
        if not line or line.startswith("#"):
            continue
        name, hex_code = line.split("\t")
        if _UNUSED_WORDS.isdisjoint(name.split()) and name not in _NOT_A_COLOUR:
            names.append(name)
            v = int(hex_code[1:], 16)
            rgb.append((v >> 16, (v >> 8) & 0xFF, v & 0xFF))
    return tuple(names), np.array(rgb, dtype=np.uint8)


@functools.cache
def _survey() -> tuple[tuple[str, ...], np.ndarray]:
    """The usable survey names and their CIELAB points."""
    names, rgb = survey_colours()
    return names, _lab(rgb)


def grey_name(lightness: float) -> str:
    """The name of a grey of this CIELAB lightness (0-100): white, light
    grey, grey, dark grey, very dark grey or black."""
    return next((word for limit, word in _GREYS if lightness > limit), "black")


def basic_name(rgb: tuple[int, int, int] | np.ndarray) -> str:
    """A plain name from a lightness word and a basic colour word
    ("dark green", "light grey", "white")."""
    (lightness, a, b), = _lab(np.array([rgb]))  # fmt: skip
    chroma = float(np.hypot(a, b))
    if chroma < 8:
        if lightness > 92:
            return "white"
        if lightness < 12:
            return "black"
        word = "grey"
    else:
        hue = float(np.degrees(np.arctan2(b, a))) % 360
        word = next(w for limit, w in _HUES if hue < limit)
        if word in ("orange", "yellow") and lightness < 50:
            word = "brown"
    if lightness < 35:
        return f"dark {word}"
    if lightness > 75:
        return f"light {word}"
    return word


#: Basic colour words by CIELAB hue angle (upper limits, degrees).
_HUES = (
    (20, "pink"), (55, "red"), (80, "orange"), (105, "yellow"), (165, "green"),
    (225, "teal"), (315, "blue"), (345, "purple"), (360, "pink"),
)  # fmt: skip


def color_names(colors: np.ndarray) -> list[str]:
    """:func:`color_name` of each row of an (n, 3) RGB array."""
    colors = np.asarray(colors, dtype=np.float64).reshape(-1, 3)
    if colors.size == 0:
        return []
    names, points = _survey()
    lab = _lab(colors)
    d = ((lab[:, None, :] - points[None, :, :]) ** 2).sum(-1)
    nearest = d.argmin(1)
    chroma = np.hypot(lab[:, 1], lab[:, 2])
    return [
        grey_name(float(lab[i, 0]))
        if chroma[i] < NEUTRAL
        else names[j]
        if d[i, j] <= FAR**2
        else basic_name(colors[i])
        for i, j in enumerate(nearest)
    ]


def color_name(rgb: tuple[int, int, int] | np.ndarray) -> str:
    """The name a person would use for an RGB colour (0-255 each).

    Parameters
    ----------
    rgb : sequence of 3 numbers
        Red, green and blue, 0 to 255.

    Returns
    -------
    str
        The nearest XKCD survey name in CIELAB ("light blue"), or, when
        none is within ``FAR``, :func:`basic_name`.

    Raises
    ------
    ValueError
        If ``rgb`` is not three values from 0 to 255.
    """
    values = np.asarray(rgb, dtype=np.float64)
    if (
        values.shape != (3,)
        or not np.isfinite(values).all()
        or not (values >= 0).all()
        or (values > 255).any()
    ):
        msg = f"rgb must be three values from 0 to 255, got {rgb!r}"
        raise ValueError(msg)
    return color_names(values[None])[0]
