"""The engine's compiled inner loops (numba) that every search shares: the
nearest-centre search, the clusters' weighted sums, and k-means++ steps
(Lloyd's iterations with Hamerly's bounds: :mod:`kseg.engine.hamerly`).

Every distance that decides a label is the float32 squared distance
``(p0 - c0)**2 + (p1 - c1)**2 + (p2 - c2)**2``, summed in that order, with
the centre rounded to float32 once: the same arithmetic everywhere, so a
point's label is exactly its nearest centre's (the lowest index on ties)
however it was found.  The kernels are serial and release the GIL: the
engine runs independent starts, finalists and chunks of a large search on
threads, and a result never depends on how many.

Compiled code is cached on disk beside this module (``cache=True``);
:func:`kseg.engine.hamerly.warm_up_lloyd` compiles or loads them
(``kseg.warm_up`` does it for every kernel), so that a server pays it when
it starts, not when its first visitor waits (`make run`, `make serve` and
`make test` call it first).
"""

from __future__ import annotations

import numba
import numpy as np

__all__ = ["assign2_into", "centres32", "dist2", "kmeanspp_steps", "nearest2", "sums_into"]

_jit = numba.njit(cache=True, nogil=True, error_model="numpy")


@_jit
def centres32(centres: np.ndarray) -> np.ndarray:
    """(k, 3) float64 centres -> (3, k) float32, each coordinate contiguous
    (the distances to all centres are then computed in SIMD lanes)."""
    return np.ascontiguousarray(centres.T).astype(np.float32)


@_jit
def dist2(x: np.float32, y: np.float32, z: np.float32, ct: np.ndarray, j: int) -> np.float32:
    """float32 squared distance of point (x, y, z) to centre ``j`` of ``ct``."""
    a = x - ct[0, j]
    b = y - ct[1, j]
    e = z - ct[2, j]
    s = a * a
    s += b * b
    s += e * e
    return s


@_jit
def nearest2(
    x: np.float32, y: np.float32, z: np.float32, ct: np.ndarray, buf: np.ndarray
) -> tuple[int, np.float32, np.float32]:
    """Nearest centre of point (x, y, z) among ``ct`` (3, k) float32 (lowest
    index on ties), and the squared distances to the nearest and the second
    nearest (inf for one centre); ``buf`` (k,) float32 is scratch."""
    k = ct.shape[1]
    for j in range(k):
        buf[j] = dist2(x, y, z, ct, j)
    best = buf[0]
    second = np.float32(np.inf)
    lab = 0
    for j in range(1, k):
        # Selects, not branches: 2.4x faster at k = 32 on scattered points.
        d = buf[j]
        closer = d < best
        second = min(second, best if closer else d)
        lab = j if closer else lab
        best = d if closer else best
    return lab, best, second


@_jit
def assign2_into(
    pts: np.ndarray, centres: np.ndarray, labels: np.ndarray, d1: np.ndarray, d2: np.ndarray
) -> None:
    """Nearest centre of every point of ``pts`` (n, 3) float32 among
    ``centres`` (k, 3; rounded to float32), into ``labels``, and the squared
    distances to the nearest and second nearest, into ``d1``, ``d2``."""
    ct = centres32(centres)
    buf = np.empty(ct.shape[1], dtype=np.float32)
    for i in range(pts.shape[0]):
        lab, b1, b2 = nearest2(pts[i, 0], pts[i, 1], pts[i, 2], ct, buf)
        labels[i] = lab
        d1[i] = b1
        d2[i] = b2


@_jit
def sums_into(
    pts: np.ndarray, w: np.ndarray, labels: np.ndarray, total: np.ndarray, cw: np.ndarray
) -> None:
    """Each cluster's weighted coordinate sums and weight, in point order
    (as ``np.bincount`` adds), into ``total`` (k, 3) and ``cw`` (k,)."""
    total[:] = 0.0
    cw[:] = 0.0
    for i in range(pts.shape[0]):
        a = labels[i]
        wi = w[i]
        cw[a] += wi
        for c in range(3):
            total[a, c] += wi * np.float64(pts[i, c])


@_jit
def kmeanspp_steps(
    pts: np.ndarray, w: np.ndarray, closest: np.ndarray, draws: np.ndarray, chosen: np.ndarray
) -> int:
    """Greedy weighted k-means++ steps: for each row of ``draws`` (uniform
    numbers in [0, 1), one per candidate), candidates are drawn in
    proportion to weight times ``closest`` (each point's squared distance to
    the nearest centre so far, float64, updated in place) and the one that
    lowers that potential most is chosen (the first of equals), into
    ``chosen``.  Returns the number of steps done: fewer than the rows when
    the potential is zero (every point on a centre already)."""
    n = pts.shape[0]
    cum = np.empty(n, dtype=np.float64)
    trial = np.empty(n, dtype=np.float64)
    best = np.empty(n, dtype=np.float64)
    cand = np.empty((3, 1), dtype=np.float32)
    for step in range(draws.shape[0]):
        acc = 0.0
        for i in range(n):
            acc += w[i] * closest[i]
            cum[i] = acc
        if acc <= 0:
            return step
        best_pot = np.inf
        best_c = -1
        for t in range(draws.shape[1]):
            c = min(int(np.searchsorted(cum, draws[step, t] * acc, side="right")), n - 1)
            for x in range(3):
                cand[x, 0] = pts[c, x]
            pot = 0.0
            for i in range(n):
                d = min(closest[i], np.float64(dist2(pts[i, 0], pts[i, 1], pts[i, 2], cand, 0)))
                trial[i] = d
                pot += w[i] * d
            if pot < best_pot:
                best_pot = pot
                best_c = c
                best, trial = trial, best
        chosen[step] = best_c
        closest[:] = best
    return draws.shape[0]
