"""The best N of a list of colours: how long kseg.pick_colours takes on
real photos at 4 MP, and how good its choice is beside the best of 30
random starts of the same swap search (and beside the plain nearest
assignment of a random N of the list).

Run:  make bench-picking    (or: .venv/bin/python bench/picking.py --help)

The list: 40 colours drawn (seed 0) from the XKCD colour survey's names
that kseg bundles, as a box of paints would be named.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kseg  # noqa: E402
from bench.bench import fetch_photos, resized  # noqa: E402
from kseg.base.naming import survey_colours  # noqa: E402
from kseg.engine.applying import search_centres  # noqa: E402
from kseg.engine.histogram import features  # noqa: E402
from kseg.engine.picking import local_search  # noqa: E402


def paint_box(count: int) -> tuple[np.ndarray, list[str]]:
    names, colours = survey_colours()
    pick = np.sort(np.random.default_rng(0).choice(len(names), count, replace=False))
    return colours[pick], [names[i] for i in pick]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--pixels", type=int, default=4_000_000)
    p.add_argument("--colours", type=int, default=40)
    p.add_argument("-n", type=int, default=8)
    p.add_argument("--starts", type=int, default=30)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    colours, names = paint_box(args.colours)
    kseg.warm_up()
    print(
        f"| photo | N of {args.colours} | pick s | pick objective | best of {args.starts} "
        "random starts | s | pick / best | random N, nearest |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for name, path in fetch_photos().items():
        rgb = resized(kseg.load_image(path).rgb, args.pixels)
        times = []
        for _ in range(args.repeat):
            t = time.perf_counter()
            result = kseg.pick_colours(rgb, colours, args.n, names=names)
            times.append(time.perf_counter() - t)
        hist = kseg.color_histogram(rgb)
        pts = features(hist.colors, "rgb")
        cands = search_centres(colours.astype(np.float64), "rgb")
        w = hist.counts.astype(np.float64)
        rng = np.random.default_rng(1)
        t = time.perf_counter()
        best, first_random = np.inf, None
        for _ in range(args.starts):
            start = rng.choice(len(colours), args.n, replace=False)
            _, total = local_search(pts, w, cands, start)
            if first_random is None:
                first_random = kseg.apply_palette(rgb, colours[np.sort(start)]).mse
            best = min(best, total / w.sum())
        starts_s = time.perf_counter() - t
        print(
            f"| {name} ({rgb.shape[1]}x{rgb.shape[0]}) | {args.n} | "
            f"{statistics.median(times):.2f} | {result.mse:.2f} | {best:.2f} | {starts_s:.1f} | "
            f"{result.mse / best:.4f} | {first_random:.2f} |"
        )


if __name__ == "__main__":
    main()
