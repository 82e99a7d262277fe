"""Computations of the page, keyed on the image bytes' hash, never an array.

Full-size pieces (decoded pixels, labels) live in one cache bounded by bytes
(``webapp.server.cache.FULL_SIZE``), shared by every session.  What a session keeps
is small: a :class:`PhotoRef` (the upload's compressed bytes and the
settings), the previews and the palette.  Downloads fetch the full-size
pieces by that reference when clicked, rebuilding them if the cache let them
go, so no open tab pins a photo's pixels in memory.

Every heavy step runs as a job under the server's memory budget
(``webapp.session.jobs``): it reserves its estimated bytes first and, when the budget
or every worker is taken, waits its turn while the page says how many are
ahead.
"""

from __future__ import annotations

import base64
import functools
from collections.abc import Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.logger import get_logger

import kseg
from webapp.server.cache import FULL_SIZE, PAGE
from webapp.server.uploads import Upload
from webapp.session.choices import (
    edits_for,
    first_result,
    has_first_result,
    measured_mask,
    pinned_colours,
    recoloured,
)
from webapp.session.jobs import check_fits, decode_pixels, job, step
from webapp.session.state import Edits, Settings

LOG = get_logger(__name__)
PREVIEW_SIDE = 1200  # longest side of the images shown on the page
THUMB_SIDE = 360  # longest side of the cluster previews
CURVE_KS = range(2, 13)


def photo_sizes(source: Source) -> tuple[int, int]:
    """Pixels of the photo as used, and pixels its decoder holds (from the
    file's header, read once per upload, without decoding)."""
    width, height = source.upload.size
    used = kseg.fitted_size(width, height, source.fit) if source.fit else (width, height)
    return used[0] * used[1], decode_pixels(width, height, source.fit, source.upload.jpeg)


def missing_steps(
    key: str, settings: Settings | None = None, edits: Edits | None = None
) -> list[str]:
    """The full-size steps a job on this photo must run (not in the cache)."""
    steps = [] if ("image", key) in FULL_SIZE else ["decode"]
    if settings is None:
        return steps
    if ("segmentation", key, settings) not in FULL_SIZE and not has_first_result(key, settings):
        steps.append("segment")
    edited = edits is not None and (edits.merge or edits.clean or edits.recolour)
    if edited and ("edited", key, settings, edits) not in FULL_SIZE:
        steps += ["merge"] * bool(edits.merge) + ["clean"] * bool(edits.clean)
        steps += ["recolour"] * bool(edits.recolour)
    return steps


def photo_key(digest: str, fit: int | None) -> str:
    """The cache key of a photo: its bytes' hash, and the pixel count it is
    reduced to (``sha@N``) when the user chose a smaller size."""
    return digest if fit is None else f"{digest}@{fit}"


@dataclass(frozen=True)
class Source:
    """A photo the page works on: its upload (bytes, hash, header) and the
    pixel count it is reduced to, if the user chose a smaller size."""

    upload: Upload
    fit: int | None = None

    @property
    def key(self) -> str:
        """The photo's cache key (see :func:`photo_key`)."""
        return photo_key(self.upload.digest, self.fit)


@dataclass(frozen=True)
class PhotoRef:
    """What it takes to rebuild a result's full-size pieces: the photo's
    source (its compressed bytes) and the settings (small; safe for a
    session to keep)."""

    name: str
    source: Source
    settings: Settings
    edits: Edits

    @property
    def digest(self) -> str:
        """The photo's cache key."""
        return self.source.key

    def image(self) -> kseg.LoadedImage:
        """The decoded photo (from the cache, or decoded again)."""
        return decode(self.source)

    def result(self) -> kseg.Segmentation:
        """The edited segmentation (from the cache, or made again)."""
        return edited_result(self.source, self.settings, self.edits)


@dataclass(frozen=True, eq=False)
class PageViews:
    """What the page shows of a result, at preview size, with its pictures
    already encoded (a rerun sends bytes, never encodes again).  Shared by
    every session showing this result (read-only)."""

    previews: kseg.Previews  # photo, labels, painted labels, thumbnails (arrays)
    original: tuple[bytes, str]  # the photo preview and its format (JPEG, or PNG with alpha)
    segmented: bytes  # PNG of the painted labels
    # The cut-out preview per cluster (a JPEG on a checkerboard) as a data URL:
    # in the page's own message, not five more requests for a new visitor.
    thumbs: tuple[str, ...]
    palette: tuple[dict, ...]  # kseg.palette_rows
    stems: tuple[str, ...]  # kseg.cluster_file_stem of every cluster
    colours: kseg.ColorSample  # pixels for the colour distribution chart
    k: int
    mse: float
    pinned: tuple[int, ...] = ()  # clusters kept at a pinned colour


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


def decode(source: Source) -> kseg.LoadedImage:
    """The decoded photo (at its reduced size if the source says so), from
    the full-size cache."""

    def make() -> kseg.LoadedImage:
        width, height = source.upload.size
        with step("decode", decode_pixels(width, height, source.fit, source.upload.jpeg)):
            return kseg.load_image(source.upload.data, fit_pixels=source.fit)

    return FULL_SIZE.get_or_make(("image", source.key), make)


def run_segmentation(source: Source, settings: Settings) -> kseg.Segmentation:
    """The K-means result, from the full-size cache."""

    def make() -> kseg.Segmentation:
        stored = first_result(source, settings)
        if stored is not None:  # a bundled sample at the page's defaults
            return stored
        image = decode(source)
        with step("segment", image.width * image.height):
            mask = measured_mask(image, settings.roi)
            counted = FULL_SIZE.get_or_make(
                ("histogram", source.key, settings.roi),
                lambda: kseg.color_histogram(image.rgb, mask=mask),
            )
            if settings.own:  # the best k of the user's own colours
                return kseg.pick_colours(
                    image.rgb,
                    pinned_colours(tuple(item[:6] for item in settings.own)),  # type: ignore[arg-type]
                    settings.k,
                    color_space=settings.space,
                    mask=mask,
                    histogram=counted,
                    # Named all or none (a name left out is filled in words on reading).
                    names=[item[7:] for item in settings.own] if len(settings.own[0]) > 6 else None,
                    seed=settings.seed,
                )
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
                mask=mask,
                histogram=counted,  # counted once per photo, for every k
                fixed_centers=pinned_colours(settings.pins),
            )

    return FULL_SIZE.get_or_make(("segmentation", source.key, settings), make)


def edited_result(source: Source, settings: Settings, edits: Edits) -> kseg.Segmentation:
    """The result after the edits (the K-means result itself when there are none)."""
    if not edits.merge and not edits.clean and not edits.recolour:
        return run_segmentation(source, settings)

    def make() -> kseg.Segmentation:
        result = run_segmentation(source, settings)
        pixels = result.labels.size
        if len(edits.merge) > 1:
            with step("merge", pixels):
                result = kseg.merge_clusters(result, [edits.merge])
        if edits.clean:
            image = decode(source)
            with step("clean", pixels):
                result = kseg.clean_segmentation(image.rgb, result, edits.clean)
        if edits.recolour:
            with step("recolour", pixels):
                result = recoloured(decode(source).rgb, result, edits.recolour)
        return result

    return FULL_SIZE.get_or_make(("edited", source.key, settings, edits), make)


def photo_view(source: Source) -> tuple[np.ndarray, tuple[bytes, str]]:
    """The photo's preview and its encoded form (JPEG, or PNG with alpha):
    the same whatever the settings, so made once per photo (page cache)."""

    def make() -> tuple[np.ndarray, tuple[bytes, str]]:
        image = decode(source)
        with step("previews", image.width * image.height):
            preview = kseg.photo_preview(image.rgb, image.alpha, PREVIEW_SIDE)
            if image.alpha is None:
                return preview, (kseg.encode_jpeg(preview), "JPEG")
            return preview, (kseg.encode_png(preview, compression=1), "PNG")

    return PAGE.get_or_make(("photo", source.key), make)


def page_views(source: Source, settings: Settings, edits: Edits) -> PageViews:
    """What the page shows of a result (page cache, bounded by bytes)."""
    return PAGE.get_or_make(
        ("views", source.key, settings, edits), lambda: _page_views(source, settings, edits)
    )


def _page_views(source: Source, settings: Settings, edits: Edits) -> PageViews:
    image = decode(source)
    result = edited_result(source, settings, edits)
    photo, original = photo_view(source)
    with step("previews", image.width * image.height):
        return _views_of(image, result, photo, original, settings.seed)


def _views_of(
    image: kseg.LoadedImage,
    result: kseg.Segmentation,
    photo: np.ndarray,
    original: tuple[bytes, str],
    seed: int,
) -> PageViews:
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
        segmented=kseg.labels_png(previews.labels, result.centers),
        thumbs=tuple(_data_url(kseg.encode_jpeg(kseg.on_checkerboard(t))) for t in previews.thumbs),
        palette=tuple(kseg.palette_rows(result)),
        stems=tuple(kseg.cluster_file_stem(result, i) for i in range(result.k)),
        colours=kseg.color_sample(image.rgb, result, 2000, seed=seed),
        k=result.k,
        mse=result.mse,
        pinned=result.pinned,
    )


@st.cache_data(max_entries=4, show_spinner=False)
def k_curve(key: str, _source: Source) -> kseg.KCurve:
    """The objective for k = 2 to 12 (``key``: the source's, which the
    cache is keyed on)."""
    pixels, decoder = photo_sizes(_source)
    with job([*missing_steps(key), "curve"], pixels, decoder):
        image = decode(_source)
        return kseg.objective_curve(image.rgb, CURVE_KS, mask=kseg.opaque_mask(image))


@functools.lru_cache(maxsize=8)
def sample_bytes(name: str) -> bytes:
    """A bundled sample's file (one shared bytes object per sample, so a
    session's memo of it holds across reruns)."""
    return kseg.sample_path(name).read_bytes()


def upload_of(data: bytes) -> Upload:
    """The photo's :class:`Upload`, made once per upload per session (a rerun
    of a 40 MP photo would otherwise hash 15 MB and read its header again).
    Its name is the page's (``PhotoRef.name``), not kept here."""
    memo = st.session_state.get("_upload")
    if memo is not None and memo[0] is data:
        return memo[1]
    upload = Upload.of("photo", data)
    st.session_state["_upload"] = (data, upload)
    return upload


def photo_digest(data: bytes) -> str:
    """SHA-256 of the photo's bytes (once per upload per session)."""
    return upload_of(data).digest


def segment_photo(
    name: str,
    data: bytes,
    sample: str | None,
    settings: Settings,
    merge: list[int],
    clean: int,
    fit: int | None = None,
    recolour: Sequence[str] = (),
) -> Photo:
    """Decode, segment, apply the edits and prepare the page views (all
    cached), at the reduced size ``fit`` if given.  Merge indices this result
    does not have are dropped.  Raises kseg.ImageError for a file that can't
    be used, and TooLarge for one the memory budget cannot take."""
    upload = upload_of(data)
    check_fits(upload, fit, clean)
    source = Source(upload, fit)
    LOG.debug("full page run: photo %s, %s", source.key[:12], settings)
    with _page_job(source, settings, edits_for(merge, clean, settings.k, recolour)):
        image = decode(source)
        raw = run_segmentation(source, settings)
        ref = PhotoRef(name, source, settings, edits_for(merge, clean, raw.k, recolour))
        return Photo(
            ref=ref,
            sample=sample,
            width=image.width,
            height=image.height,
            notices=(*image.notices, *(n for n in (raw.notice,) if n)),
            partly_transparent=image.alpha is not None and not image.alpha.all(),
            raw_palette=tuple(kseg.palette_rows(raw)),
            seconds=raw.timings["total"],
            views=page_views(source, settings, ref.edits),
        )


def _page_job(source: Source, settings: Settings, likely: Edits) -> AbstractContextManager[None]:
    """The job of a page run: the full-size steps the caches lack, and the
    previews (``likely``: the edits, before the result says how many colours
    it found); no job at all when everything is cached.  Planned again when
    its turn comes (what it found cached may have gone while it waited)."""

    def planned() -> list[str]:
        steps = missing_steps(source.key, settings, likely)
        if steps or ("views", source.key, settings, likely) not in PAGE:
            steps.append("previews")
        return steps

    pixels, decoder = photo_sizes(source)
    return job(planned(), pixels, decoder, replan=planned)


def _data_url(jpeg: bytes) -> str:
    return "data:image/jpeg;base64," + base64.b64encode(jpeg).decode("ascii")
