"""Edits of a finished segmentation: merging clusters and cleaning specks.

Both return a new :class:`~kseg.Segmentation` (clusters renumbered by share,
largest first) whose labels, centres, counts, shares and ``mse`` describe the
edited partition exactly, so masks, cut-outs and exports follow the edit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable

import numpy as np

from kseg.base.opencv import cv2
from kseg.base.validation import check_int, check_same_size
from kseg.engine.regions import small_regions
from kseg.engine.result import Segmentation, by_share, numbered_by_share, renumbered, with_clusters

__all__ = [
    "clean_segmentation",
    "cleaned_labels",
    "fill_nearest",
    "merge_clusters",
    "merged_numbers",
]


def merge_clusters(result: Segmentation, groups: Iterable[Iterable[int]]) -> Segmentation:
    """Merge groups of clusters into single clusters.

    Parameters
    ----------
    result : Segmentation
        A segmentation.
    groups : iterable of iterables of int
        Each group lists two or more cluster indices of ``result`` to become
        one cluster.  A cluster may be in one group only; groups of one are
        ignored.

    Returns
    -------
    Segmentation
        The merged segmentation.  A merged cluster's centre is the mean of all
        its pixels; ``mse`` grows by exactly the spread between the merged
        centres.  ``settings["merged"]`` records the groups.

    Raises
    ------
    ValueError
        If an index is outside 0 to ``result.k - 1`` or in two groups.
    """
    kept = _groups(groups, result.k)
    if not kept:
        return result
    target = np.arange(result.k)
    for members in kept:
        target[members] = members[0]
    _, new = np.unique(target, return_inverse=True)
    k_new = int(new.max()) + 1
    counts = np.bincount(new, weights=result.counts, minlength=k_new)
    sums = np.stack(
        [np.bincount(new, weights=result.counts * result.centers_float[:, c]) for c in range(3)],
        axis=1,
    )
    centres = sums / counts[:, None]
    spread = result.centers_float - centres[new]
    extra = float(np.dot(result.counts, np.einsum("ij,ij->i", spread, spread)))
    mse = result.mse + extra / float(result.counts.sum())
    settings = {**result.settings, "merged": [*result.settings.get("merged", []), *kept]}
    return renumbered(result, new, counts.astype(np.int64), centres, mse, settings)


def _groups(groups: Iterable[Iterable[int]], k: int) -> list[list[int]]:
    """The merge groups of two or more, checked (each index 0 to k - 1, in
    one group only)."""
    seen: set[int] = set()
    kept: list[list[int]] = []
    for group in groups:
        members = sorted({int(i) for i in group})
        for i in members:
            if not 0 <= i < k:
                msg = f"cluster index {i} is out of range: valid indices are 0 to {k - 1}"
                raise ValueError(msg)
            if i in seen:
                msg = f"cluster {i} is in more than one merge group"
                raise ValueError(msg)
        seen.update(members)
        if len(members) > 1:
            kept.append(members)
    return kept


def merged_numbers(counts: np.ndarray, groups: Iterable[Iterable[int]]) -> np.ndarray:
    """The number each cluster gets in :func:`merge_clusters`' result
    (clusters of ``counts`` pixels, merged in ``groups``, then numbered by
    share, largest first): to carry choices made on the clusters, such as
    the background, across a merge.

    Raises
    ------
    ValueError
        As :func:`merge_clusters`.
    """
    counts = np.asarray(counts, dtype=np.int64)
    target = np.arange(counts.size)
    for members in _groups(groups, counts.size):
        target[members] = members[0]
    _, new = np.unique(target, return_inverse=True)
    _, rank = by_share(np.bincount(new, weights=counts, minlength=int(new.max()) + 1))
    return rank[new]


def clean_segmentation(rgb: np.ndarray, result: Segmentation, min_size: int) -> Segmentation:
    """Remove specks: every connected patch of one cluster smaller than
    ``min_size`` pixels joins the cluster of the nearest pixel outside it.

    This fills small holes too (a hole is a speck of another cluster).  The
    result is no longer a pure K-means partition: centres become the means of
    the cleaned clusters and ``mse`` is measured against them.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The image that was segmented.
    result : Segmentation
        Its segmentation.
    min_size : int
        Smallest patch kept, in pixels (1 to 1,000,000; 1 changes nothing).

    Returns
    -------
    Segmentation
        ``settings["clean_min_size"]`` records ``min_size``; a cluster left
        with no pixel is dropped.

    Raises
    ------
    ValueError
        If ``min_size`` is out of range or ``rgb`` does not match the labels.
    """
    min_size = check_int("min_size", min_size, 1, 1_000_000)
    check_same_size(rgb, result.labels)
    labels = result.labels
    speck = small_regions(labels, min_size)
    settings = {**result.settings, "clean_min_size": int(min_size)}
    if not speck.any() or speck[labels >= 0].all():
        return dataclasses.replace(result, settings=settings)
    cleaned = fill_nearest(labels, speck)
    inside = cleaned >= 0
    counts = np.bincount(cleaned[inside], minlength=result.k).astype(np.int64)
    present = np.flatnonzero(counts)
    remap = np.full(result.k, -1, dtype=np.intp)
    remap[present] = np.arange(present.size)
    flat = remap[cleaned[inside]]
    rank, counts, centres, mse = numbered_by_share(
        rgb[inside], np.ones(flat.size, np.int64), flat, counts[present]
    )
    new_labels = np.full(labels.shape, -1, dtype=np.int16)
    new_labels[inside] = rank[flat]
    fields = with_clusters(new_labels, centres, counts, mse)
    # New centres (their pixels' means): no pin, labelling centre or own name holds.
    return dataclasses.replace(
        result,
        **fields,  # type: ignore[arg-type]
        settings=settings,
        pinned=(),
        label_centers=None,
        names=(),
    )


def cleaned_labels(labels: np.ndarray, min_size: int, *, diagonal: bool = True) -> np.ndarray:
    """``labels`` with every patch of one label smaller than ``min_size``
    pixels (8-connected, or 4-connected when not ``diagonal``: a chain of
    pixels touching only at corners is then no patch of its own) given the
    label of the nearest pixel outside the patches (labels < 0 stay; if
    every pixel is in a patch, unchanged)."""
    speck = small_regions(labels, min_size, diagonal)
    if not speck.any() or speck[labels >= 0].all():
        return labels
    return fill_nearest(labels, speck)


def fill_nearest(labels: np.ndarray, speck: np.ndarray) -> np.ndarray:
    """``labels`` with each speck pixel given the label of the nearest pixel
    that stays (left-out pixels stay -1)."""
    source = np.where(speck | (labels < 0), 1, 0).astype(np.uint8)
    _, nearest = cv2.distanceTransformWithLabels(
        source, cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    kept_labels = labels[source == 0]  # in raster order, as OpenCV numbers them
    cleaned = labels.copy()
    cleaned[speck] = kept_labels[nearest[speck] - 1]
    cleaned[labels < 0] = -1
    return cleaned
