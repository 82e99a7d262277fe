"""Recolouring (kseg.recolour): the same pixels painted with new colours;
only the chosen colours change, the objective is measured to the new ones,
and the layers, sheet and files follow."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import kseg


@pytest.fixture(scope="module")
def coffee():
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    return rgb, kseg.segment(rgb, 5, seed=0)


def brute_mse(rgb: np.ndarray, labels: np.ndarray, centres: np.ndarray) -> float:
    inside = labels >= 0
    d = rgb[inside].astype(np.float64) - centres[labels[inside]]
    return float((d * d).sum(axis=1).mean())


@settings(max_examples=25, deadline=None)
@given(st.dictionaries(st.integers(0, 4), st.tuples(*[st.integers(0, 255)] * 3), max_size=5))
def test_only_the_chosen_colours_change_and_the_objective_is_to_the_new_ones(coffee, changes):
    rgb, result = coffee
    new = kseg.recolour(rgb, result, changes)
    assert np.array_equal(new.labels, result.labels) and np.array_equal(new.counts, result.counts)
    for i in range(result.k):
        want = changes.get(i, tuple(result.centers[i]))
        assert tuple(new.centers[i]) == tuple(want)
    assert new.mse == pytest.approx(brute_mse(rgb, new.labels, new.centers_float), rel=1e-12)
    painted = kseg.segmented_image(new)
    for i in range(result.k):
        assert (painted[result.labels == i] == new.centers[i]).all()


def test_recolouring_nothing_keeps_the_objective_and_new_names_follow_the_colours(coffee):
    rgb, result = coffee
    same = kseg.recolour(rgb, result, {})
    assert same.mse == pytest.approx(result.mse, rel=1e-12)  # the same sum, by another route
    assert np.array_equal(same.centers_float, result.centers_float)
    new = kseg.recolour(rgb, result, {1: "#00ff00"}, names={1: "Phthalo green"})
    rows = kseg.palette_rows(new)
    assert rows[1]["hex"] == "#00ff00" and rows[1]["name"] == "Phthalo green"
    assert rows[0]["name"] == kseg.palette_rows(result)[0]["name"]
    assert 'fill="#00ff00"' in kseg.layers_svg(new)
    assert new.settings["recolour"] == {"2": "#00ff00"}
    sheet = kseg.paint_by_number(rgb, new)
    assert "2 · Phthalo green" in sheet.svg


@pytest.mark.parametrize(
    ("changes", "error", "match"),
    [
        ({5: "#ffffff"}, ValueError, "cluster must be from 0 to 4, got 5"),
        ({0: "#fffff"}, ValueError, "a new colour must be '#rrggbb'"),
        ({0: (0, 0, 256)}, ValueError, "a new colour must be"),
        ({0: (0.5, 0, 0)}, ValueError, "a new colour must be"),
    ],
)
def test_bad_recolouring_names_what_is_wrong(coffee, changes, error, match):
    rgb, result = coffee
    with pytest.raises(error, match=match):
        kseg.recolour(rgb, result, changes)


def test_the_sums_come_in_bands_and_equal_the_whole_photos(coffee):
    from kseg.engine.editing import cluster_sums

    rgb, result = coffee
    big = np.tile(rgb, (3, 1, 1))  # more rows than one band
    labels = np.tile(result.labels, (3, 1))
    count, norms, sums = cluster_sums(big, labels, result.k)
    for j in range(result.k):
        px = big[labels == j].astype(np.int64)
        assert count[j] == len(px) and norms[j] == (px * px).sum()
        assert (sums[j] == px.sum(axis=0)).all()


def test_the_command_recolours_every_file(coffee, tmp_path, capsys):
    import json

    from PIL import Image

    from kseg.cli import main

    rgb, result = coffee
    photo = tmp_path / "coffee.png"
    Image.fromarray(rgb).save(photo)
    out = tmp_path / "out"
    argv = [str(photo), "-k", "5", "--recolour", "2=#00FF00", "--recolour", "5=#0000ff"]
    assert main([*argv, "--svg", "-q", "--out", str(out)]) == 0
    rows = json.loads((out / "coffee" / "palette.json").read_text())["palette"]
    assert [r["hex"] for r in rows][1] == "#00ff00" and rows[4]["hex"] == "#0000ff"
    assert 'fill="#00ff00"' in (out / "coffee" / "layers.svg").read_text()
    painted = np.asarray(Image.open(out / "coffee" / "segmented.png").convert("RGB"))
    assert (painted[result.labels == 1] == (0, 255, 0)).all()
    assert main([str(photo), "-k", "3", "--recolour", "4=#ffffff", "-q", "--out", str(out)]) == 1
    assert "--recolour names a colour above its 3" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main([str(photo), "--recolour", "two=#ffffff"])
    assert "must be N=#RRGGBB" in capsys.readouterr().err


def test_the_page_recolours_a_colour_everywhere_and_carries_it_in_the_link():
    import re

    from tests.test_app import _app

    at = _app({"k": "4"})
    at.session_state["recolour-open"] = True
    at.run()
    at.selectbox(key="recolour-which").set_value(1).run()
    at.color_picker(key="recolour-picker").set_value("#00ff00").run()
    at.button(key="recolour-apply").click().run()
    assert not at.exception
    palette = next(m.value for m in at.html if "kseg-palette" in m.value)
    hexes = re.findall(r'user-select:all">(#[0-9a-f]{6})</span>', palette)
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    result = kseg.segment(rgb, 4, seed=0)
    want = kseg.recolour(rgb, result, {1: "#00ff00"})
    assert hexes == [r["hex"] for r in kseg.palette_rows(want)] and hexes[1] == "#00ff00"
    link = at.query_params["recolour"]
    assert (link[0] if isinstance(link, list) else link) == "2:00ff00"
    again = _app({"k": "4", "recolour": "2:00ff00,9:ffffff,x:00"})  # bad items dropped
    assert next(m.value for m in again.html if "kseg-palette" in m.value) == palette
    at.button(key="recolour-undo").click().run()
    palette = next(m.value for m in at.html if "kseg-palette" in m.value)
    assert "#00ff00" not in palette and "recolour" not in at.query_params
