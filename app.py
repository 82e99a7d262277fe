"""kseg: segment a photo by colour with K-means, in the browser.

The page, top to bottom: the photo and the settings (sidebar), the original
and segmented images, a summary line, the palette, one card per cluster with
its downloads, and the downloads of everything.  All image work is in kseg.
"""

from __future__ import annotations

import hashlib
import html
import os
import threading
from collections.abc import Callable
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import numpy as np
import streamlit as st

import kseg

PREVIEW_SIDE = 1200  # longest side of the images shown on the page
THUMB_SIDE = 360  # longest side of the cluster previews
UPLOAD_TYPES = ["jpg", "jpeg", "png", "webp", "bmp", "tif", "tiff", "gif"]


@dataclass(frozen=True)
class Settings:
    """Everything that decides a segmentation (and the shareable URL)."""

    k: int = 5
    attempts: int = 10
    scale: float = 1.0
    init: str = "kmeans++"
    space: str = "rgb"
    iters: int = 100
    eps: float = 0.0
    seed: int = 0


LIMITS = {"k": (2, 16), "attempts": (1, 20), "iters": (1, 1000), "seed": (0, 999_999)}
DEFAULT = Settings()


# --------------------------------------------------------------------------
# Cached pure computations (keyed on the image bytes' hash, never an array)
# --------------------------------------------------------------------------


@st.cache_resource
def _workers() -> threading.BoundedSemaphore:
    """Heavy segmentations running at once, across every session: one per core."""
    return threading.BoundedSemaphore(max(1, os.cpu_count() or 1))


@st.cache_data(max_entries=4, show_spinner=False)
def decode(digest: str, _data: bytes) -> kseg.LoadedImage:
    return kseg.load_image(_data)


@st.cache_data(max_entries=8, show_spinner=False)
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


@dataclass(frozen=True)
class Page:
    """What the page shows: small previews and the palette, not full images."""

    original: np.ndarray
    segmented: np.ndarray
    thumbs: tuple[np.ndarray, ...]
    palette: tuple[dict, ...]


@st.cache_data(max_entries=8, show_spinner=False)
def page_views(digest: str, settings: Settings, _data: bytes) -> Page:
    image = decode(digest, _data)
    result = run_segmentation(digest, settings, _data)
    original = image.rgb if image.alpha is None else np.dstack([image.rgb, image.alpha])
    thumbs = tuple(
        kseg.downscale(kseg.cutout(image.rgb, result, i, image.alpha), THUMB_SIDE)
        for i in range(result.k)
    )
    return Page(
        original=kseg.downscale(original, PREVIEW_SIDE),
        segmented=kseg.downscale(kseg.segmented_image(result), PREVIEW_SIDE),
        thumbs=thumbs,
        palette=tuple(kseg.palette_rows(result)),
    )


@st.cache_data(max_entries=8, show_spinner=False)
def sample_bytes(name: str) -> bytes:
    return kseg.sample_path(name).read_bytes()


@contextmanager
def queued_notice():
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
    data: bytes, settings: Settings
) -> tuple[kseg.LoadedImage, kseg.Segmentation, Page]:
    """Decode, segment and prepare the page views (all cached); raises
    kseg.ImageError for a file that can't be used."""
    digest = hashlib.sha256(data).hexdigest()
    image = decode(digest, data)
    return image, run_segmentation(digest, settings, data), page_views(digest, settings, data)


def remember_photo(name: str, data: bytes, sample: str | None) -> None:
    """Keep the session's last usable photo, to fall back on after a bad upload
    (a sample by name; an upload's bytes, at most one per session)."""
    st.session_state["last_good"] = (name, None if sample else data, sample)


def previous_photo() -> tuple[str, bytes, str | None] | None:
    if "last_good" not in st.session_state:
        return None
    name, data, sample = st.session_state["last_good"]
    return name, sample_bytes(sample) if sample else data, sample


# --------------------------------------------------------------------------
# Settings <-> URL
# --------------------------------------------------------------------------


def settings_from_url() -> dict[str, object]:
    """Widget values from the query string; bad or missing values are skipped."""
    q = st.query_params
    out: dict[str, object] = {}
    for name, (lo, hi) in LIMITS.items():
        if name in q:
            with suppress(ValueError):
                out[name] = min(hi, max(lo, int(q[name])))
    for name, lo, hi in (("scale", 0.1, 1.0), ("eps", 0.0, 10.0)):
        if name in q:
            try:
                value = float(q[name])
            except ValueError:
                continue
            if np.isfinite(value):
                out[name] = round(min(hi, max(lo, value)), 2)
    if q.get("init") in kseg.INITS:
        out["init"] = q["init"]
    if q.get("space") in kseg.COLOR_SPACES:
        out["space"] = q["space"]
    if q.get("sample") in kseg.SAMPLES:
        out["sample"] = q["sample"]
    return out


def settings_to_url(settings: Settings, sample: str | None) -> None:
    params = {k: str(v) for k, v in vars(settings).items() if getattr(DEFAULT, k) != v}
    if sample:
        params["sample"] = sample
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


# --------------------------------------------------------------------------
# Widgets (each helper returns plain values)
# --------------------------------------------------------------------------


def source_ui() -> tuple[str, bytes, str | None]:
    """The photo: an upload, or a bundled sample. Returns (name, bytes, sample)."""
    st.sidebar.header("1. Photo")
    upload = st.sidebar.file_uploader(
        "Upload a photo",
        type=UPLOAD_TYPES,
        key="upload",
        help="JPEG, PNG, WebP, BMP, TIFF or GIF (first frame), up to 50 MB and "
        f"{kseg.DEFAULT_MAX_PIXELS // 1_000_000} megapixels.",
    )
    sample = st.sidebar.selectbox(
        "…or try a sample photo",
        options=list(kseg.SAMPLES),
        format_func=lambda s: kseg.SAMPLES[s][1],
        key="sample",
        disabled=upload is not None,
    )
    if upload is not None:
        return upload.name, upload.getvalue(), None
    return kseg.SAMPLES[sample][0], sample_bytes(sample), sample


def settings_ui() -> Settings:
    st.sidebar.header("2. Settings")
    k = st.sidebar.slider(
        "Number of colours (k)",
        *LIMITS["k"],
        key="k",
        help="How many colour groups to split the photo into.",
    )
    attempts = st.sidebar.slider(
        "Attempts",
        *LIMITS["attempts"],
        key="attempts",
        help="How many independent tries; the tightest grouping is kept. "
        "More tries can find a slightly better result.",
    )
    scale = st.sidebar.slider(
        "Resize scale",
        0.1,
        1.0,
        step=0.05,
        key="scale",
        help="Find the colours on a smaller copy of the photo (faster for big "
        "photos). Masks and downloads are always full size.",
    )
    with st.sidebar.expander("Advanced"):
        init = st.radio(
            "Starting colours",
            kseg.INITS,
            key="init",
            horizontal=True,
            help="k-means++ spreads the first guesses apart; random picks them by chance.",
        )
        space = st.radio(
            "Colour space",
            kseg.COLOR_SPACES,
            key="space",
            horizontal=True,
            format_func=lambda s: {"rgb": "RGB", "lab": "Lab"}[s],
            help="Lab measures colour differences closer to how people see "
            "them: helpful when shades that look alike end up apart.",
        )
        iters = st.number_input(
            "Max iterations",
            *LIMITS["iters"],
            step=10,
            key="iters",
            help="Most refinement rounds per try.",
        )
        eps = st.number_input(
            "Epsilon",
            0.0,
            10.0,
            step=0.1,
            key="eps",
            help="Stop once no colour centre moves more than this. 0 = until nothing changes.",
        )
        seed = st.number_input(
            "Seed",
            *LIMITS["seed"],
            step=1,
            key="seed",
            help="The same seed gives the same result every time.",
        )
    return Settings(
        int(k),
        int(attempts),
        round(float(scale), 2),
        str(init),
        str(space),
        int(iters),
        round(float(eps), 2),
        int(seed),
    )


def palette_html(palette: tuple[dict, ...]) -> str:
    swatches = "".join(
        f'<div class="kseg-swatch" style="display:inline-block;margin:0 .6rem .6rem 0;'
        f'width:8.5rem;font-size:.8rem;line-height:1.3">'
        f'<div style="height:2.6rem;border-radius:.4rem;border:1px solid #0002;'
        f'background:{p["hex"]}"></div><b>{p["hex"]}</b> · {100 * p["share"]:.1f}%<br>'
        f"RGB {p['r']}, {p['g']}, {p['b']}</div>"
        for p in palette
    )
    bar = "".join(
        f'<div title="{p["hex"]} {100 * p["share"]:.1f}%" style="flex:{p["share"]:.6f};'
        f'background:{p["hex"]}"></div>'
        for p in palette
    )
    return (
        f'<div class="kseg-palette">{swatches}</div>'
        f'<div class="kseg-share-bar" style="display:flex;height:1rem;border-radius:.3rem;'
        f'overflow:hidden;border:1px solid #0002">{bar}</div>'
    )


def download(label: str, data: bytes | Callable[[], bytes], file_name: str, mime: str, key: str):
    st.download_button(
        label,
        data=data,
        file_name=file_name,
        mime=mime,
        key=key,
        on_click="ignore",
        icon=":material/download:",
    )


# --------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------
# Download callables run later, on click, outside this script run: each binds
# the result and image it belongs to as default arguments, never globals.

st.set_page_config(page_title="kseg · colour segmentation", page_icon="🎨", layout="wide")

if "k" not in st.session_state:  # first run of this session: take the URL's settings
    for key, value in {**vars(DEFAULT), **settings_from_url()}.items():
        st.session_state[key] = value

st.title("Colour segmentation")
st.caption(
    "Split a photo into its main colours (K-means clustering) and download one mask per colour."
)

name, data, sample = source_ui()
settings = settings_ui()
settings_to_url(settings, sample)

with queued_notice(), st.spinner("Finding the colours…"):
    try:
        image, result, views = segment_photo(data, settings)
        remember_photo(name, data, sample)
    except kseg.ImageError as exc:
        st.error(f"**{html.escape(name)}** can't be used. {exc}", icon=":material/error:")
        previous = previous_photo()
        if previous is None or previous[1] == data:
            st.info("Remove the upload (× next to its name) to go back to the sample photos.")
            st.stop()
        name, data, sample = previous
        st.info(
            f"Still showing your previous photo, **{html.escape(name)}**. Remove the failed "
            "upload (× next to its name) to carry on with it.",
            icon=":material/history:",
        )
        image, result, views = segment_photo(data, settings)

for note in (*image.notices, *([result.notice] if result.notice else [])):
    st.info(note, icon=":material/info:")

left, right = st.columns(2)
left.image(views.original, caption=f"Original · {name}", width="stretch")
right.image(views.segmented, caption=f"Segmented · {result.k} colours", width="stretch")

st.markdown(
    f'<p class="kseg-summary">{image.width} × {image.height} px · '
    f"<b>{result.k}</b> clusters found · objective (mean squared RGB error) "
    f"<b>{result.mse:.1f}</b> · {result.timings['total']:.2f} s</p>",
    unsafe_allow_html=True,
)

st.subheader("Palette")
st.markdown(palette_html(views.palette), unsafe_allow_html=True)

stem = kseg.safe_stem(name)
st.subheader("Masks")
st.caption("White = in the cluster. Cut-outs keep the photo's pixels, transparent elsewhere.")
cols = st.columns(4)
for i, p in enumerate(views.palette):
    with cols[i % 4].container(border=True, key=f"card-{i}"):
        st.image(views.thumbs[i], width="stretch")
        st.markdown(
            f'<span style="display:inline-block;width:.9rem;height:.9rem;border-radius:.2rem;'
            f'vertical-align:middle;background:{p["hex"]};border:1px solid #0003"></span> '
            f"**#{i + 1}** {p['hex']} · {100 * p['share']:.1f}%",
            unsafe_allow_html=True,
        )
        file_stem = f"{stem}_{kseg.cluster_file_stem(result, i)}"
        download(
            "Mask PNG",
            lambda i=i, r=result: kseg.encode_png(kseg.mask_image(r, i)),
            f"{file_stem}_mask.png",
            "image/png",
            f"mask-{i}",
        )
        download(
            "Cut-out PNG",
            lambda i=i, r=result, im=image: kseg.encode_png(kseg.cutout(im.rgb, r, i, im.alpha)),
            f"{file_stem}_cutout.png",
            "image/png",
            f"cutout-{i}",
        )

st.subheader("Download everything")
c1, c2, c3, c4 = st.columns(4)
with c1:
    download(
        "Everything (ZIP)",
        lambda r=result, im=image, n=name: kseg.export_zip(
            im.rgb, r, alpha=im.alpha, source_name=n
        ),
        f"{stem}_kseg.zip",
        "application/zip",
        "zip",
    )
with c2:
    download(
        "Segmented image",
        lambda r=result: kseg.encode_png(kseg.segmented_image(r)),
        f"{stem}_segmented.png",
        "image/png",
        "segmented",
    )
with c3:
    download("Palette (CSV)", kseg.palette_csv(result), f"{stem}_palette.csv", "text/csv", "csv")
    download(
        "Palette (JSON)",
        kseg.palette_json(result),
        f"{stem}_palette.json",
        "application/json",
        "json",
    )
with c4:
    download(
        "Palette (GIMP .gpl)",
        kseg.palette_gpl(result, name),
        f"{stem}_palette.gpl",
        "text/plain",
        "gpl",
    )
