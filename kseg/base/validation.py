"""Argument checks shared by kseg's public functions.

Each check raises ``TypeError`` for a wrong type and ``ValueError`` for a
value out of range, with a message that names the argument, the allowed
range and the value given.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path

import numpy as np

__all__ = [
    "UNITS_MM",
    "check_choice",
    "check_int",
    "check_length",
    "check_mask",
    "check_number",
    "check_rgb",
    "check_same_size",
    "safe_stem",
]


def check_int(name: str, value: object, lo: int, hi: int) -> int:
    """``value`` as an int, if it is an integer from ``lo`` to ``hi``."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        msg = f"{name} must be an integer from {lo} to {hi}, got {value!r}"
        raise TypeError(msg)
    if not (lo <= int(value) <= hi):
        msg = f"{name} must be from {lo} to {hi}, got {value!r}"
        raise ValueError(msg)
    return int(value)


def check_number(name: str, value: object, lo: float, hi: float, *, open_lo: bool = False) -> float:
    """``value`` as a float, if it is a number in [``lo``, ``hi``] (or
    (``lo``, ``hi``] with ``open_lo``)."""
    interval = f"{'(' if open_lo else '['}{lo:g}, {hi:g}]"
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        msg = f"{name} must be a number in {interval}, got {value!r}"
        raise TypeError(msg)
    inside = (lo < float(value) if open_lo else lo <= float(value)) and float(value) <= hi
    if not inside:
        msg = f"{name} must be in {interval}, got {value!r}"
        raise ValueError(msg)
    return float(value)


#: Millimetres in one of each unit a length may be given in.
UNITS_MM = {"mm": 1.0, "cm": 10.0, "in": 25.4}
_LENGTH = re.compile(r"\s*([0-9]+(?:\.[0-9]+)?)\s*(mm|cm|in)\s*")


def check_length(name: str, value: object, lo_mm: float, hi_mm: float) -> tuple[float, str]:
    """A length such as ``"30cm"``, ``"12in"`` or ``"250 mm"`` as (its
    number, its unit), between ``lo_mm`` and ``hi_mm`` millimetres."""
    if not isinstance(value, str):
        msg = f"{name} must be a length such as '30cm' or '12in', got {type(value).__name__}"
        raise TypeError(msg)
    m = _LENGTH.fullmatch(value.lower())
    if m is None:
        msg = (
            f"{name} must be a number and a unit (mm, cm or in), such as '30cm', got {value!r:.40}"
        )
        raise ValueError(msg)
    number, unit = float(m.group(1)), m.group(2)
    if not lo_mm <= number * UNITS_MM[unit] <= hi_mm:
        msg = f"{name} must be from {lo_mm:g} mm to {hi_mm / 1000:g} m, got {value!r:.40}"
        raise ValueError(msg)
    return number, unit


def check_choice(name: str, value: object, choices: Sequence[str]) -> str:
    """``value``, if it is one of ``choices``."""
    if value not in choices:
        msg = f"{name} must be one of {tuple(choices)}, got {value!r}"
        raise ValueError(msg)
    return str(value)


def check_connectivity(connectivity: object) -> bool:
    """Whether pixels touching at a corner are neighbours: ``connectivity``
    8 (True) or 4 (False), if it is one of those."""
    if connectivity not in (4, 8):
        msg = f"connectivity must be 4 or 8, got {connectivity!r}"
        raise ValueError(msg)
    return connectivity == 8


def check_rgb(rgb: object) -> np.ndarray:
    """``rgb``, if it is an (H, W, 3) uint8 array with at least one pixel."""
    if not isinstance(rgb, np.ndarray):
        msg = f"rgb must be a numpy array, got {type(rgb).__name__}"
        raise TypeError(msg)
    if rgb.dtype != np.uint8:
        msg = f"rgb must have dtype uint8, got {rgb.dtype}"
        raise TypeError(msg)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        msg = f"rgb must have shape (H, W, 3), got {rgb.shape}"
        raise ValueError(msg)
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        msg = f"rgb must have at least one pixel, got shape {rgb.shape}"
        raise ValueError(msg)
    return rgb


def check_mask(mask: object, shape: tuple[int, ...]) -> np.ndarray | None:
    """``mask``, if it is None or a bool array of ``shape`` selecting a pixel."""
    if mask is None:
        return None
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
        msg = "mask must be a numpy array of bool"
        raise TypeError(msg)
    if mask.shape != tuple(shape):
        msg = f"mask must have shape {tuple(shape)} like the image, got {mask.shape}"
        raise ValueError(msg)
    if not mask.any():
        msg = "mask selects no pixel: there is nothing to cluster"
        raise ValueError(msg)
    return mask


def check_same_size(rgb: np.ndarray, labels: np.ndarray) -> None:
    """Raise ``ValueError`` unless ``rgb`` and ``labels`` have the same height and width."""
    if rgb.shape[:2] != labels.shape:
        msg = f"rgb has shape {rgb.shape[:2]} but the labels have {labels.shape}"
        raise ValueError(msg)


def safe_stem(name: str, default: str = "image") -> str:
    """A file-name stem with no path parts or unsafe characters.

    ``"../../etc/passwd.png"`` becomes ``"passwd"``.
    """
    base = Path(str(name).replace("\\", "/")).name
    stem = base.rsplit(".", 1)[0] if "." in base[1:] else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:80]
    return stem or default
