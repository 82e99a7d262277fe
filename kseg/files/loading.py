"""Loading and checking images: one decode path (Pillow), bounded and safe.

Policy
------
- Formats: JPEG (and camera MPO), PNG, WebP, BMP, TIFF and GIF only; other
  decoders never run, whatever the file name says.
- Size: the pixel count is read from the header and refused before decoding
  when it exceeds ``max_pixels``; Pillow's decompression-bomb warning is an
  error.
- Orientation: EXIF orientation is applied, so phone photos are upright.
- Depth: 16-bit, 32-bit and float greyscale is stretched from its own
  minimum and maximum to 0-255 (never clipped to white or left near black).
- Colour: CMYK, greyscale and palette images are converted to RGB.
- Transparency: an alpha channel (or a palette/tRNS transparent colour) is
  kept in ``alpha``; ``alpha`` is None when every pixel is opaque.  kseg
  leaves fully transparent pixels (alpha 0) out of clustering and clusters
  every other pixel by its own RGB colour, however faint.
- Animation: the first frame is used, and a notice says so.
"""

from __future__ import annotations

import io
import os
import re
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import numpy as np
from PIL import Image, ImageFile

from kseg.files.decoding import plain_jpeg_pixels, resized, to_rgb_alpha, upright

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "FORMATS",
    "ImageError",
    "LoadedImage",
    "fitted_size",
    "image_size",
    "load_image",
    "opaque_mask",
]

#: Formats Pillow may decode (names as Pillow spells them; camera MPO files
#: open through the JPEG plugin).
FORMATS = ("JPEG", "PNG", "WEBP", "BMP", "TIFF", "GIF")
#: Default pixel limit: 40 megapixels.
DEFAULT_MAX_PIXELS = 40_000_000
#: Default file size limit: 50 MB.
DEFAULT_MAX_BYTES = 50 * 1024 * 1024

# A decompression bomb is an error, never a warning that decoding goes on
# after.  Truncated files are errors too (this is Pillow's default; kept).
warnings.filterwarnings("error", category=Image.DecompressionBombWarning)
ImageFile.LOAD_TRUNCATED_IMAGES = False
# Register every plugin so the allow-list names resolve (MPO is not preloaded).
Image.init()

_ACCEPTED = "JPEG, PNG, WebP, BMP, TIFF or GIF"


class ImageError(ValueError):
    """An image kseg cannot use; the message is meant for people."""


@dataclass(frozen=True, eq=False)
class LoadedImage:
    """A decoded image, upright and in 8-bit RGB.

    Attributes
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The colours.
    alpha : (H, W) ndarray of uint8 or None
        Opacity (255 opaque, 0 transparent); None if every pixel is opaque.
    format : str
        The file format, as Pillow names it (e.g. ``"PNG"``).
    notices : tuple of str
        Plain-words remarks on how the file was read (first frame of an
        animation, 16-bit data scaled, transparency found, ...).
    """

    rgb: np.ndarray
    alpha: np.ndarray | None
    format: str
    notices: tuple[str, ...] = field(default_factory=tuple)

    @property
    def width(self) -> int:
        """Width in pixels."""
        return int(self.rgb.shape[1])

    @property
    def height(self) -> int:
        """Height in pixels."""
        return int(self.rgb.shape[0])


def load_image(
    source: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO,
    *,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    max_bytes: int = DEFAULT_MAX_BYTES,
    fit_pixels: int | None = None,
) -> LoadedImage:
    """Decode an image file into upright 8-bit RGB (and alpha).

    Parameters
    ----------
    source : bytes, path or binary file object
        The encoded image.
    max_pixels : int, optional
        Largest accepted width x height; larger images are refused from their
        header, before decoding.
    max_bytes : int, optional
        Largest accepted file size in bytes.
    fit_pixels : int, optional
        Reduce a larger image, keeping its aspect ratio, to at most this many
        pixels (a JPEG is decoded at a reduced scale by its decoder first, so
        it never needs memory for its full size).  None: the full size.

    Returns
    -------
    LoadedImage
        ``rgb`` (H, W, 3) uint8, ``alpha`` (H, W) uint8 or None, ``format``
        and ``notices``.

    Raises
    ------
    ImageError
        If the file is empty, too large, not an accepted image format,
        damaged or truncated, or has too many pixels.  The message says what
        was wrong and what is accepted.
    TypeError
        If ``source`` is none of the accepted kinds.
    """
    if max_pixels < 1 or max_bytes < 1:
        msg = f"max_pixels and max_bytes must be positive, got {max_pixels}, {max_bytes}"
        raise ValueError(msg)
    if fit_pixels is not None and (isinstance(fit_pixels, bool) or fit_pixels < 1):
        msg = f"fit_pixels must be a positive number of pixels or None, got {fit_pixels!r}"
        raise ValueError(msg)
    data = _read_bytes(source, max_bytes)
    if not data:
        msg = f"The file is empty. Please choose a {_ACCEPTED} image."
        raise ImageError(msg)
    with _open(data, max_pixels) as im:
        fmt = str(im.format)
        rgb, alpha, notices = _decode_or_explain(im, data, max_pixels, fit_pixels)
    for arr in (rgb, alpha):
        if arr is not None:
            arr.flags.writeable = False  # safe to share, e.g. between app sessions
    return LoadedImage(rgb=rgb, alpha=alpha, format=fmt, notices=tuple(notices))


def image_size(
    source: bytes | bytearray | memoryview | str | os.PathLike[str] | BinaryIO,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> tuple[int, int]:
    """(width, height) of an image from its header alone, without decoding
    (as stored: an EXIF turn swaps them but keeps the pixel count).

    Raises
    ------
    ImageError
        If the file is empty, too large or not an accepted image format.
    """
    data = _read_bytes(source, max_bytes)
    if not data:
        msg = f"The file is empty. Please choose a {_ACCEPTED} image."
        raise ImageError(msg)
    with _open(data, DEFAULT_MAX_PIXELS) as im:
        return im.size


def fitted_size(width: int, height: int, fit_pixels: int) -> tuple[int, int]:
    """The largest size of the same aspect ratio with at most ``fit_pixels``
    pixels (the size itself when it already fits)."""
    if width * height <= fit_pixels:
        return width, height
    f = (fit_pixels / (width * height)) ** 0.5
    w, h = max(1, int(width * f)), max(1, int(height * f))
    while w * h > fit_pixels:  # rounding: step down the longer side
        w, h = (w - 1, h) if w >= h else (w, h - 1)
    return w, h


def _open(data: bytes, max_pixels: int) -> Image.Image:
    """The image's header, read by an allowed decoder, or an ImageError."""
    try:
        return Image.open(io.BytesIO(data), formats=FORMATS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise _bomb_error(exc, max_pixels) from exc
    except Exception as exc:  # any decoder failure is the file's fault
        msg = (
            "This file is not an image kseg can read (it may be another kind "
            f"of file, or damaged). Accepted: {_ACCEPTED}."
        )
        raise ImageError(msg) from exc


def _decode_or_explain(
    im: Image.Image, data: bytes, max_pixels: int, fit_pixels: int | None
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    """:func:`_decode`, with every decoder failure turned into an ImageError."""
    fmt = str(im.format)
    try:
        return _decode(im, data, max_pixels, fit_pixels)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning, MemoryError) as exc:
        raise _too_many_pixels_error(im.size, max_pixels) from exc
    except Exception as exc:  # decoder errors: truncated, corrupt, ...
        msg = (
            f"This {fmt} file is damaged or incomplete and cannot be read "
            f"(it may have been cut short). Please try another {_ACCEPTED} image."
        )
        raise ImageError(msg) from exc


def opaque_mask(image: LoadedImage) -> np.ndarray | None:
    """Pixels to cluster under kseg's transparency policy.

    Parameters
    ----------
    image : LoadedImage
        A loaded image.

    Returns
    -------
    (H, W) ndarray of bool or None
        True where alpha > 0; None when the image has no transparency.

    Raises
    ------
    ImageError
        If every pixel is fully transparent.
    """
    if image.alpha is None:
        return None
    mask = image.alpha > 0
    if not mask.any():
        msg = "Every pixel of this image is fully transparent: there is nothing to segment."
        raise ImageError(msg)
    return mask


def _read_bytes(source: object, max_bytes: int) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    elif isinstance(source, (str, os.PathLike)):
        path = Path(source)
        try:
            size = path.stat().st_size
        except (OSError, ValueError) as exc:  # ValueError: a NUL in the name
            msg = f"The file {path.name!r} cannot be opened: {getattr(exc, 'strerror', 0) or exc}."
            raise ImageError(msg) from exc
        if size > max_bytes:
            raise _too_large_error(size, max_bytes)
        try:
            data = path.read_bytes()
        except OSError as exc:
            msg = f"The file {path.name!r} cannot be read: {exc.strerror or exc}."
            raise ImageError(msg) from exc
    elif hasattr(source, "read"):
        data = source.read(max_bytes + 1)
        if not isinstance(data, (bytes, bytearray)):
            msg = "source file object must be opened in binary mode"
            raise TypeError(msg)
        data = bytes(data)
    else:
        msg = f"source must be bytes, a path or a binary file object, got {type(source).__name__}"
        raise TypeError(msg)
    if len(data) > max_bytes:
        raise _too_large_error(len(data), max_bytes)
    return data


def _too_large_error(size: int, max_bytes: int) -> ImageError:
    return ImageError(
        f"This file is {size / 1e6:.1f} MB; the limit is {max_bytes / 1e6:.0f} MB. "
        "Please use a smaller or more compressed image."
    )


def _bomb_error(exc: Exception, max_pixels: int) -> ImageError:
    """Pillow refused the header: say how many pixels it declared if known."""
    found = re.search(r"\((\d+) pixels\)", str(exc))
    if found is None:
        return _too_many_pixels_error(None, max_pixels)
    return ImageError(
        f"This image has {int(found.group(1)) / 1e6:.1f} MP; the limit is "
        f"{max_pixels / 1e6:.0f} MP. Please resize it and try again."
    )


def _too_many_pixels_error(size: tuple[int, int] | None, max_pixels: int) -> ImageError:
    limit = f"{max_pixels / 1e6:.0f} MP"
    if size is None:
        return ImageError(
            f"This image declares far more pixels than the limit of {limit}; "
            "it may be a decompression bomb. Please resize it and try again."
        )
    w, h = size
    return ImageError(
        f"This image has {w * h / 1e6:.1f} MP ({w} x {h} pixels); the limit is "
        f"{limit}. Please resize it and try again."
    )


def _decode(
    im: Image.Image, data: bytes, max_pixels: int, fit_pixels: int | None
) -> tuple[np.ndarray, np.ndarray | None, list[str]]:
    width, height = im.size
    if width < 1 or height < 1:
        msg = f"This image has no pixels ({width} x {height})."
        raise ImageError(msg)
    if width * height > max_pixels:
        raise _too_many_pixels_error((width, height), max_pixels)
    notices: list[str] = []
    n_frames = getattr(im, "n_frames", 1)
    if n_frames > 1:
        notices.append(f"This {im.format} has {n_frames} frames; the first one is used.")
    target = fitted_size(width, height, fit_pixels) if fit_pixels else (width, height)
    if target == (width, height) and (rgb := plain_jpeg_pixels(im, data)) is not None:
        return rgb, None, notices
    if target != (width, height):
        im.draft(im.mode, target)  # JPEG: decode at 1/2, 1/4 or 1/8 scale when that suffices
    im.load()
    if im.size != target:
        im = resized(im, target)
    if target != (width, height):
        notices.append(
            f"The photo was reduced from {width} x {height} to {target[0]} x {target[1]} "
            "pixels to fit."
        )
    im = upright(im, notices)
    rgb, alpha = to_rgb_alpha(im, notices)
    return rgb, alpha, notices
