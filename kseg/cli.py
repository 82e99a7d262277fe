"""Command line: segment one or more photos and write every download to disk."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from kseg.clustering import COLOR_SPACES, INITS, MAX_K, segment
from kseg.export import export_files, safe_stem
from kseg.loading import DEFAULT_MAX_PIXELS, ImageError, load_image, opaque_mask

__all__ = ["build_parser", "main"]


def _scale(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        msg = f"must be more than 0 and at most 1, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _int_range(lo: int, hi: int):
    def parse(text: str) -> int:
        value = int(text)
        if not lo <= value <= hi:
            msg = f"must be from {lo} to {hi}, got {text}"
            raise argparse.ArgumentTypeError(msg)
        return value

    return parse


def build_parser() -> argparse.ArgumentParser:
    """The argument parser (also used to document the options)."""
    p = argparse.ArgumentParser(
        prog="python -m kseg",
        description=(
            "Split each photo into k colour clusters (K-means) and write, into "
            "a folder per photo: the segmented image, a label map, the palette "
            "(JSON, CSV, GIMP .gpl), one black-and-white mask and one "
            "transparent cut-out per cluster, and a manifest of the settings."
        ),
    )
    p.add_argument("images", nargs="+", metavar="IMAGE", help="photos to segment")
    _add_clustering_options(p)
    p.add_argument(
        "--max-pixels",
        type=_int_range(1, 10**9),
        default=DEFAULT_MAX_PIXELS,
        help=f"refuse images with more pixels than this (default: {DEFAULT_MAX_PIXELS})",
    )
    p.add_argument(
        "--out",
        type=Path,
        default=Path("kseg-out"),
        help="folder to write into; each photo gets a subfolder (default: kseg-out)",
    )
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress line per photo on stderr (problems are still reported)",
    )
    return p


def _add_clustering_options(p: argparse.ArgumentParser) -> None:
    """The options of :func:`kseg.segment`, each with its range and default."""
    p.add_argument(
        "-k",
        type=_int_range(1, MAX_K),
        default=8,
        help=f"number of colour clusters, 1 to {MAX_K} (default: 8)",
    )
    p.add_argument(
        "--attempts",
        type=_int_range(1, 100),
        default=10,
        help="independent tries; the tightest clustering is kept (default: 10)",
    )
    p.add_argument(
        "--scale",
        type=_scale,
        default=1.0,
        help="shrink the photo by this factor (0-1] to find the colours faster; "
        "masks stay full size (default: 1.0)",
    )
    p.add_argument(
        "--init",
        choices=INITS,
        default="kmeans++",
        help="how each try picks its first colours (default: kmeans++)",
    )
    p.add_argument(
        "--color-space",
        choices=COLOR_SPACES,
        default="rgb",
        help="measure colour differences in RGB or in CIELAB, closer to how "
        "people see them (default: rgb)",
    )
    p.add_argument(
        "--max-iter",
        type=_int_range(1, 10_000),
        default=100,
        help="most refinement rounds per try (default: 100)",
    )
    p.add_argument(
        "--seed",
        type=_int_range(0, 2**63 - 1),
        default=0,
        help="random seed; the same seed gives the same result (default: 0)",
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (1 if any image failed)."""
    args = build_parser().parse_args(argv)
    total = len(args.images)
    failed = 0
    used: set[str] = set()
    for n, name in enumerate(args.images, 1):
        t0 = time.perf_counter()
        prefix = f"[{n}/{total}] {name}"
        try:
            image = load_image(name, max_pixels=args.max_pixels)
            result = segment(
                image.rgb,
                args.k,
                attempts=args.attempts,
                scale=args.scale,
                init=args.init,
                color_space=args.color_space,
                max_iter=args.max_iter,
                seed=args.seed,
                mask=opaque_mask(image),
            )
            stem = safe_stem(name)
            folder = stem
            i = 2
            while folder in used:  # two inputs with the same name
                folder = f"{stem}_{i}"
                i += 1
            used.add(folder)
            out_dir = args.out / folder
            for rel, data in export_files(image.rgb, result, alpha=image.alpha, source_name=name):
                path = out_dir / rel
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_bytes(data)
        except ImageError as exc:
            failed += 1
            print(f"{prefix}: skipped: {exc}", file=sys.stderr)
            continue
        except (OSError, ValueError) as exc:  # ValueError: a NUL in --out
            failed += 1
            print(f"{prefix}: could not write the results: {exc}", file=sys.stderr)
            continue
        notes = [*image.notices, *([result.notice] if result.notice else [])]
        if not args.quiet:  # progress on stderr: stdout stays free for scripts
            print(
                f"{prefix}: {image.width}x{image.height}, {result.k} clusters, "
                f"mse {result.mse:.1f}, {time.perf_counter() - t0:.2f} s -> {out_dir}"
                + "".join(f"\n    note: {x}" for x in notes),
                file=sys.stderr,
            )
    if failed:
        print(f"{failed} of {total} image(s) failed.", file=sys.stderr)
    return 1 if failed else 0
