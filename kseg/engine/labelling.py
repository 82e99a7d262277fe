"""Labelling pixels from their colours: the distinct colours an image is
clustered on, and every pixel's cluster through a lookup table indexed by
its packed 24-bit colour (labelling 12 megapixels is one gather).

Shared by :func:`kseg.segment`, :func:`kseg.apply_palette` and
:func:`kseg.segment_many`.
"""

from __future__ import annotations

import numpy as np

from kseg.histogram import ColorHistogram, histogram
from kseg.pixel_kernels import label_through

__all__ = ["image_colours", "label_pixels"]


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
