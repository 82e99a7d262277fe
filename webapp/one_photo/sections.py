"""The parts of the page below the sidebar, in the order the page shows them.

Download callables run later, on click, outside the script run: each binds
the result and image it belongs to as default arguments, never globals.
"""

from __future__ import annotations

import html

import streamlit as st

import kseg
from webapp.one_photo import paint_view, pointing
from webapp.one_photo.cutting import cutting_section
from webapp.one_photo.downloads import (
    cutout_file,
    mask_file,
    svg_file,
)
from webapp.one_photo.everything import everything
from webapp.one_photo.measuring import measure_section
from webapp.one_photo.pattern_view import stitch_pattern
from webapp.one_photo.recolouring import recolour_picker
from webapp.parts import charts, fold, markup
from webapp.parts.widgets import background_picker, download, drop_failed_upload, merge_picker
from webapp.session.compute import (
    Photo,
    k_curve,
    photo_digest,
    segment_photo,
)
from webapp.session.jobs import TooLarge, queue_notice
from webapp.session.state import (
    VIEWS,
    Settings,
    keep_merge_choices,
    kept_background,
    remember_photo,
    settings_to_url,
)


def photo_or_previous(
    name: str, data: bytes, sample: str | None, settings: Settings, clean: int
) -> Photo:
    """The photo segmented; a bad upload is dropped (the next run says why
    and shows the previous photo); for a photo too large for the server's
    memory, the largest size that fits, one click away."""
    merge = st.session_state.merge
    fit = _chosen_fit(data)
    with queue_notice(), st.spinner("Finding the colours…"):
        try:
            recolour = st.session_state.get("recolour", [])
            photo = segment_photo(name, data, sample, settings, merge, clean, fit, recolour)
            remember_photo(name, data, sample)
            return photo
        except TooLarge as exc:
            if sample is None and (exc.fit is None or exc.fit_size is None):
                drop_failed_upload(
                    name,
                    f"It is {exc.width:,} × {exc.height:,} pixels and needs about "
                    f"{markup.size_text(exc.need)}, more than this server can give one photo. "
                    "Please make it smaller before uploading it.",
                )
            _too_large(name, data, exc)  # the offer of a smaller size needs the bytes
            st.stop()
        except kseg.ImageError as exc:
            if sample is None:
                drop_failed_upload(name, str(exc))
            raise  # a bundled sample that can't be read is a fault of the install


def _chosen_fit(data: bytes) -> int | None:
    """The reduced pixel count the user chose for this upload, if any."""
    chosen = st.session_state.get("fit")
    if chosen and chosen[0] == photo_digest(data):
        return chosen[1]
    return None


def _too_large(name: str, data: bytes, exc: TooLarge) -> None:
    """Why the photo can't be used at this size, and the one-click offer."""
    st.warning(
        f"**{html.escape(name)}** is {exc.width:,} × {exc.height:,} pixels "
        f"({exc.width * exc.height / 1e6:.1f} MP). Working on it needs about "
        f"{markup.size_text(exc.need)}, more than this server can give one photo "
        f"({markup.size_text(exc.capacity)} of its {markup.size_text(exc.budget)} "
        "memory budget).",
        icon=":material/memory:",
    )
    if exc.fit is None or exc.fit_size is None:
        st.info("Please make the photo smaller before uploading it, or try it on a larger server.")
        return
    w, h = exc.fit_size
    st.info(f"The largest size that fits is **{w:,} × {h:,} pixels** ({w * h / 1e6:.1f} MP).")
    st.button(
        f"Use it at {w:,} × {h:,} pixels",
        key="use-fit",
        type="primary",
        icon=":material/photo_size_select_large:",
        on_click=lambda: st.session_state.update(fit=(photo_digest(data), exc.fit)),
    )


def k_curve_panel(photo: Photo) -> None:
    """The objective for k = 2 to 12, the suggested k and a button to use it."""
    with st.container(border=True, key="k-curve"):
        with queue_notice(), st.spinner("Trying k = 2 to 12…"):
            curve = k_curve(photo.ref.digest, photo.ref.source)
        st.subheader("Choosing k")
        st.altair_chart(charts.curve_chart(curve), width="stretch")
        if st.toggle("Show the numbers", key="curve-numbers"):
            st.dataframe(
                {"k": list(curve.ks), "mean squared RGB error": [round(e, 1) for e in curve.mse]},
                hide_index=True,
            )
        st.html(markup.reason_html(curve.reason))
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


def notices(photo: Photo) -> None:
    """What the user should know about this photo and result."""
    for note in photo.notices:
        st.info(note, icon=":material/info:")
    if photo.partly_transparent:
        st.info(
            "Fully transparent pixels are left out: they belong to no colour, count in no "
            "share, and stay transparent in cut-outs. Semi-transparent pixels are clustered "
            "by their colour and keep their transparency in cut-outs.",
            icon=":material/opacity:",
        )
    if photo.edits.clean:
        st.info(
            f"Masks are cleaned: patches under {photo.edits.clean} pixels joined the colour "
            "around them, so this is no longer the pure K-means result.",
            icon=":material/cleaning_services:",
        )


@st.fragment
def pictures(photo: Photo) -> None:
    """The chosen view of the photo on the left, the segmented photo on the
    right.  A fragment: choosing a view, a colour or a split reruns only this."""
    view = st.radio("View", VIEWS, key="view", horizontal=True, label_visibility="collapsed")
    # The link carries the view: written here too, as a new view reruns only this.
    hidden = [i for i in st.session_state.get("hide", []) if i < photo.views.k]
    settings_to_url(photo.settings, photo.sample, photo.edits, hidden)
    left, right = st.columns(2)
    click = None
    with left:
        if view == "Click a colour":
            click = pointing.clickable_photo(photo)
        else:
            _view(view, photo)
    right.image(
        photo.views.segmented,
        caption=f"Segmented · {photo.views.k} colours",
        alt=markup.segmented_alt(photo.views.palette),
        width="stretch",
        output_format="PNG",
    )
    if view == "Click a colour":
        pointing.answer(photo, click)


def _view(view: str, photo: Photo) -> None:
    views, k = photo.views, photo.views.k
    rgb, labels = views.previews.original[..., :3], views.previews.labels
    if view == "Boundaries":
        picture = kseg.boundary_overlay(rgb, labels)
        st.image(
            picture,
            caption="Cluster boundaries",
            alt=f"{photo.name} with the borders between its {k} colours drawn in white",
            width="stretch",
        )
    elif view == "One colour":
        if st.session_state.get("highlight", 0) >= k:
            st.session_state.highlight = 0
        pick = st.selectbox(
            "Colour to show",
            range(k),
            format_func=lambda i: f"#{i + 1} {views.palette[i]['name']}",
            key="highlight",
        )
        picture = kseg.highlight(rgb, labels, pick or 0)
        row = views.palette[pick or 0]
        st.image(
            picture,
            caption=f"Colour #{(pick or 0) + 1}",
            alt=f"{photo.name} with only #{(pick or 0) + 1} {row['name']} "
            f"({100 * row['share']:.0f} % of the photo) in full colour, the rest dimmed",
            width="stretch",
        )
    elif view == "Paint by number":
        paint_view.paint_by_number(photo)
    elif view == "Stitch pattern":
        stitch_pattern(photo)
    elif view == "Before / after":
        split = st.slider("Before ← → after", 0, 100, 50, key="split", format="%d%%")
        st.image(
            kseg.split_view(rgb, views.previews.segmented, split / 100),
            caption="Original on the left, segmented on the right",
            alt=f"{photo.name}: the original photo on the left {split} %, "
            f"segmented into {k} colours on the right",
            width="stretch",
        )
    else:
        data, fmt = views.original
        st.image(
            data,
            caption=f"Original · {photo.name}",
            alt=f"Original photo, {photo.name}",
            width="stretch",
            output_format=fmt,
        )


def summary(photo: Photo) -> None:
    """Size, clusters, objective and the engine's time, in one line."""
    views = photo.views
    html_line = markup.summary_html(photo.width, photo.height, views.k, views.mse, photo.seconds)
    st.html(html_line)


def details(photo: Photo) -> None:
    """The swatches, the merge and background choices, the masks and the
    downloads.  A fragment: marking colours as background reruns only this
    (a merge, the whole page).  In a new visitor's first run, only the
    swatches: the rest follows (``fold``)."""
    fold.fragment(_details)(photo)


def _details(photo: Photo) -> None:
    hidden = kept_background(photo.views.k)
    settings_to_url(photo.settings, photo.sample, photo.edits, sorted(hidden))
    if photo.sample is None:
        st.caption(
            "The page's link carries these settings, edits and view, not your photo: "
            "opened elsewhere it shows them on a sample photo and says so."
        )
    if photo.settings.pins and not photo.views.pinned:
        st.info(
            "Merging or cleaning recomputes every colour's mean: the pinned colours are no "
            "longer kept exactly."
        )
    views = photo.views
    st.html(markup.palette_html(views.palette, hidden, views.pinned))
    if fold.below_fold_waits():  # a new visitor's first run: the rest follows
        return
    with st.expander("Copy the colours"):
        st.caption("Every hex code with its name; the copy button is at the right.")
        st.code(markup.palette_text(views.palette), language=None)
    left, right = st.columns(2)
    with left:
        keep_merge_choices(len(photo.raw_palette))
        merge_picker(photo.raw_palette)  # a merge reruns the whole page
    with right:
        background_picker(photo.views.palette)
    recolour_picker(photo.views.palette, photo.settings.own)
    # Drawn only when asked: 2,000 points are 175 kB sent on every rerun.
    if st.toggle("Show the colour distribution", key="show_colours"):
        chart = charts.colour_chart(photo.views.colours, photo.views.palette)
        st.altair_chart(chart, width="stretch")
        if st.toggle("Show the numbers", key="colour-numbers"):
            st.dataframe(charts.colour_table(photo.views.colours), hide_index=True)
        st.caption(
            "2,000 pixels drawn at random, placed by their colour on the photo's two main "
            "colour directions; the large dots are the cluster centres."
        )
    _masks(photo, hidden)
    everything(photo, hidden)
    cutting_section(photo, hidden)
    measure_section(photo)


def _masks(photo: Photo, hidden: frozenset[int]) -> None:
    """A card per colour: its cut-out preview, mask and cut-out downloads
    (made at full size on click, from the photo's reference)."""
    ref, views = photo.ref, photo.views
    stem = kseg.safe_stem(photo.name)
    st.subheader("Masks")
    st.caption(
        "White = in the cluster. Cut-outs keep the photo's pixels, transparent elsewhere. "
        "Shapes are the colour's regions as SVG paths, exact to the pixel, for cutters "
        "and drawing programs."
    )
    for i, row in enumerate(views.palette):
        if i % 4 == 0:  # a row of four cards at a time: Tab reaches them in number order
            cols = st.columns(4)
        with cols[i % 4].container(border=True, key=f"card-{i}"):
            st.image(
                views.thumbs[i],
                alt=f"Mask of #{i + 1} {row['name']}, {100 * row['share']:.0f} % of the photo",
                width="stretch",
            )
            rest = markup.rest_shares(views.palette, hidden).get(i)
            st.html(f"<p>{markup.card_title(i, row, i in hidden, rest)}</p>")
            file_stem = f"{stem}_{views.stems[i]}"
            colour = f"#{i + 1} {row['name']}"
            download(
                f"Mask PNG · {colour}",
                lambda i=i: mask_file(ref, i),
                f"{file_stem}_mask.png",
                "image/png",
                f"mask-{i}",
            )
            download(
                f"Shapes SVG · {colour}",
                lambda i=i: svg_file(ref, i),
                f"{file_stem}_shapes.svg",
                "image/svg+xml",
                f"svg-{i}",
            )
            if i not in hidden:
                download(
                    f"Cut-out PNG · {colour}",
                    lambda i=i: cutout_file(ref, i),
                    f"{file_stem}_cutout.png",
                    "image/png",
                    f"cutout-{i}",
                )
