"""Named classes of colours, measured: "vegetation" = colours 2, 5 and 7,
"sky" = colour 8 left out of the measured area.  Classes are read from a
short text, JSON or CSV (:func:`kseg.read_classes`), checked against a palette,
and measured on a result (:func:`class_table`): each class's pixels, its
share of the photo and of the included area (the photo without the
excluded classes), and its area in mm² given a scale.

The text form, one class a line (the page's box, the link, a ``.txt``)::

    vegetation: 2 5 7
    sky: 8 exclude
    lesions: #8a3324 #6b2a1f

Colours are the palette's numbers as the page shows them (from 1) or its
hex codes; ``exclude`` leaves the class out of the included area.  JSON:
``{"vegetation": [2, 5, 7], "sky": {"colours": [8], "exclude": true}}``;
CSV: a header ``class,colours,exclude`` and a row per class (colours
separated by spaces, exclude ``yes`` or empty).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from kseg.base.validation import check_number
from kseg.engine.result import Segmentation

__all__ = [
    "NO_CLASS",
    "ClassTable",
    "Classes",
    "ClassesError",
    "ColourClass",
    "class_labels",
    "class_table",
]

#: The row of the colours in no class.
NO_CLASS = "(no class)"


class ClassesError(ValueError):
    """Classes that cannot be read or do not fit the palette; the message
    says what and where, in words a person can act on."""


@dataclass(frozen=True)
class ColourClass:
    """One class: its name, its colours (numbers from 1 as the page shows
    them, or ``"#rrggbb"``) and whether it is left out of the measured area."""

    name: str
    colours: tuple[int | str, ...]
    exclude: bool = False


@dataclass(frozen=True)
class Classes:
    """Named classes of colours (see the module's text for the forms)."""

    classes: tuple[ColourClass, ...]

    def __bool__(self) -> bool:
        return bool(self.classes)

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.classes)

    def text(self) -> str:
        """The classes in the text form, one a line."""
        lines = []
        for c in self.classes:
            items = " ".join(str(v) for v in c.colours)
            lines.append(f"{c.name}: {items}{' exclude' if c.exclude else ''}")
        return "\n".join(lines)

    def to_json(self) -> dict[str, object]:
        """The classes as JSON data (:func:`read_classes` reads it back)."""
        return {
            c.name: {"colours": list(c.colours), "exclude": True} if c.exclude else list(c.colours)
            for c in self.classes
        }

    def indices(self, centers: np.ndarray) -> list[tuple[int, ...]]:
        """Each class's colours as 0-based indices of ``centers`` (hex codes
        matched exactly).

        Raises
        ------
        ClassesError
            For a number above the palette's, a hex code not in it, or a
            colour in two classes.
        """
        codes = ["#{:02x}{:02x}{:02x}".format(*(int(v) for v in c)) for c in centers]
        owner: dict[int, str] = {}
        out = []
        for c in self.classes:
            mine = []
            for item in c.colours:
                if isinstance(item, str):
                    if item not in codes:
                        msg = f"class {c.name!r}: {item} is not one of this palette's colours"
                        raise ClassesError(msg)
                    i = codes.index(item)
                elif not 1 <= item <= len(codes):
                    msg = (
                        f"class {c.name!r}: colour {item} is not in this palette "
                        f"(its colours are 1 to {len(codes)})"
                    )
                    raise ClassesError(msg)
                else:
                    i = item - 1
                if owner.get(i, c.name) != c.name:
                    msg = f"colour {i + 1} is in two classes: {owner[i]!r} and {c.name!r}"
                    raise ClassesError(msg)
                owner[i] = c.name
                mine.append(i)
            out.append(tuple(sorted(set(mine))))
        return out

    def lut(self, centers: np.ndarray) -> np.ndarray:
        """A table from colour to class: ``lut[labels]`` gives each pixel's
        class as :meth:`groups` numbers them (-1 stays -1).

        Raises
        ------
        ClassesError
            As :meth:`indices`.
        """
        _, groups, _ = self.groups(centers)
        lut = np.empty(len(centers) + 1, dtype=np.int16)
        lut[-1] = -1
        for g, colours in enumerate(groups):
            lut[list(colours)] = g
        return lut

    def groups(
        self, centers: np.ndarray
    ) -> tuple[tuple[str, ...], tuple[tuple[int, ...], ...], tuple[bool, ...]]:
        """The classes' names, colours (0-based) and exclusions, then, if some
        of the palette's colours are in no class, a group ``NO_CLASS`` of
        them (included).

        Raises
        ------
        ClassesError
            As :meth:`indices`.
        """
        groups = self.indices(centers)
        names, excluded = list(self.names), [c.exclude for c in self.classes]
        rest = sorted(set(range(len(centers))) - {i for g in groups for i in g})
        if rest:
            groups.append(tuple(rest))
            names.append(NO_CLASS)
            excluded.append(False)
        return tuple(names), tuple(groups), tuple(excluded)


def class_labels(result: Segmentation, classes: Classes) -> tuple[np.ndarray, tuple[str, ...]]:
    """Each pixel's class (0-based, as :meth:`Classes.groups` orders them;
    -1 where the result leaves the pixel out), and the classes' names."""
    names, _, _ = classes.groups(result.centers)
    return classes.lut(result.centers)[result.labels], names


@dataclass(frozen=True, eq=False)
class ClassTable:
    """Each class measured on one result: a row per class, then, if some
    colours are in no class, a row ``NO_CLASS`` for them.

    Attributes
    ----------
    names : tuple of str
    colours : tuple of tuple of int
        Each row's colours (0-based).
    excluded : tuple of bool
        Whether the row is left out of the included area.
    pixels : (rows,) ndarray of int64
        Each row's pixels (inside the region of interest, if any).
    photo_percent : (rows,) ndarray of float64
        Each row's share of the measured pixels, in percent.
    included_percent : (rows,) ndarray of float64
        Each row's share of the included area (NaN for excluded rows, and
        for all when no pixel is included).
    area_mm2 : (rows,) ndarray of float64, or None
        Each row's area at the scale, where one was given.
    mm_per_px : float or None
    """

    names: tuple[str, ...]
    colours: tuple[tuple[int, ...], ...]
    excluded: tuple[bool, ...]
    pixels: np.ndarray
    photo_percent: np.ndarray
    included_percent: np.ndarray
    area_mm2: np.ndarray | None
    mm_per_px: float | None

    @property
    def included_pixels(self) -> int:
        return int(sum(int(p) for p, x in zip(self.pixels, self.excluded, strict=True) if not x))

    def rows(self) -> list[dict[str, object]]:
        """One dict a row: class, colours (numbers from 1), excluded, pixels,
        percent of the photo, percent of the included area (empty when
        excluded), and the area in mm² given a scale."""
        out = []
        for i, name in enumerate(self.names):
            row: dict[str, object] = {
                "class": name,
                "colours": " ".join(str(c + 1) for c in self.colours[i]),
                "excluded": "yes" if self.excluded[i] else "no",
                "pixels": int(self.pixels[i]),
                "percent_of_photo": round(float(self.photo_percent[i]), 4),
                "percent_of_included": ""
                if np.isnan(self.included_percent[i])
                else round(float(self.included_percent[i]), 4),
            }
            if self.area_mm2 is not None:
                row["area_mm2"] = round(float(self.area_mm2[i]), 4)
            out.append(row)
        return out


def class_table(
    result: Segmentation | np.ndarray,
    classes: Classes,
    *,
    centers: np.ndarray | None = None,
    mm_per_px: float | None = None,
) -> ClassTable:
    """Each class's pixels and shares on one result.

    Parameters
    ----------
    result : Segmentation, or (k,) ndarray of int
        The result, or its pixels per colour (then ``centers`` gives the
        palette, for classes that name hex codes).
    classes : Classes
        From :func:`read_classes`.
    centers : (k, 3) ndarray of uint8, optional
        The palette, when ``result`` is counts.
    mm_per_px : float, optional
        The scale (millimetres a pixel's side), for areas in mm².

    Returns
    -------
    ClassTable

    Raises
    ------
    ClassesError
        If the classes do not fit the palette.
    ValueError
        For a scale out of range.
    """
    if isinstance(result, Segmentation):
        counts, centers = np.asarray(result.counts, dtype=np.int64), result.centers
    elif centers is None:
        msg = "with counts instead of a Segmentation, give the palette's centers"
        raise TypeError(msg)
    else:
        counts = np.asarray(result, dtype=np.int64)
    if not isinstance(classes, Classes):
        msg = f"classes must be kseg.Classes (kseg.read_classes), got {type(classes).__name__}"
        raise TypeError(msg)
    if mm_per_px is not None:
        mm_per_px = check_number("mm_per_px", mm_per_px, 0.0, 1e6, open_lo=True)
    names, groups, excluded = classes.groups(np.asarray(centers))
    pixels = np.array([int(counts[list(g)].sum()) for g in groups], dtype=np.int64)
    total = int(counts.sum())
    included = int(sum(p for p, x in zip(pixels.tolist(), excluded, strict=True) if not x))
    photo = 100 * pixels / max(1, total)
    # No included pixel (a photo all sky): no share of the included area.
    left_out = np.array(excluded, dtype=bool) | (included == 0)
    inside = np.where(left_out, np.nan, 100 * pixels / max(1, included))
    area = pixels * mm_per_px**2 if mm_per_px is not None else None
    return ClassTable(
        tuple(names), tuple(groups), tuple(excluded), pixels, photo, inside, area, mm_per_px
    )
