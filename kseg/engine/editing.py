"""Edits of a finished segmentation: merging clusters, cleaning specks, and
giving clusters new colours.

Merging and cleaning return a new :class:`~kseg.Segmentation` (clusters renumbered by share,
largest first) whose labels, centres, counts, shares and ``mse`` describe the
edited partition exactly, so masks, cut-outs and exports follow the edit.
Recolouring keeps the partition and changes the colours it is painted with
(the objective measured to the new colours).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from fractions import Fraction

import numpy as np

from kseg.base.naming import color_name
from kseg.base.opencv import cv2
from kseg.base.validation import check_int, check_same_size
from kseg.engine.regions import small_regions
from kseg.engine.result import (
    Segmentation,
    by_share,
    names_of,
    numbered_by_share,
    renumbered,
    with_clusters,
    with_means,
)

__all__ = [
    "clean_segmentation",
    "cleaned_labels",
    "cluster_sums",
    "fill_nearest",
    "merge_clusters",
    "merged_numbers",
    "recolour",
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
    return with_means(result, with_clusters(new_labels, centres, counts, mse), settings)


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
    away = speck | (labels < 0)
    _, nearest = cv2.distanceTransformWithLabels(
        away.view(np.uint8), cv2.DIST_L2, 5, labelType=cv2.DIST_LABEL_PIXEL
    )
    kept_labels = labels[~away]  # in raster order, as OpenCV numbers them
    del away
    at = np.flatnonzero(speck)
    at = at[labels.ravel()[at] >= 0]
    cleaned = np.array(labels, copy=True, order="C")
    cleaned.ravel()[at] = kept_labels[nearest.ravel()[at] - 1]
    return cleaned


def recolour(
    rgb: np.ndarray,
    result: Segmentation,
    colours: Mapping[int, object],
    names: Mapping[int, str] | None = None,
) -> Segmentation:
    """Give clusters new colours: the same pixels, painted otherwise.

    Parameters
    ----------
    rgb : (H, W, 3) ndarray of uint8
        The photo that was segmented (for the objective).
    result : Segmentation
        Its segmentation.
    colours : mapping of int to colour
        Cluster index (0-based) -> its new colour: ``"#rrggbb"`` or an RGB
        triple of 0-255 integers.
    names : mapping of int to str, optional
        A name for a new colour (a paint's); by default the colour in words.

    Returns
    -------
    Segmentation
        The same labels and counts; the chosen clusters' ``centers`` (and
        ``centers_float``) are their new colours, every other cluster is
        unchanged; ``mse`` is measured to the new colours exactly;
        ``settings["recolour"]`` records the changes.

    Raises
    ------
    TypeError, ValueError
        For a cluster out of range, a colour that is not one, or a photo of
        another size.
    """
    check_same_size(rgb, result.labels)
    new = {check_int("cluster", i, 0, result.k - 1): _colour(c) for i, c in colours.items()}
    centres = result.centers_float.copy()
    for i, c in new.items():
        centres[i] = c
    count, norms, sums = cluster_sums(rgb, result.labels, result.k)
    error = Fraction(0)
    for j in range(result.k):
        c = [Fraction(float(v)) for v in centres[j]]
        error += int(norms[j]) + int(count[j]) * sum(v * v for v in c)
        error -= 2 * sum(int(sums[j, e]) * c[e] for e in range(3))
    own = names_of(result)
    for i, c in new.items():
        own[i] = (names or {}).get(i) or color_name(np.array(c, dtype=np.uint8))
    changes = {str(i + 1): "#{:02x}{:02x}{:02x}".format(*c) for i, c in sorted(new.items())}
    return dataclasses.replace(
        result,
        centers=np.rint(centres).astype(np.uint8),
        centers_float=centres,
        mse=float(error / max(1, int(count.sum()))),
        settings={**result.settings, "recolour": changes},
        pinned=tuple(i for i in result.pinned if i not in new),
        label_centers=None,
        names=tuple(own) if (result.names or names) else (),
    )


#: Rows of pixels summed at a time (about 64 bytes a pixel of the band at
#: its peak: 30 MB for a 40 MP photo's 7,300 columns).
_BAND_ROWS = 64


def cluster_sums(
    rgb: np.ndarray, labels: np.ndarray, k: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each cluster's pixel count, summed squared norm and channel sums
    (exact integers, int64), in bands of rows (no full-size copy); pixels
    labelled -1 count in none."""
    count = np.zeros(k, np.int64)
    norms = np.zeros(k, np.int64)
    sums = np.zeros((k, 3), np.int64)
    for top in range(0, labels.shape[0], _BAND_ROWS):
        lab = labels[top : top + _BAND_ROWS].ravel()
        inside = lab >= 0
        lab = lab[inside].astype(np.intp)
        px = rgb[top : top + _BAND_ROWS].reshape(-1, 3)[inside].astype(np.int64)
        count += np.bincount(lab, minlength=k)
        norms += np.bincount(lab, weights=(px * px).sum(axis=1), minlength=k).astype(np.int64)
        for c in range(3):
            sums[:, c] += np.bincount(lab, weights=px[:, c], minlength=k).astype(np.int64)
    return count, norms, sums


def _colour(value: object) -> tuple[int, int, int]:
    """``"#rrggbb"`` or an RGB triple, checked."""
    if isinstance(value, str):
        code = value.strip().lstrip("#")
        if len(code) == 6 and all(ch in "0123456789abcdefABCDEF" for ch in code):
            v = int(code, 16)
            return (v >> 16, (v >> 8) & 0xFF, v & 0xFF)
    elif isinstance(value, (tuple, list, np.ndarray)) and len(value) == 3:
        try:
            r, g, b = (check_int("colour", int(x), 0, 255) for x in value)
            if all(float(x) == int(x) for x in value):
                return (r, g, b)
        except (TypeError, ValueError):
            pass
    msg = f"a new colour must be '#rrggbb' or three integers from 0 to 255, got {value!r:.40}"
    raise ValueError(msg)
