"""A shared link is input from a stranger: every value is parsed by one rule,
clamped to its widget's domain, or dropped; the page never breaks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from streamlit.testing.v1 import AppTest

import kseg
from webapp.server import links
from webapp.session.state import DEFAULT, Settings

APP = str(Path(__file__).resolve().parents[1] / "app.py")

# The values that broke the page before (str.isdigit accepts superscripts).
BROKE_THE_PAGE = [
    {"merge": "²"},
    {"hide": "1²"},
    {"clean": "¹,²"},
    {"clean": "²"},
    {"k": "٣"},  # Arabic-Indic three: int() takes it, the rule does not
    {"k": "1_0"},  # int() reads 10
    {"scale": "1e-1"},
    {"eps": "nan"},
    {"seed": "-5"},
]


def _in_domain(name: str, value: object) -> bool:
    if name in links.SETTINGS_PARAMS:
        rule = links.SETTINGS_PARAMS[name]
        if isinstance(rule, links.Choice):
            return value in rule.names
        if isinstance(rule, links.IntRange):
            return type(value) is int and rule.lo <= value <= rule.hi
        on_grid = abs((value - rule.lo) / rule.step - round((value - rule.lo) / rule.step)) < 1e-6
        return type(value) is float and rule.lo <= value <= rule.hi and on_grid
    if name == "sample":
        return value in kseg.SAMPLES
    if name in ("merge", "hide"):
        in_range = all(0 <= i < links.CLUSTERS.hi for i in value)
        return bool(value) and value == sorted(set(value)) and in_range
    if name == "clean":
        return type(value) is int and links.CLEAN.lo <= value <= links.CLEAN.hi
    if name == "pins":
        hexes = all(len(h) == 6 and all(c in "0123456789abcdef" for c in h) for h in value)
        return 1 <= len(value) <= 8 and len(set(value)) == len(value) and hexes
    if name == "view":
        return value in links.VIEWS.values()
    if name == "own_text":  # the text box's lines, read again as they were written
        return isinstance(value, str) and links.OWN.write(links.OWN.parse(value) or []) == value
    if name == "recolour":
        numbers = [int(item.split(":")[0]) for item in value]
        codes = all(len(item.split(":")[1]) == 6 for item in value)
        return codes and numbers == sorted(set(numbers)) and 1 <= min(numbers) <= max(numbers) <= 32
    return name in ("clean_on", "link_from_upload") and value is True


@pytest.mark.parametrize("query", BROKE_THE_PAGE)
def test_values_that_int_refuses_or_reads_oddly_are_dropped(query):
    assert links.from_link(query) == {}


def test_a_bad_value_drops_only_itself_and_the_rest_of_the_link_is_honoured():
    got = links.from_link({"k": "7", "merge": "²", "hide": "1,x,3", "scale": "0.5", "eps": "∞"})
    assert got == {"k": 7, "hide": [0, 2], "scale": 0.5}
    assert links.from_link({"merge": "1,²,3"}) == {"merge": [0, 2]}


def test_values_are_clamped_to_the_widgets_and_snapped_to_their_steps():
    got = links.from_link({"k": "999", "attempts": "0", "scale": "0.33", "clean": "1"})
    assert got == {"k": 32, "attempts": 1, "scale": 0.35, "clean_on": True, "clean": 2}
    assert links.from_link({"merge": "0,1,33,2,2"}) == {"merge": [0, 1]}


names = st.sampled_from(links.PARAMS)
texts = st.one_of(
    st.text(),  # all of Unicode
    st.text(alphabet="0123456789,.-+e²¹٣_ ", max_size=30),  # near misses
    st.text(min_size=300, max_size=2000),
    st.sampled_from(["nan", "inf", "-0", "1e309", "0x10", "<b>5</b>", "\x00", "\u202e7"]),
)


@given(st.dictionaries(names, texts, max_size=len(links.PARAMS)))
@settings(max_examples=400, deadline=None)
@example({"merge": "²", "hide": "1²", "clean": "¹,²"})
def test_any_link_gives_values_inside_every_widgets_domain(query):
    for name, value in links.from_link(query).items():
        assert _in_domain(name, value), (name, value)


valid_settings = st.builds(
    Settings,
    k=st.integers(2, 32),
    attempts=st.integers(1, 20),
    scale=st.integers(0, 18).map(lambda i: round(0.1 + 0.05 * i, 2)),
    init=st.sampled_from(kseg.INITS),
    space=st.sampled_from(kseg.COLOR_SPACES),
    iters=st.integers(1, 1000),
    eps=st.integers(0, 1000).map(lambda i: round(i / 100, 2)),
    seed=st.integers(0, 999_999),
    pins=st.lists(st.integers(0, 0xFFFFFF).map(lambda v: f"{v:06x}"), unique=True, max_size=8).map(
        tuple
    ),
    # As the page keeps them: every colour named (a name left out is filled
    # in words when the text is read), or none.
    own=st.one_of(
        st.lists(
            st.tuples(
                st.integers(0, 0xFFFFFF).map(lambda v: f"{v:06x}"),
                st.lists(
                    st.text("abcdefghijklmnopqrstuvwxyzé", min_size=1, max_size=8),
                    min_size=1,
                    max_size=3,
                ),
            ).map(lambda t: " ".join([t[0], *t[1]])),
            max_size=12,
        ),
        st.lists(st.integers(0, 0xFFFFFF).map(lambda v: f"{v:06x}"), max_size=12),
    ).map(tuple),
)
recolours = st.dictionaries(st.integers(1, 32), st.integers(0, 0xFFFFFF)).map(
    lambda d: [f"{n}:{v:06x}" for n, v in sorted(d.items())]
)
clusters = st.lists(st.integers(0, 15), unique=True).map(sorted)


@given(
    valid_settings,
    st.none() | st.sampled_from(list(kseg.SAMPLES)),
    clusters,
    clusters,
    st.just(0) | st.integers(2, 100_000),
    st.sampled_from(list(links.VIEWS.values())),
    recolours,
)
@settings(max_examples=300, deadline=None)
def test_settings_to_link_and_back_is_the_identity(
    chosen, sample, merge, hide, clean, view, recolour
):
    link = links.to_link(vars(chosen), vars(DEFAULT), sample, merge, hide, clean, view, recolour)
    assert all(isinstance(v, str) and (v.isascii() or k == "own") for k, v in link.items())
    back = links.from_link(link)
    expect = {
        k: v
        for k, v in vars(chosen).items()
        if getattr(DEFAULT, k) != v and k not in ("pins", "own")
    }
    expect |= {"pins": list(chosen.pins)} if chosen.pins else {}
    expect |= {"own_text": links.OWN.write(chosen.own)} if chosen.own else {}
    expect |= {"recolour": recolour} if recolour else {}
    expect |= {"sample": sample} if sample else {"link_from_upload": True}
    expect |= {"view": view} if view != "Side by side" else {}
    expect |= {name: v for name, v in (("merge", merge), ("hide", hide)) if v}
    expect |= {"clean_on": True, "clean": clean} if clean else {}
    assert back == expect


def _page(query: dict[str, str]) -> AppTest:
    at = AppTest.from_file(APP, default_timeout=60)
    for name, value in query.items():
        at.query_params[name] = value
    return at.run()


@pytest.mark.parametrize("query", BROKE_THE_PAGE)
def test_links_that_broke_the_page_now_show_a_result(query):
    at = _page(query)
    assert not at.exception
    assert any("kseg-summary" in m.value for m in at.html)


@given(st.dictionaries(names, texts, max_size=4))
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_the_page_shows_a_result_for_any_link(query):
    at = _page(query)
    assert not at.exception, (query, at.exception)
    summary = next(m.value for m in at.html if "kseg-summary" in m.value)
    k = links.from_link(query).get("k", DEFAULT.k)
    found = int(re.search(r"<b>(\d+)</b> clusters found", summary).group(1))
    assert 1 <= found <= k  # merges and photos with few colours give fewer


def test_pinned_colours_in_a_link_are_read_once_each_in_order_and_at_most_eight():
    got = links.from_link({"pin": "FF0000,zz,#2a7f3e,ff0000,12345"})
    assert got == {"pins": ["ff0000", "2a7f3e"]}
    many = ",".join(f"{i:06x}" for i in range(12))
    assert links.from_link({"pin": many})["pins"] == [f"{i:06x}" for i in range(8)]
    assert links.from_link({"pin": "red"}) == {}


def test_a_link_carries_the_view_and_opens_on_it():
    at = _page({})
    at.radio(key="view").set_value("Boundaries").run()
    assert not at.exception
    assert at.query_params["view"] in ("boundaries", ["boundaries"])
    again = _page({"view": "boundaries", "k": "4"})
    assert not again.exception and again.radio(key="view").value == "Boundaries"


def test_a_link_made_after_an_upload_says_what_it_carries_on_both_pages():
    at = _page({})
    data = kseg.sample_path("rocket").read_bytes()
    at.file_uploader(key="upload_0").upload("mine.jpg", data, "image/jpeg").run()
    assert not at.exception
    assert at.query_params["photo"] in ("yours", ["yours"]) and "sample" not in at.query_params
    assert any("not your photo" in c.value for c in at.caption)
    # Opened elsewhere: the sample with the settings, and a word on why.
    opened = _page({k: v[0] if isinstance(v, list) else v for k, v in at.query_params.items()})
    assert not opened.exception
    assert any("made on a photo someone uploaded" in i.value for i in opened.info)
    opened.file_uploader(key="upload_0").upload("mine.jpg", data, "image/jpeg").run()
    assert not any("made on a photo someone uploaded" in i.value for i in opened.info)
