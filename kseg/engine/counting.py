"""Regions counted straight from a photo's pixels: :func:`palette_lookup`
labels every 24-bit colour once for a palette, then :func:`count_regions`
counts each colour's (or class's) separate regions in one pass over a photo,
with no label image made.  What the "Many photos" page counts with: the
same counts as :func:`kseg.measure_regions` on
:func:`kseg.apply_palette`'s result, at a fraction of the time and memory.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np

from kseg.base.validation import check_choice, check_connectivity, check_mask, check_rgb
from kseg.engine.applying import check_palette, search_centres
from kseg.engine.classes import Classes
from kseg.engine.histogram import features
from kseg.engine.lloyd import assign
from kseg.engine.regions import count_through

__all__ = ["PaletteLookup", "count_regions", "palette_lookup"]

#: Colours labelled at a time when the lookup is made (their features are
#: 24 MB of float64).
_STEP = 1 << 20


@dataclass(frozen=True, eq=False)
class PaletteLookup:
    """Every 24-bit colour's nearest palette colour, or its class.

    Attributes
    ----------
    centers : (p, 3) ndarray of uint8
        The palette (rounded, as a result's ``centers``: what classes name).
    table : (2**24,) ndarray of int16
        ``table[0xRRGGBB]``: the palette colour :func:`kseg.apply_palette`
        gives a pixel of that colour (32 MB), or with classes that colour's
        class (as :meth:`Classes.groups` orders them, the colours in no
        class last).
    classes : tuple of str
        The classes' names, with classes; else empty.
    """

    centers: np.ndarray
    table: np.ndarray
    classes: tuple[str, ...] = ()

    @property
    def labels(self) -> int:
        """How many labels the table gives: classes, or palette colours."""
        return len(self.classes) or len(self.centers)

    def __post_init__(self) -> None:
        self.centers.flags.writeable = False
        self.table.flags.writeable = False


def palette_lookup(
    centers: np.ndarray,
    *,
    color_space: Literal["rgb", "lab"] = "rgb",
    label_centers: np.ndarray | None = None,
    classes: Classes | None = None,
) -> PaletteLookup:
    """Label every 24-bit colour with its nearest palette colour (or that
    colour's class), once for many photos.

    Parameters
    ----------
    centers : (p, 3) ndarray
        The palette, as for :func:`kseg.apply_palette`.
    color_space : {"rgb", "lab"}, optional
        Space in which "nearest" is measured.
    label_centers : (p, 3) ndarray, optional
        As for :func:`kseg.apply_palette`.
    classes : Classes, optional
        Label each colour with its class instead: neighbouring colours of
        one class are then one region.

    Returns
    -------
    PaletteLookup
        About half a second for 16 colours on one core.

    Raises
    ------
    TypeError, ValueError
        For a bad palette or colour space.
    ClassesError
        For classes that name colours the palette does not have.
    """
    palette = check_palette(centers)
    space = check_choice("color_space", color_space, ("rgb", "lab"))
    searched = search_centres(palette, space, label_centers)
    rounded = np.clip(np.rint(palette), 0, 255).astype(np.uint8)  # a result's centers
    names = () if classes is None else classes.groups(rounded)[0]  # (checked first)
    table = np.empty(1 << 24, dtype=np.int16)
    for lo in range(0, 1 << 24, _STEP):
        colours = np.arange(lo, lo + _STEP, dtype=np.uint32)
        table[lo : lo + _STEP] = assign(features(colours, space), searched)[0]
    if classes is None:
        return PaletteLookup(rounded, table)
    return PaletteLookup(rounded, classes.lut(rounded)[table], names)


def count_regions(
    rgb: np.ndarray,
    lookup: PaletteLookup,
    *,
    mask: np.ndarray | None = None,
    connectivity: int = 8,
) -> np.ndarray:
    """Each palette colour's (or class's) count of separate regions.

    The counts :func:`kseg.measure_regions` gives (with ``min_size`` 1, and
    the lookup's classes) for ``apply_palette(rgb, lookup.centers,
    mask=mask)``, in one pass over the pixels that keeps two rows: no label
    image, no region map.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The photo.
    lookup : PaletteLookup
        The palette's colours or classes (:func:`palette_lookup`).
    mask : (H, W) ndarray of bool, optional
        The pixels counted (a region of interest, opaque pixels).
    connectivity : {4, 8}, optional
        Pixels touching at a corner are one region (8) or not (4).

    Returns
    -------
    (lookup.labels,) ndarray of int64
        About 0.1 s for a 12 MP photo on one core.

    Raises
    ------
    TypeError, ValueError
        For a photo, mask or lookup that is not one, or a bad connectivity.
    """
    rgb = np.ascontiguousarray(check_rgb(rgb))
    if not isinstance(lookup, PaletteLookup):
        msg = f"lookup must be a kseg.PaletteLookup, got {type(lookup).__name__}"
        raise TypeError(msg)
    diagonal = check_connectivity(connectivity)
    mask = check_mask(mask, rgb.shape[:2])
    m = np.ones((1, 1), dtype=np.bool_) if mask is None else np.ascontiguousarray(mask)
    return count_through(rgb, m, mask is not None, lookup.table, lookup.labels, diagonal)
