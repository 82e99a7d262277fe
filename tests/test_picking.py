"""The best N of a list of colours (kseg.pick_colours): always colours of
the list, labelled as apply_palette labels, and as good as an exhaustive
search on small lists."""

from __future__ import annotations

import itertools
import json

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kseg
from kseg.engine.applying import search_centres
from kseg.engine.histogram import features
from kseg.engine.picking import greedy, local_search

cases = st.tuples(
    st.integers(0, 10_000),  # seed
    st.integers(3, 12),  # list length
    st.integers(1, 4),  # n
    st.sampled_from(["rgb", "lab"]),
)


def photo_and_list(seed: int, length: int) -> tuple[np.ndarray, np.ndarray]:
    """A small photo of a few blurred colour patches with noise, and a list
    of colours some near them."""
    rng = np.random.default_rng(seed)
    base = rng.integers(0, 256, (4, 3))
    patches = base[rng.integers(0, 4, (6, 8))].repeat(5, 0).repeat(5, 1)
    rgb = np.clip(patches + rng.normal(0, 18, patches.shape), 0, 255).astype(np.uint8)
    near = np.clip(base[rng.integers(0, 4, length)] + rng.integers(-40, 41, (length, 3)), 0, 255)
    far = rng.integers(0, 256, (length, 3))
    colours = np.where(rng.random((length, 1)) < 0.5, near, far).astype(np.uint8)
    return rgb, colours


@settings(max_examples=40, deadline=None)
@given(cases)
def test_the_chosen_colours_come_from_the_list_and_label_as_apply_palette_does(case):
    seed, length, n, space = case
    rgb, colours = photo_and_list(seed, length)
    n = min(n, len(np.unique(colours, axis=0)))
    result = kseg.pick_colours(rgb, colours, n, color_space=space)
    picked = result.settings["picked"]
    assert len(picked) == n == result.k and picked == sorted(set(picked))
    assert np.array_equal(result.centers, colours[picked])  # the list's own colours, its order
    again = kseg.apply_palette(rgb, colours[picked], color_space=space)
    assert np.array_equal(result.labels, again.labels) and result.mse == again.mse


def space_cost(rgb: np.ndarray, colours: np.ndarray, space: str) -> float:
    """The objective the search minimises: pixels' squared distance to the
    nearest of ``colours``, in ``space`` (RGB, or CIELAB)."""
    hist = kseg.color_histogram(rgb)
    pts = features(hist.colors, space).astype(np.float64)
    cands = search_centres(colours.astype(np.float64), space)
    d = ((pts[:, None, :] - cands[None]) ** 2).sum(axis=2).min(axis=1)
    return float((hist.counts * d).sum())


@settings(max_examples=40, deadline=None)
@given(cases)
def test_small_lists_get_the_best_set_of_all(case):
    seed, length, n, space = case
    rgb, colours = photo_and_list(seed, length)
    distinct = np.unique(colours, axis=0)
    n = min(n, len(distinct))
    best = min(
        space_cost(rgb, distinct[list(c)], space)
        for c in itertools.combinations(range(len(distinct)), n)
    )
    picked = kseg.pick_colours(rgb, colours, n, color_space=space).centers
    assert space_cost(rgb, picked, space) <= best * (1 + 1e-6)  # the best set (exhaustive)
    if space == "rgb":  # the same objective as the result's
        assert kseg.pick_colours(rgb, colours, n).mse * rgb.shape[0] * rgb.shape[1] == (
            pytest.approx(space_cost(rgb, picked, space))
        )


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 10_000), st.integers(2, 9), st.integers(1, 4))
def test_no_single_swap_lowers_what_the_search_settles_on(seed, length, n):
    rgb, colours = photo_and_list(seed, length)
    hist = kseg.color_histogram(rgb)
    pts = features(hist.colors, "rgb")
    cands = colours.astype(np.float64)
    w = hist.counts.astype(np.float64)
    n = min(n, length)

    def cost(chosen) -> float:
        d = ((pts[:, None, :].astype(np.float64) - cands[list(chosen)][None]) ** 2).sum(axis=2)
        return float((w * d.min(axis=1)).sum())

    start = greedy(pts, w, cands, n)
    chosen, total = local_search(pts, w, cands, start)
    assert len(set(chosen.tolist())) == n
    assert total == pytest.approx(cost(chosen)) and total <= cost(start) + 1e-6
    for i in range(n):
        for u in set(range(length)) - set(chosen.tolist()):
            swapped = chosen.copy()
            swapped[i] = u
            assert cost(swapped) >= total - 1e-6 * max(1.0, total)


def test_the_whole_list_is_apply_palette_with_repeats_counted_once(coffee_rgb):
    colours = np.array([[200, 30, 40], [20, 20, 20], [200, 30, 40], [240, 240, 230]], np.uint8)
    result = kseg.pick_colours(coffee_rgb, colours, 3)
    assert result.settings["picked"] == [0, 1, 3]
    want = kseg.apply_palette(coffee_rgb, colours[[0, 1, 3]])
    assert np.array_equal(result.labels, want.labels) and result.mse == want.mse
    with pytest.raises(ValueError, match="n must be from 1 to 3, got 4"):
        kseg.pick_colours(coffee_rgb, colours, 4)


def test_own_names_follow_the_chosen_colours_into_the_palette_and_the_layers(coffee_rgb):
    colours = np.array([[227, 38, 54], [0, 0, 0], [255, 255, 255], [120, 80, 40]], np.uint8)
    names = ["Cadmium red", "Mars black", "Titanium white", "Burnt umber"]
    result = kseg.pick_colours(coffee_rgb, colours, 2, names=names)
    own = [names[i] for i in result.settings["picked"]]
    assert list(result.names) == own
    assert [r["name"] for r in kseg.palette_rows(result)] == own
    assert f"#1 {own[0]}" in kseg.layers_svg(result)
    # A merge makes new colours (their pixels' means): they are named in words.
    merged = kseg.merge_clusters(result, [[0, 1]])
    assert (
        merged.names == ()
        and kseg.palette_rows(merged)[0]["name"] == kseg.color_names(merged.centers)[0]
    )


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"n": 0}, ValueError, "n must be from 1 to 2, got 0"),
        ({"n": 1, "names": ["one"]}, ValueError, "names must be one string per colour"),
        ({"n": 1, "color_space": "hsv"}, ValueError, "color_space must be one of"),
        ({"n": "2"}, TypeError, "n must be an integer"),
    ],
)
def test_bad_arguments_raise_with_the_value_and_range(coffee_rgb, kwargs, error, match):
    colours = np.array([[0, 0, 0], [255, 255, 255]], np.uint8)
    with pytest.raises(error, match=match):
        kseg.pick_colours(coffee_rgb, colours, **kwargs)


def test_cleaning_makes_new_centres_that_keep_no_name_pin_or_labelling_centre(coffee_rgb):
    colours = np.array([[227, 38, 54], [0, 0, 0], [255, 255, 255], [120, 80, 40]], np.uint8)
    result = kseg.pick_colours(coffee_rgb, colours, 3, names=["a", "b", "c", "d"])
    cleaned = kseg.clean_segmentation(coffee_rgb, result, 50)
    assert not np.array_equal(cleaned.labels, result.labels)
    assert cleaned.names == () and cleaned.label_centers is None and cleaned.pinned == ()
    # Its palette file labels the photo with its own (cleaned) centres, in their number.
    rows = kseg.palette_file_rows(cleaned)
    assert len(rows) == cleaned.k


def test_the_command_picks_the_best_of_a_file_of_own_colours_per_photo(tmp_path, coffee_rgb):
    from PIL import Image

    from kseg.cli import main

    photo = tmp_path / "coffee.png"
    Image.fromarray(coffee_rgb).save(photo)
    box = tmp_path / "paints.txt"
    box.write_text(
        "#E32636 Cadmium red\n#FFFFFF Titanium white\n#000000 Mars black\n"
        "#8A3324 Burnt umber\n#F0DC82 Buff\n#2A52BE Cerulean\n"
    )
    out = tmp_path / "out"
    assert main([str(photo), "--colours", str(box), "--pick", "3", "-q", "--out", str(out)]) == 0
    palette = json.loads((out / "coffee" / "palette.json").read_text())["palette"]
    want = kseg.pick_colours(
        coffee_rgb,
        kseg.load_palette(box).colors,
        3,
        names=["Cadmium red", "Titanium white", "Mars black", "Burnt umber", "Buff", "Cerulean"],
    )
    assert [r["name"] for r in palette] == list(want.names)
    assert [r["hex"] for r in palette] == [r["hex"] for r in kseg.palette_rows(want)]
    ase = kseg.load_palette((out / "coffee" / "palette.ase").read_bytes())
    assert ase.names == want.names


def test_the_command_says_what_is_wrong_with_a_pick(tmp_path, capsys):
    from kseg.cli import main

    box = tmp_path / "paints.txt"
    box.write_text("#E32636 Cadmium red\n#FFFFFF Titanium white\n")
    photo = str(kseg.sample_path("coffee"))
    with pytest.raises(SystemExit) as stop:
        main([photo, "--colours", str(box), "--pick", "3"])
    assert stop.value.code == 2 and "--pick 3: the file has 2 different colours" in (
        capsys.readouterr().err
    )
    with pytest.raises(SystemExit):
        main([photo, "--pick", "2"])
    assert "needs --colours" in capsys.readouterr().err
