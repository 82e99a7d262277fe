"""The best N of a list of colours: :func:`pick_colours`.

K-means whose centres must be colours of a given list (the paints, threads
or bricks a person owns).  The objective is the one K-means has, the sum
over pixels of the squared distance to the nearest chosen colour, so the
search runs on the photo's distinct colours weighted by their pixel
counts: a greedy start (each colour added where it lowers the objective
most), then swaps of a chosen colour for an unchosen one, the best swap
each round, until no swap lowers it (PAM's swap step, each candidate
measured against every chosen colour in one pass over the colours), from
the greedy set and a few random ones (seeded), the best kept; where the
list is short enough, every set is tried instead.  The chosen colours
label the photo as :func:`kseg.apply_palette` does, so the result's
objective is exact.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Literal

import numba
import numpy as np

from kseg.base.validation import check_choice, check_int, check_mask, check_rgb
from kseg.engine.applying import apply_palette, check_palette, search_centres
from kseg.engine.histogram import ColorHistogram, color_histogram, features, levels
from kseg.engine.result import Segmentation

__all__ = [
    "EXHAUSTIVE_WORK",
    "MAX_ROUNDS",
    "exhaustive",
    "greedy",
    "local_search",
    "pick_colours",
]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: Most rounds of swaps (each lowers the objective; a list of 255 colours
#: settles in far fewer).
MAX_ROUNDS = 1000
#: Distances measured by an exhaustive search at most (sets x colours x n):
#: below it every set is tried (12 colours, n = 4 on a photo of 100,000
#: distinct colours), above it the swap search runs.
EXHAUSTIVE_WORK = 200_000_000


@_jit
def _dist(pts: np.ndarray, i: int, cands: np.ndarray, u: int) -> float:
    d = 0.0
    for c in range(3):
        e = np.float64(pts[i, c]) - cands[u, c]
        d += e * e
    return d


@_jit
def _nearest_two(
    pts: np.ndarray, cands: np.ndarray, chosen: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each point's nearest chosen colour (its place in ``chosen``), the
    distance to it and to the second nearest (inf with one colour)."""
    n = pts.shape[0]
    near = np.zeros(n, dtype=np.int64)
    d1 = np.full(n, np.inf)
    d2 = np.full(n, np.inf)
    for p in range(n):
        for j in range(chosen.shape[0]):
            d = _dist(pts, p, cands, chosen[j])
            if d < d1[p]:
                d2[p] = d1[p]
                d1[p], near[p] = d, j
            elif d < d2[p]:
                d2[p] = d
    return near, d1, d2


@_jit
def greedy(pts: np.ndarray, w: np.ndarray, cands: np.ndarray, n: int) -> np.ndarray:
    """``n`` colours added one at a time, each where it lowers the
    weighted sum of squared distances most (the first of equals)."""
    size = pts.shape[0]
    closest = np.full(size, np.inf)
    taken = np.zeros(cands.shape[0], dtype=np.bool_)
    chosen = np.empty(n, dtype=np.int64)
    for step in range(n):
        best, best_u = np.inf, -1
        for u in range(cands.shape[0]):
            if taken[u]:
                continue
            total = 0.0
            for p in range(size):
                total += w[p] * min(closest[p], _dist(pts, p, cands, u))
            if total < best:
                best, best_u = total, u
        chosen[step] = best_u
        taken[best_u] = True
        for p in range(size):
            closest[p] = min(closest[p], _dist(pts, p, cands, best_u))
    return chosen


@_jit
def local_search(
    pts: np.ndarray, w: np.ndarray, cands: np.ndarray, start: np.ndarray
) -> tuple[np.ndarray, float]:
    """From the chosen colours ``start`` (indices into ``cands``), swap a
    chosen colour for an unchosen one while that lowers the weighted sum of
    squared distances (the best swap each round); returns the chosen
    colours and that sum."""
    chosen = start.copy()
    k = chosen.shape[0]
    taken = np.zeros(cands.shape[0], dtype=np.bool_)
    taken[chosen] = True
    near, d1, d2 = _nearest_two(pts, cands, chosen)
    for _ in range(MAX_ROUNDS):
        best, best_i, best_u = -1e-9 * max(1.0, (w * d1).sum()), -1, -1
        loss = np.zeros(k)
        for u in range(cands.shape[0]):
            if taken[u]:
                continue
            gain = 0.0  # adding u, every point moving to it that is nearer
            loss[:] = 0.0  # and what removing each chosen colour then costs
            for p in range(pts.shape[0]):
                du = _dist(pts, p, cands, u)
                if du < d1[p]:
                    gain += w[p] * (du - d1[p])
                else:
                    loss[near[p]] += w[p] * (min(du, d2[p]) - d1[p])
            for i in range(k):
                if gain + loss[i] < best:
                    best, best_i, best_u = gain + loss[i], i, u
        if best_i < 0:
            break
        taken[chosen[best_i]] = False
        chosen[best_i] = best_u
        taken[best_u] = True
        near, d1, d2 = _nearest_two(pts, cands, chosen)
    return chosen, (w * d1).sum()


@_jit
def exhaustive(pts: np.ndarray, w: np.ndarray, cands: np.ndarray, n: int) -> np.ndarray:
    """The ``n`` colours of ``cands`` with the lowest weighted sum of
    squared distances, by trying every set (the first best in lexicographic
    order)."""
    size, m = pts.shape[0], cands.shape[0]
    idx = np.arange(n)
    best_total, best = np.inf, idx.copy()
    while True:
        total = 0.0
        for p in range(size):
            d = _dist(pts, p, cands, idx[0])
            for j in range(1, n):
                d = min(d, _dist(pts, p, cands, idx[j]))
            total += w[p] * d
        if total < best_total:
            best_total, best = total, idx.copy()
        j = n - 1  # the next set: raise the last index that can go higher
        while j >= 0 and idx[j] == m - n + j:
            j -= 1
        if j < 0:
            return best
        idx[j] += 1
        for t in range(j + 1, n):
            idx[t] = idx[t - 1] + 1


def _search(
    hist: ColorHistogram, space: str, cands: np.ndarray, n: int, starts: int, seed: int
) -> np.ndarray:
    """Every set where that is little work; else swaps from the greedy set
    and from ``starts`` random ones (seeded) on a coarse level of the
    histogram (32 bins a channel), the best of them then swapped further on
    every distinct colour."""
    pts = np.ascontiguousarray(features(hist.colors, space), dtype=np.float32)
    w = hist.counts.astype(np.float64)
    if math.comb(len(cands), n) * len(pts) * n <= EXHAUSTIVE_WORK:
        return exhaustive(pts, w, cands, n)
    found = levels(hist.colors, pts, w, all_levels=True)
    coarse, cw = found[min(1, len(found) - 1)] if found else (pts, w)
    coarse = np.ascontiguousarray(coarse, dtype=np.float32)
    best, best_total = local_search(coarse, cw, cands, greedy(coarse, cw, cands, n))
    rng = np.random.default_rng(seed)
    for _ in range(starts):
        start = np.sort(rng.choice(len(cands), n, replace=False)).astype(np.int64)
        chosen, total = local_search(coarse, cw, cands, start)
        if total < best_total:
            best, best_total = chosen, total
    return local_search(pts, w, cands, best)[0] if found else best


def pick_colours(
    rgb: np.ndarray,
    colours: np.ndarray,
    n: int,
    *,
    color_space: Literal["rgb", "lab"] = "rgb",
    mask: np.ndarray | None = None,
    histogram: ColorHistogram | None = None,
    names: list[str] | tuple[str, ...] | None = None,
    starts: int = 4,
    seed: int = 0,
) -> Segmentation:
    """Segment an image with the best ``n`` colours of a list.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image.  It is not modified.
    colours : (p, 3) ndarray of uint8
        The list: RGB colours, 1 to 255 of them; repeated colours count once.
    n : int
        How many to use, from 1 to the number of distinct colours in the
        list; all of them is :func:`kseg.apply_palette` with the list.
    color_space : {"rgb", "lab"}, optional
        Space in which distances are measured; the objective is in RGB.
    mask : (H, W) ndarray of bool, optional
        Pixels to label; the others get label -1.
    histogram : ColorHistogram, optional
        ``kseg.color_histogram(rgb, mask=mask)`` made earlier.
    names : sequence of str, optional
        A name for each colour of the list (a paint's name and code),
        carried by the result (``names``) into its palette, files and key.
    starts : int, optional
        Random first sets the swap search also runs from, beside the greedy
        one (0 to 100); small lists are searched exhaustively instead.
    seed : int, optional
        Seed of those random sets: the same inputs give the same result.

    Returns
    -------
    Segmentation
        Clusters are the chosen colours in the list's order, exactly those
        colours (``centers``); every pixel labelled with its nearest, the
        objective exact.  ``settings["picked"]`` holds each cluster's place
        in the list (from 0).

    Raises
    ------
    TypeError, ValueError
        For an image, list, ``n``, space or mask out of range, or names
        that are not one string per colour.
    """
    rgb = check_rgb(rgb)
    palette = check_palette(colours, name="colours")
    space = check_choice("color_space", color_space, ("rgb", "lab"))
    mask = check_mask(mask, rgb.shape[:2])
    if names is not None and (
        len(names) != len(palette) or not all(isinstance(s, str) for s in names)
    ):
        msg = f"names must be one string per colour ({len(palette)}), got {names!r:.80}"
        raise ValueError(msg)
    _, first = np.unique(np.rint(palette), axis=0, return_index=True)
    distinct = np.sort(first)  # each colour once, at its first place in the list
    n = check_int("n", n, 1, len(distinct))
    starts = check_int("starts", starts, 0, 100)
    seed = check_int("seed", seed, 0, 2**63 - 1)
    hist = histogram if histogram is not None else color_histogram(rgb, mask=mask)
    cands = np.ascontiguousarray(search_centres(palette[distinct], space))
    whole = n == len(distinct)  # the whole list: nothing to choose
    chosen = np.arange(n) if whole else _search(hist, space, cands, n, starts, seed)
    picked = np.sort(distinct[chosen])
    result = apply_palette(rgb, palette[picked], color_space=space, mask=mask, histogram=hist)
    settings = {**result.settings, "picked": picked.tolist(), "from_colours": len(palette)}
    own = tuple(names[i] for i in picked.tolist()) if names is not None else ()
    return replace(result, settings=settings, names=own)
