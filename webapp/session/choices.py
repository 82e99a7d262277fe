"""The user's choices as kseg's arguments: the pixels measured (opaque,
inside the region of interest), pinned colours, new colours, the edits to
apply, and the stored result a bundled sample's defaults have."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

import kseg
from kseg.samples.first import has_stored, stored_result
from webapp.session.state import Edits, Settings


def measured_mask(image: kseg.LoadedImage, roi: str) -> np.ndarray | None:
    """The pixels measured: the opaque ones, inside the region of interest."""
    mask = kseg.opaque_mask(image)
    if not roi:
        return mask
    try:
        return kseg.parse_roi(roi).mask(image.rgb.shape, mask)
    except kseg.RoiError as exc:  # a rectangle too thin for this photo's pixels
        raise kseg.ImageError(f"{exc}.") from None


def pinned_colours(pins: tuple[str, ...]) -> np.ndarray | None:
    """The pinned colours ("rrggbb") as (p, 3) uint8, or None."""
    if not pins:
        return None
    return np.array([[int(h[i : i + 2], 16) for i in (0, 2, 4)] for h in pins], dtype=np.uint8)


def edits_for(merge: list[int], clean: int, k_raw: int, recolour: Sequence[str] = ()) -> Edits:
    """The edits to apply: merge indices this result has (two or more),
    cleaning, and new colours ("N:rrggbb")."""
    kept = tuple(i for i in merge if i < k_raw)
    return Edits(kept if len(kept) > 1 else (), clean, tuple(recolour))


def recoloured(
    rgb: np.ndarray, result: kseg.Segmentation, recolour: Sequence[str]
) -> kseg.Segmentation:
    """``result`` with its colours "N:rrggbb" painted anew (numbers it does
    not have left out)."""
    changes = {int(n) - 1: f"#{code}" for n, code in (item.split(":") for item in recolour)}
    return kseg.recolour(rgb, result, {i: c for i, c in changes.items() if i < result.k})


def _stored_settings(settings: Settings) -> dict[str, object] | None:
    """The settings as kseg records them, where a stored result can match."""
    if settings.pins or settings.own or settings.roi:
        return None
    return {
        "k": settings.k,
        "attempts": settings.attempts,
        "scale": settings.scale,
        "init": settings.init,
        "max_iter": settings.iters,
        "eps": settings.eps,
        "color_space": settings.space,
        "seed": settings.seed,
    }


def has_first_result(key: str, settings: Settings) -> bool:
    """Whether the photo of cache ``key`` (its file's SHA-256, at full
    size) is a bundled sample whose result for ``settings`` is stored."""
    wanted = _stored_settings(settings)
    return wanted is not None and "@" not in key and has_stored(key, wanted)


def first_result(source: object, settings: Settings) -> kseg.Segmentation | None:
    """The stored result of a bundled sample at the page's defaults (made
    by kseg.segment and checked against it by the tests), or None."""
    key = source.key  # type: ignore[attr-defined]
    wanted = _stored_settings(settings)
    if wanted is None or "@" in key:
        return None
    return stored_result(key, wanted)


def roi_for(settings: Settings, digest: str) -> str:
    """The region of interest of the photo with this SHA-256: its own, in a
    series, else the one for every photo ("" for the whole photo)."""
    return dict(settings.rois).get(digest, settings.roi)
