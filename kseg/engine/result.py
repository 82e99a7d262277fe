"""The result of a segmentation, and the one step that finishes every
result: clusters numbered by share, exact means and the exact objective.

:func:`kseg.segment`, :func:`kseg.merge_clusters` and
:func:`kseg.clean_segmentation` all end here, so every result they return
obeys the same rules (largest cluster first, centres that are their pixels'
means, read-only arrays).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np

from kseg.base.naming import color_names
from kseg.base.parallel import gather

__all__ = [
    "Segmentation",
    "by_share",
    "means_and_mse",
    "names_of",
    "numbered_by_share",
    "renumbered",
    "squared_error",
    "with_clusters",
    "with_means",
]


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
    pinned : tuple of int
        Clusters whose centre is a pinned colour (``fixed_centers``), exactly
        that colour; empty once clusters are merged or cleaned (their centres
        are then their pixels' means).
    label_centers : (k', 3) ndarray of float64, or None
        The centres each pixel was labelled with (its nearest, in the colour
        space of ``settings["color_space"]``): what a palette file records
        so that applying it gives these labels again.  None once clusters
        are merged or cleaned (the labels then come from the edit).
    names : tuple of str
        The colours' own names where they came from a list of the user's
        (:func:`kseg.pick_colours`), one per cluster; empty otherwise (and
        once clusters are merged or cleaned): :func:`names_of` then names
        them in words.
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
    pinned: tuple[int, ...] = ()
    label_centers: np.ndarray | None = None
    names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        for arr in (self.labels, self.centers, self.centers_float, self.counts, self.shares):
            arr.flags.writeable = False
        if self.label_centers is not None:
            self.label_centers.flags.writeable = False

    @property
    def k(self) -> int:
        """Number of clusters actually found."""
        return int(self.centers.shape[0])

    @property
    def shape(self) -> tuple[int, int]:
        """(height, width) of the segmented image."""
        return (int(self.labels.shape[0]), int(self.labels.shape[1]))


def names_of(result: object) -> list[str]:
    """Each cluster's name: its own (``result.names``, from the user's list
    of colours) where it has them, else the colour in words (of its
    ``centers``; any result-like object)."""
    own = getattr(result, "names", ())
    return list(own) if own else color_names(result.centers)  # type: ignore[attr-defined]


def by_share(counts: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cluster numbering by share, largest first (ties keep their order):
    ``order[new] = old`` and ``rank[old] = new``."""
    order = np.argsort(-counts, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(order.size)
    return order, rank


def means_and_mse(
    rgb: np.ndarray,
    weights: np.ndarray,
    labels: np.ndarray,
    counts: np.ndarray,
    sums: np.ndarray | None = None,
    fixed_rgb: np.ndarray | None = None,
) -> tuple[np.ndarray, float]:
    """Cluster means and the exact mean squared RGB error.

    With integer colours and counts, each cluster's pixel count W_j and
    channel sums S_j and the total Q of the pixels' squared norms are exact
    integers (below 2**53 even for 40 MP, so float64 sums of them are exact),
    and the squared error is exactly Q - sum_j |S_j|^2 / W_j.  ``sums``, the
    S_j if already known (in the order of ``counts``), saves recounting them.
    ``fixed_rgb``: the first p clusters are pinned to these integer RGB
    centres c_j instead of their means; each adds W_j |c_j|^2 - 2 S_j . c_j
    (exact integers) in place of -|S_j|^2 / W_j.

    Parameters
    ----------
    rgb : (n, 3) ndarray of uint8
        The colours (pixels, or distinct colours).
    weights : (n,) ndarray of int
        How many pixels each colour stands for.
    labels : (n,) ndarray of int
        Cluster of each colour, 0 to ``counts.size - 1``.
    counts : (k,) ndarray of int
        Pixels in each cluster.
    sums : (k, 3) ndarray, optional
        Each cluster's channel sums, if known.

    Returns
    -------
    centres : (k, 3) ndarray of float64
    mse : float
    """
    k = counts.size
    w = weights.astype(np.float64)
    f = rgb.astype(np.float64)
    if sums is None:
        sums = np.stack(
            [np.bincount(labels, weights=w * f[:, c], minlength=k) for c in range(3)], axis=1
        )
    q = int(np.dot(w, np.einsum("ij,ij->i", f, f)))
    p = 0 if fixed_rgb is None else len(fixed_rgb)
    error = Fraction(q) - sum(
        Fraction(sum(int(x) ** 2 for x in sj), int(wj))
        for wj, sj in zip(counts[p:], sums[p:], strict=True)
    )
    centres = np.zeros((k, 3))
    centres[p:] = sums[p:] / counts[p:, None].astype(np.float64)
    for j in range(p):
        c = [int(v) for v in fixed_rgb[j]]  # type: ignore[index]
        error += int(counts[j]) * sum(v * v for v in c) - 2 * sum(
            round(float(x)) * v for x, v in zip(sums[j], c, strict=True)
        )
        centres[j] = c
    return centres, float(error / int(counts.sum()))


def squared_error(
    rgb: np.ndarray, weights: np.ndarray, labels: np.ndarray, centres: np.ndarray
) -> Fraction:
    """The summed squared RGB distance of the (integer) colours ``rgb``,
    each standing for ``weights`` pixels, to their cluster's centre in
    ``centres`` (any floats), exactly: per cluster the pixel count W_j, the
    channel sums S_j and the squared norms Q_j are exact integers, and the
    error is sum_j Q_j - 2 S_j . c_j + W_j |c_j|^2 with each float c_j taken
    exactly (a Fraction: divided by the pixels, rounded once)."""
    k = len(centres)
    w = weights.astype(np.float64)
    f = rgb.astype(np.float64)
    count = np.bincount(labels, weights=w, minlength=k)
    norms = np.bincount(labels, weights=w * np.einsum("ij,ij->i", f, f), minlength=k)
    sums = [np.bincount(labels, weights=w * f[:, c], minlength=k) for c in range(3)]
    error = Fraction(0)
    for j in range(k):
        if count[j] == 0:
            continue
        c = [Fraction(float(v)) for v in centres[j]]
        error += int(norms[j]) + int(count[j]) * sum(v * v for v in c)
        error -= 2 * sum(int(sums[e][j]) * c[e] for e in range(3))
    return error


def numbered_by_share(
    rgb: np.ndarray,
    weights: np.ndarray,
    labels: np.ndarray,
    counts: np.ndarray,
    sums: np.ndarray | None = None,
    fixed_rgb: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    """Clusters numbered by share, with their exact means and objective.

    Takes the arguments of :func:`means_and_mse` in any cluster order and
    returns ``rank`` (``rank[old]`` is the new number), the counts, the
    centres in the new order, and the objective.  With ``fixed_rgb`` the
    first p clusters (old numbers) are pinned to those colours.
    """
    p = 0 if fixed_rgb is None else len(fixed_rgb)
    if p:
        k = counts.size
        if sums is None:
            w = weights.astype(np.float64)
            f = rgb.astype(np.float64)
            sums = np.stack(
                [np.bincount(labels, weights=w * f[:, c], minlength=k) for c in range(3)], axis=1
            )
        centres, mse = means_and_mse(rgb, weights, labels, counts, sums, fixed_rgb)
        order, rank = by_share(counts)
        return rank, counts[order], centres[order], mse
    order, rank = by_share(counts)
    sums = None if sums is None else sums[order]
    centres, mse = means_and_mse(rgb, weights, rank[labels], counts[order], sums)
    return rank, counts[order], centres, mse


def with_clusters(
    labels: np.ndarray, centers_float: np.ndarray, counts: np.ndarray, mse: float
) -> dict[str, object]:
    """The fields of a :class:`Segmentation` that follow from its clusters:
    labels, centres (rounded and not), counts, shares and the objective."""
    counts = counts.astype(np.int64)
    return {
        "labels": labels,
        "centers": np.clip(np.rint(centers_float), 0, 255).astype(np.uint8),
        "centers_float": centers_float,
        "counts": counts,
        "shares": counts / counts.sum(),
        "mse": float(mse),
    }


def renumbered(
    result: Segmentation,
    new: np.ndarray,
    counts: np.ndarray,
    centres: np.ndarray,
    mse: float,
    settings: Mapping[str, object],
) -> Segmentation:
    """``result`` with its old cluster i as new cluster ``new[i]`` (whose
    pixel counts, centres and objective are given), then renumbered by
    share, largest first (ties keep their order)."""
    order, rank = by_share(counts)
    table = np.append(rank[new], -1).astype(np.int16)  # label -1 reads the last entry
    fields = with_clusters(gather(table, result.labels), centres[order], counts[order], mse)
    return with_means(result, fields, settings)


def with_means(
    result: Segmentation, fields: Mapping[str, object], settings: Mapping[str, object]
) -> Segmentation:
    """``result`` with new clusters (``fields``, :func:`with_clusters`)
    whose centres are their pixels' means: no pin, labelling centre or own
    name of the old ones holds."""
    return dataclasses.replace(
        result,
        **fields,  # type: ignore[arg-type]
        settings=settings,
        pinned=(),
        label_centers=None,
        names=(),
    )
