"""Smooth shapes that fit together: a label image's borders, each fitted
once and shared by the two colours either side (compiled, numba).

The borders between pixels of different labels (and the picture's frame)
form a graph whose nodes are the pixel corners where three or four labels
meet or where a border reaches the frame.  Each border between two nodes
(or a closed border with none) is a *chain*, smoothed once
(:mod:`kseg.shapes.chains`: its corners kept sharp, splines fitted to the runs
between them); a chain along the frame stays on it, exact, so the
picture's corners stay square.

Each colour's outline (or the outline of several colours drawn as one
shape) is then made of the chains that border it, joined at the nodes:
neighbouring colours share every border exactly, so the shapes leave no
gap and no overlap between them, with or without a stroke, and together
they cover the picture.  Path data in tenths of a pixel, filled with
``fill-rule="evenodd"``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numba
import numpy as np

from kseg.shapes.chains import LINE, smooth_chains
from kseg.shapes.pathdata import put_tenths

__all__ = ["FRAME", "Borders", "border_chains", "colour_path"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")

#: Outside the picture (a label no pixel has; -1 is a pixel left out).
FRAME = -2

# Directions: right, down, left, up; their bits in the vertex table.
_DX = np.array([1, 0, -1, 0], dtype=np.int64)
_DY = np.array([0, 1, 0, -1], dtype=np.int64)


@_jit
def _label(labels: np.ndarray, y: int, x: int) -> int:
    h, w = labels.shape
    if y < 0 or x < 0 or y >= h or x >= w:
        return FRAME
    return np.int64(labels[y, x])


@_jit
def _edges(labels: np.ndarray) -> tuple[np.ndarray, int]:
    """(H + 1, W + 1) bits of the border edges at each pixel corner (1
    right, 2 down, 4 left, 8 up), and how many edges there are."""
    h, w = labels.shape
    bits = np.zeros((h + 1, w + 1), dtype=np.uint8)
    n = 0
    for y in range(h + 1):
        for x in range(w):
            if _label(labels, y - 1, x) != _label(labels, y, x):
                bits[y, x] |= 1
                bits[y, x + 1] |= 4
                n += 1
    for y in range(h):
        for x in range(w + 1):
            if _label(labels, y, x - 1) != _label(labels, y, x):
                bits[y, x] |= 2
                bits[y + 1, x] |= 8
                n += 1
    return bits, n


@_jit
def _sides(labels: np.ndarray, x: int, y: int, d: int) -> tuple[int, int]:
    """The labels either side of the edge leaving corner (x, y) in
    direction ``d``, smaller first."""
    if d == 0:
        a, b = _label(labels, y - 1, x), _label(labels, y, x)
    elif d == 2:
        a, b = _label(labels, y - 1, x - 1), _label(labels, y, x - 1)
    elif d == 1:
        a, b = _label(labels, y, x - 1), _label(labels, y, x)
    else:
        a, b = _label(labels, y - 1, x - 1), _label(labels, y - 1, x)
    return min(a, b), max(a, b)


@_jit
def _popcount(v: int) -> int:
    return (v & 1) + ((v >> 1) & 1) + ((v >> 2) & 1) + ((v >> 3) & 1)


@_jit
def border_chains(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The borders of the (H, W) ``labels`` (ints, -1 for pixels left out)
    as chains of pixel corners.

    Returns ``corners`` (m, 2) int32 (x, y), ``starts`` (chains + 1,)
    int64 (chain i is ``corners[starts[i]:starts[i + 1]]``: its ends and
    the corners where it turns), ``sides`` (chains, 2) int64 (the labels
    either side, smaller first; ``FRAME`` outside the picture) and
    ``closed`` (chains,) bool (a closed chain meets no node; its first
    corner is repeated at its end).
    """
    bits, n = _edges(labels)
    hh, ww = bits.shape
    degree = np.zeros((hh, ww), dtype=np.uint8)
    for y in range(hh):
        for x in range(ww):
            degree[y, x] = _popcount(bits[y, x])
    corners = np.empty((2 * n + 2, 2), dtype=np.int32)
    starts = np.empty(n + 1, dtype=np.int64)
    sides = np.empty((n, 2), dtype=np.int64)
    closed = np.zeros(n, dtype=np.bool_)
    m = 0
    chains = 0
    for rounds in range(2):  # first from every node, then the closed chains
        for y0 in range(hh):
            for x0 in range(ww):
                if rounds == 0 and degree[y0, x0] < 3:
                    continue
                while bits[y0, x0]:
                    d = 0
                    while not bits[y0, x0] & (1 << d):
                        d += 1
                    starts[chains] = m
                    a, b = _sides(labels, x0, y0, d)
                    sides[chains, 0] = a
                    sides[chains, 1] = b
                    closed[chains] = rounds == 1
                    corners[m, 0] = x0
                    corners[m, 1] = y0
                    m += 1
                    x, y = x0, y0
                    while True:
                        bits[y, x] &= ~np.uint8(1 << d)
                        x += _DX[d]
                        y += _DY[d]
                        bits[y, x] &= ~np.uint8(1 << ((d + 2) % 4))
                        if (x == x0 and y == y0) or degree[y, x] != 2:
                            break
                        nd = 0
                        while not bits[y, x] & (1 << nd):
                            nd += 1
                        if nd != d:
                            corners[m, 0] = x
                            corners[m, 1] = y
                            m += 1
                        d = nd
                    corners[m, 0] = x
                    corners[m, 1] = y
                    m += 1
                    chains += 1
    starts[chains] = m
    return corners[:m].copy(), starts[: chains + 1].copy(), sides[:chains].copy(), closed[:chains]


@_jit
def _put_chain(
    buf: np.ndarray,
    n: int,
    first: np.ndarray,
    pieces: np.ndarray,
    kind: np.ndarray,
    pts: np.ndarray,
    i: int,
    forward: bool,
    state: np.ndarray,
    whole: bool,
) -> int:
    """Write chain ``i``'s pieces (reversed unless ``forward``) relative to
    the current point; ``state`` holds the point (tenths), the last
    command letter and what the last number was (so a repeated command
    needs no letter), and is updated.  A curve whose control mirrors the
    last one's (curves of one spline meeting smoothly) is written as ``t``
    with its end only.  Numbers in tenths, whole where ``whole``.  Returns
    the new end of ``buf``."""
    x, y, last, after = state[0], state[1], state[2], state[3]
    px, py = 0, 0  # the last curve's control, if the last piece was a curve
    curve = False
    a, b = pieces[i], pieces[i + 1]
    for r in range(b - a):
        j = a + r if forward else b - 1 - r
        if forward:
            ex, ey = pts[j, 2], pts[j, 3]
        elif j == a:
            ex, ey = first[i, 0], first[i, 1]
        else:
            ex, ey = pts[j - 1, 2], pts[j - 1, 3]
        if kind[j] == LINE:
            letter = 104 if ey == y else 118 if ex == x else 108  # "h", "v", "l"
        elif curve and pts[j, 0] == 2 * x - px and pts[j, 1] == 2 * y - py:
            letter = 116  # "t"
        else:
            letter = 113  # "q"
        if letter != last:
            buf[n] = letter
            n += 1
            after = 0
        if letter == 113:
            n, after = put_tenths(buf, n, pts[j, 0] - x, after, whole)
            n, after = put_tenths(buf, n, pts[j, 1] - y, after, whole)
        if letter != 118:
            n, after = put_tenths(buf, n, ex - x, after, whole)
        if letter != 104:
            n, after = put_tenths(buf, n, ey - y, after, whole)
        curve = letter == 113 or letter == 116
        px, py = pts[j, 0], pts[j, 1]
        x, y, last = ex, ey, letter
    state[0], state[1], state[2], state[3] = x, y, last, after
    return n


@_jit
def _chain_end(first: np.ndarray, pieces: np.ndarray, pts: np.ndarray, i: int, end: int):
    if end == 0:
        return first[i, 0], first[i, 1]
    j = pieces[i + 1] - 1
    return pts[j, 2], pts[j, 3]


@_jit
def colour_path(
    member: np.ndarray,
    sides: np.ndarray,
    closed: np.ndarray,
    first: np.ndarray,
    pieces: np.ndarray,
    kind: np.ndarray,
    pts: np.ndarray,
    width: int,
    whole: bool,
) -> np.ndarray:
    """SVG path data (ASCII bytes) of the regions of the labels ``l`` with
    ``member[l + 2]`` (one label, or several as one shape): the chains with
    one of those labels on one side only, joined into closed loops at the
    nodes (where four of its chain ends meet, any pairing fills the same
    area with the even-odd rule)."""
    mine = np.flatnonzero(member[sides[:, 0] + 2] != member[sides[:, 1] + 2])
    count = mine.shape[0]
    size = 16
    for i in mine:
        size += 44 * (pieces[i + 1] - pieces[i]) + 24
    buf = np.empty(size, dtype=np.uint8)
    # Each open chain's two ends (2 r, 2 r + 1) by the node they are at;
    # ends at one node paired in turn.
    key = np.full(2 * count, -1, dtype=np.int64)
    for r in range(count):
        if not closed[mine[r]]:
            for e in range(2):
                ex, ey = _chain_end(first, pieces, pts, mine[r], e)
                key[2 * r + e] = (ey // 10) * (width + 1) + ex // 10
    order = np.argsort(key, kind="mergesort")
    partner = np.full(2 * count, -1, dtype=np.int64)
    skip = 0
    while skip < 2 * count and key[order[skip]] < 0:
        skip += 1
    for j in range(skip, 2 * count - 1, 2):
        partner[order[j]] = order[j + 1]
        partner[order[j + 1]] = order[j]
    used = np.zeros(count, dtype=np.bool_)
    state = np.zeros(4, dtype=np.int64)
    n = 0
    for r in range(count):
        if used[r]:
            continue
        used[r] = True
        i = mine[r]
        x, y = _chain_end(first, pieces, pts, i, 0)
        buf[n] = 77  # "M"
        n, after = put_tenths(buf, n + 1, x, 0, whole)
        n, after = put_tenths(buf, n, y, after, whole)
        state[0], state[1], state[2], state[3] = x, y, 77, after
        n = _put_chain(buf, n, first, pieces, kind, pts, i, True, state, whole)
        end = 2 * r + 1
        while not closed[i]:
            nxt = partner[end]
            if nxt == 2 * r or nxt < 0:
                break
            used[nxt // 2] = True
            forward = nxt % 2 == 0
            n = _put_chain(buf, n, first, pieces, kind, pts, mine[nxt // 2], forward, state, whole)
            end = nxt ^ 1
        buf[n] = 122  # "z"
        n += 1
    return buf[:n].copy()


class Borders:
    """A label image's borders, smoothed once (:func:`border_chains`,
    :func:`smooth_chains`); :meth:`path` gives the SVG path data of one
    label's regions, or of several labels' as one shape."""

    def __init__(self, labels: np.ndarray, tolerance: float) -> None:
        corners, starts, self.sides, self.closed = border_chains(labels)
        on_frame = (self.sides == FRAME).any(axis=1)
        self.first, self.pieces, self.kind, self.pts = smooth_chains(
            corners, starts, on_frame, self.closed, tolerance
        )
        self.width = int(labels.shape[1])
        self.top = int(self.sides.max(initial=0))

    def path(self, labels: int | Iterable[int], *, tenths: bool = False) -> str:
        """SVG path data of the regions of ``labels`` (an int, or several
        drawn as one shape), fill-rule evenodd; in pixels, or, with
        ``tenths``, in whole tenths of a pixel (to draw at ``scale(.1)``)."""
        member = np.zeros(self.top + 3, dtype=np.bool_)
        for label in np.atleast_1d(np.asarray(labels, dtype=np.int64)).tolist():
            if 0 <= label <= self.top:
                member[label + 2] = True
        d = colour_path(
            member,
            self.sides,
            self.closed,
            self.first,
            self.pieces,
            self.kind,
            self.pts,
            self.width,
            tenths,
        )
        return d.tobytes().decode("ascii")
