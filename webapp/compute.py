"""Cached computations of the page, keyed on the image bytes' hash, never an array.

Images, segmentations and previews are cached with ``st.cache_resource``,
not ``st.cache_data``: cache_data hands every session its own unpickled
copy, and each open session's download buttons hold on to theirs, so memory
grew with the number of sessions (10 sessions x 3 waves of 4 MP uploads:
1.2, 2.0, 2.3 GB).  These objects are read-only (kseg marks their arrays
so), so one shared copy is safe.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import streamlit as st

import kseg
from webapp.state import Edits, Settings

PREVIEW_SIDE = 1200  # longest side of the images shown on the page
THUMB_SIDE = 360  # longest side of the cluster previews
CURVE_KS = range(2, 13)


@dataclass(frozen=True, eq=False)
class PageViews:
    """What the page shows of a result: small previews and the palette, not
    full images.  Shared by every session showing this result (read-only)."""

    original: np.ndarray  # RGB or RGBA preview
    segmented: np.ndarray  # preview painted with the cluster colours
    labels: np.ndarray  # cluster of every preview pixel
    thumbs: tuple[np.ndarray, ...]  # one cut-out preview per cluster
    palette: tuple[dict, ...]  # kseg.palette_rows
    colours: kseg.ColorSample  # pixels for the colour distribution chart


@dataclass(frozen=True, eq=False)
class Photo:
    """One photo on the page, segmented and edited (all from the caches)."""

    name: str
    data: bytes
    sample: str | None
    digest: str
    settings: Settings
    edits: Edits  # the edits applied (merge indices this result has)
    image: kseg.LoadedImage
    raw: kseg.Segmentation  # the K-means result
    result: kseg.Segmentation  # after the edits
    views: PageViews


@st.cache_resource
def _workers() -> threading.BoundedSemaphore:
    """Heavy segmentations running at once, across every session: one per core."""
    return threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


@st.cache_resource(max_entries=4, show_spinner=False)
def decode(digest: str, _data: bytes) -> kseg.LoadedImage:
    return kseg.load_image(_data)


@st.cache_resource(max_entries=8, show_spinner=False)
def run_segmentation(digest: str, settings: Settings, _data: bytes) -> kseg.Segmentation:
    image = decode(digest, _data)
    with _workers():
        return kseg.segment(
            image.rgb,
            settings.k,
            attempts=settings.attempts,
            scale=settings.scale,
            init=settings.init,
            color_space=settings.space,
            max_iter=settings.iters,
            eps=settings.eps,
            seed=settings.seed,
            mask=kseg.opaque_mask(image),
        )


@st.cache_resource(max_entries=8, show_spinner=False)
def edited_result(digest: str, settings: Settings, edits: Edits, _data: bytes) -> kseg.Segmentation:
    result = run_segmentation(digest, settings, _data)
    if len(edits.merge) > 1:
        result = kseg.merge_clusters(result, [edits.merge])
    if edits.clean:
        result = kseg.clean_segmentation(decode(digest, _data).rgb, result, edits.clean)
    return result


@st.cache_resource(max_entries=8, show_spinner=False)
def page_views(digest: str, settings: Settings, edits: Edits, _data: bytes) -> PageViews:
    image = decode(digest, _data)
    result = edited_result(digest, settings, edits, _data)
    original = image.rgb if image.alpha is None else np.dstack([image.rgb, image.alpha])
    thumbs = tuple(
        kseg.downscale(kseg.cutout(image.rgb, result, i, image.alpha), THUMB_SIDE)
        for i in range(result.k)
    )
    preview = kseg.downscale(original, PREVIEW_SIDE)
    segmented = kseg.downscale(kseg.segmented_image(result), PREVIEW_SIDE)
    labels = kseg.preview_labels(result, preview.shape[:2])
    for arr in (preview, segmented, labels, *thumbs):
        arr.flags.writeable = False
    return PageViews(
        original=preview,
        segmented=segmented,
        labels=labels,
        thumbs=thumbs,
        palette=tuple(kseg.palette_rows(result)),
        colours=kseg.color_sample(image.rgb, result, 2000, seed=settings.seed),
    )


@st.cache_data(max_entries=4, show_spinner=False)
def k_curve(digest: str, _data: bytes) -> kseg.KCurve:
    image = decode(digest, _data)
    with _workers():
        return kseg.objective_curve(image.rgb, CURVE_KS, mask=kseg.opaque_mask(image))


@st.cache_data(max_entries=8, show_spinner=False)
def sample_bytes(name: str) -> bytes:
    return kseg.sample_path(name).read_bytes()


@contextmanager
def queued_notice() -> Iterator[None]:
    """Tell the user when every worker is busy, instead of a frozen page."""
    slot = st.empty()
    sem = _workers()
    if sem.acquire(blocking=False):
        sem.release()
    else:
        slot.info("The server is busy with other photos; yours is queued and starts shortly.")
    try:
        yield
    finally:
        slot.empty()


def segment_photo(
    name: str, data: bytes, sample: str | None, settings: Settings, merge: list[int], clean: int
) -> Photo:
    """Decode, segment, apply the edits and prepare the page views (all
    cached).  Merge indices this result does not have are dropped.  Raises
    kseg.ImageError for a file that can't be used."""
    digest = hashlib.sha256(data).hexdigest()
    image = decode(digest, data)
    raw = run_segmentation(digest, settings, data)
    kept = tuple(i for i in merge if i < raw.k)
    edits = Edits(kept if len(kept) > 1 else (), clean)
    return Photo(
        name=name,
        data=data,
        sample=sample,
        digest=digest,
        settings=settings,
        edits=edits,
        image=image,
        raw=raw,
        result=edited_result(digest, settings, edits, data),
        views=page_views(digest, settings, edits, data),
    )
