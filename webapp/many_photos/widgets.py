"""The inputs of the "Many photos" page: the series' photos (kept on the
server's disk, see webapp.server.spool) and where its palette comes from."""

from __future__ import annotations

import functools
import html

import streamlit as st
from streamlit import runtime
from streamlit.runtime.scriptrunner import get_script_run_ctx

import kseg
from webapp.parts.widgets import UPLOAD_TYPES, session_alive, upload_refusals
from webapp.server.budget import MB
from webapp.server.spool import Spool, SpoolFull
from webapp.server.uploads import Upload
from webapp.session.compute import sample_bytes
from webapp.session.jobs import on_janitor

#: Series photos on the server's disk (see webapp.server.spool).
SPOOL = Spool.from_env()


def _sweep() -> None:
    """Let go of the photos of sessions that ended."""
    if runtime.exists():
        SPOOL.sweep(session_alive)


on_janitor(_sweep)


def series_source_ui(max_photos: int) -> tuple[list[Upload], bool]:
    """The photos of a series: those uploaded (kept on the server's disk,
    listed under the uploader, which is emptied once they are read), or the
    bundled samples.  Returns (the photos, whether they are the samples)."""
    ctx = get_script_run_ctx()
    session_id = ctx.session_id if ctx is not None else "local"
    round_ = st.session_state.get("series_round", 0)
    files = st.file_uploader(
        f"Upload photos (up to {max_photos})",
        type=UPLOAD_TYPES,
        accept_multiple_files=True,
        key=f"series_upload_{round_}",
        help="Select several photos at once, or add more later. Each may be up to 50 MB and "
        f"{kseg.DEFAULT_MAX_PIXELS // 1_000_000} megapixels. Photos are never put in a link.",
    )
    if files:
        st.session_state["series_refused"] = _spool_files(files, session_id, max_photos)
        st.session_state["series_round"] = round_ + 1  # a new, empty uploader
        st.rerun()
    upload_refusals()  # after the rerun above, or its message would be gone with it
    for name, why in st.session_state.pop("series_refused", []):
        st.error(f"**{html.escape(name)}** can't be used. {why}", icon=":material/error:")
    held = SPOOL.photos(session_id)
    if held:
        _held_photos_ui(held, session_id)
        return held, False
    st.caption("Until you upload photos, the bundled sample photos are shown.")
    return list(_sample_uploads()), True


@functools.cache
def _sample_uploads() -> tuple[Upload, ...]:
    """The bundled samples as a series, hashed once per server."""
    return tuple(Upload.of(kseg.SAMPLES[s][0], sample_bytes(s)) for s in kseg.SAMPLES)


def _spool_files(files: list, session_id: str, max_photos: int) -> list[tuple[str, str]]:
    """Read each uploaded file once: an image goes to the spool, anything
    else is refused; either way its bytes leave the server's memory at once.
    Returns the refused files' (name, why)."""
    ctx = get_script_run_ctx()
    refused = []
    for file in files:
        data = file.getvalue()
        try:
            if len(SPOOL.photos(session_id)) >= max_photos:
                why = f"A series takes at most {max_photos} photos; remove some first."
                refused.append((file.name, why))
                continue
            kseg.image_size(data)  # the header: not an image is refused now
            SPOOL.add(session_id, file.name, data)
        except kseg.ImageError as exc:
            refused.append((file.name, str(exc)))
        except SpoolFull as exc:
            where = "for all its visitors" if exc.whole_server else "per visitor"
            refused.append(
                (
                    file.name,
                    f"This server keeps at most {exc.cap / MB:.0f} MB of photos {where}, and "
                    "that is taken just now: remove some photos, or use the `kseg` command "
                    "for large series.",
                )
            )
        finally:
            del data
            if ctx is not None:
                ctx.uploaded_file_mgr.remove_file(session_id, file.file_id)
    return refused


def _held_photos_ui(held: list[Upload], session_id: str) -> None:
    """The photos the server keeps for this visitor, and ways to let go."""
    total = sum(u.nbytes for u in held)
    with st.expander(f"Your photos: {len(held)} ({total / MB:.1f} MB, kept until you leave)"):
        st.markdown("\n".join(f"1. {html.escape(u.name)} · {u.nbytes / MB:.1f} MB" for u in held))
        gone = st.multiselect(
            "Remove photos",
            options=[u.digest for u in held],
            format_func={u.digest: u.name for u in held}.get,
            key="series_remove_choice",
        )
        left, right = st.columns(2)
        if left.button("Remove these", key="series_remove", disabled=not gone):
            for digest in gone:
                SPOOL.remove(session_id, digest)
            st.session_state.pop("series_remove_choice", None)
            st.rerun()
        if right.button("Remove all photos", key="series_remove_all"):
            SPOOL.remove(session_id)
            st.rerun()


#: The palette choice that applies the palette kept on this page.
KEPT = "Keep the palette fitted here"


def palette_source_ui() -> tuple[bool, bytes | None, str | None]:
    """Fit a palette on the photos, or use a palette file.  Returns whether
    a file is wanted, and the file's bytes and name once chosen."""
    kept = st.session_state.get("kept_palette")
    choices = ("Fit one on all the photos", "Use a palette file")
    choices += (KEPT,) if kept is not None else ()
    choice = st.sidebar.radio(
        "Palette",
        choices,
        key="series_palette",
        help="A palette file from kseg (palette.json, .csv or .gpl) labels every photo "
        "with its colours, without fitting: the same numbers as the series it came from. "
        "A kept palette does the same with the palette fitted on this page.",
    )
    if choice == KEPT and kept is not None:
        return True, kept, "the kept palette"
    if choice == "Use a palette file":
        file = st.sidebar.file_uploader(
            "Palette file", type=["json", "csv", "gpl", "txt"], key="palette_file"
        )
        if file is not None:
            return True, file.getvalue(), file.name
        return True, None, None
    return False, None, None
