"""What a user chose (settings, edits), the shareable URL, and what a session keeps."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import dataclass

import numpy as np
import streamlit as st

import kseg


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


@dataclass(frozen=True)
class Edits:
    """Changes to the K-means result the user asked for (also in the URL)."""

    merge: tuple[int, ...] = ()  # cluster indices merged into one
    clean: int = 0  # smallest speck kept, in pixels; 0 = masks as K-means made them


LIMITS = {"k": (2, 16), "attempts": (1, 20), "iters": (1, 1000), "seed": (0, 999_999)}
DEFAULT = Settings()
CLEAN_LIMITS = (2, 100_000)  # smallest speck kept when cleaning masks, in pixels
VIEWS = ("Side by side", "Boundaries", "One colour", "Before / after")


def start_session() -> None:
    """On a session's first run, set every widget from the URL (or its default)."""
    if "k" in st.session_state:
        return
    first = {**vars(DEFAULT), "merge": [], "hide": [], "clean_on": False, "clean": 64}
    for key, value in {**first, **settings_from_url()}.items():
        st.session_state[key] = value


def settings_from_url() -> dict[str, object]:
    """Widget values from the query string; bad or missing values are skipped."""
    q = st.query_params
    out: dict[str, object] = {}
    for name, (lo, hi) in LIMITS.items():
        if name in q:
            with suppress(ValueError):
                out[name] = min(hi, max(lo, int(q[name])))
    for name, lo, hi in (("scale", 0.1, 1.0), ("eps", 0.0, 10.0)):
        if name in q:
            try:
                value = float(q[name])
            except ValueError:
                continue
            if np.isfinite(value):
                out[name] = round(min(hi, max(lo, value)), 2)
    if q.get("init") in kseg.INITS:
        out["init"] = q["init"]
    if q.get("space") in kseg.COLOR_SPACES:
        out["space"] = q["space"]
    if q.get("sample") in kseg.SAMPLES:
        out["sample"] = q["sample"]
    for name in ("merge", "hide"):  # cluster numbers as the page shows them, from 1
        if name in q:
            numbers = [int(p) for p in q[name].split(",") if p.strip().isdigit()]
            out[name] = sorted({n - 1 for n in numbers if 1 <= n <= LIMITS["k"][1]})
    if q.get("clean", "").isdigit():
        out["clean_on"] = True
        out["clean"] = min(CLEAN_LIMITS[1], max(CLEAN_LIMITS[0], int(q["clean"])))
    return out


def settings_to_url(settings: Settings, sample: str | None, edits: Edits, hide: list[int]) -> None:
    """Write the settings, sample and edits into the URL (only what differs
    from the defaults), so a shared link shows the same result."""
    params = {k: str(v) for k, v in vars(settings).items() if getattr(DEFAULT, k) != v}
    if sample:
        params["sample"] = sample
    for name, values in (("merge", edits.merge), ("hide", hide)):
        if values:
            params[name] = ",".join(str(i + 1) for i in values)
    if edits.clean:
        params["clean"] = str(edits.clean)
    if dict(st.query_params) != params:
        st.query_params.from_dict(params)


def keep_merge_choices(k_raw: int) -> None:
    """Drop merge choices that name clusters the K-means result does not have
    (before the merge widget is drawn)."""
    st.session_state.merge = [i for i in st.session_state.merge if i < k_raw]


def kept_background(k: int) -> frozenset[int]:
    """Drop background choices that name clusters this result does not have,
    keeping one colour in the foreground; returns the background (before the
    background widget is drawn)."""
    st.session_state.hide = [i for i in st.session_state.hide if i < k]
    if len(st.session_state.hide) == k:  # something must stay in the foreground
        st.session_state.hide = st.session_state.hide[:-1]
    return frozenset(st.session_state.hide)


def remember_photo(name: str, data: bytes, sample: str | None) -> None:
    """Keep the session's last usable photo, to fall back on after a bad upload
    (a sample by name; an upload's bytes, at most one per session)."""
    st.session_state["last_good"] = (name, None if sample else data, sample)


def previous_photo() -> tuple[str, bytes | None, str | None] | None:
    """The photo :func:`remember_photo` kept: (name, upload bytes or None
    for a sample, sample name or None), or None if there is none."""
    return st.session_state.get("last_good")
