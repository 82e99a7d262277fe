"""K-means colour clustering of an RGB image.

The engine clusters the *distinct colours* of a photo, each weighted by how
many pixels have it, instead of the pixels themselves.  Weighted K-means over
distinct colours has exactly the same objective as K-means over the pixels,
and a photo has far fewer distinct colours than pixels.  Restarts run on a
coarse colour histogram (cheap) until their centres settle, the best two are
refined on a finer one, and the winner is refined exactly on every distinct
colour until no colour changes cluster.  Labels for all pixels then come from
a lookup table indexed by the packed 24-bit colour, so labelling 12
megapixels is one gather.
"""

from __future__ import annotations

import functools
import itertools
import math
import os
import sys
import threading
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any, Literal

import numpy as np

from kseg._cv import cv2

__all__ = ["COLOR_SPACES", "INITS", "MAX_K", "Segmentation", "segment"]

#: Largest number of clusters accepted (labels fit a uint8 lookup table).
MAX_K = 255
#: Accepted values of ``init``.
INITS = ("kmeans++", "random")
#: Accepted values of ``color_space``.
COLOR_SPACES = ("rgb", "lab")

#: Below this many distinct colours, restarts run on the colours themselves.
_DIRECT_LIMIT = 20_000
#: Restarts run on the coarsest level with this many points per cluster (fewer
#: makes the coarse objective a poor guide: coffee, k=16, was 0.6 % worse).
_START_POINTS_PER_CLUSTER = 256
#: Centre movement at which runs on a histogram level stop (feature units).
_LEVEL_EPS = 0.2
#: The same for the restarts, which only need to rank the starts.
_RESTART_EPS = 0.5
#: How many of the best restarts are refined on the finer histogram.
_FINALISTS = 2
#: A histogram level with this many occupied bins ranks candidates like the
#: exact colours do (see ``_fit``).
_FINE_LEVEL = 50_000
#: Bits per channel of the histogram levels, coarsest first: restarts run on
#: the coarsest with enough points, the best are refined on the finer ones.
_LEVEL_BITS = (4, 5, 7)
#: Counts in OpenCV's float32 histogram are exact below this.
_FLOAT32_EXACT = 1 << 24
_LITTLE_ENDIAN = sys.byteorder == "little"
#: Chunk of points for the nearest-centre search (bounds temporaries).
_CHUNK = 1 << 18


@dataclass(frozen=True, eq=False)
class Segmentation:
    """The result of :func:`segment`.

    Attributes
    ----------
    labels : (H, W) ndarray of int16
        Cluster index of every pixel at the input's full resolution, or -1 for
        pixels left out by ``mask``.  Clusters are numbered by share, largest
        first.
    centers : (k', 3) ndarray of uint8
        RGB colour of each cluster (the rounded mean of its pixels).
    centers_float : (k', 3) ndarray of float64
        The same centres before rounding.
    counts : (k',) ndarray of int64
        Number of pixels in each cluster.
    shares : (k',) ndarray of float64
        Fraction of the clustered pixels in each cluster; sums to 1.
    mse : float
        Mean over every clustered pixel at full resolution of the squared RGB
        distance (0..255 units, summed over the three channels) between the
        pixel and ``centers_float`` of its cluster: the K-means objective.
    k_requested : int
        The ``k`` that was asked for; ``len(centers)`` may be smaller.
    n_colors : int
        Number of distinct colours among the clustered pixels.
    n_iter : int
        Lloyd iterations of the final exact refinement.
    converged : bool
        True when the final refinement stopped because nothing changed (or
        centres moved less than ``eps``) rather than at ``max_iter``.
    notice : str or None
        A plain-words remark about the result, e.g. when fewer clusters than
        requested were possible.
    timings : Mapping[str, float]
        Seconds spent in each stage: ``histogram``, ``fit``, ``label`` and
        ``total``.
    settings : Mapping[str, object]
        The arguments that produced this result.
    """

    labels: np.ndarray
    centers: np.ndarray
    centers_float: np.ndarray
    counts: np.ndarray
    shares: np.ndarray
    mse: float
    k_requested: int
    n_colors: int
    n_iter: int
    converged: bool
    notice: str | None
    timings: Mapping[str, float] = field(default_factory=dict)
    settings: Mapping[str, object] = field(default_factory=dict)

    @property
    def k(self) -> int:
        """Number of clusters actually found."""
        return int(self.centers.shape[0])

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) of the segmented image."""
        return (int(self.labels.shape[0]), int(self.labels.shape[1]))


# ---------------------------------------------------------------------------
# Public entry point
# ---------------------------------------------------------------------------


def segment(
    rgb: np.ndarray,
    k: int,
    *,
    attempts: int = 10,
    scale: float = 1.0,
    init: Literal["kmeans++", "random"] = "kmeans++",
    max_iter: int = 100,
    eps: float = 0.0,
    color_space: Literal["rgb", "lab"] = "rgb",
    seed: int = 0,
    mask: np.ndarray | None = None,
) -> Segmentation:
    """Segment an RGB image into ``k`` colour clusters with K-means.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image.  It is not modified.
    k : int
        Number of clusters, 1 to 255.  If the clustered pixels have fewer
        distinct colours than ``k``, one cluster per colour is returned and
        ``notice`` says so.
    attempts : int, optional
        Independent starts (1 to 100); the most compact result is kept, as
        with ``cv2.kmeans``.  (Each start runs until its centres settle; the
        two most compact then run to full convergence, and the better wins.)
    scale : float, optional
        Resize factor in (0, 1] for fitting the centres (area interpolation).
        Labels are always assigned to every pixel at full resolution.
    init : {"kmeans++", "random"}, optional
        How each attempt chooses its first centres: k-means++ seeding, or
        ``k`` distinct colours drawn at random in proportion to their pixel
        counts.
    max_iter : int, optional
        Maximum Lloyd iterations per attempt and for the final refinement
        (1 to 10000).
    eps : float, optional
        Stop early once no centre moves more than ``eps`` (in the units of
        the colour space; 0 to 255).  With the default 0, iterations go on
        until no colour changes cluster.
    color_space : {"rgb", "lab"}, optional
        Space in which distances are measured.  ``"lab"`` clusters in CIELAB
        (closer to perceived difference); centres and ``mse`` are still
        reported in RGB.
    seed : int, optional
        Seed for every random choice; the same inputs and seed give identical
        results in any process and thread.
    mask : (H, W) ndarray of bool, optional
        Pixels to cluster.  Pixels outside it get label -1 and count in no
        share.

    Returns
    -------
    Segmentation
        Labels, centres, shares, objective, timings and settings.

    Raises
    ------
    TypeError
        If ``rgb`` or ``mask`` is not a numpy array of the right dtype.
    ValueError
        If an argument is outside its allowed range, the shapes do not match,
        or ``mask`` selects no pixel.
    """
    t_start = time.perf_counter()
    rgb = _check_rgb(rgb)
    k = _check_int("k", k, 1, MAX_K)
    attempts = _check_int("attempts", attempts, 1, 100)
    max_iter = _check_int("max_iter", max_iter, 1, 10_000)
    seed = _check_int("seed", seed, 0, 2**63 - 1)
    if isinstance(scale, bool) or not isinstance(scale, (int, float)):
        msg = f"scale must be a number in (0, 1], got {scale!r}"
        raise TypeError(msg)
    if not (0.0 < float(scale) <= 1.0):
        msg = f"scale must be in (0, 1], got {scale!r}"
        raise ValueError(msg)
    if isinstance(eps, bool) or not isinstance(eps, (int, float)):
        msg = f"eps must be a number in [0, 255], got {eps!r}"
        raise TypeError(msg)
    if not (0.0 <= float(eps) <= 255.0):
        msg = f"eps must be in [0, 255], got {eps!r}"
        raise ValueError(msg)
    if init not in INITS:
        msg = f"init must be one of {INITS}, got {init!r}"
        raise ValueError(msg)
    if color_space not in COLOR_SPACES:
        msg = f"color_space must be one of {COLOR_SPACES}, got {color_space!r}"
        raise ValueError(msg)
    mask = _check_mask(mask, rgb.shape[:2])
    settings = dict(
        {
            "k": k,
            "attempts": attempts,
            "scale": float(scale),
            "init": init,
            "max_iter": max_iter,
            "eps": float(eps),
            "color_space": color_space,
            "seed": seed,
        }
    )

    # Histogram of the full-resolution image: distinct colours and counts.
    colors, weights = _histogram(rgb, mask)
    n_colors = int(colors.size)
    t_hist = time.perf_counter()

    # Colours used for fitting: the same, or those of the resized image.
    if scale < 1.0:
        fit_colors, fit_weights = _resized_histogram(rgb, mask, float(scale))
    else:
        fit_colors, fit_weights = colors, weights

    k_eff = min(k, n_colors)
    notice = None
    if k_eff < k:
        notice = (
            f"The image has only {n_colors} distinct colour"
            f"{'s' if n_colors != 1 else ''}, so {k_eff} cluster"
            f"{'s were' if k_eff != 1 else ' was'} made instead of the {k} asked for."
        )
    fit_feats = _features(fit_colors, color_space)
    run = _fit(
        fit_colors,
        fit_feats,
        fit_weights,
        min(k_eff, int(fit_colors.size)),
        attempts=attempts,
        init=init,
        max_iter=max_iter,
        eps=float(eps),
        seed_seq=np.random.SeedSequence(seed),
        integral=color_space == "rgb",
    )
    t_fit = time.perf_counter()

    # Label every distinct colour of the full-resolution image, then pixels.
    sums = None
    if fit_colors is colors and run.converged and eps == 0:
        # The fit ran on these very colours and settled: its labels are final
        # (and in RGB its cluster sums are the exact RGB sums).
        colour_labels = run.labels
        counts = run.weights
        if color_space == "rgb":
            sums = run.sums
    else:
        colour_labels, _ = _assign(_features(colors, color_space), run.centres)
        counts = np.bincount(colour_labels, weights=weights, minlength=len(run.centres))
    keep = counts > 0
    if not keep.all():
        # A centre fitted at reduced scale may attract no full-size pixel.
        remap = np.cumsum(keep) - 1
        colour_labels = remap[colour_labels]
        counts = counts[keep]
        sums = None if sums is None else sums[keep]
        extra = (
            f"{int((~keep).sum())} cluster(s) found on the resized image "
            "had no pixel at full size and were dropped."
        )
        notice = extra if notice is None else f"{notice} {extra}"
    # Number clusters by share, largest first (ties: by colour order).
    order = np.argsort(-counts, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    colour_labels = rank[colour_labels]
    counts = counts[order].astype(np.int64)
    sums = None if sums is None else sums[order]

    centers_float, mse = _means_and_mse(_unpack(colors), weights, colour_labels, counts, sums)

    lut = np.empty(1 << 24, dtype=np.int16)
    lut[colors] = colour_labels
    labels = _lookup(lut, _pack(rgb))
    del lut
    if mask is not None:
        labels[~mask] = -1
    t_label = time.perf_counter()

    centers = np.clip(np.rint(centers_float), 0, 255).astype(np.uint8)
    shares = counts / counts.sum()
    for arr in (labels, centers, centers_float, counts, shares):
        arr.flags.writeable = False
    timings = dict(
        {
            "histogram": t_hist - t_start,
            "fit": t_fit - t_hist,
            "label": t_label - t_fit,
            "total": t_label - t_start,
        }
    )
    return Segmentation(
        labels=labels,
        centers=centers,
        centers_float=centers_float,
        counts=counts,
        shares=shares,
        mse=mse,
        k_requested=k,
        n_colors=n_colors,
        n_iter=run.n_iter,
        converged=run.converged,
        notice=notice,
        timings=timings,
        settings=settings,
    )


def _means_and_mse(
    rgb: np.ndarray,
    weights: np.ndarray,
    labels: np.ndarray,
    counts: np.ndarray,
    sums: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Cluster means and the exact mean squared RGB error.

    With integer colours and counts, each cluster's pixel count W_j and
    channel sums S_j and the total Q of the pixels' squared norms are exact
    integers (below 2**53 even for 40 MP, so float64 sums of them are exact),
    and the squared error is exactly Q - sum_j |S_j|^2 / W_j.  ``sums``, the
    S_j if already known (in the order of ``counts``), saves recounting them.
    """
    k = counts.size
    w = weights.astype(np.float64)
    f = rgb.astype(np.float64)
    if sums is None:
        sums = np.stack(
            [np.bincount(labels, weights=w * f[:, c], minlength=k) for c in range(3)], axis=1
        )
    q = int(np.dot(w, np.einsum("ij,ij->i", f, f)))
    error = Fraction(q) - sum(
        Fraction(sum(int(x) ** 2 for x in sj), int(wj)) for wj, sj in zip(counts, sums, strict=True)
    )
    return sums / counts[:, None].astype(np.float64), float(error / int(counts.sum()))


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------


def _check_int(name: str, value: object, lo: int, hi: int) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        msg = f"{name} must be an integer from {lo} to {hi}, got {value!r}"
        raise TypeError(msg)
    if not (lo <= int(value) <= hi):
        msg = f"{name} must be from {lo} to {hi}, got {value!r}"
        raise ValueError(msg)
    return int(value)


def _check_rgb(rgb: object) -> np.ndarray:
    if not isinstance(rgb, np.ndarray):
        msg = f"rgb must be a numpy array, got {type(rgb).__name__}"
        raise TypeError(msg)
    if rgb.dtype != np.uint8:
        msg = f"rgb must have dtype uint8, got {rgb.dtype}"
        raise TypeError(msg)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        msg = f"rgb must have shape (H, W, 3), got {rgb.shape}"
        raise ValueError(msg)
    if rgb.shape[0] < 1 or rgb.shape[1] < 1:
        msg = f"rgb must have at least one pixel, got shape {rgb.shape}"
        raise ValueError(msg)
    return rgb


def _check_mask(mask: object, shape: tuple[int, ...]) -> np.ndarray | None:
    if mask is None:
        return None
    if not isinstance(mask, np.ndarray) or mask.dtype != np.bool_:
        msg = "mask must be a numpy array of bool"
        raise TypeError(msg)
    if mask.shape != tuple(shape):
        msg = f"mask must have shape {tuple(shape)} like the image, got {mask.shape}"
        raise ValueError(msg)
    if not mask.any():
        msg = "mask selects no pixel: there is nothing to cluster"
        raise ValueError(msg)
    return mask


# ---------------------------------------------------------------------------
# Colour histograms
# ---------------------------------------------------------------------------


def _pack(rgb: np.ndarray) -> np.ndarray:
    """(H, W, 3) uint8 -> (H, W) uint32 codes 0xRRGGBB."""
    quad = np.zeros((*rgb.shape[:2], 4), dtype=np.uint8)
    # Bytes B, G, R, 0 read as a little-endian uint32 are 0x00RRGGBB.
    cv2.mixChannels([np.ascontiguousarray(rgb)], [quad], [0, 2, 1, 1, 2, 0])
    codes = quad.view(np.uint32)[..., 0]
    return codes if _LITTLE_ENDIAN else codes.byteswap()


def _unpack(codes: np.ndarray) -> np.ndarray:
    """(n,) codes -> (n, 3) uint8 RGB."""
    out = np.empty((codes.size, 3), dtype=np.uint8)
    out[:, 0] = codes >> 16
    out[:, 1] = (codes >> 8) & 0xFF
    out[:, 2] = codes & 0xFF
    return out


def _histogram(rgb: np.ndarray, mask: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """Distinct colours (sorted codes 0xRRGGBB) of the pixels in ``mask`` and
    how many pixels have each.

    OpenCV's 256x256x256 histogram counts in float32, exact below 2**24;
    the rare colour with that many pixels is counted again exactly.
    """
    cv_mask = None if mask is None else np.ascontiguousarray(mask).view(np.uint8)
    hist = cv2.calcHist(
        [np.ascontiguousarray(rgb)], [0, 1, 2], cv_mask, [256, 256, 256], [0, 256] * 3
    ).ravel()
    # The occupied bins, found in chunks on the thread pool.
    found = _on_chunks(lambda lo, hi: np.flatnonzero(hist[lo:hi] != 0) + lo, hist.size)
    colors = np.concatenate(found).astype(np.uint32)
    counts = hist[colors].astype(np.int64)
    for i in np.flatnonzero(counts >= _FLOAT32_EXACT):
        same = _pack(rgb) == colors[i]
        counts[i] = np.count_nonzero(same if mask is None else same & mask)
    return colors, counts


def _resized_histogram(
    rgb: np.ndarray, mask: np.ndarray | None, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    h, w = rgb.shape[:2]
    size = (max(1, round(w * scale)), max(1, round(h * scale)))
    small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    small_mask = None
    if mask is not None:
        small_mask = cv2.resize(mask.astype(np.uint8), size, interpolation=cv2.INTER_NEAREST) > 0
        if not small_mask.any():
            small_mask = None
    return _histogram(small, small_mask)


def _features(colors: np.ndarray, color_space: str) -> np.ndarray:
    """(n,) codes -> (n, 3) float32 points in the clustering space."""
    rgb = _unpack(colors)
    if color_space == "lab":
        f = rgb.reshape(-1, 1, 3).astype(np.float32) / np.float32(255.0)
        lab = cv2.cvtColor(f, cv2.COLOR_RGB2Lab).reshape(-1, 3)
        return np.asfortranarray(lab)
    # Column-major: the nearest-centre search reads one channel at a time.
    return np.asfortranarray(rgb, dtype=np.float32)


def _bin_keys(codes: np.ndarray, from_bits: int, to_bits: int) -> np.ndarray:
    """Histogram bin of packed colours: ``from_bits`` per channel -> ``to_bits``."""
    shift = from_bits - to_bits
    m = (1 << to_bits) - 1
    # Keep the top ``to_bits`` of each channel in place, then close the gaps.
    x = codes.astype(np.uint32, copy=False) >> np.uint32(shift)
    x &= np.uint32(m | m << from_bits | m << 2 * from_bits)
    keys = x & np.uint32(m)
    keys |= (x >> np.uint32(shift)) & np.uint32(m << to_bits)
    keys |= (x >> np.uint32(2 * shift)) & np.uint32(m << 2 * to_bits)
    return keys.astype(np.intp)


def _reduce(
    keys: np.ndarray, w: np.ndarray, feats: np.ndarray, bits: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Merge points into a 2**(3*bits)-bin histogram.

    Returns the weighted mean point and total weight of each occupied bin,
    and the occupied bins' keys (for reducing further).
    """
    size = 1 << (3 * bits)
    bw = np.bincount(keys, weights=w, minlength=size)
    nz = np.flatnonzero(bw)
    # Sum the coordinates into the occupied bins only (small, cache-friendly).
    index = np.empty(size, dtype=np.int32)
    index[nz] = np.arange(nz.size, dtype=np.int32)
    packed = index[keys]
    bw = bw[nz]
    pts = np.empty((nz.size, 3), dtype=np.float32, order="F")
    for c in range(3):
        pts[:, c] = np.bincount(packed, weights=w * feats[:, c], minlength=nz.size) / bw
    return pts, bw, nz


# ---------------------------------------------------------------------------
# Weighted K-means
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Run:
    """One weighted K-means run: centres (feature space), score, Lloyd
    iterations, whether the assignment settled, and each point's label.

    ``score`` is the weighted inertia minus sum(w |x|^2), a constant of the
    points: it ranks runs on the same points without that extra pass.
    ``sums`` and ``weights`` are each cluster's weighted coordinate sums and
    total weight for ``labels``."""

    centres: np.ndarray
    score: float
    n_iter: int
    converged: bool
    labels: np.ndarray
    sums: np.ndarray
    weights: np.ndarray


def _fit(
    colors: np.ndarray,
    feats: np.ndarray,
    weights: np.ndarray,
    k: int,
    *,
    attempts: int,
    init: str,
    max_iter: int,
    eps: float,
    seed_seq: np.random.SeedSequence,
    integral: bool = False,
) -> _Run:
    """Best-of-``attempts`` weighted K-means over the points ``feats``
    (distinct colours in the clustering space) weighted by their pixel counts;
    the returned run is on ``feats`` themselves.  ``integral``: ``feats`` are
    integers (RGB values), so the final run's running sums are exact.
    """
    w = weights.astype(np.float64)
    seeds = seed_seq.spawn(attempts)
    levels = _levels(colors, feats, w)
    # Restarts on the coarsest level with at least a few points per cluster.
    start_pts, start_w = feats, w
    rest: list[tuple[np.ndarray, np.ndarray]] = []
    for i, (pts, pw) in enumerate(levels):
        if pts.shape[0] >= _START_POINTS_PER_CLUSTER * k:
            start_pts, start_w = pts, pw
            rest = levels[i + 1 :]
            break
    # Restarts and histogram levels only rank and seed what follows, which
    # goes on converging: they stop once centres settle (within _RESTART_EPS,
    # _LEVEL_EPS); only the final run on the exact colours uses ``eps``.
    level_eps = max(eps, _LEVEL_EPS)
    restart_eps = max(eps, _RESTART_EPS)

    def attempt(s: np.random.SeedSequence) -> _Run:
        c0 = _init_centres(start_pts, start_w, k, init, np.random.default_rng(s))
        return _lloyd(start_pts, start_w, c0, max_iter, restart_eps, recount=False)

    # (One after another: runs on a few thousand points are too short for
    # threads to beat the GIL; measured slower in two threads.)
    candidates = sorted((attempt(s) for s in seeds), key=lambda r: r.score)
    # The best few distinct starts are refined level by level; the exact
    # objective picks the winner, since the coarse ranking can be off a little.
    finalists = _distinct([r.centres for r in candidates])[:_FINALISTS]
    for pts, pw in rest:
        refined = sorted(
            _parallel(
                lambda c, pts=pts, pw=pw: _lloyd(pts, pw, c, max_iter, level_eps, recount=False),
                finalists,
            ),
            key=lambda r: r.score,
        )
        finalists = _distinct([r.centres for r in refined])
        if pts.shape[0] >= _FINE_LEVEL:
            # On a fine histogram the exact objective differs from this one by
            # the scatter inside bins, nearly the same for every candidate, so
            # its best is the one worth refining exactly.
            finalists = finalists[:1]
    return min(
        _parallel(lambda c: _lloyd(feats, w, c, max_iter, eps, recount=not integral), finalists),
        key=lambda r: r.score,
    )


def _levels(
    colors: np.ndarray, feats: np.ndarray, w: np.ndarray, *, all_levels: bool = False
) -> list[tuple[np.ndarray, np.ndarray]]:
    """Histogram levels of the points ``feats`` (of the packed ``colors``,
    weights ``w``), coarsest first: each bin's weighted mean point and
    weight, each level reduced from the next finer one.  None for fewer
    than ``_DIRECT_LIMIT`` colours, and the finest only if it halves the
    number of points (or ``all_levels``)."""
    if colors.size <= _DIRECT_LIMIT:
        return []
    levels: list[tuple[np.ndarray, np.ndarray]] = []
    keys, pts, pw, bits = colors, feats, w, 8
    for to_bits in reversed(_LEVEL_BITS):
        pts, pw, keys = _reduce(_bin_keys(keys, bits, to_bits), pw, pts, to_bits)
        bits = to_bits
        if levels or all_levels or colors.size > 2 * pts.shape[0]:
            levels.insert(0, (pts, pw))
    return levels


def _distinct(centre_sets: list[np.ndarray], tol: float = 0.5) -> list[np.ndarray]:
    """The centre sets in order, without near-copies of an earlier one (the
    same centres, in any order, within ``tol``)."""
    kept: list[np.ndarray] = []
    keys: list[np.ndarray] = []
    for c in centre_sets:
        key = c[np.lexsort(np.round(c).T[::-1])]
        if not any(np.abs(key - other).max() <= tol for other in keys):
            kept.append(c)
            keys.append(key)
    return kept


def _parallel(fn: Callable[[Any], _Run], items: list[Any]) -> list[_Run]:
    """``[fn(x) for x in items]`` on up to one thread per core (each run is
    independent and writes only its own slot, so results do not depend on
    the threads)."""
    n_threads = min(len(items), _THREADS)
    if n_threads < 2:
        return [fn(x) for x in items]
    results: list[_Run | None] = [None] * len(items)

    def work(first: int) -> None:
        for i in range(first, len(items), n_threads):
            results[i] = fn(items[i])

    threads = [threading.Thread(target=work, args=(j,)) for j in range(1, n_threads)]
    for t in threads:
        t.start()
    work(0)
    for t in threads:
        t.join()
    if any(r is None for r in results):  # a thread failed: run here to raise
        return [fn(x) for x in items]
    return results  # type: ignore[return-value]


def _sqdist(pts: np.ndarray, c: np.ndarray, out: np.ndarray) -> np.ndarray:
    """Squared distances of ``pts`` (n, 3) float32 to one centre, into ``out``."""
    np.subtract(pts[:, 0], np.float32(c[0]), out=out)
    np.square(out, out=out)
    tmp = np.subtract(pts[:, 1], np.float32(c[1]))
    np.square(tmp, out=tmp)
    out += tmp
    np.subtract(pts[:, 2], np.float32(c[2]), out=tmp)
    np.square(tmp, out=tmp)
    out += tmp
    return out


def _assign(pts: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Nearest centre (lowest index on ties) and its squared distance."""
    labels, best, _ = _assign2(pts, centres)
    return labels, best


def _assign2(pts: np.ndarray, centres: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Nearest centre and the squared distances to the nearest and second.

    Large inputs are cut into chunks searched on a small thread pool (numpy
    releases the GIL); each chunk writes only its own slice, so the result
    does not depend on the threads.
    """
    n = pts.shape[0]
    labels = np.zeros(n, dtype=np.intp)
    best = np.empty(n, dtype=np.float32)
    second = np.full(n, np.inf, dtype=np.float32)
    _on_chunks(
        lambda lo, hi: _assign2_chunk(
            centres, pts[lo:hi], labels[lo:hi], best[lo:hi], second[lo:hi]
        ),
        n,
    )
    return labels, best, second


def _on_chunks(fn: Callable[[int, int], Any], n: int) -> list[Any]:
    """``fn(lo, hi)`` over chunks covering ``range(n)``, in order, on the
    thread pool when there is more than one.  The chunks depend only on
    ``n``: equal, and a multiple of the threads in number, so none idles."""
    n_parts = max(1, -(-n // _CHUNK))
    if n_parts == 1:
        return [fn(0, n)]
    n_parts = -(-n_parts // _THREADS) * _THREADS
    edges = [n * i // n_parts for i in range(n_parts + 1)]
    jobs = [_pool().submit(fn, lo, hi) for lo, hi in itertools.pairwise(edges)]
    return [job.result() for job in jobs]


def _assign2_chunk(
    centres: np.ndarray, p: np.ndarray, lab: np.ndarray, b1: np.ndarray, b2: np.ndarray
) -> None:
    _sqdist(p, centres[0], b1)
    d = np.empty(p.shape[0], dtype=np.float32)
    closer = np.empty(p.shape[0], dtype=bool)
    for j in range(1, centres.shape[0]):
        _sqdist(p, centres[j], d)
        np.less(d, b1, out=closer)
        np.minimum(b2, d, out=b2)
        np.copyto(b2, b1, where=closer)
        np.copyto(b1, d, where=closer)
        np.copyto(lab, j, where=closer)


def _lookup(table: np.ndarray, codes: np.ndarray) -> np.ndarray:
    """``table[codes]``, in chunks on the thread pool for large images."""
    out = np.empty(codes.shape, dtype=table.dtype)
    flat_codes, flat_out = codes.reshape(-1), out.reshape(-1)
    _on_chunks(
        lambda lo, hi: np.take(table, flat_codes[lo:hi], out=flat_out[lo:hi], mode="clip"),
        codes.size,
    )
    return out


#: Threads kseg uses: one per core, at most 4.
_THREADS = max(1, min(4, os.cpu_count() or 1))


@functools.cache
def _pool() -> ThreadPoolExecutor:
    """Threads for the nearest-centre search and the pixel lookup."""
    return ThreadPoolExecutor(max_workers=_THREADS)


def _sums(
    pts: np.ndarray, w: np.ndarray, labels: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray]:
    """Weighted coordinate sums of each cluster and the cluster weights."""
    cw = np.bincount(labels, weights=w, minlength=k)
    sums = np.stack(
        [np.bincount(labels, weights=w * pts[:, c], minlength=k) for c in range(3)],
        axis=1,
    )
    return sums, cw


#: Slack on distance comparisons, far below the spacing of distinct colours,
#: so float32 rounding can never hide a point that must move.
_BOUND_SLACK = 1e-2
#: How far (in feature units) centres may wander from where every point was
#: last measured before all points are measured again (see ``_lloyd``).
_MARGIN = 2.0


def _lloyd(
    pts: np.ndarray,
    w: np.ndarray,
    centres: np.ndarray,
    max_iter: int,
    eps: float,
    *,
    recount: bool = True,
) -> _Run:
    """Weighted Lloyd iterations from ``centres``, measuring only the points
    that can change cluster.

    After a full nearest-centre pass at reference centres R, a point whose
    second-nearest centre is farther than its nearest by more than
    2 * ``_MARGIN`` cannot change cluster while no centre is farther than
    ``_MARGIN`` from its place in R (triangle inequality); once one is,
    everything is measured again from a new R.  The other, "active", points
    carry bounds (as in Hamerly's algorithm): an upper bound on the distance
    to their own centre, grown by that centre's move each iteration, and a
    lower bound on the distance to any other, shrunk by the largest move.
    Only the active points whose bounds cross are measured.  Each iteration
    assigns every point exactly as plain Lloyd would, so the result is the
    same.

    The returned centres are the weighted means of the returned labels.
    ``recount`` recounts the cluster sums at the end, so that the centres
    are the labels' means to the last bit; the running sums are exact for
    integer points and weights, and drift by rounding otherwise, which only
    matters for a reported result.
    """
    k = centres.shape[0]
    centres = centres.astype(np.float64, copy=True)
    labels, ref, active, upper, lower, sums, cw = _measure_all(pts, w, centres)
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - used after the loop
        if (cw == 0).any():
            centres, labels, sums, cw = _reseed_empty(pts, w, centres, sums, cw)
            ref = None
        new = sums / cw[:, None]
        delta = np.sqrt(((new - centres) ** 2).sum(axis=1))
        centres = new
        if k == 1:
            converged = True
            break
        if ref is None or np.sqrt(((centres - ref) ** 2).sum(axis=1)).max() > _MARGIN:
            new_labels, ref, active, upper, lower, _, _ = _measure_all(
                pts, w, centres, with_sums=False
            )
            idx = np.flatnonzero(new_labels != labels)
            nl = new_labels[idx]
        else:
            upper += delta[labels[active]]
            lower -= delta.max()
            check = np.flatnonzero(upper + _BOUND_SLACK >= lower)
            near = active[check]
            sub_labels, d1, d2 = _assign2(pts[near], centres)
            upper[check] = np.sqrt(d1)
            lower[check] = np.sqrt(d2)
            moved = sub_labels != labels[near]
            idx, nl = near[moved], sub_labels[moved]
        changed = idx.size > 0
        if changed:
            # Move the changed points' weight and sums between clusters.
            ol, wi = labels[idx], w[idx]
            cw += np.bincount(nl, weights=wi, minlength=k)
            cw -= np.bincount(ol, weights=wi, minlength=k)
            for c in range(3):
                wc = wi * pts[idx, c]
                sums[:, c] += np.bincount(nl, weights=wc, minlength=k)
                sums[:, c] -= np.bincount(ol, weights=wc, minlength=k)
            labels[idx] = nl
        if not changed:
            converged = True
            break
        if float(delta.max()) <= eps:
            converged = True
            break
    if recount:
        # Exact means of the final assignment (no drift from the running sums).
        sums, cw = _sums(pts, w, labels, k)
    occupied = cw > 0
    centres[occupied] = sums[occupied] / cw[occupied, None]
    return _Run(centres, _score(sums, cw), n_iter, converged, labels, sums, cw)


def _measure_all(
    pts: np.ndarray, w: np.ndarray, centres: np.ndarray, *, with_sums: bool = True
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, Any, Any]:
    """Labels of all points; the reference centres; the points within
    2 * ``_MARGIN`` of a tie between two centres, and their distances to the
    nearest and second-nearest centre (float64, for the bounds); and
    (``with_sums``, else None) the clusters' weighted sums and weights."""
    k = centres.shape[0]
    n = pts.shape[0]
    labels = np.zeros(n, dtype=np.intp)

    def chunk(lo: int, hi: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, Any, Any]:
        d1 = np.empty(hi - lo, dtype=np.float32)
        d2 = np.full(hi - lo, np.inf, dtype=np.float32)
        _assign2_chunk(centres, pts[lo:hi], labels[lo:hi], d1, d2)
        np.sqrt(d1, out=d1)
        np.sqrt(d2, out=d2)
        # float32 distances: off by far less than _BOUND_SLACK
        near = np.flatnonzero(d2 - d1 <= 2 * _MARGIN + _BOUND_SLACK)
        sums = cw = None
        if with_sums:
            sums, cw = _sums(pts[lo:hi], w[lo:hi], labels[lo:hi], k)
        return near + lo, d1[near], d2[near], sums, cw

    parts = _on_chunks(chunk, n)
    active = np.concatenate([p[0] for p in parts])
    upper = np.concatenate([p[1] for p in parts]).astype(np.float64)
    lower = np.concatenate([p[2] for p in parts]).astype(np.float64)
    sums = cw = None
    if with_sums:  # partial sums added in chunk order: the same on any thread
        sums = functools.reduce(np.add, [p[3] for p in parts])
        cw = functools.reduce(np.add, [p[4] for p in parts])
    return labels, centres.copy(), active, upper, lower, sums, cw


def _reseed_empty(
    pts: np.ndarray, w: np.ndarray, centres: np.ndarray, sums: np.ndarray, cw: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Move each empty centre onto the costliest point, then reassign all."""
    centres = centres.copy()
    occupied = cw > 0
    centres[occupied] = sums[occupied] / cw[occupied, None]
    _, d1 = _assign(pts, centres[occupied])
    cost = w * d1
    for j in np.flatnonzero(~occupied):
        far = int(np.argmax(cost))
        centres[j] = pts[far]
        cost[far] = -1.0
    labels, _ = _assign(pts, centres)
    sums, cw = _sums(pts, w, labels, centres.shape[0])
    # A point on its own centre keeps it non-empty from here on.
    return centres, labels, sums, cw


def _sq_norms(pts: np.ndarray, w: np.ndarray) -> float:
    """sum(w |x|^2) over the points, the constant part of the inertia."""
    p64 = pts.astype(np.float64)
    return float(np.dot(w, np.einsum("ij,ij->i", p64, p64)))


def _score(sums: np.ndarray, cw: np.ndarray) -> float:
    """Inertia minus sum(w |x|^2) of a partition whose centres are its means:
    -sum_j |S_j|^2 / W_j, with S_j, W_j the clusters' sums and weights."""
    occupied = cw > 0
    return -float((np.einsum("ij,ij->i", sums[occupied], sums[occupied]) / cw[occupied]).sum())


def _init_centres(
    pts: np.ndarray, w: np.ndarray, k: int, init: str, rng: np.random.Generator
) -> np.ndarray:
    n = pts.shape[0]
    p = w / w.sum()
    if init == "random" or k == 1:
        idx = (
            rng.choice(n, size=k, replace=False, p=p)
            if init == "random"
            else [int(rng.choice(n, p=p))]
        )
        return pts[np.asarray(idx)].astype(np.float64)
    # Greedy weighted k-means++ (as in scikit-learn): several candidates per
    # step, keep the one that lowers the potential most.
    trials = 2 + int(math.log(k))
    chosen = [int(rng.choice(n, p=p))]
    closest = _sqdist(pts, pts[chosen[0]], np.empty(n, dtype=np.float32)).astype(np.float64)
    buf = np.empty(n, dtype=np.float32)
    for _ in range(1, k):
        pot = w * closest
        cum = np.cumsum(pot)
        total = cum[-1]
        if total <= 0:
            # Every point coincides with a chosen centre: pick unused ones.
            unused = np.setdiff1d(np.arange(n), chosen)
            chosen.append(int(rng.choice(unused)))
            continue
        draws = rng.random(trials) * total
        cand = np.minimum(np.searchsorted(cum, draws, side="right"), n - 1)
        best_pot = math.inf
        best_c = -1
        best_closest = closest
        for c in cand:
            d = np.minimum(closest, _sqdist(pts, pts[c], buf))
            cp = float(np.dot(w, d))
            if cp < best_pot:
                best_pot, best_c, best_closest = cp, int(c), d
        chosen.append(best_c)
        closest = best_closest
    return pts[np.asarray(chosen)].astype(np.float64)
