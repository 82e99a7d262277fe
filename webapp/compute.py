"""Computations of the page, keyed on the image bytes' hash, never an array.

Full-size pieces (decoded pixels, labels) live in one cache bounded by bytes
(``webapp.cache.FULL_SIZE``), shared by every session.  What a session keeps
is small: a :class:`PhotoRef` (the upload's compressed bytes and the
settings), the previews and the palette.  Downloads fetch the full-size
pieces by that reference when clicked, rebuilding them if the cache let them
go, so no open tab pins a photo's pixels in memory.
"""

from __future__ import annotations

import hashlib
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.logger import get_logger

import kseg
from webapp.cache import FULL_SIZE
from webapp.memory import return_large_buffers
from webapp.state import Edits, Settings

LOG = get_logger(__name__)
return_large_buffers()
PREVIEW_SIDE = 1200  # longest side of the images shown on the page
THUMB_SIDE = 360  # longest side of the cluster previews
CURVE_KS = range(2, 13)
ZIP_STORE_BYTES = 400 * 2**20  # finished ZIPs kept for their download buttons


@dataclass(frozen=True)
class PhotoRef:
    """What it takes to rebuild a result's full-size pieces: the upload's
    compressed bytes and the settings (small; safe for a session to keep)."""

    name: str
    data: bytes
    digest: str
    settings: Settings
    edits: Edits

    def image(self) -> kseg.LoadedImage:
        """The decoded photo (from the cache, or decoded again)."""
        return decode(self.digest, self.data)

    def result(self) -> kseg.Segmentation:
        """The edited segmentation (from the cache, or made again)."""
        return edited_result(self.digest, self.settings, self.edits, self.data)


@dataclass(frozen=True, eq=False)
class PageViews:
    """What the page shows of a result, at preview size, with its pictures
    already encoded (a rerun sends bytes, never encodes again).  Shared by
    every session showing this result (read-only)."""

    previews: kseg.Previews  # photo, labels, painted labels, thumbnails (arrays)
    original: tuple[bytes, str]  # the photo preview and its format (JPEG, or PNG with alpha)
    segmented: bytes  # PNG of the painted labels
    thumbs: tuple[bytes, ...]  # JPEG cut-out preview per cluster, on a checkerboard
    palette: tuple[dict, ...]  # kseg.palette_rows
    stems: tuple[str, ...]  # kseg.cluster_file_stem of every cluster
    files: dict[str, bytes]  # the palette as CSV, JSON and GPL
    colours: kseg.ColorSample  # pixels for the colour distribution chart
    k: int
    mse: float


@dataclass(frozen=True, eq=False)
class Photo:
    """One photo on the page: a reference to its full-size pieces and what
    the page shows of it (no full-size array)."""

    ref: PhotoRef
    sample: str | None
    width: int
    height: int
    notices: tuple[str, ...]  # the decoder's and the segmentation's remarks
    partly_transparent: bool
    raw_palette: tuple[dict, ...]  # the K-means result's palette (merge numbers)
    seconds: float  # the engine's time for the K-means result
    views: PageViews  # of the edited result

    @property
    def name(self) -> str:
        return self.ref.name

    @property
    def settings(self) -> Settings:
        return self.ref.settings

    @property
    def edits(self) -> Edits:
        return self.ref.edits


@st.cache_resource
def _workers() -> threading.BoundedSemaphore:
    """Heavy steps (decoding, segmenting, the k curve) running at once, across
    every session: one per core."""
    return threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


def decode(digest: str, data: bytes) -> kseg.LoadedImage:
    """The decoded photo, from the full-size cache."""

    def make() -> kseg.LoadedImage:
        with _workers():  # a 40 MP decode holds about 300 MB while it runs
            return kseg.load_image(data)

    return FULL_SIZE.get_or_make(("image", digest), make)


def run_segmentation(digest: str, settings: Settings, data: bytes) -> kseg.Segmentation:
    """The K-means result, from the full-size cache."""

    def make() -> kseg.Segmentation:
        image = decode(digest, data)
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

    return FULL_SIZE.get_or_make(("segmentation", digest, settings), make)


def edited_result(digest: str, settings: Settings, edits: Edits, data: bytes) -> kseg.Segmentation:
    """The result after the edits (the K-means result itself when there are none)."""
    if not edits.merge and not edits.clean:
        return run_segmentation(digest, settings, data)

    def make() -> kseg.Segmentation:
        result = run_segmentation(digest, settings, data)
        if len(edits.merge) > 1:
            result = kseg.merge_clusters(result, [edits.merge])
        if edits.clean:
            result = kseg.clean_segmentation(decode(digest, data).rgb, result, edits.clean)
        return result

    return FULL_SIZE.get_or_make(("edited", digest, settings, edits), make)


@st.cache_resource(max_entries=16, show_spinner=False)
def photo_view(digest: str, _data: bytes) -> tuple[np.ndarray, tuple[bytes, str]]:
    """The photo's preview and its encoded form (JPEG, or PNG with alpha):
    the same whatever the settings, so made once per photo."""
    image = decode(digest, _data)
    preview = kseg.photo_preview(image.rgb, image.alpha, PREVIEW_SIDE)
    if image.alpha is None:
        return preview, (kseg.encode_jpeg(preview), "JPEG")
    return preview, (kseg.encode_png(preview, compression=1), "PNG")


@st.cache_resource(max_entries=16, show_spinner=False)
def page_views(digest: str, settings: Settings, edits: Edits, _data: bytes) -> PageViews:
    image = decode(digest, _data)
    result = edited_result(digest, settings, edits, _data)
    photo, original = photo_view(digest, _data)
    previews = kseg.make_previews(
        image.rgb,
        result,
        alpha=image.alpha,
        side=PREVIEW_SIDE,
        thumb_side=THUMB_SIDE,
        photo=photo,
    )
    return PageViews(
        previews=previews,
        original=original,
        segmented=kseg.encode_png(previews.segmented, compression=1),
        thumbs=tuple(kseg.encode_jpeg(kseg.on_checkerboard(t)) for t in previews.thumbs),
        palette=tuple(kseg.palette_rows(result)),
        stems=tuple(kseg.cluster_file_stem(result, i) for i in range(result.k)),
        files={
            "csv": kseg.palette_csv(result),
            "json": kseg.palette_json(result),
        },
        colours=kseg.color_sample(image.rgb, result, 2000, seed=settings.seed),
        k=result.k,
        mse=result.mse,
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


def photo_digest(data: bytes) -> str:
    """SHA-256 of the photo's bytes, hashed once per upload per session (a
    rerun of a 40 MP photo would otherwise hash 15 MB again)."""
    memo = st.session_state.get("_digest")
    if memo is not None and memo[0] is data:
        return memo[1]
    digest = hashlib.sha256(data).hexdigest()
    st.session_state["_digest"] = (data, digest)
    return digest


def edits_for(merge: list[int], clean: int, k_raw: int) -> Edits:
    """The edits to apply: merge indices this result has (two or more), and cleaning."""
    kept = tuple(i for i in merge if i < k_raw)
    return Edits(kept if len(kept) > 1 else (), clean)


def segment_photo(
    name: str, data: bytes, sample: str | None, settings: Settings, merge: list[int], clean: int
) -> Photo:
    """Decode, segment, apply the edits and prepare the page views (all
    cached).  Merge indices this result does not have are dropped.  Raises
    kseg.ImageError for a file that can't be used."""
    digest = photo_digest(data)
    LOG.debug("full page run: photo %s, %s", digest[:12], settings)
    image = decode(digest, data)
    raw = run_segmentation(digest, settings, data)
    ref = PhotoRef(name, data, digest, settings, edits_for(merge, clean, raw.k))
    return Photo(
        ref=ref,
        sample=sample,
        width=image.width,
        height=image.height,
        notices=(*image.notices, *(n for n in (raw.notice,) if n)),
        partly_transparent=image.alpha is not None and not image.alpha.all(),
        raw_palette=tuple(kseg.palette_rows(raw)),
        seconds=raw.timings["total"],
        views=page_views(digest, settings, ref.edits, data),
    )


class ZipStore:
    """Finished ZIPs, least recently used dropped first, at most ``max_bytes``
    in all (a ZIP larger than that is not kept).  Thread-safe: download
    buttons read it outside the script run."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[tuple, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple) -> bytes | None:
        with self._lock:
            data = self._items.get(key)
            if data is not None:
                self._items.move_to_end(key)
            return data

    def put(self, key: tuple, data: bytes) -> None:
        with self._lock:
            self._items.pop(key, None)
            if len(data) > self.max_bytes:
                return
            self._items[key] = data
            while sum(len(v) for v in self._items.values()) > self.max_bytes:
                self._items.popitem(last=False)

    @property
    def nbytes(self) -> int:
        with self._lock:
            return sum(len(v) for v in self._items.values())


@st.cache_resource
def zip_store() -> ZipStore:
    """The server's finished ZIPs (shared: the same photo, settings and
    background give the same ZIP to everyone)."""
    return ZipStore(ZIP_STORE_BYTES)


def zip_key(ref: PhotoRef, hidden: frozenset[int]) -> tuple:
    return (ref.digest, ref.name, ref.settings, ref.edits, tuple(sorted(hidden)))


def make_zip(ref: PhotoRef, hidden: frozenset[int]) -> bytes:
    """The ZIP of everything for the photo (kept in the store for its download)."""
    image = ref.image()
    data = kseg.export_zip(
        image.rgb,
        ref.result(),
        alpha=image.alpha,
        source_name=ref.name,
        hidden=hidden,
    )
    zip_store().put(zip_key(ref, hidden), data)
    return data


def zip_bytes(ref: PhotoRef, hidden: frozenset[int]) -> bytes:
    """The finished ZIP from the store, or made again if it was dropped."""
    return zip_store().get(zip_key(ref, hidden)) or make_zip(ref, hidden)


def mask_file(ref: PhotoRef, clusters: int | list[int]) -> bytes:
    return kseg.mask_png(ref.result(), clusters)


def cutout_file(ref: PhotoRef, clusters: int | list[int]) -> bytes:
    image = ref.image()
    return kseg.cutout_png(image.rgb, ref.result(), clusters, image.alpha)


def segmented_file(ref: PhotoRef) -> bytes:
    return kseg.encode_png(kseg.segmented_image(ref.result()), fast=True)
