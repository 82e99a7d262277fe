"""One photo: its colours, palette, masks and downloads.

The page, top to bottom: the photo chooser, the settings (sidebar), the original
and segmented images, a summary line, the palette, one card per cluster with
its downloads, and the downloads of everything.
"""

from __future__ import annotations

import streamlit as st

from webapp.one_photo import own_colours, sections
from webapp.parts import fold, widgets

fold.page_starts()  # a new visitor's first run leaves what is below the fold to the next
st.title("Colour segmentation")
st.caption(
    "Split a photo into its main colours (K-means clustering) and download one mask per colour."
)

# The photo at the top (reachable on a phone); the settings and mask cleaning in the sidebar.
name, data, sample = widgets.source_ui()
settings = own_colours.own_colours_ui(widgets.settings_ui())  # the best k of your own colours
clean = widgets.clean_ui()

photo = sections.photo_or_previous(name, data, sample, settings, clean)
if st.session_state.get("show_curve"):
    sections.k_curve_panel(photo)
sections.notices(photo)
sections.pictures(photo)  # a fragment: views rerun only it
sections.summary(photo)
st.subheader("Palette")
sections.details(photo)  # a fragment: swatches, merge, background, masks, downloads, the URL
