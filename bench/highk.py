"""High k: kseg's objective and time against scikit-learn, on the same colours.

Run:  .venv/bin/python bench/highk.py      (needs requirements-bench.txt)

For the bundled samples (0.1-0.3 MP) and the four wallpapers resized to 1 MP,
at k = 16, 24 and 32: kseg.segment (attempts=10, seed=0) against
scikit-learn's KMeans with k-means++ on the same weighted distinct colours
(the same objective as over the pixels): the best of 30 starts (n_init=30)
and a single start (n_init=1), times and objectives side by side, and the
gap of kseg to the best of 30, for seed 0 and the worst of seeds 0-2 (kseg's
time is the median of the three), kseg's time over scikit-learn's single
start, and one nearest-centre pass over the colours through kseg's kernel
(the floor of one iteration).  Then, at 4 MP and 15 MP (as shipped), k = 8,
16 and 32: kseg's median time over seeds 0-2 (and its fit alone) against
scikit-learn's single start on the same weighted colours, with both
objectives.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kseg  # noqa: E402
from bench.bench import fetch_photos, resized  # noqa: E402
from kseg.engine.histogram import unpack  # noqa: E402
from kseg.engine.lloyd import assign2  # noqa: E402

SEEDS = (0, 1, 2)


def main() -> None:
    from sklearn.cluster import KMeans

    photos = {n: kseg.load_image(kseg.sample_path(n)).rgb for n in kseg.SAMPLES}
    walls = {n: kseg.load_image(p).rgb for n, p in fetch_photos().items()}
    photos |= {f"{n}-1MP": resized(rgb, 1_000_000) for n, rgb in walls.items()}
    kseg.warm_up()
    print(
        "photo            k | kseg mse (seed 0)  median time | sk best-of-30  time "
        "| sk 1 start  time | gap seed 0, worst of seeds 0-2 | kseg/sk1 | 1 pass ms"
    )
    gaps, worst = [], []
    for name, rgb in photos.items():
        counted = kseg.color_histogram(rgb)
        x = unpack(counted.colors).astype(np.float64)
        w = counted.counts.astype(np.float64)
        for k in (16, 24, 32):
            mses, times = [], []
            for seed in SEEDS:
                t = time.perf_counter()
                mses.append(kseg.segment(rgb, k, seed=seed).mse)
                times.append(time.perf_counter() - t)
            t = time.perf_counter()
            best = KMeans(k, n_init=30, random_state=0).fit(x, sample_weight=w)
            t30 = time.perf_counter() - t
            t = time.perf_counter()
            one = KMeans(k, n_init=1, random_state=0).fit(x, sample_weight=w)
            t1 = time.perf_counter() - t
            b30, b1 = best.inertia_ / w.sum(), one.inertia_ / w.sum()
            gaps.append(100 * (mses[0] / b30 - 1))
            worst.append(100 * (max(mses) / b30 - 1))
            t = time.perf_counter()
            assign2(x.astype(np.float32), best.cluster_centers_)
            t_pass = time.perf_counter() - t
            print(
                f"{name:16s} {k:2d} | {mses[0]:8.2f} {np.median(times):5.2f} | "
                f"{b30:8.2f} {t30:6.1f} | {b1:8.2f} {t1:5.2f} | "
                f"{gaps[-1]:+.2f} %, {worst[-1]:+.2f} % | {np.median(times) / t1:5.2f} "
                f"| {1000 * t_pass:.1f}",
                flush=True,
            )
    print(f"largest gap to scikit-learn's best of 30: seed 0 {max(gaps):+.2f} %, ", end="")
    print(f"any of seeds {SEEDS} {max(worst):+.2f} %")
    print(
        "\nphoto               colours  k | kseg median s (fit s)   mse | sk 1 start s   mse "
        "| kseg/sk1"
    )
    for name, rgb in walls.items():
        sizes = [("4MP", resized(rgb, 4_000_000))]
        if rgb.shape[0] * rgb.shape[1] >= 12_000_000:
            sizes.append(("15MP", rgb))  # the two shipped at 5120 x 2880
        for size, big in sizes:
            counted = kseg.color_histogram(big)
            x = unpack(counted.colors).astype(np.float64)
            w = counted.counts.astype(np.float64)
            for k in (8, 16, 32):
                times, fits = [], []
                for seed in SEEDS:
                    t = time.perf_counter()
                    r = kseg.segment(big, k, seed=seed)
                    times.append(time.perf_counter() - t)
                    fits.append(r.timings["fit"])
                t = time.perf_counter()
                one = KMeans(k, n_init=1, random_state=0).fit(x, sample_weight=w)
                t1 = time.perf_counter() - t
                print(
                    f"{name + '-' + size:18s} {x.shape[0]:8d} {k:2d} | {np.median(times):5.2f} "
                    f"({np.median(fits):5.2f}) {r.mse:8.2f} | {t1:5.2f} "
                    f"{one.inertia_ / w.sum():8.2f} | {np.median(times) / t1:5.2f}",
                    flush=True,
                )


if __name__ == "__main__":
    main()
