from __future__ import annotations

import threading

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import kseg
from kseg.base.opencv import cv2
from tests.conftest import quadrants


def test_four_flat_quadrants_get_one_label_each():
    img = quadrants()
    r = kseg.segment(img, 4, seed=1)
    h = img.shape[0] // 2
    blocks = [r.labels[:h, :h], r.labels[:h, h:], r.labels[h:, :h], r.labels[h:, h:]]
    assert [len(np.unique(b)) for b in blocks] == [1, 1, 1, 1]
    assert sorted(int(b[0, 0]) for b in blocks) == [0, 1, 2, 3]
    assert r.k == 4 and r.notice is None
    assert np.allclose(r.shares, 0.25)


def test_clusters_are_numbered_by_share_largest_first():
    img = np.zeros((10, 10, 3), np.uint8)
    img[:, :7] = (255, 0, 0)
    img[:, 7:9] = (0, 255, 0)
    img[:, 9] = (0, 0, 255)
    r = kseg.segment(img, 3)
    assert r.counts.tolist() == [70, 20, 10]
    assert r.centers.tolist() == [[255, 0, 0], [0, 255, 0], [0, 0, 255]]
    assert r.mse == 0.0


def test_k_above_distinct_colours_returns_one_cluster_per_colour_with_notice():
    img = np.zeros((4, 4, 3), np.uint8)
    img[:2] = (10, 20, 30)
    r = kseg.segment(img, 8)
    assert r.k == 2
    assert r.k_requested == 8
    assert "only 2 distinct colours" in r.notice
    assert (r.counts > 0).all()


def test_single_colour_image_gives_one_cluster():
    r = kseg.segment(np.full((3, 5, 3), 7, np.uint8), 5)
    assert r.k == 1 and r.labels.max() == 0 and r.mse == 0.0


def test_mask_excludes_pixels_with_label_minus_one_and_from_shares():
    img = quadrants()
    mask = np.ones(img.shape[:2], bool)
    mask[:, :20] = False
    r = kseg.segment(img, 2, mask=mask)
    assert (r.labels[:, :20] == -1).all()
    assert (r.labels[:, 20:] >= 0).all()
    assert r.counts.sum() == mask.sum()
    assert r.shares.sum() == pytest.approx(1.0)


def test_scale_fits_on_smaller_image_but_labels_every_full_size_pixel(coffee_rgb):
    r = kseg.segment(coffee_rgb, 5, scale=0.25)
    assert r.labels.shape == coffee_rgb.shape[:2]
    assert r.labels.min() == 0 and r.labels.max() == r.k - 1
    full = kseg.segment(coffee_rgb, 5, scale=1.0)
    # Fitting on a quarter-size image costs a little objective, not much.
    assert full.mse <= r.mse <= 1.1 * full.mse


def test_lab_colour_space_reports_rgb_centres_that_are_member_means(coffee_rgb):
    r = kseg.segment(coffee_rgb, 4, color_space="lab")
    px = coffee_rgb.reshape(-1, 3).astype(np.float64)
    lab = r.labels.ravel()
    for i in range(r.k):
        assert np.allclose(px[lab == i].mean(axis=0), r.centers_float[i])
    assert r.centers.dtype == np.uint8


def test_random_init_also_works_and_differs_from_kmeanspp_only_by_start(coffee_rgb):
    a = kseg.segment(coffee_rgb, 4, init="random", seed=3)
    b = kseg.segment(coffee_rgb, 4, init="kmeans++", seed=3)
    assert a.k == b.k == 4
    assert a.mse == pytest.approx(b.mse, rel=0.05)


def test_mse_is_the_mean_squared_rgb_distance_to_the_centres(coffee_rgb):
    r = kseg.segment(coffee_rgb, 6)
    px = coffee_rgb.reshape(-1, 3).astype(np.float64)
    d = px - r.centers_float[r.labels.ravel()]
    assert r.mse == pytest.approx((d**2).sum(axis=1).mean(), rel=1e-9)


def test_every_colour_sits_with_its_nearest_centre(coffee_rgb):
    r = kseg.segment(coffee_rgb, 5)
    px = coffee_rgb.reshape(-1, 3).astype(np.float64)
    d = ((px[:, None, :] - r.centers_float[None]) ** 2).sum(axis=2)
    best = d.min(axis=1)
    mine = d[np.arange(px.shape[0]), r.labels.ravel()]
    assert np.all(mine <= best + 1e-2)
    assert r.converged


@pytest.mark.parametrize("name", sorted(kseg.SAMPLES))
@pytest.mark.parametrize("k", [3, 8])
def test_objective_not_worse_than_the_opencv_tutorial_recipe(name, k):
    rgb = kseg.load_image(kseg.sample_path(name)).rgb
    px = rgb.reshape(-1, 3).astype(np.float32)
    cv2.setRNGSeed(0)
    compactness, _, _ = cv2.kmeans(
        px,
        k,
        None,
        (cv2.TERM_CRITERIA_EPS + cv2.TERM_CRITERIA_MAX_ITER, 100, 0.85),
        10,
        cv2.KMEANS_RANDOM_CENTERS,
    )
    r = kseg.segment(rgb, k, attempts=10, seed=0)
    assert r.mse <= compactness / px.shape[0] * 1.0005


def test_same_seed_gives_identical_results_across_threads(coffee_rgb):
    ref = kseg.segment(coffee_rgb, 6, seed=7)
    out: list[kseg.Segmentation] = []

    def run() -> None:
        out.append(kseg.segment(coffee_rgb, 6, seed=7))

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(out) == 3
    for r in out:
        assert np.array_equal(r.labels, ref.labels)
        assert np.array_equal(r.centers_float, ref.centers_float)


def test_different_seeds_may_differ_but_each_is_reproducible(coffee_rgb):
    a1 = kseg.segment(coffee_rgb, 12, seed=1, attempts=1, init="random")
    a2 = kseg.segment(coffee_rgb, 12, seed=1, attempts=1, init="random")
    assert np.array_equal(a1.labels, a2.labels)


def test_result_is_frozen_and_arrays_read_only(coffee_rgb):
    r = kseg.segment(coffee_rgb, 3)
    with pytest.raises(AttributeError):
        r.mse = 0.0  # type: ignore[misc]
    with pytest.raises(ValueError, match="read-only"):
        r.labels[0, 0] = 1
    assert set(r.timings) == {"histogram", "fit", "label", "total"}
    assert r.settings["k"] == 3


def test_input_array_is_not_modified(coffee_rgb):
    before = coffee_rgb.copy()
    kseg.segment(coffee_rgb, 4, scale=0.5, color_space="lab")
    assert np.array_equal(before, coffee_rgb)


@pytest.mark.parametrize(
    ("kwargs", "exc", "match"),
    [
        ({"k": 0}, ValueError, r"k must be from 1 to 255, got 0"),
        ({"k": 256}, ValueError, r"k must be from 1 to 255, got 256"),
        ({"k": 2.5}, TypeError, r"k must be an integer"),
        ({"k": 3, "attempts": 0}, ValueError, r"attempts must be from 1 to 100, got 0"),
        ({"k": 3, "scale": 0}, ValueError, r"scale must be in \(0, 1\], got 0"),
        ({"k": 3, "scale": 1.5}, ValueError, r"scale must be in \(0, 1\], got 1.5"),
        ({"k": 3, "scale": "1"}, TypeError, r"scale must be a number"),
        ({"k": 3, "init": "pp"}, ValueError, r"init must be one of .*got 'pp'"),
        ({"k": 3, "color_space": "hsv"}, ValueError, r"color_space must be one of .*'hsv'"),
        ({"k": 3, "max_iter": 0}, ValueError, r"max_iter must be from 1 to 10000, got 0"),
        ({"k": 3, "eps": -1}, ValueError, r"eps must be in \[0, 255\], got -1"),
        ({"k": 3, "seed": -1}, ValueError, r"seed must be from 0"),
    ],
)
def test_bad_arguments_raise_with_the_value_and_range(kwargs, exc, match):
    with pytest.raises(exc, match=match):
        kseg.segment(quadrants(8), **kwargs)


@pytest.mark.parametrize(
    ("img", "exc", "match"),
    [
        ([[1, 2, 3]], TypeError, "rgb must be a numpy array"),
        (np.zeros((4, 4, 3), np.float32), TypeError, "dtype uint8, got float32"),
        (np.zeros((4, 4), np.uint8), ValueError, r"shape \(H, W, 3\), got \(4, 4\)"),
        (np.zeros((0, 4, 3), np.uint8), ValueError, "at least one pixel"),
    ],
)
def test_bad_images_raise(img, exc, match):
    with pytest.raises(exc, match=match):
        kseg.segment(img, 2)


def test_bad_masks_raise():
    img = quadrants(8)
    with pytest.raises(TypeError, match="mask must be a numpy array of bool"):
        kseg.segment(img, 2, mask=np.ones((8, 8), np.uint8))
    with pytest.raises(ValueError, match=r"mask must have shape \(8, 8\)"):
        kseg.segment(img, 2, mask=np.ones((4, 4), bool))
    with pytest.raises(ValueError, match="selects no pixel"):
        kseg.segment(img, 2, mask=np.zeros((8, 8), bool))


def test_large_image_path_uses_lookup_table_and_matches_small_path():
    # Above the np.unique limit the lookup-table path labels pixels; the same
    # colours tiled must give the same centres as the small image.
    small = quadrants(64, noise=20, seed=4)
    big = np.tile(small, (18, 18, 1))  # 1152 x 1152 > 2**20 pixels
    rs = kseg.segment(small, 4, seed=2)
    rb = kseg.segment(big, 4, seed=2)
    # The four quadrants have equal shares, so their numbering may follow
    # the order the engine found them in: compare through the matching.
    match = [int(np.argmin(np.abs(rb.centers_float - c).sum(axis=1))) for c in rs.centers_float]
    assert sorted(match) == [0, 1, 2, 3]
    assert np.allclose(rs.centers_float, rb.centers_float[match])
    assert np.array_equal(np.asarray(match)[np.tile(rs.labels, (18, 18))], rb.labels)


# --------------------------------------------------------------------------
# Property tests
# --------------------------------------------------------------------------

images = arrays(
    np.uint8,
    st.tuples(st.integers(1, 24), st.integers(1, 24), st.just(3)),
    elements=st.integers(0, 255),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(img=images, k=st.integers(1, 9), seed=st.integers(0, 2**32), lab=st.booleans())
def test_partition_shares_and_ranges_hold_for_any_image(img, k, seed, lab):
    r = kseg.segment(img, k, seed=seed, attempts=2, color_space="lab" if lab else "rgb")
    n_colors = len(np.unique(img.reshape(-1, 3), axis=0))
    assert r.k == min(k, n_colors)
    assert r.labels.shape == img.shape[:2] and r.labels.dtype == np.int16
    assert r.labels.min() == 0 and r.labels.max() == r.k - 1
    masks = np.stack([kseg.cluster_mask(r, i) for i in range(r.k)])
    assert (masks.sum(axis=0) == 1).all()  # every pixel in exactly one mask
    assert r.counts.tolist() == masks.sum(axis=(1, 2)).tolist()
    assert r.shares.sum() == pytest.approx(1.0)
    assert (np.diff(r.counts) <= 0).all()
    assert r.centers.dtype == np.uint8
    px = img.reshape(-1, 3).astype(np.float64)
    for i in range(r.k):
        assert np.allclose(px[r.labels.ravel() == i].mean(axis=0), r.centers_float[i])
    again = kseg.segment(img, k, seed=seed, attempts=2, color_space="lab" if lab else "rgb")
    assert np.array_equal(again.labels, r.labels)


@settings(max_examples=30, deadline=None)
@given(img=images, data=st.data())
def test_masked_pixels_are_exactly_the_minus_ones(img, data):
    mask = data.draw(arrays(np.bool_, img.shape[:2]))
    if not mask.any():
        mask[0, 0] = True
    r = kseg.segment(img, 3, mask=mask, attempts=1)
    assert np.array_equal(r.labels < 0, ~mask)
    assert r.counts.sum() == mask.sum()


def test_strided_views_of_image_and_mask_give_the_same_result_as_copies(coffee_rgb):
    flipped = coffee_rgb[:, ::-1]  # a view with negative strides
    mask = np.ones((400, 1200), bool)[:, ::2]  # a strided view
    mask[:50] = False
    a = kseg.segment(flipped, 4, seed=0, mask=mask)
    b = kseg.segment(flipped.copy(), 4, seed=0, mask=mask.copy())
    assert np.array_equal(a.labels, b.labels)
    assert (a.labels[:50] == -1).all() and (a.labels[50:] >= 0).all()


# --------------------------------------------------------------------------
# Engine internals: histogram levels and the active-set Lloyd
# --------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    codes=arrays(np.uint32, st.integers(1, 50), elements=st.integers(0, (1 << 24) - 1)),
    bits=st.sampled_from([(8, 7), (8, 5), (7, 5), (5, 4), (8, 4)]),
)
def test_bin_keys_keep_the_top_bits_of_each_channel(codes, bits):
    from kseg.engine.histogram import bin_keys

    hi, lo = bits
    if hi < 8:  # codes of a coarser histogram have 3 * hi bits
        codes = codes & np.uint32((1 << (3 * hi)) - 1)
    m = (1 << hi) - 1
    r, g, b = (codes.astype(np.int64) >> (2 * hi)) & m, (codes >> hi) & m, codes & m
    s = hi - lo
    expected = (r >> s) << (2 * lo) | (g >> s) << lo | (b >> s)
    assert np.array_equal(bin_keys(codes, hi, lo), expected)


def test_histogram_levels_keep_every_pixel_and_the_mean_colour(coffee_rgb):
    from kseg.engine.histogram import LEVEL_BITS, features, histogram
    from kseg.engine.histogram import levels as histogram_levels

    colors, weights = histogram(coffee_rgb, None)
    feats = features(colors, "rgb")
    w = weights.astype(np.float64)
    levels = histogram_levels(colors, feats, w, all_levels=True)
    sizes = [pts.shape[0] for pts, _ in levels]
    assert len(levels) == len(LEVEL_BITS) and sizes == sorted(sizes) and sizes[-1] < colors.size
    mean = coffee_rgb.reshape(-1, 3).mean(axis=0)
    for pts, pw in levels:
        assert pw.sum() == coffee_rgb.shape[0] * coffee_rgb.shape[1]
        assert np.allclose((pts * pw[:, None]).sum(axis=0) / pw.sum(), mean, atol=1e-3)
    # 16x16x16 bins: every bin mean lies inside its bin.
    coarse = levels[0][0]
    assert coarse.min() >= 0 and coarse.max() <= 255 and sizes[0] <= 16**3


@pytest.mark.parametrize("k", [2, 5, 9])
def test_active_set_lloyd_assigns_exactly_like_full_passes(coffee_rgb, k):
    from kseg.engine.histogram import features, histogram
    from kseg.engine.lloyd import assign, init_centres, lloyd

    colors, weights = histogram(coffee_rgb, None)
    pts = features(colors, "rgb")
    w = weights.astype(np.float64)
    c0 = init_centres(pts, w, k, "random", np.random.default_rng(k))
    run = lloyd(pts, w, c0, 300, 0.0)
    # Plain Lloyd: every point measured in every iteration.
    centres = c0.astype(np.float64)
    for _ in range(300):
        labels, _ = assign(pts, centres)
        cw = np.bincount(labels, weights=w, minlength=k)
        new = (
            np.stack(
                [np.bincount(labels, weights=w * pts[:, c], minlength=k) for c in range(3)], axis=1
            )
            / cw[:, None]
        )
        if np.array_equal(assign(pts, new)[0], labels):
            centres = new
            break
        centres = new
    assert run.converged
    assert np.array_equal(run.labels, labels)
    assert np.allclose(run.centres, centres, atol=1e-9)


@pytest.mark.parametrize("shape", [(1, 1), (7, 9), (700, 1000)])
def test_gather_on_threads_equals_numpy_indexing_with_minus_one_reading_the_last(shape):
    from kseg.base.parallel import gather

    rng = np.random.default_rng(0)
    index = rng.integers(-1, 6, shape).astype(np.int16)  # 700k: several chunks
    for table in (rng.integers(0, 255, 7).astype(np.int16), rng.integers(0, 255, (7, 3), np.uint8)):
        assert np.array_equal(gather(table, index), table[index])


@pytest.mark.parametrize(("space", "scale", "masked"), [("rgb", 1.0, False), ("lab", 0.5, True)])
def test_a_histogram_counted_once_gives_the_same_result_for_every_k(
    coffee_rgb, space, scale, masked
):
    mask = None
    if masked:
        mask = np.ones(coffee_rgb.shape[:2], bool)
        mask[:50] = False
    counted = kseg.color_histogram(coffee_rgb, mask=mask)
    assert counted.pixels == (
        coffee_rgb.shape[0] * coffee_rgb.shape[1] - (600 * 50 if masked else 0)
    )
    assert int(counted.counts.sum()) == counted.pixels and np.all(np.diff(counted.colors) > 0)
    for k in (2, 5, 8):
        opts = {"color_space": space, "scale": scale, "seed": 4, "mask": mask}
        fresh = kseg.segment(coffee_rgb, k, **opts)
        reused = kseg.segment(coffee_rgb, k, histogram=counted, **opts)
        assert np.array_equal(fresh.labels, reused.labels)
        assert np.array_equal(fresh.centers, reused.centers) and fresh.mse == reused.mse


def test_a_histogram_of_another_image_or_mask_is_refused(coffee_rgb):
    counted = kseg.color_histogram(coffee_rgb)
    with pytest.raises(ValueError, match="histogram was counted on 240000 pixels"):
        kseg.segment(coffee_rgb[:100], 3, histogram=counted)
    half = np.zeros(coffee_rgb.shape[:2], bool)
    half[:200] = True
    with pytest.raises(ValueError, match="not on this"):
        kseg.segment(coffee_rgb, 3, mask=half, histogram=counted)
    with pytest.raises(TypeError, match=r"kseg\.ColorHistogram or None, got tuple"):
        kseg.segment(coffee_rgb, 3, histogram=(counted.colors, counted.counts))
