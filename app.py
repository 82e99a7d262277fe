"""kseg: segment photos by colour with K-means, in the browser.

This is the app's entry: the page settings, the session, and the two pages
(``app_pages/``): "One photo" (its colours, palette, masks and downloads)
and "Many photos" (a series segmented with one palette, and a table of
shares).  The pages' pieces are in ``webapp/``; all image work is in ``kseg``.
"""

from __future__ import annotations

import streamlit as st

# The series' inputs: imported for their start-up work at the first page
# run, whichever page (the series photos' folder made, a dead server's removed).
from webapp.many_photos import widgets as series_widgets  # noqa: F401
from webapp.parts import markup
from webapp.server import memory
from webapp.session import state

st.set_page_config(
    page_title="kseg · colour segmentation",
    page_icon="🎨",
    layout="wide",
    menu_items={"About": markup.about_text(), "Get help": None, "Report a bug": None},
)
memory.freeze_startup_heap()  # once per process: garbage collection after each run stays short
state.start_session()
st.sidebar.caption(f"kseg {markup.kseg_version()} · MIT licence · photos stay on this server")
st.navigation(
    [
        st.Page("app_pages/one_photo.py", title="One photo", icon=":material/image:", default=True),
        st.Page(
            "app_pages/many_photos.py",
            title="Many photos",
            icon=":material/photo_library:",
            url_path="many",
        ),
    ]
).run()
