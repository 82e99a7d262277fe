"""K-means colour clustering of an RGB image.

The engine clusters the *distinct colours* of a photo, each weighted by how
many pixels have it, instead of the pixels themselves.  Weighted K-means over
distinct colours has exactly the same objective as K-means over the pixels,
and a photo has far fewer distinct colours than pixels.  Restarts run on a
coarse colour histogram (cheap), the best starts are refined on a finer one,
and the winner is refined exactly on every distinct colour until no colour
changes cluster.  Labels for all pixels then come from a lookup table indexed
by the packed 24-bit colour, so labelling 12 megapixels is one gather.
"""

from __future__ import annotations

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

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
#: How many of the best restarts are refined on the finer histogram.
_FINALISTS = 3
#: Bits per channel of the histogram the restarts run on.
_COARSE_BITS = 5
#: Up to this many pixels, distinct colours come from a sort, not a table.
_UNIQUE_LIMIT = 1 << 20
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
        with ``cv2.kmeans``.
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
    codes = _pack(rgb)
    flat_mask = None if mask is None else mask.ravel()
    colors, weights, inverse = _histogram(codes.ravel(), flat_mask)
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
    rng_root = np.random.SeedSequence(seed)
    centres, n_iter, converged = _fit(
        fit_colors,
        fit_weights,
        min(k_eff, int(fit_colors.size)),
        attempts=attempts,
        init=init,
        max_iter=max_iter,
        eps=float(eps),
        color_space=color_space,
        seed_seq=rng_root,
    )
    t_fit = time.perf_counter()

    # Label every distinct colour of the full-resolution image, then pixels.
    feats = _features(colors, color_space)
    colour_labels, _ = _assign(feats, centres)
    counts = np.bincount(colour_labels, weights=weights, minlength=len(centres))
    keep = counts > 0
    if not keep.all():
        # A centre fitted at reduced scale may attract no full-size pixel.
        remap = np.cumsum(keep) - 1
        colour_labels = remap[colour_labels]
        counts = counts[keep]
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

    rgb_f = _unpack(colors).astype(np.float64)
    w = weights.astype(np.float64)
    centers_float = np.stack(
        [
            np.bincount(colour_labels, weights=w * rgb_f[:, c], minlength=counts.size)
            for c in range(3)
        ],
        axis=1,
    ) / counts[:, None].astype(np.float64)
    diff = rgb_f - centers_float[colour_labels]
    total = float(w.sum())
    mse = float(np.dot(w, np.einsum("ij,ij->i", diff, diff)) / total)

    if inverse is not None:
        labels = np.full(codes.shape, -1, dtype=np.int16)
        if mask is None:
            labels.ravel()[:] = colour_labels[inverse]
        else:
            labels[mask] = colour_labels[inverse]
    else:
        lut = np.zeros(1 << 24, dtype=np.uint8)
        lut[colors] = colour_labels.astype(np.uint8)
        labels = lut[codes].astype(np.int16)
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
        n_iter=n_iter,
        converged=converged,
        notice=notice,
        timings=timings,
        settings=settings,
    )


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
    codes = rgb[..., 0].astype(np.uint32)
    codes <<= 8
    codes |= rgb[..., 1]
    codes <<= 8
    codes |= rgb[..., 2]
    return codes


def _unpack(codes: np.ndarray) -> np.ndarray:
    """(n,) codes -> (n, 3) uint8 RGB."""
    out = np.empty((codes.size, 3), dtype=np.uint8)
    out[:, 0] = codes >> 16
    out[:, 1] = (codes >> 8) & 0xFF
    out[:, 2] = codes & 0xFF
    return out


def _histogram(
    codes: np.ndarray, mask: np.ndarray | None
) -> tuple[np.ndarray, np.ndarray, np.ndarray | None]:
    """Distinct codes (sorted), their pixel counts and, for small inputs, the
    index of each pixel's colour (for large ones a lookup table is faster)."""
    if mask is not None:
        codes = codes[mask]
    if codes.size <= _UNIQUE_LIMIT:
        colors, inverse, counts = np.unique(codes, return_inverse=True, return_counts=True)
        return colors, counts, inverse
    counts = np.bincount(codes, minlength=1 << 24)
    colors = np.flatnonzero(counts).astype(np.uint32)
    return colors, counts[colors], None


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
    flat_mask = None if small_mask is None else small_mask.ravel()
    colors, counts, _ = _histogram(_pack(small).ravel(), flat_mask)
    return colors, counts


def _features(colors: np.ndarray, color_space: str) -> np.ndarray:
    """(n,) codes -> (n, 3) float32 points in the clustering space."""
    rgb = _unpack(colors)
    if color_space == "lab":
        f = rgb.reshape(-1, 1, 3).astype(np.float32) / np.float32(255.0)
        return np.ascontiguousarray(cv2.cvtColor(f, cv2.COLOR_RGB2Lab).reshape(-1, 3))
    return rgb.astype(np.float32)


def _reduce(
    colors: np.ndarray, weights: np.ndarray, feats: np.ndarray, bits: int
) -> tuple[np.ndarray, np.ndarray]:
    """Merge colours into a 2**(3*bits)-bin histogram: weighted mean points."""
    shift = 8 - bits
    key = (
        ((colors >> (16 + shift)) & ((1 << bits) - 1)) << (2 * bits)
        | ((colors >> (8 + shift)) & ((1 << bits) - 1)) << bits
        | ((colors >> shift) & ((1 << bits) - 1))
    ).astype(np.intp)
    w = weights.astype(np.float64)
    bw = np.bincount(key, weights=w, minlength=1 << (3 * bits))
    nz = np.flatnonzero(bw)
    pts = np.empty((nz.size, 3), dtype=np.float32)
    for c in range(3):
        s = np.bincount(key, weights=w * feats[:, c], minlength=1 << (3 * bits))
        pts[:, c] = s[nz] / bw[nz]
    return pts, bw[nz]


# ---------------------------------------------------------------------------
# Weighted K-means
# ---------------------------------------------------------------------------


def _fit(
    colors: np.ndarray,
    weights: np.ndarray,
    k: int,
    *,
    attempts: int,
    init: str,
    max_iter: int,
    eps: float,
    color_space: str,
    seed_seq: np.random.SeedSequence,
) -> tuple[np.ndarray, int, bool]:
    """Best-of-``attempts`` weighted K-means over distinct colours.

    Returns the centres in feature space, the iterations of the final exact
    refinement and whether it converged.
    """
    feats = _features(colors, color_space)
    w = weights.astype(np.float64)
    seeds = seed_seq.spawn(attempts)
    if colors.size <= _DIRECT_LIMIT:
        levels: list[tuple[np.ndarray, np.ndarray]] = []
    else:
        levels = [_reduce(colors, weights, feats, _COARSE_BITS)]
        if colors.size > 8 * levels[0][0].shape[0]:
            levels.append(_reduce(colors, weights, feats, 7))
    # Restarts on the coarsest level with at least a few points per cluster.
    start_pts, start_w = feats, w
    rest: list[tuple[np.ndarray, np.ndarray]] = []
    for i, (pts, pw) in enumerate(levels):
        if pts.shape[0] >= 16 * k:
            start_pts, start_w = pts, pw
            rest = levels[i + 1 :]
            break
    candidates = []
    for s in seeds:
        rng = np.random.default_rng(s)
        c0 = _init_centres(start_pts, start_w, k, init, rng)
        candidates.append(_lloyd(start_pts, start_w, c0, max_iter, eps))
    candidates.sort(key=lambda t: t[1])
    if start_pts is feats:
        # Restarts ran on the exact colours: the best one is final already.
        best, _, n_iter, converged = candidates[0]
        return best, n_iter, converged
    # The best few starts are refined level by level; the exact objective
    # picks the winner, since the coarse ranking can be off by a little.
    finalists = [c for c, _, _, _ in candidates[:_FINALISTS]]
    for pts, pw in rest:
        finalists = [_lloyd(pts, pw, c, max_iter, eps)[0] for c in finalists]
    results = [_lloyd(feats, w, c, max_iter, eps) for c in finalists]
    centres, _, n_iter, converged = min(results, key=lambda t: t[1])
    return centres, n_iter, converged


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
    """Nearest centre and the squared distances to the nearest and second."""
    n = pts.shape[0]
    labels = np.zeros(n, dtype=np.intp)
    best = np.empty(n, dtype=np.float32)
    second = np.full(n, np.inf, dtype=np.float32)
    for lo in range(0, n, _CHUNK):
        hi = min(n, lo + _CHUNK)
        p = pts[lo:hi]
        b1 = best[lo:hi]
        b2 = second[lo:hi]
        lab = labels[lo:hi]
        _sqdist(p, centres[0], b1)
        d = np.empty(hi - lo, dtype=np.float32)
        closer = np.empty(hi - lo, dtype=bool)
        for j in range(1, centres.shape[0]):
            _sqdist(p, centres[j], d)
            np.less(d, b1, out=closer)
            np.minimum(b2, d, out=b2)
            np.copyto(b2, b1, where=closer)
            np.copyto(b1, d, where=closer)
            lab[closer] = j
    return labels, best, second


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


#: Slack on the distance bounds, far below the spacing of distinct colours,
#: so float32 rounding can never make a bound skip a point that must move.
_BOUND_SLACK = 1e-2


def _lloyd(
    pts: np.ndarray, w: np.ndarray, centres: np.ndarray, max_iter: int, eps: float
) -> tuple[np.ndarray, float, int, bool]:
    """Weighted Lloyd iterations from ``centres``, with Hamerly's bounds.

    Each point keeps an upper bound on the distance to its centre and a lower
    bound on the distance to any other; only points whose bounds overlap after
    the centres move are measured again, so late iterations, where few colours
    change cluster, cost little.  The result is the same as plain Lloyd.

    Returns the centres (weighted means of the final assignment), the inertia,
    the iterations done and whether the assignment converged.
    """
    k = centres.shape[0]
    centres = centres.astype(np.float64, copy=True)
    labels, d1, d2 = _assign2(pts, centres)
    upper = np.sqrt(d1, dtype=np.float64)
    lower = np.sqrt(d2, dtype=np.float64)
    sums, cw = _sums(pts, w, labels, k)
    converged = False
    n_iter = 0
    for n_iter in range(1, max_iter + 1):  # noqa: B007 - used after the loop
        if (cw == 0).any():
            centres, labels, upper, lower, sums, cw = _reseed_empty(
                pts, w, centres, labels, upper, cw, sums
            )
        new = sums / cw[:, None]
        delta = np.sqrt(((new - centres) ** 2).sum(axis=1))
        centres = new
        if k == 1:
            converged = True
            break
        # Move the bounds with the centres, then find points that may change.
        upper += delta[labels]
        lower -= delta.max()
        gaps = np.sqrt(((centres[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2))
        np.fill_diagonal(gaps, np.inf)
        half = 0.5 * gaps.min(axis=1)
        bound = np.maximum(lower, half[labels])
        cand = np.flatnonzero(upper + _BOUND_SLACK > bound)
        changed = False
        if cand.size:
            sub_labels, s1, s2 = _assign2(pts[cand], centres)
            upper[cand] = np.sqrt(s1, dtype=np.float64)
            lower[cand] = np.sqrt(s2, dtype=np.float64)
            old = labels[cand]
            moved = sub_labels != old
            if moved.any():
                changed = True
                idx = cand[moved]
                nl, ol, wi = sub_labels[moved], old[moved], w[idx]
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
    # Exact means of the final assignment (no drift from the running sums).
    sums, cw = _sums(pts, w, labels, k)
    occupied = cw > 0
    centres[occupied] = sums[occupied] / cw[occupied, None]
    inertia = _inertia(pts, w, centres, labels)
    return centres, inertia, n_iter, converged


def _reseed_empty(
    pts: np.ndarray,
    w: np.ndarray,
    centres: np.ndarray,
    labels: np.ndarray,
    upper: np.ndarray,
    cw: np.ndarray,
    sums: np.ndarray,
) -> tuple[np.ndarray, ...]:
    """Move each empty centre onto the costliest point, then reassign all."""
    centres = centres.copy()
    occupied = cw > 0
    centres[occupied] = sums[occupied] / cw[occupied, None]
    cost = w * upper**2
    for j in np.flatnonzero(~occupied):
        far = int(np.argmax(cost))
        centres[j] = pts[far]
        cost[far] = -1.0
    labels, d1, d2 = _assign2(pts, centres)
    sums, cw = _sums(pts, w, labels, centres.shape[0])
    # A point on its own centre keeps it non-empty from here on.
    return (
        centres,
        labels,
        np.sqrt(d1, dtype=np.float64),
        np.sqrt(d2, dtype=np.float64),
        sums,
        cw,
    )


def _inertia(pts: np.ndarray, w: np.ndarray, centres: np.ndarray, labels: np.ndarray) -> float:
    diff = pts.astype(np.float64) - centres[labels]
    return float(np.dot(w, np.einsum("ij,ij->i", diff, diff)))


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
