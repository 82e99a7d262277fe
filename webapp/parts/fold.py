"""The first screen first: what is below the fold follows a moment later.

A new visitor's first run of the "One photo" page draws the page down to the
palette's swatches (what a 1400 x 1000 window shows) and, where the rest
will be, a short note.  The part of the page that holds the swatches is a
fragment, and in that first run only it is given a timer (``st.fragment``'s
``run_every``): a moment after the browser has the first run, it asks for a
run of that fragment alone, which draws the merge and background choices,
the masks and the downloads, and stops the timer.  The browser then draws
about 20 elements before the first view is complete instead of about 55:
the mask cards and download buttons are two thirds of the page's elements,
and their drawing, not the server, was what a new visitor waited for.

The follow-up is a fragment run, never a full one: a full run that starts
clears the messages waiting for the browser (Streamlit 1.67 keeps only the
script's lifecycle messages), and the answer to an upload the visitor has
just started would be lost with them; a fragment run keeps everything but
its own fragment's elements.

Any later run draws the whole page; so does the first run to reach the fold
when an earlier run stopped above it (a photo too large for the server,
then the offer of a smaller size).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import streamlit as st
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

#: Seconds from the browser's receipt of the first run to its follow-up
#: run: the first screen is drawn by then on a 2-core machine (after half a
#: second, the follow-up was often drawn with it, and the first view later).
FOLLOW_AFTER = 1.0

#: Session state key: "first" in the session's first run of the page,
#: "waiting" from its fold to the follow-up run, "drawn" in every later run.
STATE = "below_fold"


def page_starts() -> None:
    """Call at the top of the page: marks the session's first run of it."""
    st.session_state[STATE] = "first" if STATE not in st.session_state else "drawn"


def fragment(func: Callable[..., Any]) -> Callable[..., Any]:
    """``func`` as a fragment; in the session's first run of the page, with
    the timer that asks for the follow-up run of it."""
    first = st.session_state.get(STATE) == "first"
    return st.fragment(func, run_every=FOLLOW_AFTER if first else None)


def below_fold_waits() -> bool:
    """Whether this run leaves out what is below the fold (the session's
    first run of the page only); if so, draws the note in its place.  Call
    it where the part below the fold begins, inside the function given to
    :func:`fragment`, and draw nothing more when it returns True."""
    state = st.session_state.get(STATE)
    if state == "first":
        with st.container(key="below-fold"):
            st.caption("The masks and downloads follow in a moment…")
        st.session_state[STATE] = "waiting"
        return True
    if state == "waiting":  # the follow-up run
        st.session_state[STATE] = "drawn"
        _stop_timer()
    return False


def _stop_timer() -> None:
    """Tell the browser to stop the timer of the fragment running now.

    Streamlit stops a fragment's timer when a full run starts or when the
    fragment's parent reruns without it; a fragment that asks for its own
    follow-up once has no public way to stop asking, so this sends the
    message Streamlit itself sends in the second case (``stop_auto_rerun``).
    """
    ctx = get_script_run_ctx()
    if ctx is None or not ctx.fragment_ids_this_run:
        return
    msg = ForwardMsg()
    msg.stop_auto_rerun.fragment_ids.extend(ctx.fragment_ids_this_run)
    ctx.enqueue(msg)
