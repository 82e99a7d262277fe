"""The parts of the "Many photos" page below the sidebar, in page order."""

from __future__ import annotations

import dataclasses
import functools
import html

import streamlit as st

import kseg
from webapp.many_photos.downloads import (
    ZIP_CUTOUT_PIXELS,
    mask_file,
    region_counts,
    shares_file,
    zip_file,
)
from webapp.many_photos.photos import MAX_PHOTOS, Series, cached_series, series_key
from webapp.many_photos.widgets import KEPT
from webapp.parts import charts, markup
from webapp.parts.classes_box import classes_box
from webapp.parts.region import photo_roi_ui
from webapp.parts.widgets import download
from webapp.server.uploads import Upload
from webapp.session.jobs import queue_notice
from webapp.session.state import Edits, Settings, kept_background, settings_to_url


def given_palette_or_stop(
    wanted: bool, data: bytes | None, name: str | None
) -> kseg.Palette | None:
    """The uploaded palette file; a message and a stop if it is wanted but
    missing or unreadable; None to fit one."""
    if not wanted:
        return None
    if data is None:
        st.info("Choose a palette file (palette.json, .csv or .gpl from kseg) in the sidebar.")
        st.stop()
    try:
        return kseg.load_palette(data)
    except kseg.PaletteError as exc:
        st.error(f"**{html.escape(str(name))}** can't be used as a palette. {exc}")
        st.stop()


SPACES = {"rgb": "RGB", "lab": "CIELAB"}


def in_palette_space(settings: Settings, given: kseg.Palette | None) -> Settings:
    """The settings the palette file is applied with: in the colour space
    it was found in (said on the page where it is not the sidebar's), so it
    gives the numbers of the run that wrote it."""
    if given is None or given.color_space in (None, settings.space):
        return settings
    st.info(
        f"This palette was found in {SPACES[given.color_space]}, so it is applied in "
        f"{SPACES[given.color_space]} (the sidebar's colour space is "
        f"{SPACES.get(settings.space, settings.space)}): the shares are those of the run "
        "that wrote the file.",
        icon=":material/palette:",
    )
    return dataclasses.replace(settings, space=given.color_space)


def series_or_stop(
    uploads: list[Upload],
    settings: Settings,
    given: kseg.Palette | None,
    given_bytes: bytes | None,
) -> Series:
    """The series segmented, with a progress bar (photo i of n) while it runs."""
    if len(uploads) > MAX_PHOTOS:
        st.warning(
            f"{len(uploads)} photos were added; a series takes at most {MAX_PHOTOS}. "
            f"The first {MAX_PHOTOS} are used.",
            icon=":material/warning:",
        )
    photos = tuple(uploads[:MAX_PHOTOS])
    bar = st.empty()

    def progress(fraction: float, text: str) -> None:
        bar.progress(min(1.0, fraction), text=text)

    key = series_key(photos, settings, given_bytes)
    kept = st.session_state.get("series")
    if kept is not None and kept[0] == key:
        series = kept[1]  # a long series is too large for the shared page cache
    else:
        with queue_notice(), st.spinner("Finding one palette for all the photos…"):
            series = cached_series(photos, settings, given, given_bytes, progress)
        st.session_state["series"] = (key, series)  # previews and counts; no photo's bytes
    bar.empty()
    for name, why in series.failed:
        st.error(f"**{html.escape(name)}** can't be used. {why}", icon=":material/error:")
    if not series.photos:
        st.info("None of the photos could be used. Add other photos in the sidebar.")
        st.stop()
    if series.notice:
        st.info(series.notice, icon=":material/info:")
    return series


def palette(series: Series) -> frozenset[int]:
    """The shared palette, a line on what it is, and the colours marked as
    background (returned: they leave the denominator of the shares)."""
    how = "from your palette file" if series.given else "fitted on all the photos together"
    if series.given and st.session_state.get("series_palette") == KEPT:
        how = "kept from an earlier fit on this page"
    st.subheader(f"One palette of {len(series.palette)} colours, {how}")
    if series.given and series.settings.pins:
        st.caption(
            "The pinned colours are not used: the palette file gives every colour.",
        )
    k = len(series.palette)
    hidden = kept_background(k, "series_hide")
    st.html(markup.palette_html(series.palette, hidden, series.pinned))
    st.multiselect(
        "Background (left out of the shares of the rest)",
        range(k),
        key="series_hide",
        placeholder="Pick colours that are not what you measure (the sky, the table)",
        format_func=lambda i: f"#{i + 1} {series.palette[i]['name']}",
        max_selections=k - 1,
        help="Each other colour's share is then also given of the rest of the photo: "
        "the photo without the background.",
    )
    st.html(
        f'<p class="kseg-summary">{len(series.photos)} photos · {series.pixels:,} pixels · '
        f"objective over all of them (mean squared RGB error) <b>{series.mse:.1f}</b></p>"
    )
    return hidden


def classes(series: Series, given: kseg.Palette | None) -> kseg.Classes | None:
    """Named classes of the palette's colours, measured in the shares below
    (a palette file's own classes fill the box once, when it is empty)."""
    ss = st.session_state
    if given is not None and given.classes:
        text = given.classes.text()
        if ss.get("classes_of_palette") != text:
            ss.classes_of_palette = text
            ss.classes_text = ss.get("classes_text") or text
    with st.expander("Classes: name groups of colours to measure", key="series-classes-open"):
        st.caption(
            "The shares table and its CSV then give each class's share of the photo and of the "
            "included area; the classes travel in the link and in the palette file."
        )
        return classes_box(series.centers)


def shares(
    series: Series, hidden: frozenset[int] = frozenset(), named: kseg.Classes | None = None
) -> None:
    """Each colour's share per photo (and of the rest, without the
    background), and each class's with ``named``: a stacked bar chart, the
    table, its CSV."""
    st.subheader("Shares per photo")
    names = [v.upload.name for v in series.photos]
    fractions = [v.counts / max(1, int(v.counts.sum())) for v in series.photos]
    st.altair_chart(charts.shares_chart(names, fractions, series.palette), width="stretch")
    counts = [v.counts for v in series.photos]
    rows = kseg.shares_rows(names, counts, series.centers, sorted(hidden))
    regions = _region_counts_ui(series, named)
    measured = {"classes": named} if named else {}
    measured |= {"regions": regions} if regions is not None else {}
    if measured:
        rows = kseg.measured_rows(rows, counts, series.centers, **measured)
    columns = kseg.colour_columns(series.centers)
    table = []
    for r in rows:
        row: dict[str, object] = {"photo": r["photo"]}
        for j, p in enumerate(series.palette):
            row[f"#{j + 1} {p['name']} (%)"] = r[f"share_percent_{columns[j]}"]
        for j, p in enumerate(series.palette):
            if j not in hidden and hidden:
                row[f"#{j + 1} {p['name']} (% of rest)"] = r[f"share_of_rest_percent_{columns[j]}"]
        row |= _class_columns(r, named, series.centers)
        row |= {k.replace("regions_", "regions: "): v for k, v in r.items() if "regions_" in k}
        table.append({**row, "pixels": r["pixels"]})
    shown = {c: st.column_config.NumberColumn(format="%.1f") for c in table[0] if "(%" in c}
    st.dataframe(table, hide_index=True, width="stretch", key="shares-table", column_config=shown)
    data = shares_file(series, hidden, named, regions)
    download("Shares (CSV)", data, "shares.csv", "text/csv", key="dl-shares")


def _region_counts_ui(series: Series, named: kseg.Classes | None) -> list[dict] | None:
    """Each photo's regions per colour (or class), when asked for."""
    if not st.toggle(
        "Count each photo's separate regions",
        key="series-regions",
        help="Each photo's regions of each colour (or class, with classes), 8-connected, "
        "in the table and the CSV. Every photo is read again: about a quarter of a second "
        "for a 12 MP photo.",
    ):
        return None
    with queue_notice(), st.spinner("Counting each photo's regions…"):
        return region_counts(series, named)


def _class_columns(row: dict, named: kseg.Classes | None, centers) -> dict[str, object]:
    """A shares row's class columns as the page's table names them."""
    if not named:
        return {}
    names, _, excluded = named.groups(centers)
    out: dict[str, object] = {}
    for name, left_out in zip(names, excluded, strict=True):
        slug = kseg.class_slug(name)
        out[f"{name} (%)"] = row[f"class_percent_{slug}"]
        if not left_out:
            out[f"{name} (% of included)"] = row[f"class_of_included_percent_{slug}"]
    return out


def gallery(series: Series) -> None:
    """A row per photo: original, segmented, and its masks on demand."""
    st.subheader("Photos")
    for i, view in enumerate(series.photos):
        name = html.escape(view.upload.name)
        with st.container(border=True, key=f"series-photo-{i}"):
            st.markdown(f"**{i + 1}. {name}** · {view.width} × {view.height} px")
            left, right = st.columns(2)
            left.image(
                view.original,
                caption="Original",
                alt=f"Original photo, {view.upload.name}",
                width="stretch",
            )
            right.image(
                view.segmented,
                caption=f"With the shared palette · {len(series.palette)} colours",
                alt=f"{view.upload.name} segmented with the shared palette of "
                f"{len(series.palette)} colours",
                width="stretch",
            )
            for note in view.notices:
                st.caption(note)
            photo_roi_ui(view.upload.digest)
            if st.toggle("Masks of this photo", key=f"series-masks-{i}"):
                _masks(series, i)


def _masks(series: Series, i: int) -> None:
    view = series.photos[i]
    stem = kseg.safe_stem(view.upload.name)
    for j, row in enumerate(series.palette):
        if j % 4 == 0:  # rows of four: Tab reaches them in number order
            cols = st.columns(4)
        share = int(view.counts[j]) / max(1, int(view.counts.sum()))
        with cols[j % 4]:
            st.html(f"<p>{markup.card_title(j, {**row, 'share': share}, False)}</p>")
            download(
                f"Mask PNG · #{j + 1} {row['name']}",
                lambda s=series, v=view, j=j: mask_file(s, v, j),
                f"{stem}_{j + 1:02d}_{kseg.safe_stem(str(row['name']))}_mask.png",
                "image/png",
                key=f"dl-series-mask-{i}-{j}",
            )


def downloads(
    series: Series, hidden: frozenset[int] = frozenset(), named: kseg.Classes | None = None
) -> None:
    """The palette files (the JSON with the classes ``named``, so the file
    measures new photos the same way) and the ZIP of everything."""
    st.subheader("Download everything")
    totals, shown = series.totals(), sorted(hidden)
    zipped = functools.partial(zip_file, series, hidden)
    files = [
        ("ZIP of all photos", zipped, "kseg-series.zip", "application/zip"),
        (
            "Palette JSON",
            kseg.palette_json(totals, shown, named),
            "series-palette.json",
            "application/json",
        ),
        ("Palette CSV", kseg.palette_csv(totals, shown), "series-palette.csv", "text/csv"),
        (
            "Palette GPL",
            kseg.palette_gpl(totals, "series", shown),
            "series-palette.gpl",
            "text/plain",
        ),
    ]
    for column, (label, data, file_name, mime) in zip(st.columns(4), files, strict=True):
        with column:
            download(label, data, file_name, mime, key=f"dl-{file_name}")
    cutouts = sum(v.width * v.height for v in series.photos) <= ZIP_CUTOUT_PIXELS
    st.caption(
        "The ZIP has a folder per photo (segmented image, label map, masks"
        + (", cut-outs" if cutouts else "; no cut-outs for a series this large")
        + "), the palette, shares.csv and a manifest of the settings. "
        "Use the palette JSON later under “Use a palette file” to number new photos the same way. "
        "The link of this page carries the settings, never the photos."
    )
    settings_to_url(series.settings, None, Edits(), [])  # a shared link: same settings
