"""Many photos, one palette: a series segmented with the same colours, and
a table of each colour's share per photo.

The page, top to bottom: the photos, the palette choice and the settings
(sidebar), the shared palette, the classes to measure, the shares (chart,
table, CSV), a row per
photo with its masks on demand, and the downloads of everything.
"""

from __future__ import annotations

import streamlit as st

from webapp.many_photos import keeping, sections
from webapp.many_photos import widgets as series_widgets
from webapp.many_photos.photos import MAX_PHOTOS
from webapp.parts import region, widgets

st.title("Many photos, one palette")
st.caption(
    "One palette is fitted on all the photos together, so colour #3 is the same colour in "
    "every photo and the shares can be compared across the series."
)

photos, _samples = series_widgets.series_source_ui(MAX_PHOTOS)
wanted, palette_bytes, palette_name = series_widgets.palette_source_ui()
settings = widgets.settings_ui(suggest=False)
settings = region.with_photo_regions(settings, photos)  # a photo's own region, where set

given = sections.given_palette_or_stop(wanted, palette_bytes, palette_name)
settings = sections.in_palette_space(settings, given)
series = sections.series_or_stop(photos, settings, given, palette_bytes)
background = sections.palette(series)
named = sections.classes(series, given)
keeping.keep_palette(series, named)
sections.shares(series, background, named)
sections.gallery(series)
sections.downloads(series, background, named)
