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
from types import SimpleNamespace

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
CLEAN_LIMITS = (2, 100_000)  # smallest speck kept when cleaning masks, in pixels
CURVE_KS = range(2, 13)
VIEWS = ("Side by side", "Boundaries", "One colour", "Before / after")


@dataclass(frozen=True)
class Edits:
    """Changes to the K-means result the user asked for (also in the URL)."""

    merge: tuple[int, ...] = ()  # cluster indices merged into one
    clean: int = 0  # smallest speck kept, in pixels; 0 = masks as K-means made them


# --------------------------------------------------------------------------
# Cached pure computations (keyed on the image bytes' hash, never an array)
# --------------------------------------------------------------------------
# Images, segmentations and previews are cached with st.cache_resource, not
# st.cache_data: cache_data hands every session its own unpickled copy, and
# each open session's download buttons hold on to theirs, so memory grew with
# the number of sessions (10 sessions x 3 waves of 4 MP uploads: 1.2, 2.0,
# 2.3 GB). These objects are read-only (kseg marks their arrays so), so one
# shared copy is safe.


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
def page_views(digest: str, settings: Settings, edits: Edits, _data: bytes) -> SimpleNamespace:
    """What the page shows: small previews and the palette, not full images.

    Fields: original (RGB or RGBA preview), segmented, labels (cluster of
    every preview pixel), thumbs, palette, colours (a kseg.ColorSample).
    Shared by every session that shows this result: its arrays are
    read-only.  (A plain namespace, not a class defined in this script,
    which every run would define anew.)
    """
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
    return SimpleNamespace(
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
    data: bytes, settings: Settings, merge: list[int], clean: int
) -> tuple[str, Edits, kseg.LoadedImage, kseg.Segmentation, kseg.Segmentation, SimpleNamespace]:
    """Decode, segment, apply the edits and prepare the page views (all
    cached): (digest, edits applied, image, K-means result, edited result,
    views).  Merge indices this result does not have are dropped.  Raises
    kseg.ImageError for a file that can't be used."""
    digest = hashlib.sha256(data).hexdigest()
    image = decode(digest, data)
    raw = run_segmentation(digest, settings, data)
    kept = tuple(i for i in merge if i < raw.k)
    edits = Edits(kept if len(kept) > 1 else (), clean)
    return (
        digest,
        edits,
        image,
        raw,
        edited_result(digest, settings, edits, data),
        page_views(digest, settings, edits, data),
    )


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
    for name in ("merge", "hide"):  # cluster numbers as the page shows them, from 1
        if name in q:
            numbers = [int(p) for p in q[name].split(",") if p.strip().isdigit()]
            out[name] = sorted({n - 1 for n in numbers if 1 <= n <= LIMITS["k"][1]})
    if q.get("clean", "").isdigit():
        out["clean_on"] = True
        out["clean"] = min(CLEAN_LIMITS[1], max(CLEAN_LIMITS[0], int(q["clean"])))
    return out


def settings_to_url(settings: Settings, sample: str | None, edits: Edits, hide: list[int]) -> None:
    params = {k: str(v) for k, v in vars(settings).items() if getattr(DEFAULT, k) != v}
    if sample:
        params["sample"] = sample
    for name, values in (("merge", edits.merge), ("hide", hide)):
        if values:
            params[name] = ",".join(str(i + 1) for i in values)
    if edits.clean:
        params["clean"] = str(edits.clean)
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
    st.sidebar.button(
        "Suggest k for this photo",
        key="suggest",
        icon=":material/insights:",
        on_click=lambda: st.session_state.update(show_curve=True),
        help="Tries k = 2 to 12 quickly and shows where more colours stop helping much.",
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


def clean_ui() -> int:
    """Speck cleaning (off by default). Returns the smallest patch kept, or 0."""
    st.sidebar.header("3. Clean masks")
    on = st.sidebar.toggle(
        "Remove specks and fill small holes",
        key="clean_on",
        help="Changes the pure K-means result: patches smaller than the size below "
        "join the colour around them, and the shares follow the cleaned masks.",
    )
    size = st.sidebar.number_input(
        "Smallest patch kept (pixels)", *CLEAN_LIMITS, step=16, key="clean", disabled=not on
    )
    return int(size) if on else 0


def curve_chart(curve: kseg.KCurve):
    """The objective against k, the suggested k marked."""
    import altair as alt
    import pandas as pd

    df = pd.DataFrame({"k": curve.ks, "error": curve.mse})
    df["suggested"] = df["k"] == curve.suggested
    base = alt.Chart(df).encode(
        x=alt.X("k:Q", title="number of colours k", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("error:Q", title="mean squared RGB error"),
    )
    line = base.mark_line(point=True)
    mark = base.transform_filter("datum.suggested").mark_point(
        size=250, shape="diamond", filled=True, color="#d6336c"
    )
    rule = (
        alt.Chart(df[df["suggested"]]).mark_rule(color="#d6336c", strokeDash=[4, 4]).encode(x="k:Q")
    )
    return (line + rule + mark).properties(height=260)


def colour_chart(sample: kseg.ColorSample, palette: tuple[dict, ...]):
    """Sampled pixels in their own colours on the two main colour axes, with
    the cluster centres as large outlined dots."""
    import altair as alt
    import pandas as pd

    hexes = ["#{:02x}{:02x}{:02x}".format(*c) for c in sample.rgb.tolist()]
    pts = pd.DataFrame(
        {"x": sample.xy[:, 0], "y": sample.xy[:, 1], "colour": hexes, "cluster": sample.labels + 1}
    )
    centres = pd.DataFrame(
        {
            "x": sample.centres_xy[:, 0],
            "y": sample.centres_xy[:, 1],
            "colour": [p["hex"] for p in palette],
            "cluster": range(1, len(palette) + 1),
        }
    )
    enc = {
        "x": alt.X("x:Q", title="main colour axis"),
        "y": alt.Y("y:Q", title="second colour axis"),
        "color": alt.Color("colour:N", scale=None),
        "tooltip": ["cluster:O", "colour:N"],
    }
    dots = alt.Chart(pts).mark_circle(size=18, opacity=0.8).encode(**enc)
    big = alt.Chart(centres).mark_circle(size=420, stroke="black", strokeWidth=2).encode(**enc)
    return (dots + big).properties(height=380)


def palette_html(palette: tuple[dict, ...], hidden: frozenset[int] = frozenset()) -> str:
    swatches = "".join(
        f'<div class="kseg-swatch" style="display:inline-block;margin:0 .6rem .6rem 0;'
        f'width:8.5rem;font-size:.8rem;line-height:1.3{";opacity:.45" if i in hidden else ""}">'
        f'<div style="height:2.6rem;border-radius:.4rem;border:1px solid #0002;'
        f'background:{p["hex"]}"></div><b>#{i + 1} {p["hex"]}</b> · {100 * p["share"]:.1f}%<br>'
        f"RGB {p['r']}, {p['g']}, {p['b']}{' · background' if i in hidden else ''}</div>"
        for i, p in enumerate(palette)
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
    first = {**vars(DEFAULT), "merge": [], "hide": [], "clean_on": False, "clean": 64}
    for key, value in {**first, **settings_from_url()}.items():
        st.session_state[key] = value

st.title("Colour segmentation")
st.caption(
    "Split a photo into its main colours (K-means clustering) and download one mask per colour."
)

name, data, sample = source_ui()
settings = settings_ui()
clean = clean_ui()

with queued_notice(), st.spinner("Finding the colours…"):
    try:
        digest, edits, image, raw, result, views = segment_photo(
            data, settings, st.session_state.merge, clean
        )
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
        digest, edits, image, raw, result, views = segment_photo(
            data, settings, st.session_state.merge, clean
        )

# Widget values that name clusters must exist in this result.
st.session_state.merge = [i for i in st.session_state.merge if i < raw.k]
st.session_state.hide = [i for i in st.session_state.hide if i < result.k]
if len(st.session_state.hide) == result.k:  # something must stay in the foreground
    st.session_state.hide = st.session_state.hide[:-1]
hidden = frozenset(st.session_state.hide)
settings_to_url(settings, sample, edits, sorted(hidden))

if st.session_state.get("show_curve"):
    with st.container(border=True, key="k-curve"):
        with queued_notice(), st.spinner("Trying k = 2 to 12…"):
            curve = k_curve(digest, data)
        st.subheader("Choosing k")
        st.altair_chart(curve_chart(curve), width="stretch")
        st.markdown(
            f'<p class="kseg-curve-reason">{html.escape(curve.reason)}</p>', unsafe_allow_html=True
        )
        a, b = st.columns([1, 3])
        a.button(
            f"Use k = {curve.suggested}",
            key="use-k",
            type="primary",
            on_click=lambda n=curve.suggested: st.session_state.update(k=n, show_curve=False),
        )
        b.button(
            "Close", key="close-curve", on_click=lambda: st.session_state.update(show_curve=False)
        )

for note in (*image.notices, *(n for n in (raw.notice,) if n)):
    st.info(note, icon=":material/info:")
if image.alpha is not None and not image.alpha.all():
    st.info(
        "Fully transparent pixels are left out: they belong to no colour, count in no share, "
        "and stay transparent in cut-outs. Semi-transparent pixels are clustered by their "
        "colour and keep their transparency in cut-outs.",
        icon=":material/opacity:",
    )
if edits.clean:
    st.info(
        f"Masks are cleaned: patches under {edits.clean} pixels joined the colour around "
        "them, so this is no longer the pure K-means result.",
        icon=":material/cleaning_services:",
    )

view = st.radio("View", VIEWS, key="view", horizontal=True, label_visibility="collapsed")
left, right = st.columns(2)
photo = views.original[..., :3]
if view == "Boundaries":
    left.image(
        kseg.boundary_overlay(photo, views.labels), caption="Cluster boundaries", width="stretch"
    )
elif view == "One colour":
    if st.session_state.get("highlight", 0) >= result.k:
        st.session_state.highlight = 0
    pick = left.selectbox(
        "Colour to show",
        range(result.k),
        format_func=lambda i: f"#{i + 1} {views.palette[i]['hex']}",
        key="highlight",
    )
    left.image(
        kseg.highlight(photo, views.labels, pick or 0),
        caption=f"Colour #{(pick or 0) + 1}",
        width="stretch",
    )
elif view == "Before / after":
    split = left.slider("Before ← → after", 0, 100, 50, key="split", format="%d%%")
    left.image(
        kseg.split_view(photo, views.segmented, split / 100),
        caption="Original on the left, segmented on the right",
        width="stretch",
    )
else:
    left.image(views.original, caption=f"Original · {name}", width="stretch")
right.image(views.segmented, caption=f"Segmented · {result.k} colours", width="stretch")

st.markdown(
    f'<p class="kseg-summary">{image.width} × {image.height} px · '
    f"<b>{result.k}</b> clusters found · objective (mean squared RGB error) "
    f"<b>{result.mse:.1f}</b> · {raw.timings['total']:.2f} s</p>",
    unsafe_allow_html=True,
)

st.subheader("Palette")
st.markdown(palette_html(views.palette, hidden), unsafe_allow_html=True)
raw_palette = kseg.palette_rows(raw)
m1, m2 = st.columns(2)
m1.multiselect(
    "Merge colours into one",
    range(raw.k),
    key="merge",
    placeholder="Pick two or more colours",
    format_func=lambda i: f"#{i + 1} {raw_palette[i]['hex']}",
    help="Pick two or more colours (numbered as K-means found them) to treat as one: "
    "palette, masks, cut-outs and downloads all follow.",
)
m2.multiselect(
    "Background (left out of cut-outs and the ZIP)",
    range(result.k),
    key="hide",
    placeholder="Pick colours to leave out",
    format_func=lambda i: f"#{i + 1} {views.palette[i]['hex']}",
    help="Colours marked as background get no cut-out; a combined cut-out of everything "
    "else is offered below.",
)
with st.expander("Colour distribution"):
    st.altair_chart(colour_chart(views.colours, views.palette), width="stretch")
    st.caption(
        "2,000 pixels drawn at random, placed by their colour on the photo's two main colour "
        "directions; the large dots are the cluster centres."
    )

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
            f"**#{i + 1}** {p['hex']} · {100 * p['share']:.1f}%"
            + (" · *background*" if i in hidden else ""),
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
        if i not in hidden:
            download(
                "Cut-out PNG",
                lambda i=i, r=result, im=image: kseg.encode_png(
                    kseg.cutout(im.rgb, r, i, im.alpha)
                ),
                f"{file_stem}_cutout.png",
                "image/png",
                f"cutout-{i}",
            )

st.subheader("Download everything")
c1, c2, c3, c4 = st.columns(4)
with c1:
    download(
        "Everything (ZIP)",
        lambda r=result, im=image, n=name, h=hidden: kseg.export_zip(
            im.rgb, r, alpha=im.alpha, source_name=n, hidden=h
        ),
        f"{stem}_kseg.zip",
        "application/zip",
        "zip",
    )
    if hidden:
        keep = [i for i in range(result.k) if i not in hidden]
        download(
            "Everything but background (cut-out)",
            lambda r=result, im=image, keep=keep: kseg.encode_png(
                kseg.cutout(im.rgb, r, keep, im.alpha)
            ),
            f"{stem}_foreground.png",
            "image/png",
            "foreground",
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
