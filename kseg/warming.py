"""Every compiled kernel compiled (or loaded from numba's disk cache) at
once, before a server listens: the engine's, and the shapes'."""

from __future__ import annotations

import time

import numpy as np

from kseg.engine.hamerly import warm_up_lloyd
from kseg.engine.pixel_kernels import count_colours, label_through
from kseg.engine.regions import (
    count_through,
    interior,
    poles,
    regions,
    small_regions,
    swept_areas,
)
from kseg.shapes.borders import Borders
from kseg.shapes.curves import smooth_path
from kseg.shapes.pathdata import exact_path
from kseg.shapes.stacking import stacking_order
from kseg.shapes.tracing import trace_loops

__all__ = ["is_warm", "warm_up"]

_WARM = False  # set once every kernel is loaded in this process


def warm_up() -> float:
    """Compile (or load from numba's disk cache) every compiled kernel of
    kseg, for the array types it passes: a server calls this before it
    listens, so no visitor waits on it.

    Returns
    -------
    float
        Seconds it took (30-40 s the first time after installing, then
        about 1 s).
    """
    t = time.perf_counter()
    warm_up_lloyd()
    rgb = np.zeros((2, 2, 3), dtype=np.uint8)
    mask = np.ones((2, 2), dtype=np.bool_)
    count_colours(rgb, mask)
    count_colours(rgb, None)
    lut = np.zeros(1 << 24, dtype=np.int16)
    label_through(rgb, mask, lut)
    label_through(rgb, None, lut)
    count_through(rgb, mask, True, lut, 1, True)  # regions counted (kseg.count_regions)
    corners, starts = trace_loops(mask)
    exact_path(corners, starts)
    smooth_path(corners, starts, 1.0)
    labels = np.zeros((4, 4), dtype=np.int16)
    small_regions(labels, 2)
    part, _ = regions(labels.astype(np.int32), True)  # paint by number's parts
    poles(part, 1, interior(part).astype(np.float32))  # where a region's label goes
    away = np.zeros(labels.shape, dtype=np.float32)
    swept_areas(part, part, away, np.ones(labels.shape, dtype=np.int32), 1.0, 3)
    labels[1:3, 1:3] = 1  # a closed border, and one meeting the frame
    labels[3, 3] = 2
    for kind in (np.int16, np.int8):
        borders = Borders(labels.astype(kind), 0.6)
        borders.path(1)
        borders.path([1, 2], tenths=True)
    stacking_order(borders.sides, np.diff(borders.pieces), [0, 1, 2])
    global _WARM
    _WARM = True
    return time.perf_counter() - t


def is_warm() -> bool:
    """Whether :func:`warm_up` has run in this process (every kernel loaded)."""
    return _WARM
