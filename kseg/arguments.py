"""The command's arguments: :func:`build_parser` (also what documents them)."""

from __future__ import annotations

import argparse
from pathlib import Path

from kseg.base.version import __version__
from kseg.engine.clustering import COLOR_SPACES, INITS, MAX_K
from kseg.engine.roi import Roi, parse_roi
from kseg.files.loading import DEFAULT_MAX_PIXELS
from kseg.shapes.sheet import PAPERS

__all__ = ["build_parser"]


def _scale(text: str) -> float:
    value = float(text)
    if not 0.0 < value <= 1.0:
        msg = f"must be more than 0 and at most 1, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _recolouring(text: str) -> tuple[int, str]:
    """``N=#RRGGBB``: colour N (as numbered in the palette, from 1) and its new colour."""
    number, _, colour = text.partition("=")
    code = colour.strip().lstrip("#")
    if not (number.strip().isdigit() and len(code) == 6) or any(
        ch not in "0123456789abcdefABCDEF" for ch in code
    ):
        msg = f"must be N=#RRGGBB (a colour's number and its new colour), got {text!r:.40}"
        raise argparse.ArgumentTypeError(msg)
    return int(number), f"#{code.lower()}"


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
            "(JSON, CSV, GIMP .gpl, Adobe .ase, CSS, a swatch PNG), one "
            "black-and-white mask and one transparent cut-out per cluster, and a "
            "manifest of the settings."
        ),
    )
    p.add_argument("--version", action="version", version=f"kseg {__version__}")
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
    _add_palette_options(p)
    _add_recolour_option(p)
    _add_measure_options(p)
    _add_svg_options(p)
    _add_print_options(p)
    p.add_argument(
        "-q",
        "--quiet",
        action="store_true",
        help="no progress line per photo on stderr (problems are still reported)",
    )
    return p


def _add_svg_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--svg",
        action="store_true",
        help="also write each colour's shapes as SVG (svg/, exact pixel outlines) and "
        "layers.svg (every colour a smooth, named layer for Inkscape or a cutter)",
    )
    p.add_argument(
        "--size",
        metavar="LENGTH",
        help="with --svg: the drawings' width on paper or vinyl, such as 30cm, 300mm or "
        "12in (the height follows the photo); by default a pixel a pixel",
    )
    form = p.add_mutually_exclusive_group()
    form.add_argument(
        "--stacked",
        action="store_false",
        dest="touching",
        default=False,
        help="with --svg: each layer of layers.svg also under the layers above it, so "
        "nothing shows between them when cut (the default)",
    )
    form.add_argument(
        "--touching",
        action="store_true",
        default=False,
        help="with --svg: each layer of layers.svg only its own colour's area (cut-out), "
        "instead of stacked",
    )
    p.add_argument(
        "--overlap",
        metavar="LENGTH",
        help="with --touching: each layer grown past its borders by this much, such as "
        "0.5mm, so neighbouring colours overlap when printed or cut (a trap)",
    )


def _add_print_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--paper",
        default="A4",
        help="with --paint-by-number: A4, A3, Letter, or a canvas such as 40x50cm or "
        "16x20in (default: A4)",
    )
    p.add_argument(
        "--tiles",
        choices=list(PAPERS),
        metavar="PAPER",
        help="with --paint-by-number: also the sheet printed over PAPER pages (A4, A3, "
        "Letter or Tabloid), with marks to join them (paint_by_number_tiles.pdf), "
        "for a canvas larger than the printer's paper",
    )
    p.add_argument(
        "--pattern",
        type=_int_range(10, 1000),
        metavar="CELLS",
        help="also write a stitch, bead or brick pattern CELLS cells across "
        "(pattern.pdf with a symbol per colour, pattern.png in colour, pattern.csv "
        "with each colour's count)",
    )
    p.add_argument(
        "--paint-by-number",
        action="store_true",
        help="also write a printable paint-by-number sheet (paint_by_number.pdf and .svg, "
        "A4): every region outlined and numbered with its colour, and a key",
    )


def _add_recolour_option(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--recolour",
        type=_recolouring,
        action="append",
        default=[],
        metavar="N=#RRGGBB",
        help="paint colour N (numbered as in the palette, from 1) with another colour; "
        "repeat for more; every file follows",
    )


def _roi(text: str) -> Roi:
    try:
        return parse_roi(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _add_measure_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--classes",
        type=Path,
        metavar="FILE",
        help="named classes of colours to measure (text 'vegetation: 2 5 7' a line, "
        "'sky: 8 exclude' to leave one out of the measured area; or JSON or CSV, see "
        "README): each photo's classes.csv, and a column per class in shares.csv; with "
        "--palette, the palette file's own classes by default",
    )
    p.add_argument(
        "--roi",
        type=_roi,
        metavar="X,Y,W,H",
        help="only this rectangle of each photo is fitted, counted and written: pixels, "
        "or fractions of the photo when all four are at most 1 (0.1,0.1,0.8,0.8); or a "
        "polygon's corners, 'X,Y; X,Y; X,Y' (3 to 200)",
    )
    p.add_argument(
        "--regions",
        action="store_true",
        help="also write regions.csv: every colour's separate regions (8-connected), each "
        "with its area, centroid, bounding box and perimeter",
    )
    scale = p.add_mutually_exclusive_group()
    scale.add_argument(
        "--mm-per-px",
        type=_positive,
        metavar="V",
        help="with --regions: the scale, millimetres a pixel; areas also in mm²",
    )
    scale.add_argument(
        "--width-mm",
        type=_positive,
        metavar="W",
        help="with --regions: the width of the scene in millimetres (the scale follows "
        "from each photo's width)",
    )


def _positive(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not 0 < value < 1e9:
        msg = f"must be a number above 0, got {text}"
        raise argparse.ArgumentTypeError(msg)
    return value


def _add_palette_options(p: argparse.ArgumentParser) -> None:
    series = p.add_mutually_exclusive_group()
    series.add_argument(
        "--shared-palette",
        action="store_true",
        help="fit one palette on all the photos together, so colour N is the same "
        "colour in every photo; writes shares.csv (each colour's share per photo) "
        "and the palette files beside the photo folders",
    )
    series.add_argument(
        "--palette",
        type=Path,
        metavar="FILE",
        help="label every photo with this palette (kseg's palette.json, .csv, .gpl: "
        "the numbers of the run that wrote it; or hex colours) instead of fitting "
        "one; -k is not used; writes shares.csv beside the photo folders",
    )
    series.add_argument(
        "--colours",
        type=Path,
        metavar="FILE",
        help="the colours you own (paints, threads: hex codes one a line with a name, "
        "'#E32636 Cadmium red', or a .gpl, .csv, .json or Adobe .ase palette): each "
        "photo uses the best --pick of them, named as the file names them",
    )
    p.add_argument(
        "--pick",
        type=_int_range(1, 255),
        metavar="N",
        help="with --colours: how many of them each photo uses (default: all)",
    )


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
        default=None,
        help="measure colour differences in RGB or in CIELAB, closer to how "
        "people see them (default: rgb, or the --palette file's own)",
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
