"""The "Download everything" ZIP of one photo, as the page makes it (SVG
shapes, layers and the paint-by-number sheet included): seconds in all and
per part, at 15 and 40 MP.

Run:  make bench-zip    (or: .venv/bin/python bench/zip.py --help)

For each size, a real photo (the bench wallpapers, resized) segmented at
k = 8, then kseg.export_zip(svg=True, paint=True) on both cores, --repeat
times; prints the median total and, from one more run, each part's own
time (each file made alone, on one thread), so the slow parts show.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import kseg  # noqa: E402
from bench.bench import fetch_photos, resized  # noqa: E402


def parts(rgb, result) -> list[tuple[str, float]]:
    """Each part of the ZIP made alone: (kind, seconds), slowest first."""
    t = time.perf_counter()
    entries = kseg.export_entries(rgb, result, svg=True, paint=True, source_name="photo.jpg")
    times = {"drawn at once (sheet)": time.perf_counter() - t}
    for path, make in entries:
        kind = path.split("/")[0] if "/" in path else path
        t = time.perf_counter()
        make()
        times[kind] = times.get(kind, 0.0) + time.perf_counter() - t
    return sorted(times.items(), key=lambda kv: -kv[1])


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="15,40", help="megapixels, comma-separated")
    p.add_argument("-k", type=int, default=8)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args()
    kseg.warm_up()
    base = kseg.load_image(next(iter(fetch_photos().values()))).rgb
    print("| photo | k | ZIP s (median) | range | MB | slowest parts (alone, one thread) |")
    print("|---|---|---|---|---|---|")
    for mp in (float(v) for v in args.sizes.split(",")):
        rgb = resized(base, int(mp * 1e6))
        result = kseg.segment(rgb, args.k, seed=0)
        times, size = [], 0
        for _ in range(args.repeat):
            t = time.perf_counter()
            data = kseg.export_zip(rgb, result, svg=True, paint=True, source_name="photo.jpg")
            times.append(time.perf_counter() - t)
            size = len(data)
        slow = ", ".join(f"{kind} {s:.2f}" for kind, s in parts(rgb, result)[:5])
        print(
            f"| {rgb.shape[1]}x{rgb.shape[0]} ({mp:g} MP) | {args.k} | "
            f"{statistics.median(times):.2f} | {min(times):.2f}–{max(times):.2f} | "
            f"{size / 1e6:.1f} | {slow} |"
        )


if __name__ == "__main__":
    main()
