"""Computations of the page, keyed on the image bytes' hash, never an array.

Full-size pieces (decoded pixels, labels) live in one cache bounded by bytes
(``webapp.cache.FULL_SIZE``), shared by every session.  What a session keeps
is small: a :class:`PhotoRef` (the upload's compressed bytes and the
settings), the previews and the palette.  Downloads fetch the full-size
pieces by that reference when clicked, rebuilding them if the cache let them
go, so no open tab pins a photo's pixels in memory.

Every heavy step runs under the server's memory budget (``webapp.budget``):
it reserves its estimated bytes first and, when the budget or every worker is
taken, waits its turn while the page says how many are ahead.
"""

from __future__ import annotations

import hashlib
import os
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.logger import get_logger

import kseg
from webapp.budget import Admission, budget_bytes, job_bytes, step_bytes
from webapp.cache import FULL_SIZE, IDLE_SECONDS, PAGE, ZIPS
from webapp.memory import limit_arenas, trim
from webapp.state import Edits, Settings

LOG = get_logger(__name__)
limit_arenas()
PREVIEW_SIDE = 1200  # longest side of the images shown on the page
THUMB_SIDE = 360  # longest side of the cluster previews
CURVE_KS = range(2, 13)

#: The server's one admission queue (``KSEG_MEMORY_BUDGET_MB``); the caches
#: let go of their least recently used entries before a step has to wait.
ADMISSION = Admission(budget_bytes()[0], slots=max(1, os.cpu_count() or 1))
ADMISSION.add_shrinker(trim)  # freed memory the allocator still holds, first
for _cache in (ZIPS, PAGE, FULL_SIZE):
    ADMISSION.add_shrinker(_cache.shrink)
ADMISSION.add_shrinker(trim)  # and what the dropped cache entries held on the heap
#: How the current script run shows its place in the queue (see queue_notice).
_ON_WAIT: ContextVar[Callable[[int], None] | None] = ContextVar("on_wait", default=None)


class TooLarge(Exception):
    """The photo needs more memory than the server's budget gives one photo.

    ``fit`` is the largest pixel count that fits (None when not even a
    smaller size can be offered: the file must be decoded in full), and
    ``fit_size`` the (width, height) of the photo reduced to it.
    """

    def __init__(self, width: int, height: int, need: int, fit: int | None) -> None:
        self.width, self.height, self.need, self.fit = width, height, need, fit
        self.fit_size = kseg.fitted_size(width, height, fit) if fit else None
        self.capacity, self.budget = ADMISSION.capacity, ADMISSION.budget
        super().__init__(f"{width} x {height} needs {need} bytes; fits: {fit}")


@contextmanager
def job(steps: list[str], pixels: int, decode_pixels: int | None = None) -> Iterator[None]:
    """Run a job of heavy steps under the memory budget, waiting its turn if
    needed.  The whole job reserves before it holds anything (a job waiting
    with a decoded photo in hand would hold memory the budget does not see);
    the steps inside pass straight through.  No steps: nothing to wait for."""
    if not steps:
        yield
        return
    need = job_bytes(steps, pixels, pixels if decode_pixels is None else decode_pixels)
    t0 = time.monotonic()
    outermost = not ADMISSION.holding()
    try:
        with ADMISSION.reserve(need, on_wait=_ON_WAIT.get()):
            waited = time.monotonic() - t0
            if waited > 0.05:
                what = "+".join(steps)
                LOG.info("kseg admission: waited %.2f s for %s (%d px)", waited, what, pixels)
            yield
    finally:
        if outermost:
            trim()  # the job's freed buffers go back to the system, not to the next job


def step(name: str, pixels: int) -> AbstractContextManager[None]:
    """One heavy step under the memory budget (inside a job: passes through)."""
    return job([name], pixels)


def _sizes(key: str, data: bytes) -> tuple[int, int]:
    """Pixels of the photo as used, and pixels its decoder holds (from the
    file's header, without decoding)."""
    width, height = kseg.image_size(data)
    fit = _fit_of(key)
    used = kseg.fitted_size(width, height, fit) if fit else (width, height)
    return used[0] * used[1], decode_pixels(width, height, fit, data)


def _missing(key: str, settings: Settings | None = None, edits: Edits | None = None) -> list[str]:
    """The full-size steps a job on this photo must run (not in the cache)."""
    steps = [] if ("image", key) in FULL_SIZE else ["decode"]
    if settings is None:
        return steps
    if ("segmentation", key, settings) not in FULL_SIZE:
        steps.append("segment")
    edited = edits is not None and (edits.merge or edits.clean)
    if edited and ("edited", key, settings, edits) not in FULL_SIZE:
        steps += ["merge"] * bool(edits.merge) + ["clean"] * bool(edits.clean)
    return steps


def _download_job(ref: PhotoRef, *names: str) -> AbstractContextManager[None]:
    """The job of one download: rebuilding what the caches let go, then ``name``."""
    pixels, decoder = _sizes(ref.digest, ref.data)
    return job([*_missing(ref.digest, ref.settings, ref.edits), *names], pixels, decoder)


def _janitor() -> None:
    """Every 5 s: drop cache entries nobody used for IDLE_SECONDS (a closed
    tab's photo) and, when no step is at work, hand freed memory back."""
    while True:
        time.sleep(5.0)
        for cache in (FULL_SIZE, PAGE, ZIPS):
            cache.drop_idle(IDLE_SECONDS)
        if not ADMISSION.busy:
            trim()


threading.Thread(target=_janitor, name="kseg-cache-janitor", daemon=True).start()


def photo_key(digest: str, fit: int | None) -> str:
    """The cache key of a photo: its bytes' hash, and the pixel count it is
    reduced to (``sha@N``) when the user chose a smaller size."""
    return digest if fit is None else f"{digest}@{fit}"


def _fit_of(key: str) -> int | None:
    """The pixel count a photo key asks the decoder to fit, or None."""
    return int(key.split("@", 1)[1]) if "@" in key else None


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


def decode(digest: str, data: bytes) -> kseg.LoadedImage:
    """The decoded photo (at its reduced size if the key says so), from the
    full-size cache."""

    def make() -> kseg.LoadedImage:
        fit = _fit_of(digest)
        width, height = kseg.image_size(data)
        with step("decode", decode_pixels(width, height, fit, data)):
            return kseg.load_image(data, fit_pixels=fit)

    return FULL_SIZE.get_or_make(("image", digest), make)


def decode_pixels(width: int, height: int, fit: int | None, data: bytes) -> int:
    """Pixels the decoder holds at its peak: the full size, or for a reduced
    JPEG at most four times the reduced size (its decoder scales by halves)."""
    if fit is None or width * height <= fit:
        return width * height
    if data[:3] == b"\xff\xd8\xff":
        return min(width * height, 4 * fit)
    return width * height


def run_segmentation(digest: str, settings: Settings, data: bytes) -> kseg.Segmentation:
    """The K-means result, from the full-size cache."""

    def make() -> kseg.Segmentation:
        image = decode(digest, data)
        with step("segment", image.width * image.height):
            counted = FULL_SIZE.get_or_make(
                ("histogram", digest),
                lambda: kseg.color_histogram(image.rgb, mask=kseg.opaque_mask(image)),
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
                mask=kseg.opaque_mask(image),
                histogram=counted,  # counted once per photo, for every k
            )

    return FULL_SIZE.get_or_make(("segmentation", digest, settings), make)


def edited_result(digest: str, settings: Settings, edits: Edits, data: bytes) -> kseg.Segmentation:
    """The result after the edits (the K-means result itself when there are none)."""
    if not edits.merge and not edits.clean:
        return run_segmentation(digest, settings, data)

    def make() -> kseg.Segmentation:
        result = run_segmentation(digest, settings, data)
        pixels = result.labels.size
        if len(edits.merge) > 1:
            with step("merge", pixels):
                result = kseg.merge_clusters(result, [edits.merge])
        if edits.clean:
            image = decode(digest, data)
            with step("clean", pixels):
                result = kseg.clean_segmentation(image.rgb, result, edits.clean)
        return result

    return FULL_SIZE.get_or_make(("edited", digest, settings, edits), make)


def photo_view(digest: str, data: bytes) -> tuple[np.ndarray, tuple[bytes, str]]:
    """The photo's preview and its encoded form (JPEG, or PNG with alpha):
    the same whatever the settings, so made once per photo (page cache)."""

    def make() -> tuple[np.ndarray, tuple[bytes, str]]:
        image = decode(digest, data)
        with step("previews", image.width * image.height):
            preview = kseg.photo_preview(image.rgb, image.alpha, PREVIEW_SIDE)
            if image.alpha is None:
                return preview, (kseg.encode_jpeg(preview), "JPEG")
            return preview, (kseg.encode_png(preview, compression=1), "PNG")

    return PAGE.get_or_make(("photo", digest), make)


def page_views(digest: str, settings: Settings, edits: Edits, data: bytes) -> PageViews:
    """What the page shows of a result (page cache, bounded by bytes)."""
    return PAGE.get_or_make(
        ("views", digest, settings, edits), lambda: _page_views(digest, settings, edits, data)
    )


def _page_views(digest: str, settings: Settings, edits: Edits, data: bytes) -> PageViews:
    image = decode(digest, data)
    result = edited_result(digest, settings, edits, data)
    photo, original = photo_view(digest, data)
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
        segmented=kseg.encode_png(previews.segmented, compression=1),
        thumbs=tuple(kseg.encode_jpeg(kseg.on_checkerboard(t)) for t in previews.thumbs),
        palette=tuple(kseg.palette_rows(result)),
        stems=tuple(kseg.cluster_file_stem(result, i) for i in range(result.k)),
        files={
            "csv": kseg.palette_csv(result),
            "json": kseg.palette_json(result),
        },
        colours=kseg.color_sample(image.rgb, result, 2000, seed=seed),
        k=result.k,
        mse=result.mse,
    )


@st.cache_data(max_entries=4, show_spinner=False)
def k_curve(digest: str, _data: bytes) -> kseg.KCurve:
    pixels, decoder = _sizes(digest, _data)
    with job([*_missing(digest), "curve"], pixels, decoder):
        image = decode(digest, _data)
        return kseg.objective_curve(image.rgb, CURVE_KS, mask=kseg.opaque_mask(image))


@st.cache_data(max_entries=8, show_spinner=False)
def sample_bytes(name: str) -> bytes:
    return kseg.sample_path(name).read_bytes()


@contextmanager
def queue_notice() -> Iterator[None]:
    """While the block runs, a step that waits for its turn says so on the
    page, with how many are ahead ("2 photos ahead of yours")."""
    slot = st.empty()

    def show(ahead: int) -> None:
        # Drawn at every check, not only when the count changes: each draw
        # is where Streamlit stops a run the user has moved on from, so a
        # stale run leaves the queue instead of holding a place in it.
        if not ahead:
            slot.empty()
            return
        photos = "1 photo" if ahead == 1 else f"{ahead} photos"
        slot.info(
            f"The server is busy: **{photos} ahead of yours** in the queue. Yours starts "
            "as soon as there is memory and a free worker for it.",
            icon=":material/hourglass_top:",
        )

    token = _ON_WAIT.set(show)
    try:
        yield
    finally:
        _ON_WAIT.reset(token)
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


#: The steps any photo on the page goes through (downloads included: a ZIP
#: of a photo the page showed must be possible), and those cleaning adds.
PHOTO_STEPS = ("decode", "segment", "previews", "merge", "mask", "cutout", "segmented", "zip")


def check_fits(data: bytes, fit: int | None, clean: int) -> None:
    """Raise :class:`TooLarge` when the photo, reduced to ``fit`` pixels if
    given, needs more memory than the budget gives one photo (nothing that
    fits is refused)."""
    width, height = kseg.image_size(data)
    pixels = min(fit, width * height) if fit else width * height
    steps = (*PHOTO_STEPS, "clean") if clean else PHOTO_STEPS
    need = max(step_bytes(s, pixels) for s in steps)
    decode_need = step_bytes("decode", decode_pixels(width, height, pixels, data))
    if ADMISSION.fits_alone(max(need, decode_need)):
        return
    per_pixel = max(step_bytes(s, 10**6) - step_bytes(s, 0) for s in steps) / 10**6
    largest = int((ADMISSION.capacity - step_bytes("decode", 0)) / per_pixel)
    offer = largest if largest >= 10_000 else None
    if offer is not None:
        smallest_decode = step_bytes("decode", decode_pixels(width, height, largest, data))
        offer = offer if ADMISSION.fits_alone(smallest_decode) else None
    raise TooLarge(width, height, max(need, decode_need), offer)


def segment_photo(
    name: str,
    data: bytes,
    sample: str | None,
    settings: Settings,
    merge: list[int],
    clean: int,
    fit: int | None = None,
) -> Photo:
    """Decode, segment, apply the edits and prepare the page views (all
    cached), at the reduced size ``fit`` if given.  Merge indices this result
    does not have are dropped.  Raises kseg.ImageError for a file that can't
    be used, and TooLarge for one the memory budget cannot take."""
    check_fits(data, fit, clean)
    digest = photo_key(photo_digest(data), fit)
    LOG.debug("full page run: photo %s, %s", digest[:12], settings)
    likely = edits_for(merge, clean, settings.k)  # before the result says how many it found
    steps = _missing(digest, settings, likely)
    if steps or ("views", digest, settings, likely) not in PAGE:
        steps.append("previews")
    pixels, decoder = _sizes(digest, data)
    with job(steps, pixels, decoder):
        return _photo(name, data, sample, settings, merge, clean, digest)


def _photo(
    name: str,
    data: bytes,
    sample: str | None,
    settings: Settings,
    merge: list[int],
    clean: int,
    digest: str,
) -> Photo:
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


def zip_key(ref: PhotoRef, hidden: frozenset[int]) -> tuple:
    return (ref.digest, ref.name, ref.settings, ref.edits, tuple(sorted(hidden)))


def make_zip(ref: PhotoRef, hidden: frozenset[int]) -> bytes:
    """The ZIP of everything for the photo."""
    with _download_job(ref, "zip"):
        image, result = ref.image(), ref.result()
        return kseg.export_zip(
            image.rgb, result, alpha=image.alpha, source_name=ref.name, hidden=hidden
        )


def zip_bytes(ref: PhotoRef, hidden: frozenset[int]) -> bytes:
    """The finished ZIP from the ZIP cache (the same photo, settings and
    background give everyone the same ZIP), or made again."""
    return ZIPS.get_or_make(zip_key(ref, hidden), lambda: make_zip(ref, hidden))


def mask_file(ref: PhotoRef, clusters: int | list[int]) -> bytes:
    with _download_job(ref, "mask"):
        return kseg.mask_png(ref.result(), clusters)


def cutout_file(ref: PhotoRef, clusters: int | list[int]) -> bytes:
    with _download_job(ref, "cutout"):
        image, result = ref.image(), ref.result()
        return kseg.cutout_png(image.rgb, result, clusters, image.alpha)


def palette_file(ref: PhotoRef) -> bytes:
    """The palette as a GIMP .gpl file."""
    with _download_job(ref):
        return kseg.palette_gpl(ref.result(), ref.name)


def segmented_file(ref: PhotoRef) -> bytes:
    with _download_job(ref, "segmented"):
        return kseg.encode_png(kseg.segmented_image(ref.result()), fast=True)
