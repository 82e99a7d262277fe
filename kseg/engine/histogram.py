"""Colour histograms: the distinct colours of an image with their pixel
counts, as points in the clustering space, and coarser bin levels of them.

K-means over the distinct colours of a photo, each weighted by its pixel
count, has exactly the objective of K-means over the pixels; the bin levels
(2x2x2, 4x4x4, 8x8x8 and 16x16x16 colour bins, each bin's weighted mean
point) are cheaper stand-ins on which restarts run and are ranked.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

import numpy as np

from kseg.base.opencv import cv2
from kseg.base.validation import check_mask, check_rgb
from kseg.engine.pixel_kernels import count_colours, label_through

__all__ = [
    "DIRECT_LIMIT",
    "LEVEL_BITS",
    "ColorHistogram",
    "Level",
    "bin_keys",
    "color_histogram",
    "features",
    "histogram",
    "image_colours",
    "label_pixels",
    "levels",
    "pack",
    "reduce",
    "resized_histogram",
    "unpack",
]

#: Up to this many distinct colours, restarts run on the colours themselves
#: (above it, a level of bins makes the many cheap starts cheaper still).
DIRECT_LIMIT = 4_000
#: Bits per channel of the histogram levels, coarsest first: restarts run on
#: the coarsest with enough points, the best are refined on the finer ones.
LEVEL_BITS = (4, 5, 6, 7)
_LITTLE_ENDIAN = sys.byteorder == "little"

#: One histogram level: the (n, 3) float32 points and their (n,) float64 weights.
Level = tuple[np.ndarray, np.ndarray]


def pack(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 -> (H, W) uint32 codes 0xRRGGBB."""
    quad = np.zeros((*rgb.shape[:2], 4), dtype=np.uint8)
    # Bytes B, G, R, 0 read as a little-endian uint32 are 0x00RRGGBB.
    cv2.mixChannels([np.ascontiguousarray(rgb)], [quad], [0, 2, 1, 1, 2, 0])
    codes = quad.view(np.uint32)[..., 0]
    return codes if _LITTLE_ENDIAN else codes.byteswap()


def unpack(codes: np.ndarray) -> np.ndarray:
    """(n,) codes -> (n, 3) uint8 RGB."""
    out = np.empty((codes.size, 3), dtype=np.uint8)
    out[:, 0] = codes >> 16
    out[:, 1] = (codes >> 8) & 0xFF
    out[:, 2] = codes & 0xFF
    return out


def histogram(rgb: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct colours (sorted codes 0xRRGGBB) of the pixels in ``mask`` and
    how many pixels have each, counted by a compiled pass over the pixels."""
    return count_colours(np.ascontiguousarray(rgb), mask)


@dataclass(frozen=True, eq=False)
class ColorHistogram:
    """The distinct colours of an image's pixels and how many pixels have
    each: what :func:`kseg.segment` clusters.  Made once by
    :func:`color_histogram` and passed to ``segment(..., histogram=...)``,
    it saves recounting the same photo for every k.

    Attributes
    ----------
    colors : (n,) ndarray of uint32
        Distinct colours as 0xRRGGBB, ascending.
    counts : (n,) ndarray of int64
        Pixels of each colour.
    shape : tuple of int
        (height, width) of the image counted.
    pixels : int
        Pixels counted (those inside the mask).
    """

    colors: np.ndarray
    counts: np.ndarray
    shape: tuple[int, int]
    pixels: int

    def __post_init__(self) -> None:
        for a in (self.colors, self.counts):
            a.flags.writeable = False

    def matches(self, rgb: np.ndarray, mask: np.ndarray | None) -> bool:
        """Whether this could be the histogram of ``rgb`` inside ``mask`` (same
        size, same number of pixels counted)."""
        counted = rgb.shape[0] * rgb.shape[1] if mask is None else int(np.count_nonzero(mask))
        return self.shape == rgb.shape[:2] and self.pixels == counted


def color_histogram(rgb: np.ndarray, *, mask: np.ndarray | None = None) -> ColorHistogram:
    """Count the distinct colours of ``rgb`` (inside ``mask``).

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image.
    mask : (H, W) ndarray of bool, optional
        Pixels to count; the others are left out.

    Returns
    -------
    ColorHistogram

    Raises
    ------
    TypeError, ValueError
        As :func:`kseg.segment` for a bad ``rgb`` or ``mask``.
    """
    rgb = check_rgb(rgb)
    mask = check_mask(mask, rgb.shape[:2])
    colors, counts = histogram(rgb, mask)
    return ColorHistogram(colors, counts, rgb.shape[:2], int(counts.sum()))


def resized_histogram(
    rgb: np.ndarray, mask: np.ndarray | None, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """:func:`histogram` of ``rgb`` resized by ``scale`` (area interpolation)."""
    h, w = rgb.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    small_mask = None
    if mask is not None:
        small_mask = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
        if not small_mask.any():
            small_mask = None
    return histogram(small, small_mask)


def features(colors: np.ndarray, color_space: str) -> np.ndarray:
    """(n,) codes -> (n, 3) float32 points in the clustering space."""
    rgb = unpack(colors)
    if color_space == "lab":
        f = rgb.reshape(-1, 1, 3).astype(np.float32) / np.float32(255.0)
        lab = cv2.cvtColor(f, cv2.COLOR_RGB2Lab).reshape(-1, 3)
        return np.ascontiguousarray(lab)
    # Row-major: the compiled kernels read a point's three values together.
    return np.ascontiguousarray(rgb, dtype=np.float32)


def bin_keys(codes: np.ndarray, from_bits: int, to_bits: int) -> np.ndarray:
    """Histogram bin of packed colours: ``from_bits`` per channel -> ``to_bits``."""
    shift = from_bits - to_bits
    m = (1 << to_bits) - 1
    # Keep the top ``to_bits`` of each channel in place, then close the gaps.
    x = codes.astype(np.uint32, copy=False) >> np.uint32(shift)
    x &= np.uint32(m | m << from_bits | m << 2 * from_bits)
    keys = x & np.uint32(m)
    keys |= (x >> np.uint32(shift)) & np.uint32(m << to_bits)
    keys |= (x >> np.uint32(2 * shift)) & np.uint32(m << 2 * to_bits)
    return keys.astype(np.intp)


def reduce(
    keys: np.ndarray, w: np.ndarray, feats: np.ndarray, bits: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge points into a 2**(3*bits)-bin histogram.

    Returns the weighted mean point and total weight of each occupied bin,
    and the occupied bins' keys (for reducing further).
    """
    size = 1 << (3 * bits)
    bw = np.bincount(keys, weights=w, minlength=size)
    nz = np.flatnonzero(bw)
    # Sum the coordinates into the occupied bins only (small, cache-friendly).
    index = np.empty(size, dtype=np.int32)
    index[nz] = np.arange(nz.size, dtype=np.int32)
    packed = index[keys]
    bw = bw[nz]
    pts = np.empty((nz.size, 3), dtype=np.float32)
    for c in range(3):
        pts[:, c] = np.bincount(packed, weights=w * feats[:, c], minlength=nz.size) / bw
    return pts, bw, nz


def levels(
    colors: np.ndarray, feats: np.ndarray, w: np.ndarray, *, all_levels: bool = False
) -> list[Level]:
    """Histogram levels of the points ``feats`` (of the packed ``colors``,
    weights ``w``), coarsest first: each bin's weighted mean point and
    weight, each level reduced from the next finer one.  None for fewer
    than ``DIRECT_LIMIT`` colours, and the finest only if it halves the
    number of points (or ``all_levels``)."""
    if colors.size <= DIRECT_LIMIT:
        return []
    found: list[Level] = []
    keys, pts, pw, bits = colors, feats, w, 8
    for to_bits in reversed(LEVEL_BITS):
        pts, pw, keys = reduce(bin_keys(keys, bits, to_bits), pw, pts, to_bits)
        bits = to_bits
        if found or all_levels or colors.size > 2 * pts.shape[0]:
            found.insert(0, (pts, pw))
    return found


# Labelling pixels from their colours (shared by segment, apply_palette and
# segment_many): the distinct colours an image is clustered on, and every
# pixel's cluster through a lookup table indexed by its packed 24-bit colour
# (12 megapixels labelled in one gather).


def image_colours(
    rgb: np.ndarray, mask: np.ndarray | None, given: ColorHistogram | None
) -> tuple[np.ndarray, np.ndarray]:
    """The image's distinct colours (packed, ascending) and pixel counts:
    counted now, or ``given`` after checking it is this image's."""
    if given is None:
        return histogram(rgb, mask)
    if not isinstance(given, ColorHistogram):
        msg = f"histogram must be a kseg.ColorHistogram or None, got {type(given).__name__}"
        raise TypeError(msg)
    if not given.matches(rgb, mask):
        msg = (
            f"histogram was counted on {given.pixels} pixels of a {given.shape} image, "
            f"not on this {rgb.shape[:2]} image and mask"
        )
        raise ValueError(msg)
    return given.colors, given.counts


def label_pixels(
    rgb: np.ndarray, mask: np.ndarray | None, colors: np.ndarray, colour_labels: np.ndarray
) -> np.ndarray:
    """Cluster of every pixel (-1 outside ``mask``), through a lookup table
    indexed by the packed colour (a compiled pass over bands of rows on the
    thread pool: no packed copy of the image is made).
    ``colors`` must hold every colour of the pixels inside ``mask``."""
    lut = np.empty(1 << 24, dtype=np.int16)
    lut[colors] = colour_labels
    return label_through(np.ascontiguousarray(rgb), mask, lut)
