"""My colours on the page: the photo painted with the best k of the
colours a person owns, their names on the swatches and in the files, and
the colours carried in the link (AppTest)."""

from __future__ import annotations

import json

import numpy as np

import kseg
from tests.test_app import _app, _swatches
from tests.test_app import downloads as downloads  # the fixture

PAINTS = (
    "#E32636 Cadmium red\n#FFFFFF Titanium white\n#1B1B1B Mars black\n"
    "#8A3324 Burnt umber\n#F0DC82 Buff\n#2A52BE Cerulean\n#C19A6B Camel\n"
)


def _palette(at) -> str:
    return next(m.value for m in at.html if "kseg-palette" in m.value)


def _open_with(text: str, k: int = 5):
    at = _app({"k": str(k)})
    at.session_state["own-open"] = True
    at.run()
    at.text_area(key="own_text").input(text).run()
    assert not at.exception
    return at


def test_the_photo_is_painted_with_the_best_k_of_ones_own_colours_named_as_given(downloads):
    at = _open_with(PAINTS, k=4)
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    own = kseg.load_palette(PAINTS.encode())
    want = kseg.pick_colours(rgb, own.colors, 4, names=list(own.names))
    palette = _palette(at)
    assert _swatches(at) == 4
    for name, row in zip(want.names, kseg.palette_rows(want), strict=True):
        assert name in palette and row["hex"] in palette
    assert any("best 4 of your 7 colours" in c.value for c in at.caption)
    files = json.loads(downloads("_palette.json"))["palette"]
    assert [r["name"] for r in files] == list(want.names)
    # The link carries the colours with their names; opened elsewhere, the same palette.
    link = at.query_params["own"]
    link = link[0] if isinstance(link, list) else link
    assert link.splitlines()[0] == "#e32636 Cadmium red"
    again = _app({"k": "4", "own": link})
    assert _palette(again) == palette


def test_k_above_the_number_of_own_colours_uses_them_all_and_says_so():
    at = _open_with("#ff0000 red paint\n#0000ff blue paint\n#ffffff", k=5)
    assert _swatches(at) == 3
    assert any("k is at most 3" in c.value for c in at.caption)
    assert "red paint" in _palette(at) and "white" in _palette(at)


def test_colours_that_cannot_be_read_are_said_and_the_page_keeps_its_k_means_colours():
    at = _open_with("#ff0000 red\nnot a colour")
    assert any("My colours" in e.value for e in at.error)
    assert _swatches(at) == 5 and "own" not in at.query_params
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    hexes = [r["hex"] for r in kseg.palette_rows(kseg.segment(rgb, 5, seed=0))]
    assert all(h in _palette(at) for h in hexes)


def test_a_bad_link_of_own_colours_is_dropped_and_the_rest_honoured():
    at = _app({"k": "3", "own": "#zzzzzz nonsense"})
    assert not at.exception and _swatches(at) == 3 and not at.error
    assert np.array_equal([at.session_state["own_text"]], [""])


def test_the_palette_copies_with_its_hashes_and_downloads_for_designers_tools(downloads):
    at = _open_with(PAINTS, k=3)
    palette = _palette(at)
    # One click selects a hex code whole, with its "#".
    assert palette.count('<span class="kseg-hex" style="user-select:all">#') == 3
    text = next(c.value for c in at.code)
    assert kseg.load_palette(text.encode()).names == tuple(
        r.split(" ", 1)[1] for r in text.splitlines()
    )
    assert text.splitlines()[0].startswith("#") and len(text.splitlines()) == 3
    ase = kseg.load_palette(downloads("_palette.ase"))
    hexes = ["#{:02x}{:02x}{:02x}".format(*c) for c in ase.colors.tolist()]
    assert hexes == [line.split()[0] for line in text.splitlines()]
    assert downloads("_palette.css").decode().count("--kseg-") == 3
    assert downloads("_palette.png")[:8] == b"\x89PNG\r\n\x1a\n"
