"""Stable numbers for a series: when the photos change, a fitted palette is
fitted again and every colour's number and share can move; the page says
so, and "Keep this palette" keeps the palette as it is, applied (not
fitted again) to photos added later."""

from __future__ import annotations

import streamlit as st

import kseg
from webapp.many_photos.photos import Series
from webapp.many_photos.widgets import KEPT


def keep_palette(series: Series, named: kseg.Classes | None = None) -> None:
    """Say when the palette was fitted again on other photos, and offer to
    keep it (with the classes ``named``) for photos added later."""
    ss = st.session_state
    if series.given:
        return
    photos = tuple(v.upload.digest for v in series.photos)
    before = ss.get("fitted_on")
    ss.fitted_on = (photos, series.settings)
    if before is not None and before[1] == series.settings and before[0] != photos:
        st.warning(
            f"The palette was fitted again on these {len(photos)} photos (it was fitted on "
            f"{len(before[0])} before): colour numbers and shares have moved, for every photo. "
            "Keep a palette to measure photos added later with the same colours.",
            icon=":material/published_with_changes:",
        )
    st.button(
        "Keep this palette for photos added later",
        key="keep-palette",
        icon=":material/lock:",
        on_click=_keep,
        args=(kseg.palette_json(series.totals(), (), named),),
        help="Photos added or removed later are labelled with these colours, not fitted "
        "again, so each colour keeps its number. Choose 'Fit one' in the sidebar to fit anew.",
    )


def _keep(palette: bytes) -> None:
    st.session_state.kept_palette = palette
    st.session_state.series_palette = KEPT
