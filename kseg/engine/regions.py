"""A label image's connected regions (compiled, numba): the regions of
each label, 4- or 8-connected, with their pixel counts; the patches under
a size (cleaning specks); each region's poles (the points farthest inside
it) and the area swept around them (paint by number's parts).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["poles", "regions", "small_regions", "swept_areas"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def regions(labels: np.ndarray, diagonal: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The connected regions of one label (>= 0) of ``labels`` (8-connected,
    or 4-connected when not ``diagonal``): an (H, W) int32 map of region
    numbers (-1 where the label is < 0), numbered in raster order of their
    first pixel, and each region's pixel count."""
    h, w = labels.shape
    n = h * w
    flat = labels.ravel()
    region = np.full(n, -1, dtype=np.int32)
    stack = np.empty(n, dtype=np.int32)
    sizes = np.zeros(n, dtype=np.int32)
    count = 0
    for start in range(n):
        if region[start] >= 0 or flat[start] < 0:
            continue
        value = flat[start]
        region[start] = count
        stack[0] = start
        top = 1
        size = 0
        while top:
            top -= 1
            p = stack[top]
            size += 1
            y, x = p // w, p % w
            for dy in (-1, 0, 1):
                yy = y + dy
                if yy < 0 or yy >= h:
                    continue
                for dx in (-1, 0, 1):
                    xx = x + dx
                    if xx < 0 or xx >= w or (dx == 0 and dy == 0):
                        continue
                    if not diagonal and dx != 0 and dy != 0:
                        continue
                    q = yy * w + xx
                    if region[q] < 0 and flat[q] == value:
                        region[q] = count
                        stack[top] = q
                        top += 1
        sizes[count] = size
        count += 1
    return region.reshape(h, w), sizes[:count].copy()


@_jit
def small_regions(labels: np.ndarray, min_area: int, diagonal: bool = True) -> np.ndarray:
    """(H, W) bool: the pixels of connected regions of one label (>= 0;
    8-connected, or 4-connected when not ``diagonal``) with fewer than
    ``min_area`` pixels (labels < 0 are never in one)."""
    region, sizes = regions(labels, diagonal)
    h, w = labels.shape
    out = np.zeros((h, w), dtype=np.bool_)
    for y in range(h):
        for x in range(w):
            r = region[y, x]
            out[y, x] = r >= 0 and sizes[r] < min_area
    return out


@_jit
def poles(region: np.ndarray, count: int, dist: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each region's pixel farthest from its edge (the first in raster order
    of equals): (count, 2) int64 (x, y), and that distance."""
    best = np.full(count, -1.0)
    at = np.zeros((count, 2), dtype=np.int64)
    h, w = region.shape
    for y in range(h):
        for x in range(w):
            r = region[y, x]
            if r >= 0 and dist[y, x] > best[r]:
                best[r] = dist[y, x]
                at[r, 0] = x
                at[r, 1] = y
    return at, best


@_jit
def swept_areas(
    region: np.ndarray,
    part: np.ndarray,
    away: np.ndarray,
    nearest: np.ndarray,
    reach: float,
    parts: int,
) -> np.ndarray:
    """How many pixels each of ``parts`` parts sweeps: a pixel of a region
    within ``reach`` of its nearest core pixel (a pixel with ``part`` >= 0;
    ``nearest`` numbers it among them in raster order, from 1, and ``away``
    is the distance to it, as OpenCV's distance transform with pixel labels
    gives them) and in the same region counts for that pixel's part."""
    h, w = region.shape
    n = 0
    for y in range(h):
        for x in range(w):
            if part[y, x] >= 0:
                n += 1
    core_part = np.empty(n, dtype=np.int32)
    core_region = np.empty(n, dtype=np.int32)
    k = 0
    for y in range(h):
        for x in range(w):
            if part[y, x] >= 0:
                core_part[k] = part[y, x]
                core_region[k] = region[y, x]
                k += 1
    area = np.zeros(parts, dtype=np.int64)
    for y in range(h):
        for x in range(w):
            r = region[y, x]
            if r >= 0 and away[y, x] <= reach:
                c = nearest[y, x] - 1
                if core_region[c] == r:
                    area[core_part[c]] += 1
    return area
