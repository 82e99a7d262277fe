"""Merging, cleaning, views, the k curve and hidden clusters in exports."""

from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from PIL import Image

import kseg
from kseg.base.opencv import cv2
from tests.conftest import quadrants


def _brute_mse(rgb: np.ndarray, result: kseg.Segmentation) -> float:
    inside = result.labels >= 0
    diff = rgb[inside].astype(float) - result.centers_float[result.labels[inside]]
    return float((diff**2).sum(axis=1).mean())


def _check_partition(result: kseg.Segmentation) -> None:
    labels = result.labels
    assert labels.max() == result.k - 1
    assert np.array_equal(np.bincount(labels[labels >= 0], minlength=result.k), result.counts)
    assert result.shares.sum() == pytest.approx(1.0)
    assert np.all(np.diff(result.counts) <= 0)  # numbered by share
    masks = np.stack([kseg.cluster_mask(result, i) for i in range(result.k)])
    assert np.array_equal(masks.sum(axis=0), (labels >= 0).astype(int))


# -- merge ------------------------------------------------------------------


def test_merging_two_clusters_joins_their_pixels_and_keeps_the_mse_exact(coffee_rgb):
    r = kseg.segment(coffee_rgb, 5, seed=0)
    m = kseg.merge_clusters(r, [[1, 3]])
    assert m.k == 4
    joined = (r.labels == 1) | (r.labels == 3)
    new_label = int(m.labels[joined][0])
    assert np.array_equal(m.labels == new_label, joined)
    assert m.counts[new_label] == r.counts[1] + r.counts[3]
    assert m.mse == pytest.approx(_brute_mse(coffee_rgb, m), rel=1e-9)
    assert m.mse > r.mse
    assert m.settings["merged"] == [[1, 3]]
    _check_partition(m)


def test_merging_every_cluster_leaves_one_cluster_with_the_image_mean(coffee_rgb):
    r = kseg.segment(coffee_rgb, 4, seed=0)
    m = kseg.merge_clusters(r, [range(4)])
    assert m.k == 1
    assert np.allclose(m.centers_float[0], coffee_rgb.reshape(-1, 3).mean(axis=0))


def test_merge_groups_of_one_change_nothing(coffee_rgb):
    r = kseg.segment(coffee_rgb, 3, seed=0)
    assert kseg.merge_clusters(r, [[2]]) is r


@pytest.mark.parametrize(
    ("groups", "match"),
    [([[0, 7]], "cluster index 7 is out of range: valid indices are 0 to 2"),
     ([[0, 1], [1, 2]], "cluster 1 is in more than one merge group")],
)  # fmt: skip
def test_bad_merge_groups_are_refused(coffee_rgb, groups, match):
    r = kseg.segment(coffee_rgb, 3, seed=0)
    with pytest.raises(ValueError, match=match):
        kseg.merge_clusters(r, groups)


# -- clean ------------------------------------------------------------------


def _specked() -> np.ndarray:
    img = quadrants(40, noise=2)
    img[5, 5] = img[5, 6] = (30, 200, 30)  # a 2-pixel green speck in the red quadrant
    img[30, 30] = (200, 30, 30)  # a red pixel in the yellow one
    return img


def test_cleaning_removes_specks_smaller_than_the_limit():
    rgb = _specked()
    r = kseg.segment(rgb, 4, seed=0)
    red, green = r.labels[0, 0], r.labels[0, 39]
    assert r.labels[5, 5] == green
    c = kseg.clean_segmentation(rgb, r, 3)
    assert c.labels[5, 5] == c.labels[0, 0] and c.labels[5, 6] == c.labels[0, 0]
    assert c.labels[30, 30] == c.labels[39, 39]
    # Every quadrant is one cluster now.
    for ys, xs in ((slice(0, 20), slice(0, 20)), (slice(20, 40), slice(20, 40))):
        assert np.unique(c.labels[ys, xs]).size == 1
    assert c.counts.sum() == r.counts.sum()
    assert c.mse == pytest.approx(_brute_mse(rgb, c), rel=1e-9)
    assert c.settings["clean_min_size"] == 3
    assert red != green
    _check_partition(c)


def test_cleaning_keeps_patches_at_or_above_the_limit():
    rgb = _specked()
    r = kseg.segment(rgb, 4, seed=0)
    c = kseg.clean_segmentation(rgb, r, 2)  # the 2-pixel speck stays, the 1-pixel one goes
    assert c.labels[5, 5] == c.labels[0, 39]
    assert c.labels[30, 30] == c.labels[39, 39]
    assert np.array_equal(kseg.clean_segmentation(rgb, r, 1).labels, r.labels)


def test_cleaning_leaves_masked_pixels_out():
    rgb = _specked()
    mask = np.ones(rgb.shape[:2], bool)
    mask[:, :3] = False
    r = kseg.segment(rgb, 4, seed=0, mask=mask)
    c = kseg.clean_segmentation(rgb, r, 5)
    assert np.array_equal(c.labels < 0, ~mask)
    _check_partition(c)


def test_bad_clean_arguments_are_refused(coffee_rgb):
    r = kseg.segment(coffee_rgb, 3, seed=0)
    with pytest.raises(ValueError, match="min_size must be from 1 to 1000000, got 0"):
        kseg.clean_segmentation(coffee_rgb, r, 0)
    with pytest.raises(TypeError, match="min_size must be an integer"):
        kseg.clean_segmentation(coffee_rgb, r, 2.5)
    with pytest.raises(ValueError, match="labels have"):
        kseg.clean_segmentation(coffee_rgb[:10], r, 4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    rgb=arrays(np.uint8, st.tuples(st.integers(2, 24), st.integers(2, 24), st.just(3))),
    k=st.integers(2, 6),
    min_size=st.integers(1, 30),
    merge=st.lists(st.integers(0, 5), max_size=4),
)
def test_every_pixel_lies_in_exactly_one_mask_after_merge_and_clean(rgb, k, min_size, merge):
    r = kseg.segment(rgb, k, attempts=2, seed=1)
    m = kseg.merge_clusters(r, [[i for i in merge if i < r.k]])
    c = kseg.clean_segmentation(rgb, m, min_size)
    for result in (m, c):
        _check_partition(result)
        assert result.mse == pytest.approx(_brute_mse(rgb, result), rel=1e-6, abs=1e-6)


# -- views ------------------------------------------------------------------


def test_boundary_overlay_draws_lines_exactly_where_clusters_meet():
    rgb = quadrants(20, noise=0)
    r = kseg.segment(rgb, 4, seed=0)
    out = kseg.boundary_overlay(rgb, r.labels, (255, 0, 255))
    line = np.all(out == (255, 0, 255), axis=2)
    expected = np.zeros((20, 20), bool)
    expected[:, 10] = expected[10, :] = True
    assert np.array_equal(line, expected)


def test_highlight_keeps_one_cluster_and_fades_the_rest():
    rgb = quadrants(20, noise=0)
    r = kseg.segment(rgb, 4, seed=0)
    out = kseg.highlight(rgb, r.labels, 0)
    inside = r.labels == 0
    assert np.array_equal(out[inside], rgb[inside])
    assert np.all(np.any(out[~inside] != rgb[~inside], axis=1))


def test_split_view_puts_before_left_and_after_right():
    a = np.zeros((4, 10, 3), np.uint8)
    b = np.full((4, 10, 3), 100, np.uint8)
    out = kseg.split_view(a, b, 0.5)
    assert (out[:, :4] == 0).all() and (out[:, 6:] == 100).all()
    assert (out[:, 4:6] == 255).all()
    with pytest.raises(ValueError, match="fraction must be from 0 to 1, got 2"):
        kseg.split_view(a, b, 2)


def test_preview_labels_keep_cluster_values():
    r = kseg.segment(quadrants(40, noise=0), 4, seed=0)
    small = kseg.preview_labels(r, (10, 10))
    assert small.shape == (10, 10)
    assert set(np.unique(small).tolist()) == {0, 1, 2, 3}


def test_color_sample_projects_pixels_and_centres_the_same_way(coffee_rgb):
    r = kseg.segment(coffee_rgb, 4, seed=0)
    s = kseg.color_sample(coffee_rgb, r, 500, seed=3)
    assert s.rgb.shape == (500, 3) and s.xy.shape == (500, 2) and s.centres_xy.shape == (4, 2)
    assert np.allclose(np.linalg.norm(s.axes, axis=1), 1.0)
    # Each sampled pixel carries its cluster: the nearest centre, at convergence.
    d = ((s.rgb[:, None, :].astype(float) - r.centers_float[None]) ** 2).sum(axis=2)
    assert np.array_equal(d.argmin(axis=1), s.labels)
    # Pixels and centres share one projection: a centre sits among its pixels.
    for j in range(4):
        assert np.linalg.norm(s.xy[s.labels == j].mean(axis=0) - s.centres_xy[j]) < 15
    again = kseg.color_sample(coffee_rgb, r, 500, seed=3)
    assert np.array_equal(s.xy, again.xy)


# -- choosing k ---------------------------------------------------------------


def test_objective_curve_finds_the_elbow_at_the_number_of_flat_colours():
    rgb = quadrants(60, noise=8)
    curve = kseg.objective_curve(rgb, range(2, 9))
    assert curve.ks == tuple(range(2, 9))
    assert curve.suggested == 4
    assert "k = 4" in curve.reason
    assert all(a >= b - 1e-9 for a, b in zip(curve.mse, curve.mse[1:], strict=False))


def test_objective_curve_values_are_real_partitions_close_to_segment(coffee_rgb):
    curve = kseg.objective_curve(coffee_rgb, [3, 5, 8])
    for k, value in zip(curve.ks, curve.mse, strict=True):
        full = kseg.segment(coffee_rgb, k, seed=0).mse
        assert full * 0.98 <= value <= full * 1.03


@pytest.mark.parametrize(
    ("ks", "match"), [([2, 3], "at least three"), ([2, 3, 300], "from 1 to 255")]
)
def test_bad_k_ranges_are_refused(ks, match):
    with pytest.raises(ValueError, match=match):
        kseg.objective_curve(quadrants(), ks)


# -- hidden clusters in exports ----------------------------------------------


def test_zip_leaves_hidden_clusters_out_and_adds_a_foreground_cutout(coffee_rgb):
    r = kseg.segment(coffee_rgb, 4, seed=0)
    zf = zipfile.ZipFile(io.BytesIO(kseg.export_zip(coffee_rgb, r, source_name="c", hidden=[0])))
    names = zf.namelist()
    assert sum(n.startswith("c/masks/") for n in names) == 3
    assert not any(n.startswith(f"c/masks/{kseg.cluster_file_stem(r, 0)}") for n in names)
    fg = np.asarray(Image.open(io.BytesIO(zf.read("c/cutouts/foreground.png"))))
    assert np.array_equal(fg[..., 3] == 255, r.labels != 0)
    assert json.loads(zf.read("c/manifest.json"))["hidden"] == [0]
    with pytest.raises(ValueError, match="every cluster is hidden"):
        kseg.export_zip(coffee_rgb, r, hidden=range(4))


# -- previews at preview size ---------------------------------------------------


def _old_full_size_previews(rgb, result, alpha, side, thumb_side):
    """What the page built before: full-size renders, then shrunk."""
    original = rgb if alpha is None else np.dstack([rgb, alpha])
    segmented = kseg.downscale(kseg.segmented_image(result), side)
    thumbs = []
    for i in range(result.k):
        full = np.dstack([rgb, (result.labels == i).astype(np.uint8) * 255])
        if alpha is not None:
            full[..., 3] = np.minimum(full[..., 3], alpha)
        thumbs.append(kseg.downscale(full, thumb_side))
    return kseg.downscale(original, side), segmented, thumbs


@pytest.mark.parametrize("with_alpha", [False, True])
def test_previews_match_the_full_size_path_within_interpolation(coffee_rgb, with_alpha):
    rgb = cv2.resize(coffee_rgb, (1500, 1000), interpolation=cv2.INTER_CUBIC)
    alpha = None
    if with_alpha:
        alpha = np.full(rgb.shape[:2], 255, np.uint8)
        alpha[:100] = 0
        alpha[100:200] = 120
    mask = None if alpha is None else alpha > 0
    result = kseg.segment(rgb, 5, seed=0, mask=mask)
    p = kseg.make_previews(rgb, result, alpha=alpha, side=600, thumb_side=200)
    original, segmented, thumbs = _old_full_size_previews(rgb, result, alpha, 600, 200)
    assert np.array_equal(p.original, original)
    assert p.segmented.shape == segmented.shape == (400, 600, 3)
    # Nearest-neighbour painting differs from shrinking a full-size painting
    # only along cluster edges.
    diff = np.abs(p.segmented.astype(int) - segmented.astype(int)).max(axis=2)
    assert np.mean(diff == 0) > 0.75 and np.mean(diff) < 12
    assert np.array_equal(p.segmented, kseg.paint_labels(p.labels, result.centers))
    assert len(p.thumbs) == result.k
    for new, old in zip(p.thumbs, thumbs, strict=True):
        assert new.shape == old.shape == (133, 200, 4)
        a = np.abs(new.astype(int) - old.astype(int))
        assert np.mean(a[..., 3]) < 12  # alpha differs only along edges
        opaque = (new[..., 3] == 255) & (old[..., 3] == 255)
        assert np.mean(a[..., :3][opaque]) < 3  # the photo itself
    for arr in (p.original, p.labels, p.segmented, *p.thumbs):
        assert not arr.flags.writeable


def test_preview_labels_name_the_cluster_of_the_nearest_full_size_pixel():
    rgb = quadrants(size=400, noise=3)
    result = kseg.segment(rgb, 4, seed=0)
    p = kseg.make_previews(rgb, result, side=100, thumb_side=50)
    assert p.labels.shape == (100, 100)
    # Each quadrant keeps one label in the preview, the same as at full size.
    for (r, c), (fr, fc) in zip(
        [(10, 10), (10, 90), (90, 10), (90, 90)],
        [(40, 40), (40, 360), (360, 40), (360, 360)],
        strict=True,
    ):
        assert p.labels[r, c] == result.labels[fr, fc]
    # A thumbnail is opaque exactly over its quadrant, away from the edges.
    i = int(result.labels[40, 40])
    assert (p.thumbs[i][5:20, 5:20, 3] == 255).all() and (p.thumbs[i][30:, 30:, 3] == 0).all()


def test_previews_refuse_a_thumbnail_larger_than_the_preview(coffee_rgb):
    result = kseg.segment(coffee_rgb, 3, seed=0)
    with pytest.raises(ValueError, match="thumb_side must be from 1 to 100, got 200"):
        kseg.make_previews(coffee_rgb, result, side=100, thumb_side=200)


def test_color_sample_draws_only_clustered_pixels_when_some_are_left_out(coffee_rgb):
    mask = np.ones(coffee_rgb.shape[:2], bool)
    mask[:, :300] = False
    result = kseg.segment(coffee_rgb, 4, seed=0, mask=mask)
    sample = kseg.color_sample(coffee_rgb, result, 500, seed=1)
    assert (sample.labels >= 0).all() and len(sample.labels) == 500
    right = coffee_rgb[:, 300:].reshape(-1, 3)
    codes = {tuple(c) for c in right.tolist()}
    assert all(tuple(c) in codes for c in sample.rgb.tolist())


def test_checkerboard_shows_opaque_pixels_as_they_are_and_transparent_ones_as_the_board():
    rgba = np.zeros((16, 16, 4), np.uint8)
    rgba[..., :3] = (200, 10, 30)
    rgba[:, :8, 3] = 255  # left half opaque
    rgba[:, 8:, 3] = 0
    out = kseg.on_checkerboard(rgba, square=4)
    assert out.shape == (16, 16, 3)
    assert (out[:, :8] == (200, 10, 30)).all()
    right = out[:, 8:, 0]
    assert set(np.unique(right).tolist()) == {228, 255}  # the two greys of the board
    assert (out[:, 8:, 0] == out[:, 8:, 1]).all()  # grey, none of the hidden colour
    half = rgba.copy()
    half[..., 3] = 128
    mixed = kseg.on_checkerboard(half, square=4)[0, 0]
    assert np.allclose(mixed, 0.502 * np.array([200, 10, 30]) + 0.498 * 255, atol=1)


@settings(max_examples=60, deadline=None)
@given(st.integers(2, 9).flatmap(lambda k: st.tuples(st.just(k), st.sets(st.integers(0, k - 1)))))
def test_merged_numbers_are_the_numbers_a_merge_gives(case):
    k, group = case
    rgb = quadrants(40, noise=40, seed=k)
    result = kseg.segment(rgb, k, seed=0)
    merged = kseg.merge_clusters(result, [sorted(group)])
    numbers = kseg.merged_numbers(result.counts, [sorted(group)])
    # Every pixel of old cluster i is in new cluster numbers[i].
    inside = result.labels >= 0
    assert np.array_equal(numbers[result.labels[inside]], merged.labels[inside])
