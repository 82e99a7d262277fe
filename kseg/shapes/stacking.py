"""The order of stacked layers (compiled, numba).

Stacked, layer ``r`` is the union of the colours ``order[r:]``: a border
between colours at positions ``p`` and ``q`` is drawn by ``|p - q|``
layers, and a border with the frame (or with a colour left out) by
``p + 1``.  Every order draws the same picture; the file's size is the
sum of those counts weighted by each border's size, and the order chosen
here makes it small: from the given order (largest colour first), each
colour is moved to the place that lowers the sum most, until no single
move lowers it.
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["drawn_size", "stacking_order"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


def _weights(
    sides: np.ndarray, sizes: np.ndarray, shown: list[int]
) -> tuple[np.ndarray, np.ndarray]:
    """Border sizes between the ``shown`` colours (n, n) and between each
    of them and anything else (n,), indexed by position in ``shown``."""
    top = int(max(shown, default=0))
    lo = int(min(int(sides.min(initial=0)), 0))
    at = np.full(top - lo + 1, -1, dtype=np.int64)
    at[np.asarray(shown, dtype=np.int64) - lo] = np.arange(len(shown))
    a = at[np.clip(sides[:, 0], lo, top) - lo]
    b = at[np.clip(sides[:, 1], lo, top) - lo]
    a[(sides[:, 0] > top) | (sides[:, 0] < lo)] = -1
    b[(sides[:, 1] > top) | (sides[:, 1] < lo)] = -1
    n = len(shown)
    weight = np.zeros((n, n), dtype=np.int64)
    both = (a >= 0) & (b >= 0)
    np.add.at(weight, (a[both], b[both]), sizes[both])
    weight += weight.T
    np.fill_diagonal(weight, 0)  # a colour's border with itself is none
    outside = np.zeros(n, dtype=np.int64)
    np.add.at(outside, a[(a >= 0) & (b < 0)], sizes[(a >= 0) & (b < 0)])
    np.add.at(outside, b[(b >= 0) & (a < 0)], sizes[(b >= 0) & (a < 0)])
    return weight, outside


@_jit
def _size(weight: np.ndarray, outside: np.ndarray, order: np.ndarray) -> int:
    n = order.shape[0]
    pos = np.empty(n, dtype=np.int64)
    for r in range(n):
        pos[order[r]] = r
    total = 0
    for a in range(n):
        total += outside[a] * (pos[a] + 1)
        for b in range(a + 1, n):
            total += weight[a, b] * abs(pos[a] - pos[b])
    return total


@_jit
def _move_gain(
    weight: np.ndarray, outside: np.ndarray, order: np.ndarray, p: int
) -> tuple[int, int]:
    """The best place for the colour at ``p`` and how much moving it there
    lowers the size (0 and ``p`` where no move does)."""
    n = order.shape[0]
    a = order[p]
    total_a = weight[a].sum()
    best, best_q = 0, p
    # Rightwards: a passes order[q] for q = p + 1, p + 2, ...
    change, before_a = 0, 0
    for r in range(p):
        before_a += weight[a, order[r]]
    for q in range(p + 1, n):
        c = order[q]
        before_c = 0  # c's borders with everything before it now (a included)
        for r in range(q):
            before_c += weight[c, order[r]]
        after_a = total_a - before_a - weight[a, c]
        after_c = weight[c].sum() - before_c
        change += outside[a] - outside[c]
        change += before_a - (before_c - weight[c, a]) + after_c - after_a
        if -change > best:
            best, best_q = -change, q
        before_a += weight[a, c]
    # Leftwards: a passes order[q] for q = p - 1, p - 2, ...
    change, before_a = 0, 0
    for r in range(p):
        before_a += weight[a, order[r]]
    for q in range(p - 1, -1, -1):
        c = order[q]
        before_a -= weight[a, c]
        before_c = 0
        for r in range(q):
            before_c += weight[c, order[r]]
        after_a = total_a - before_a - weight[a, c]
        after_c = weight[c].sum() - before_c - weight[c, a]
        change += outside[c] - outside[a]
        change += before_c - before_a + after_a - after_c
        if -change > best:
            best, best_q = -change, q
    return best, best_q


@_jit
def _improve(weight: np.ndarray, outside: np.ndarray, order: np.ndarray) -> np.ndarray:
    order = order.copy()
    n = order.shape[0]
    improved = True
    while improved:
        improved = False
        for p in range(n):
            gain, q = _move_gain(weight, outside, order, p)
            if gain > 0:
                a = order[p]
                if q > p:
                    order[p:q] = order[p + 1 : q + 1].copy()
                else:
                    order[q + 1 : p + 1] = order[q:p].copy()
                order[q] = a
                improved = True
    return order


def drawn_size(sides: np.ndarray, sizes: np.ndarray, order: list[int]) -> int:
    """The summed size of the stacked layers ``order`` (bottom first): each
    border's size (``sizes``, by the border's two ``sides``) times the
    number of layers that draw it."""
    weight, outside = _weights(sides, np.asarray(sizes, dtype=np.int64), order)
    return int(_size(weight, outside, np.arange(len(order), dtype=np.int64)))


def stacking_order(sides: np.ndarray, sizes: np.ndarray, order: list[int]) -> list[int]:
    """The colours ``order`` (bottom layer first) rearranged so that the
    stacked layers draw their borders as few times as one move of a colour
    can make it.

    Parameters
    ----------
    sides : numpy.ndarray
        (borders, 2) int, the labels either side of each border (any label
        not in ``order``, such as the frame, counts as outside).
    sizes : numpy.ndarray
        (borders,) int, each border's size (pieces or corners).
    order : list of int
        The colours to stack, in the order to start from.

    Returns
    -------
    list of int
        The same colours, bottom layer first.
    """
    if len(order) < 2:
        return list(order)
    weight, outside = _weights(sides, np.asarray(sizes, dtype=np.int64), order)
    start = np.arange(len(order), dtype=np.int64)
    better = _improve(weight, outside, start)
    return [order[i] for i in better.tolist()]
