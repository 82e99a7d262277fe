"""The engine's compiled kernel against the other compiled K-means at hand,
one Lloyd run each from the same start, on the same weighted colours.

Run:  make bench-kernels    (or: .venv/bin/python bench/kernels.py)

For real photos (the wallpapers of bench/bench.py at 4 MP and as shipped,
15 MP) and k = 8, 16 and 32, the photo's distinct colours weighted by their
pixel counts (what kseg clusters) are seeded once with kseg's k-means++ and
run to convergence by:

- kseg.engine.lloyd.lloyd (numba kernel: an active set with Hamerly bounds);
- scikit-learn's KMeans(init=start, n_init=1, tol=0), algorithm "lloyd"
  and "elkan" (Cython with OpenMP);
- faiss's Kmeans (C++ with BLAS) for as many iterations as kseg needed,
  without subsampling (faiss has no convergence test), if installed;

with each one's time, iterations and objective (mean squared RGB error per
pixel), and the time of one nearest-centre pass over the colours through
the kernel (the floor of one iteration).  A run of each is made first, so
no compilation or thread start-up is timed.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kseg  # noqa: E402
from bench.bench import fetch_photos, resized  # noqa: E402
from kseg.engine.histogram import features, unpack  # noqa: E402
from kseg.engine.lloyd import (  # noqa: E402
    assign2,
    init_centres,
    lloyd,
)


def mse(x: np.ndarray, w: np.ndarray, centres: np.ndarray) -> float:
    labels = assign2(x.astype(np.float32), centres)[0]
    d = x - centres[labels]
    return float(np.dot(w, np.einsum("ij,ij->i", d, d)) / w.sum())


def timed(fn, repeat: int = 3) -> tuple[float, object]:
    fn()
    times, out = [], None
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def case(x: np.ndarray, w: np.ndarray, pts: np.ndarray, k: int, faiss) -> list[str]:
    """The table's cells for one photo's colours and one k."""
    from sklearn.cluster import KMeans

    c0 = init_centres(pts, w, k, "kmeans++", np.random.default_rng(0))
    t_k, run = timed(lambda: lloyd(pts, w, c0, 1000, 0.0))
    cells = [f"{t_k:.3f}", str(run.n_iter), f"{mse(x, w, run.centres):.2f}"]
    for algorithm in ("lloyd", "elkan"):
        km = KMeans(k, init=c0, n_init=1, max_iter=1000, tol=0, algorithm=algorithm)
        t_s, fitted = timed(lambda km=km: km.fit(x, sample_weight=w))
        cells += [f"{t_s:.3f}", str(fitted.n_iter_), f"{fitted.inertia_ / w.sum():.2f}"]
    if faiss is None:
        cells += ["-", "-"]
    else:
        x32 = np.ascontiguousarray(x, dtype=np.float32)

        def fit_faiss():
            km = faiss.Kmeans(3, k, niter=run.n_iter, max_points_per_centroid=10**9, seed=0)
            km.train(x32, weights=w, init_centroids=c0.astype(np.float32))
            return km

        t_f, km = timed(fit_faiss)
        cells += [f"{t_f:.3f}", f"{mse(x, w, km.centroids.astype(np.float64)):.2f}"]
    t_pass, _ = timed(lambda: assign2(pts, c0))
    return [*cells, f"{t_pass:.4f}"]


def main() -> None:
    try:
        import faiss
    except ImportError:
        faiss = None
    kseg.warm_up()
    walls = {n: kseg.load_image(p).rgb for n, p in fetch_photos().items()}
    photos = {f"{n}@4MP": resized(walls[n], 4_000_000) for n in ("autumn", "volna")}
    photos |= {f"{n}@15MP": walls[n] for n in ("safelanding", "volna")}
    print(
        "| photo | colours | k | kseg s | iters | mse | sklearn lloyd s | iters | mse "
        "| sklearn elkan s | iters | mse | faiss s | mse | 1 pass s |"
    )
    print("|" + "---|" * 16)
    for name, rgb in photos.items():
        counted = kseg.color_histogram(rgb)
        pts = np.ascontiguousarray(features(counted.colors, "rgb"))
        x = unpack(counted.colors).astype(np.float64)
        w = counted.counts.astype(np.float64)
        for k in (8, 16, 32):
            cells = case(x, w, pts, k, faiss)
            print(f"| {name} | {x.shape[0]} | {k} | " + " | ".join(cells) + " |", flush=True)


if __name__ == "__main__":
    main()
