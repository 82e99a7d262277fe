"""Masks as shapes: how long the SVGs of a 12 MP photo take, and how large
they are.

Run:  make bench-shapes    (or: .venv/bin/python bench/shapes.py --help)

For each of bench/series.py's 12 MP JPEGs (4000 x 3000, cut from real
photographs) at k = 16: kseg.layers_svg (smooth, specks under 64 pixels
given to their surroundings: stacked and touching; and exact, stacked), and one colour's exact
kseg.mask_svg; then kseg.paint_by_number (A4) and kseg.stitch_pattern (150
cells across); seconds (median of --repeat) and megabytes.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kseg  # noqa: E402
from bench.series import series_photos  # noqa: E402


def timed(fn, repeat: int) -> tuple[float, Any]:
    times, out = [], ""
    for _ in range(repeat):
        t = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times), out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--photos", type=int, default=4)
    p.add_argument("-k", type=int, default=16)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    kseg.warm_up()
    sheets, grids = [], []
    print(
        "| photo | k | layers smooth s | MB | touching s | MB "
        "| layers exact s | MB | one colour exact s | MB |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for path in series_photos(args.photos):
        rgb = kseg.load_image(path).rgb
        result = kseg.segment(rgb, args.k, seed=0)
        smooth_s, smooth = timed(lambda r=result: kseg.layers_svg(r), args.repeat)
        touch_s, touch = timed(lambda r=result: kseg.layers_svg(r, stacked=False), args.repeat)
        exact_s, exact = timed(lambda r=result: kseg.layers_svg(r, smooth=False), args.repeat)
        one_s, one = timed(lambda r=result: kseg.mask_svg(r, 0), args.repeat)
        print(
            f"| {path.name} ({rgb.shape[1]}x{rgb.shape[0]}) | {args.k} | {smooth_s:.2f} | "
            f"{len(smooth) / 1e6:.1f} | {touch_s:.2f} | {len(touch) / 1e6:.1f} | "
            f"{exact_s:.2f} | {len(exact) / 1e6:.1f} | "
            f"{one_s:.2f} | {len(one) / 1e6:.1f} |"
        )
        sheet_s, sheet = timed(lambda r=result, p=rgb: kseg.paint_by_number(p, r), args.repeat)
        sheets.append(
            f"| {path.name} | {args.k} | {sheet_s:.2f} | {sheet.regions} | "
            f"{len(sheet.svg) / 1e6:.2f} | {len(sheet.pdf) / 1e6:.2f} |"
        )
        grid_s, grid = timed(lambda r=result, p=rgb: kseg.stitch_pattern(p, r, 150), args.repeat)
        grids.append(
            f"| {path.name} | {args.k} | {grid.labels.shape[1]} x {grid.labels.shape[0]} | "
            f"{grid_s:.2f} | {len(grid.pdf) / 1e6:.2f} | {len(grid.png) / 1e6:.2f} |"
        )
    print()
    print("| photo | k | sheet s | regions | SVG MB | PDF MB |")
    print("|---|---|---|---|---|---|")
    print("\n".join(sheets))
    print()
    print("| photo | k | pattern cells | s | PDF MB | PNG MB |")
    print("|---|---|---|---|---|---|")
    print("\n".join(grids))


if __name__ == "__main__":
    main()
