"""Colour names a person would use (kseg.base.naming), and where they appear."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kseg
from kseg.base import naming
from tests.conftest import quadrants


@pytest.mark.parametrize(
    ("rgb", "name"),
    [
        ((255, 255, 255), "white"),
        ((0, 0, 0), "black"),
        ((0xAC, 0xC2, 0xD9), "cloudy blue"),  # XKCD survey entries, exactly
        ((0x56, 0xAE, 0x57), "dark pastel green"),
        ((0xB2, 0x99, 0x6E), "dust"),
        ((0x03, 0x43, 0xDF), "blue"),
    ],
)
def test_known_colours_get_their_survey_name(rgb, name):
    assert kseg.color_name(rgb) == name


@pytest.mark.parametrize(
    ("rgb", "word"),
    [
        ((128, 128, 128), "grey"),
        ((255, 0, 0), "red"),
        ((0, 255, 0), "green"),
        ((0, 0, 255), "blue"),
    ],
)
def test_a_mid_grey_and_the_primaries_are_named_with_their_colour_word(rgb, word):
    assert word in kseg.color_name(rgb).split()


@settings(max_examples=200, deadline=None)
@given(st.tuples(*[st.integers(0, 255)] * 3))
def test_every_colour_gets_a_polite_name_and_the_same_one_every_time(rgb):
    name = kseg.color_name(rgb)
    assert name and name == kseg.color_name(rgb)
    assert naming._UNUSED_WORDS.isdisjoint(name.split())


def test_a_colour_far_from_every_survey_name_gets_a_lightness_and_a_colour_word(monkeypatch):
    monkeypatch.setattr(naming, "FAR", 0.0)  # nothing counts as near
    assert kseg.color_names(np.array([[20, 40, 120], [250, 250, 250], [200, 30, 30]])) == [
        "dark blue",
        "white",
        "red",
    ]
    assert kseg.basic_name((170, 200, 120)) == "light green"
    assert kseg.basic_name((139, 69, 19)) == "brown"


def test_rude_survey_names_are_never_used():
    puke = (0xA5, 0xA5, 0x02)  # "puke" in the survey
    assert kseg.color_name(puke) != "puke"
    assert all(naming._UNUSED_WORDS.isdisjoint(n.split()) for n in naming._survey()[0])
    assert kseg.color_name((0x1B, 0x24, 0x31)) != "dark"  # a name that says no colour


@pytest.mark.parametrize("bad", [(1, 2), (0, 0, 256), (-1, 0, 0), (np.nan, 0, 0)])
def test_a_bad_colour_is_refused_naming_the_range(bad):
    with pytest.raises(ValueError, match="three values from 0 to 255"):
        kseg.color_name(bad)


def test_names_reach_the_palette_files_and_the_file_names():
    img = quadrants(40)
    result = kseg.segment(img, 4, seed=0)
    rows = kseg.palette_rows(result)
    names = [kseg.color_name(c) for c in result.centers]
    assert [r["name"] for r in rows] == names
    gpl = kseg.palette_gpl(result).decode()
    for i, name in enumerate(names):
        assert f"{i + 1} {name} #" in gpl
        assert kseg.cluster_file_stem(result, i).startswith(
            f"cluster_{i + 1:02d}_{name.replace(' ', '-')}_"
        )
    # Two clusters with one name are told apart by their number.
    twin = kseg.apply_palette(img, np.array([[200, 30, 30], [201, 30, 30]], np.uint8))
    stems = [kseg.cluster_file_stem(twin, i) for i in range(2)]
    assert stems[0] != stems[1] and stems[0][11:].split("_")[0] == stems[1][11:].split("_")[0]


@pytest.mark.parametrize(
    ("rgb", "name"),
    [
        ((238, 238, 237), "light grey"),  # the survey's nearest: "very light pink"
        ((255, 255, 255), "white"),
        ((128, 128, 128), "grey"),
        ((64, 64, 64), "dark grey"),
        ((0, 0, 0), "black"),
        ((200, 201, 203), "light grey"),
    ],
)
def test_near_greys_are_named_grey_white_or_black(rgb, name):
    assert kseg.color_name(rgb) == name


def test_every_neutral_grey_gets_a_grey_white_or_black_name():
    greys = np.repeat(np.arange(256)[:, None], 3, axis=1)
    for n in kseg.color_names(greys):
        assert n in {"white", "light grey", "grey", "dark grey", "very dark grey", "black"}, n
