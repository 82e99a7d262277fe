"""What a user chose (settings, edits), the shareable URL, and what a session keeps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import streamlit as st

import kseg
from webapp.server import links


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
    pins: tuple[str, ...] = ()  # pinned colours, "rrggbb", at most k (and 8)
    own: tuple[str, ...] = ()  # the user's own colours, "rrggbb name": the best k of them
    roi: str = ""  # the region of interest in fractions (kseg.parse_roi); "" = all
    # A series' photos with a region of their own: (photo's SHA-256, region).
    rois: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Edits:
    """Changes to the K-means result the user asked for (also in the URL)."""

    merge: tuple[int, ...] = ()  # cluster indices merged into one
    clean: int = 0  # smallest speck kept, in pixels; 0 = masks as K-means made them
    recolour: tuple[str, ...] = ()  # "N:rrggbb": colour N (from 1) painted anew


#: The whole-number widgets' ranges (one source: the link rules).
LIMITS = {
    name: (rule.lo, rule.hi)
    for name, rule in links.SETTINGS_PARAMS.items()
    if isinstance(rule, links.IntRange)
}
DEFAULT = Settings()
CLEAN_LIMITS = (links.CLEAN.lo, links.CLEAN.hi)  # smallest speck kept when cleaning, in pixels
VIEWS = tuple(links.VIEWS.values())


#: Every widget value a session keeps, and its default.
FIRST = {
    **{k: v for k, v in vars(DEFAULT).items() if k not in ("pins", "own", "roi", "rois")},
    "pins": [],
    "own_text": "",
    "classes_text": "",
    # The sheet's and the cutter's choices, kept while their widgets are not
    # drawn (another view, a closed section): the ZIP of everything follows them.
    "paper": "A4",
    "min_region": "auto",
    "min_width_mm": kseg.MIN_WIDTH_MM,
    "number_mm": kseg.NUMBER_MM,
    "pbn-coverage": 0.0,
    "cutting-width": "",
    "cutting-form": "Stacked",
    "cutting-overlap": 0.0,
    "regions-width": 0.0,
    "roi_on": False,
    "ruler-on": False,
    "ruler-px": 0.0,
    "ruler-mm": 0.0,
    "roi-x": 0.0,
    "roi-y": 0.0,
    "roi-w": 100.0,
    "roi-h": 100.0,
    "roi-shape": "Rectangle",
    "roi-corners": "",
    "merge": [],
    "recolour": [],
    "hide": [],
    "clean_on": False,
    "clean": 64,
}


def start_session() -> None:
    """On a session's first run, set every widget from the URL (or its
    default).  On every run, each value is set again before its widget is
    drawn: Streamlit forgets a widget's value in a run that does not draw
    it (the other page), and a value set this way survives that."""
    if "started" not in st.session_state:
        st.session_state["started"] = True
        for key, value in {**FIRST, **settings_from_url()}.items():
            st.session_state[key] = value
        return
    for key, value in FIRST.items():
        st.session_state[key] = st.session_state.get(key, value)


def settings_from_url() -> dict[str, object]:
    """Widget values from the query string (webapp.server.links: bad or missing
    values are skipped, the rest of the link is honoured)."""
    return links.from_link(st.query_params.to_dict())


def settings_to_url(settings: Settings, sample: str | None, edits: Edits, hide: list[int]) -> None:
    """Write the settings, sample, edits and view into the URL (only what
    differs from the defaults), so a shared link shows the same result."""
    view = str(st.session_state.get("view", VIEWS[0]))
    params = links.to_link(
        vars(settings),
        vars(DEFAULT),
        sample,
        edits.merge,
        hide,
        edits.clean,
        view,
        edits.recolour,
        str(st.session_state.get("classes_text", "")),
    )
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def keep_merge_choices(k_raw: int) -> None:
    """Drop merge choices that name clusters the K-means result does not have
    (before the merge widget is drawn), and note the merge the page shows."""
    st.session_state.merge = [i for i in st.session_state.merge if i < k_raw]
    st.session_state.merge_shown = list(st.session_state.merge)


def carried_background(
    raw_counts: Sequence[int], before: Sequence[int], after: Sequence[int], hide: Sequence[int]
) -> list[int]:
    """The background (colours of the merged result) after the merge
    ``before`` became ``after`` (indices of the K-means result, whose
    clusters have ``raw_counts`` pixels): every colour whose pixels were all
    background before stays background, wherever the merge renumbered it; a
    colour merged with one that was not is no longer."""
    old = kseg.merged_numbers(np.asarray(raw_counts), [list(before)])
    new = kseg.merged_numbers(np.asarray(raw_counts), [list(after)])
    hidden = set(hide)
    return [j for j in range(int(new.max()) + 1) if set(old[new == j].tolist()) <= hidden]


def merge_changed(raw_counts: Sequence[int]) -> None:
    """The merge picker's callback: the background follows the colours it
    named (not their numbers, which the merge changes), then the whole page
    runs again (also from inside a fragment)."""
    ss = st.session_state
    before = ss.get("merge_shown", [])
    if not ss.get("clean_on") and ss.hide:  # cleaning renumbers by its own shares
        ss.hide = carried_background(raw_counts, before, ss.merge, ss.hide)
    ss.recolour = []  # a merge makes new colours: recolouring starts afresh
    ss.merge_shown = list(ss.merge)
    st.rerun()


def kept_background(k: int, key: str = "hide") -> frozenset[int]:
    """Drop background choices (session state ``key``) that name clusters
    this result does not have, keeping one colour in the foreground;
    returns the background (before the background widget is drawn)."""
    kept = [i for i in st.session_state.get(key, []) if i < k]
    st.session_state[key] = kept[: k - 1]  # something must stay in the foreground
    return frozenset(st.session_state[key])


def remember_photo(name: str, data: bytes, sample: str | None) -> None:
    """Keep the session's last usable photo, to fall back on after a bad upload
    (a sample by name; an upload's bytes, at most one per session)."""
    st.session_state["last_good"] = (name, None if sample else data, sample)


def previous_photo() -> tuple[str, bytes | None, str | None] | None:
    """The photo :func:`remember_photo` kept: (name, upload bytes or None
    for a sample, sample name or None), or None if there is none."""
    return st.session_state.get("last_good")
