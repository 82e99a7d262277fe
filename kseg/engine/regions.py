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
def _root(parent: np.ndarray, a: int) -> int:
    """The root of ``a``'s set, halving the path on the way."""
    while parent[a] != a:
        parent[a] = parent[parent[a]]
        a = parent[a]
    return a


@_jit
def _join(parent: np.ndarray, a: int, b: int) -> int:
    """Join the sets of ``a`` and ``b``; the smaller root stays the root."""
    a, b = _root(parent, a), _root(parent, b)
    if a < b:
        parent[b] = a
        return a
    parent[a] = b
    return b


@_jit
def _doubled(parent: np.ndarray) -> np.ndarray:
    """``parent`` copied into an array twice its size."""
    grown = np.empty(2 * parent.shape[0], dtype=parent.dtype)
    grown[: parent.shape[0]] = parent
    return grown


@_jit
def regions(labels: np.ndarray, diagonal: bool = True) -> tuple[np.ndarray, np.ndarray]:
    """The connected regions of one label (>= 0) of ``labels`` (8-connected,
    or 4-connected when not ``diagonal``): an (H, W) int32 map of region
    numbers (-1 where the label is < 0), numbered in raster order of their
    first pixel, and each region's pixel count.

    Two passes over the pixels (union-find): the first gives each pixel its
    left or upper neighbour's set, joining sets where both are its label, or
    a new set; the second numbers the sets.  A region's first pixel in
    raster order starts a new set, so numbering the sets in the order they
    were made numbers the regions in raster order of their first pixel."""
    h, w = labels.shape
    region = np.empty((h, w), dtype=np.int32)
    parent = np.empty(h * w // 2 + w + 1, dtype=np.int32)
    made = 0
    for y in range(h):
        for x in range(w):
            v = labels[y, x]
            if v < 0:
                region[y, x] = -1
                continue
            s = -1
            if x > 0 and labels[y, x - 1] == v:
                s = region[y, x - 1]
            if y > 0:
                if labels[y - 1, x] == v:
                    up = region[y - 1, x]
                    s = up if s < 0 else _join(parent, s, up)
                elif diagonal:  # beside the pixel above (which is another label)
                    if x > 0 and labels[y - 1, x - 1] == v:
                        t = region[y - 1, x - 1]
                        s = t if s < 0 else _join(parent, s, t)
                    if x + 1 < w and labels[y - 1, x + 1] == v:
                        t = region[y - 1, x + 1]
                        s = t if s < 0 else _join(parent, s, t)
            if s < 0:
                if made == parent.shape[0]:  # more sets than room
                    parent = _doubled(parent)
                parent[made] = made
                s = made
                made += 1
            region[y, x] = s
    number = np.full(made, -1, dtype=np.int32)
    count = 0
    for s in range(made):
        r = _root(parent, s)
        if number[r] < 0:
            number[r] = count
            count += 1
        number[s] = number[r]
    sizes = np.zeros(count, dtype=np.int32)
    for y in range(h):
        for x in range(w):
            s = region[y, x]
            if s >= 0:
                region[y, x] = number[s]
                sizes[number[s]] += 1
    return region, sizes


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
def interior(region: np.ndarray) -> np.ndarray:
    """(H, W) uint8: 1 where a pixel's four neighbours are all of its own
    region (-1 counts as one too), 0 on every region's edge and on the
    frame; OpenCV's distance transform then measures how far inside each
    pixel lies."""
    h, w = region.shape
    out = np.zeros((h, w), dtype=np.uint8)
    for y in range(1, h - 1):
        for x in range(1, w - 1):
            r = region[y, x]
            if (
                region[y, x - 1] == r
                and region[y, x + 1] == r
                and region[y - 1, x] == r
                and region[y + 1, x] == r
            ):
                out[y, x] = 1
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


@_jit
def _row_labels(
    rgb: np.ndarray, mask: np.ndarray, use_mask: bool, lut: np.ndarray, y: int, out: np.ndarray
) -> None:
    """``out[x] = lut[0xRRGGBB]`` of the pixels of row ``y`` (-1 outside ``mask``)."""
    for x in range(rgb.shape[1]):
        if use_mask and not mask[y, x]:
            out[x] = -1
        else:
            r, g, b = np.int64(rgb[y, x, 0]), np.int64(rgb[y, x, 1]), np.int64(rgb[y, x, 2])
            out[x] = lut[(r << 16) | (g << 8) | b]


@_jit
def _meet(parent: np.ndarray, counts: np.ndarray, v: int, s: int, t: int) -> int:
    """Sets ``s`` and ``t`` of label ``v`` meet: their joined set, one
    region fewer for ``v`` if they were two."""
    a, b = _root(parent, s), _root(parent, t)
    if a == b:
        return a
    counts[v] -= 1
    return _join(parent, a, b)


@_jit
def count_through(
    rgb: np.ndarray, mask: np.ndarray, use_mask: bool, lut: np.ndarray, labels: int,
    diagonal: bool = True,
) -> np.ndarray:  # fmt: skip
    """How many connected regions each label has (8-connected, or
    4-connected when not ``diagonal``) in the labels ``lut[0xRRGGBB]`` of
    the pixels of ``rgb`` (-1 outside ``mask``, and for lut entries < 0),
    as :func:`regions` finds them; the label image is never made.

    One pass over the rows holding two rows of labels and sets: a new set
    adds one to its label's count, joining two sets of a label takes one
    off.  A run of one label along a row is one set from its first pixel."""
    h, w = rgb.shape[0], rgb.shape[1]
    counts = np.zeros(labels, dtype=np.int64)
    rows = np.full((2, w), -1, dtype=np.int16)
    row_sets = np.zeros((2, w), dtype=np.int32)
    parent = np.empty(4 * w + 16, dtype=np.int32)
    made = 0
    for y in range(h):
        here, above = rows[y & 1], rows[1 - (y & 1)]
        here_set, above_set = row_sets[y & 1], row_sets[1 - (y & 1)]
        _row_labels(rgb, mask, use_mask, lut, y, here)
        if y == 0:
            above[:] = -1
        run, s = -1, -1
        for x in range(w):
            v = here[x]
            if v != run:  # a new run: no set yet
                run, s = v, -1
            if v < 0:
                continue
            # The pixel above, or beside it when it is another label (8-connected).
            lo, hi = x, x
            if diagonal and above[x] != v:
                lo, hi = max(x - 1, 0), min(x + 1, w - 1)
            for t_x in range(lo, hi + 1):
                if above[t_x] == v:
                    t = above_set[t_x]
                    if s < 0:
                        s = t
                    elif s != t:  # (a call passes arrays: only where two sets meet)
                        s = _meet(parent, counts, v, s, t)
            if s < 0:
                if made == parent.shape[0]:  # more sets than room
                    parent = _doubled(parent)
                parent[made] = made
                s = made
                made += 1
                counts[v] += 1
            here_set[x] = s
    return counts
