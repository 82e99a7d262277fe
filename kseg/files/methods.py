"""A "Methods" paragraph to cite a measurement by: what was done to the
photo, with which settings, classes, region of interest and scale, by
which versions of kseg and its libraries, and when (:func:`methods_text`).
"""

from __future__ import annotations

from collections.abc import Mapping

from kseg.engine.classes import Classes
from kseg.engine.result import Segmentation
from kseg.engine.roi import parse_roi
from kseg.files.palette_writing import provenance

__all__ = ["methods_text"]

_INITS = {"kmeans++": "k-means++", "random": "random", "forgy": "Forgy"}


def methods_text(
    result: Segmentation,
    *,
    photo: str = "The photo",
    classes: Classes | None = None,
    roi: str | None = None,
    mm_per_px: float | None = None,
    regions: Mapping[str, int] | None = None,
) -> str:
    """A paragraph saying how ``result`` was made and measured, to copy into
    a report's methods section.

    Parameters
    ----------
    result : Segmentation
        The result measured (its settings, size, colours and objective).
    photo : str, optional
        The photo's name, as the paragraph should give it.
    classes, roi, mm_per_px : optional
        The classes, region of interest (as given, ``"0.1,0.1,0.8,0.8"``)
        and scale the measurement used.
    regions : mapping, optional
        ``{"connectivity": 8, "min_size": 1}`` where regions were counted.

    Returns
    -------
    str
        One paragraph, with the date and the versions (``SOURCE_DATE_EPOCH``
        fixes the date, as for every file kseg writes).
    """
    made = provenance()
    v = made["versions"]
    w = result.labels.shape[1]
    how = _how(result, photo)
    parts = [how + f"; the objective (mean squared RGB error per pixel) was {result.mse:.2f}."]
    if result.pinned:
        parts.append(f"{len(result.pinned)} colours were pinned (kept exactly).")
    if roi:
        parts.append(_region_words(roi))
    if classes:
        parts.append(_grouped(result, classes))
    if mm_per_px:
        parts.append(
            f"Areas were converted at {mm_per_px:.6g} mm per pixel "
            f"(the photo {w * mm_per_px:.6g} mm wide)."
        )
    if regions:
        joined = "at corners too" if regions.get("connectivity", 8) == 8 else "by sides only"
        smallest = int(regions.get("min_size", 1))
        parts.append(
            f"Separate regions were counted {regions.get('connectivity', 8)}-connected (pixels "
            f"touching {joined} are one region)"
            + (f", regions under {smallest} pixels left out." if smallest > 1 else ".")
        )
    parts.append(
        f"Made with kseg {v['kseg']} (Python {v['python']}, NumPy {v['numpy']}, "
        f"OpenCV {v['opencv']}, Pillow {v['pillow']}, Numba {v['numba']}) on "
        f"{str(made['created'])[:10]}."
    )
    return " ".join(parts)


def _how(result: Segmentation, photo: str) -> str:
    """What was done to the photo, with the settings that did it."""
    s = dict(result.settings)
    h, w = result.labels.shape
    how = (
        f"{photo} ({w} × {h} pixels) was segmented into {result.k} colours by K-means "
        "clustering of its pixels' colours"
    )
    if "k" in s:
        how += (
            f" in {str(s.get('color_space', 'rgb')).upper()} (k = {s['k']}, best of "
            f"{s.get('attempts', 1)} attempts from {_INITS.get(str(s.get('init')), s.get('init'))} "
            f"starts, at most {s.get('max_iter')} iterations, seed {s.get('seed')}"
            + (f", photo resized by {s['scale']:g} to fit" if s.get("scale", 1) != 1 else "")
            + ")"
        )
    return how


def _grouped(result: Segmentation, classes: Classes) -> str:
    """The classes, each with its colours' numbers."""
    named = []
    for c, colours in zip(classes.classes, classes.indices(result.centers), strict=True):
        numbers = ", ".join(str(i + 1) for i in colours)
        named.append(
            f"{c.name} (colour{'s' if len(colours) > 1 else ''} {numbers}"
            + (", excluded from the measured area" if c.exclude else "")
            + ")"
        )
    return "The colours were grouped into classes: " + "; ".join(named) + "."


def _region_words(roi: str) -> str:
    """The region of interest in the methods' words."""
    region = parse_roi(roi)
    units = ", in fractions of the photo" if region.relative else ", in pixels"
    if region.corners:
        return (
            f"Only the polygon with corners {region} (x, y{units}; a pixel inside when its "
            "centre is) was fitted and measured."
        )
    return f"Only the rectangle {region} (x, y, width, height{units}) was fitted and measured."
