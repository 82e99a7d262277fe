"""The engine's compiled passes over pixels (numba): counting a photo's
distinct colours, and labelling every pixel through a table indexed by its
packed 24-bit colour.

Both read the (H, W, 3) uint8 image as it is, with no packed copy.  Both
run on kseg's threads and give the same result on any number of them:
counting splits the colours (not the pixels) between threads, by red
value, so each thread adds only into its own entries of one shared table;
labelling splits rows, each thread writing only its own.
"""

from __future__ import annotations

import itertools

import numba
import numpy as np

from kseg.base import parallel

__all__ = ["count_colours", "label_through"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _count_reds(
    rgb: np.ndarray, mask: np.ndarray, use_mask: bool, r_lo: int, r_hi: int,
    counts: np.ndarray, touched: np.ndarray,
) -> int:  # fmt: skip
    """Add one to ``counts[0xRRGGBB]`` for every pixel (inside ``mask``)
    whose red value is in ``[r_lo, r_hi)``; mark ``touched[0xRRGG]`` for
    every colour seen.  Returns how many distinct colours it found."""
    h, w = rgb.shape[0], rgb.shape[1]
    found = 0
    for i in range(h):
        for j in range(w):
            r = np.int64(rgb[i, j, 0])
            if r < r_lo or r >= r_hi or (use_mask and not mask[i, j]):
                continue
            row = (r << 8) | np.int64(rgb[i, j, 1])
            code = (row << 8) | np.int64(rgb[i, j, 2])
            c = counts[code]
            if c == 0:
                found += 1
                touched[row] = True
            counts[code] = c + 1
    return found


@_jit
def _collect(
    counts: np.ndarray, touched: np.ndarray, r_lo: int, r_hi: int,
    colors: np.ndarray, weights: np.ndarray, start: int,
) -> None:  # fmt: skip
    """Write the colours with red in ``[r_lo, r_hi)`` that have pixels, in
    ascending order, and their counts, from ``start`` on."""
    n = start
    for row in range(r_lo << 8, r_hi << 8):
        if not touched[row]:
            continue
        for b in range(256):
            c = counts[(row << 8) | b]
            if c:
                colors[n] = (row << 8) | b
                weights[n] = c
                n += 1


@_jit
def _label_rows(
    rgb: np.ndarray, mask: np.ndarray, use_mask: bool, lut: np.ndarray, lo: int, hi: int,
    out: np.ndarray,
) -> None:  # fmt: skip
    """``out[i, j] = lut[0xRRGGBB of pixel (i, j)]`` for rows ``lo`` to
    ``hi`` (-1 outside ``mask``)."""
    w = rgb.shape[1]
    for i in range(lo, hi):
        for j in range(w):
            if use_mask and not mask[i, j]:
                out[i, j] = -1
            else:
                code = (
                    (np.int64(rgb[i, j, 0]) << 16)
                    | (np.int64(rgb[i, j, 1]) << 8)
                    | np.int64(rgb[i, j, 2])
                )
                out[i, j] = lut[code]


_NO_MASK = np.ones((1, 1), dtype=np.bool_)


def count_colours(rgb: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct colours (ascending codes 0xRRGGBB, uint32) of the pixels of
    the C-contiguous ``rgb`` inside ``mask``, and how many pixels have each
    (int64)."""
    counts = np.zeros(1 << 24, dtype=np.int32)
    touched = np.zeros(1 << 16, dtype=np.bool_)
    m = _NO_MASK if mask is None else np.ascontiguousarray(mask)
    edges = _red_edges(rgb)
    spans = list(itertools.pairwise(edges))
    jobs = [
        parallel.pool().submit(_count_reds, rgb, m, mask is not None, lo, hi, counts, touched)
        for lo, hi in spans
    ]
    starts = np.concatenate([[0], np.cumsum([job.result() for job in jobs])])
    colors = np.empty(int(starts[-1]), dtype=np.uint32)
    weights = np.empty(int(starts[-1]), dtype=np.int64)
    jobs = [
        parallel.pool().submit(_collect, counts, touched, lo, hi, colors, weights, int(s))
        for (lo, hi), s in zip(spans, starts[:-1], strict=True)
    ]
    for job in jobs:
        job.result()
    return colors, weights


def _red_edges(rgb: np.ndarray) -> list[int]:
    """Red values cutting the pixels into one share per thread of about
    equal size (from a sample of rows): each thread counts one span of
    reds, so neighbouring pixels mostly fall in the same one."""
    threads = parallel.THREADS
    if threads == 1:
        return [0, 256]
    sample = np.bincount(rgb[:: max(1, rgb.shape[0] // 64), :, 0].ravel(), minlength=256)
    cum = np.cumsum(sample) / max(1, sample.sum())
    cuts = np.searchsorted(cum, [t / threads for t in range(1, threads)], side="right")
    return [0, *sorted({int(c) for c in cuts if 0 < c < 256}), 256]


def label_through(rgb: np.ndarray, mask: np.ndarray | None, lut: np.ndarray) -> np.ndarray:
    """(H, W) int16 labels ``lut[0xRRGGBB]`` of the C-contiguous ``rgb``,
    -1 outside ``mask``, in bands of rows on the thread pool."""
    h, w = rgb.shape[:2]
    out = np.empty((h, w), dtype=np.int16)
    m = _NO_MASK if mask is None else np.ascontiguousarray(mask)
    parallel.on_chunks(
        lambda lo, hi: _label_rows(rgb, m, mask is not None, lut, lo, hi, out),
        h,
        chunk=max(1, parallel.CHUNK // max(1, w)),
    )
    return out
