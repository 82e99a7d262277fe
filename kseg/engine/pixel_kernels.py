"""The engine's compiled passes over pixels (numba): counting a photo's
distinct colours, and labelling every pixel through a table indexed by its
packed 24-bit colour.

Both read the (H, W, 3) uint8 image as it is, with no packed copy.
Counting runs on one thread: it is bound by memory (one table of 2**24
counts), and splitting the colours between two threads by red value, each
reading every pixel, gained no time at 12 and 40 MP for 30-40 % more CPU.
Labelling splits rows between kseg's threads, each writing only its own,
and gives the same labels on any number of them.
"""

from __future__ import annotations

import numba
import numpy as np

from kseg.base import parallel

__all__ = ["count_colours", "label_through"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def _count(
    rgb: np.ndarray, mask: np.ndarray, use_mask: bool, counts: np.ndarray, touched: np.ndarray
) -> int:
    """Add one to ``counts[0xRRGGBB]`` for every pixel (inside ``mask``);
    mark ``touched[0xRRGG]`` for every colour seen.  Returns how many
    distinct colours it found."""
    h, w = rgb.shape[0], rgb.shape[1]
    found = 0
    for i in range(h):
        for j in range(w):
            if use_mask and not mask[i, j]:
                continue
            row = (np.int64(rgb[i, j, 0]) << 8) | np.int64(rgb[i, j, 1])
            code = (row << 8) | np.int64(rgb[i, j, 2])
            c = counts[code]
            if c == 0:
                found += 1
                touched[row] = True
            counts[code] = c + 1
    return found


@_jit
def _collect(
    counts: np.ndarray, touched: np.ndarray, colors: np.ndarray, weights: np.ndarray
) -> None:
    """Write the colours that have pixels, in ascending order, and their counts."""
    n = 0
    for row in range(1 << 16):
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
    found = _count(rgb, m, mask is not None, counts, touched)
    colors = np.empty(found, dtype=np.uint32)
    weights = np.empty(found, dtype=np.int64)
    _collect(counts, touched, colors, weights)
    return colors, weights


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
