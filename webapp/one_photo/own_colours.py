"""My colours: the paints, threads or bricks a person owns, pasted (one a
line, ``#E32636 Cadmium red``) or read from a palette file (.gpl, CSV,
JSON, Adobe .ase); the photo is then painted with the best k of them
(:func:`kseg.pick_colours`), each colour keeping its name."""

from __future__ import annotations

import dataclasses

import streamlit as st

import kseg
from webapp.server.links import OWN
from webapp.session.state import Settings

#: Largest palette file read (kseg's palette reader refuses larger ones).
MAX_FILE_BYTES = 1_000_000
#: What the text box shows when empty.
EXAMPLE = "#E32636 Cadmium red\n#FFFFFF Titanium white\n#1B1B1B Mars black"


def own_colours_ui(settings: Settings) -> Settings:
    """The "My colours" box in the sidebar; ``settings`` with the colours
    it holds (``own``, and no pins: the colours are already fixed), or as
    they are when it is empty or cannot be read (said beside it)."""
    with st.sidebar.expander("My colours", key="own-open", on_change="rerun") as box:
        if box.open:  # drawn only when open
            _own_widgets()
    text = str(st.session_state.get("own_text", ""))
    if not text.strip():
        return settings
    try:
        palette = kseg.load_palette(text.encode())
    except kseg.PaletteError as exc:
        st.sidebar.error(f"My colours: {exc} The page uses K-means colours meanwhile.")
        return settings
    own = tuple(OWN.parse(OWN.write(_lines(palette))) or ())
    distinct = len({item[:6] for item in own})
    k = min(settings.k, distinct)
    st.sidebar.caption(
        f"Painting with the best {k} of your {distinct} colours"
        + (f" (k is at most {distinct})." if settings.k > distinct else ".")
        + (" Pinned colours are not used with your own." if settings.pins else "")
    )
    return dataclasses.replace(settings, k=k, own=own, pins=())


def _lines(palette: kseg.Palette) -> list[str]:
    names = palette.names or ("",) * len(palette.colors)
    return [
        " ".join(["{:02x}{:02x}{:02x}".format(*c), name]).strip()
        for c, name in zip(palette.colors.tolist(), names, strict=True)
    ]


def _own_widgets() -> None:
    st.caption(
        "The colours you own (paints, threads, bricks): the photo is painted with the "
        "best k of them, each keeping its name. One a line, a name after the code."
    )
    st.text_area("Your colours", key="own_text", placeholder=EXAMPLE, height=140)
    st.file_uploader(
        "Or a palette file",
        type=["gpl", "csv", "json", "ase", "txt"],
        key="own_file",
        on_change=_file_to_text,
        help="GIMP .gpl, CSV or JSON with hex (and name) columns, Adobe .ase, or a text "
        "of hex codes.",
    )
    if error := st.session_state.get("own_file_error"):
        st.error(error)


def _file_to_text() -> None:
    """A chosen palette file replaces the text box's colours (or says why not)."""
    file = st.session_state.get("own_file")
    if file is None:
        return
    try:
        palette = kseg.load_palette(file.getvalue()[: MAX_FILE_BYTES + 1])
    except kseg.PaletteError as exc:
        st.session_state["own_file_error"] = f"{file.name}: {exc}"
        return
    st.session_state.pop("own_file_error", None)
    st.session_state["own_text"] = "\n".join(f"#{line}" for line in _lines(palette))
