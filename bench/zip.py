"""The "Download everything" ZIP of one photo, as the page makes it (SVG
shapes, layers and the paint-by-number sheet included): seconds in all and
per part, at 15 and 40 MP.

Run:  make bench-zip    (or: .venv/bin/python bench/zip.py --help)

For each size, a real photo (the bench wallpapers, resized) segmented at
k = 8, then kseg.export_zip(svg=True, paint=True) on both cores, --repeat
times; prints the median total and, from one more run, each part's own
time (each file made alone, on one thread), so the slow parts show; and
the ZIP's peak memory in bytes per pixel (the growth of the resident set's
high-water mark, VmHWM, over what the photo and its result hold, in a
process of its own), the figure webapp.server.budget reserves for "zip".
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
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


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"no {field} in /proc/self/status")


def peak_per_pixel(mp: float, k: int, photo: str = "") -> float:
    """The ZIP's peak memory above the photo and its result, bytes per
    pixel, measured in a fresh process (python bench/zip.py --peak MP)."""
    out = subprocess.run(
        [sys.executable, __file__, "--peak", str(mp), "-k", str(k), "--photo", photo],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return float(out.stdout.split()[-1])


def _peak(mp: float, k: int, photo: str) -> None:
    kseg.warm_up()
    path = Path(photo) if photo else next(iter(fetch_photos().values()))
    base = kseg.load_image(path).rgb
    rgb = base if abs(base[..., 0].size - mp * 1e6) < 1e5 else resized(base, int(mp * 1e6))
    result = kseg.segment(rgb, k, seed=0)
    del base
    Path("/proc/self/clear_refs").write_text("5")  # the high-water mark from here
    before = _status_kb("VmRSS")
    kseg.export_zip(rgb, result, svg=True, paint=True, source_name="photo.jpg")
    print((_status_kb("VmHWM") - before) * 1024 / rgb[..., 0].size)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sizes", default="15,40", help="megapixels, comma-separated")
    p.add_argument("-k", type=int, default=8)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--peak", type=float, help=argparse.SUPPRESS)  # the child's size
    p.add_argument("--photo", default="", help="a photo's path (default: a bench wallpaper)")
    p.add_argument("--peaks-only", action="store_true", help="only the peak memory, each size")
    args = p.parse_args()
    if args.peak:
        _peak(args.peak, args.k, args.photo)
        return
    if args.peaks_only:
        for mp in (float(v) for v in args.sizes.split(",")):
            print(f"{mp:g} MP, k = {args.k}: {peak_per_pixel(mp, args.k, args.photo):.1f} B/px")
        return
    kseg.warm_up()
    base = kseg.load_image(next(iter(fetch_photos().values()))).rgb
    print("| photo | k | ZIP s (median) | range | MB | peak B/px | slowest parts (alone) |")
    print("|---|---|---|---|---|---|---|")
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
            f"{size / 1e6:.1f} | {peak_per_pixel(mp, args.k):.1f} | {slow} |"
        )


if __name__ == "__main__":
    main()
