"""What the "Many photos" page shows of each photo: its gallery pictures,
counts and objective (:class:`PhotoView`), made from the photo decoded
again or from what counting its colours kept (:class:`Counted`: its colour
table on the server's disk, its preview and the preview's pixels).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np

import kseg
from webapp.server.uploads import Upload
from webapp.session.choices import measured_mask

#: Longest side of a photo's pictures in the gallery.
GALLERY_SIDE = 480


#: Bytes of a .npy file's header (numpy writes 128 for a 2-D table).
NPY_HEADER = 128


@dataclass(frozen=True, eq=False)
class PhotoView:
    """What the page shows of one photo of the series."""

    upload: Upload
    width: int
    height: int
    original: bytes  # JPEG, GALLERY_SIDE
    segmented: bytes  # PNG, GALLERY_SIDE
    counts: np.ndarray  # pixels per palette colour
    mse: float
    notices: tuple[str, ...]


@dataclass(frozen=True, eq=False)
class Counted:
    """What counting a photo's colours keeps of it, so that labelling it with
    the fitted palette needs no second decode."""

    colours: Path  # its distinct colours (inside its opaque pixels) and their pixels:
    # (2, n) uint32 on disk, not in memory, until it is labelled
    n_colours: int
    size: tuple[int, int]  # (height, width)
    width: int
    height: int
    original: bytes  # JPEG, GALLERY_SIDE
    pixels: np.ndarray  # the preview's pixels, nearest neighbour (kseg.preview_pixels)
    mask: np.ndarray | None  # which of them are opaque
    notices: tuple[str, ...]


def decoded(up: Upload, roi: str = "") -> tuple[kseg.LoadedImage, np.ndarray | None]:
    """The photo, and the pixels measured (opaque, inside the region of interest)."""
    image = kseg.load_image(up.data)
    return image, measured_mask(image, roi)


def count(
    image: kseg.LoadedImage,
    mask: np.ndarray | None,
    totals: kseg.ColorTotals,
    colours: Path,
    room: int,
) -> Counted | None:
    """Count the photo's colours into ``totals``; keep what labelling it needs
    (its colours in the file ``colours``) if they take at most ``room``
    bytes on disk, else None."""
    histogram = totals.add(image.rgb, mask)
    table = np.stack([histogram.colors, histogram.counts.astype(np.uint32)])
    if table.nbytes + NPY_HEADER > room:
        return None
    np.save(colours, table)
    preview = kseg.photo_preview(image.rgb, image.alpha, GALLERY_SIDE)
    pixels, small_mask = kseg.preview_pixels(image.rgb, preview.shape[:2], mask)
    return Counted(
        colours=colours,
        n_colours=int(histogram.colors.size),
        size=histogram.shape,
        width=image.width,
        height=image.height,
        original=original_jpeg(preview, image.alpha is not None),
        pixels=pixels,
        mask=small_mask,
        notices=image.notices,
    )


def original_jpeg(preview: np.ndarray, alpha: bool) -> bytes:
    """The photo's gallery preview as a JPEG (transparency on a checkerboard)."""
    return kseg.encode_jpeg((kseg.on_checkerboard(preview) if alpha else preview)[..., :3])


def counted_view(
    up: Upload,
    counted: Counted,
    centers_float: np.ndarray,
    space: str,
    searched: np.ndarray | None = None,
) -> PhotoView:
    """A counted photo's view: its counts and objective from its histogram,
    its segmented preview from its preview's pixels (as ``photo_view``
    would make them from the decoded photo)."""
    colors, pixels = np.load(counted.colours)
    histogram = kseg.ColorHistogram(
        colors, pixels.astype(np.int64), counted.size, int(pixels.sum(dtype=np.int64))
    )
    counts, mse = kseg.palette_counts(
        histogram,
        centers_float,
        color_space=space,  # type: ignore[arg-type]
        label_centers=searched,
    )
    if counted.mask is not None and not counted.mask.any():  # no opaque pixel in the preview
        labels = np.full(counted.pixels.shape[:2], -1, dtype=np.int16)
        segmented = kseg.labels_png(labels, np.zeros((len(counts), 3), dtype=np.uint8))
    else:
        small = kseg.apply_palette(
            counted.pixels,
            centers_float,
            color_space=space,  # type: ignore[arg-type]
            mask=counted.mask,  # type: ignore[arg-type]
            label_centers=searched,
        )
        segmented = kseg.labels_png(small.labels, small.centers)
    return PhotoView(
        upload=up,
        width=counted.width,
        height=counted.height,
        original=counted.original,
        segmented=segmented,
        counts=counts,
        mse=mse,
        notices=counted.notices,
    )


def photo_view(
    up: Upload,
    centers_float: np.ndarray,
    space: str,
    searched: np.ndarray | None = None,
    roi: str = "",
) -> PhotoView:
    image, mask = decoded(up, roi)
    result = kseg.apply_palette(
        image.rgb,
        centers_float,
        color_space=space,  # type: ignore[arg-type]
        mask=mask,  # type: ignore[arg-type]
        label_centers=searched,
    )
    previews = kseg.make_previews(
        image.rgb, result, alpha=image.alpha, side=GALLERY_SIDE, thumb_side=8
    )
    return PhotoView(
        upload=up,
        width=image.width,
        height=image.height,
        original=original_jpeg(previews.original, image.alpha is not None),
        segmented=kseg.labels_png(previews.labels, result.centers),
        counts=result.counts,
        mse=result.mse,
        notices=image.notices,
    )
