"""Command line: segment one or more photos and write every download to disk."""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

import numpy as np

from kseg.arguments import build_parser
from kseg.base.parallel import single_blas_thread
from kseg.base.validation import check_length
from kseg.engine.applying import apply_palette
from kseg.engine.classes import Classes, ClassesError
from kseg.engine.clustering import segment
from kseg.engine.editing import recolour
from kseg.engine.picking import pick_colours
from kseg.engine.result import Segmentation
from kseg.engine.roi import RoiError
from kseg.files.class_reading import read_classes
from kseg.files.export import export_files, unique_stems
from kseg.files.loading import ImageError, LoadedImage, load_image, opaque_mask
from kseg.files.palette_reading import Palette, PaletteError, load_palette
from kseg.files.palette_writing import palette_csv, palette_gpl, palette_json, palette_rows
from kseg.series.files import shares_csv
from kseg.series.fitting import SharedPalette, fit_shared_palette, in_series
from kseg.shapes.sheet import paper_mm

__all__ = ["build_parser", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status (1 if any image failed)."""
    single_blas_thread()  # the engine's own threads do the work (kseg.base.parallel)
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.pick is not None and args.colours is None:
        parser.error("--pick N: needs --colours FILE (the colours to pick from)")
    _check_sizes(parser, args)
    palette = _palette_file(parser, args)
    args.class_list = _classes(parser, args, palette)
    run = Run(args, folders=unique_stems(args.images))
    if args.shared_palette:
        try:
            shared = fit_shared_palette(
                args.images,
                args.k,
                **_segment_options(args),
                max_pixels=args.max_pixels,
                progress=lambda i, n: run.say(f"[{i}/{n}] {args.images[i - 1]}: colours counted"),
                on_error=lambda i, exc: run.fail(i, f"skipped: {exc}"),
            )
        except ImageError as exc:  # no photo could be read
            print(exc, file=sys.stderr)
            return run.finish()
        run.say(
            f"shared palette: {shared.k} colours over {shared.photos} photo(s), "
            f"mse {shared.mse:.1f}, {shared.timings['total']:.2f} s"
        )
        run.series(shared.centers_float, shared)
    elif palette is not None:
        searched = palette.label_centers if args.color_space == palette.color_space else None
        run.series(palette.centers, None, searched)
    elif args.colours is not None:
        run.each(_picker(parser, args))
    else:
        run.each()
    return run.finish()


def _palette_file(parser: argparse.ArgumentParser, args: argparse.Namespace) -> Palette | None:
    """The ``--palette`` file read (or None); ``args.color_space`` set to
    the file's where none was asked for (and a note where another was)."""
    palette = None
    if args.palette is not None:
        try:
            palette = load_palette(args.palette)
        except PaletteError as exc:
            parser.error(f"--palette {args.palette}: {exc}")
    recorded = None if palette is None else palette.color_space
    if args.color_space is None:
        args.color_space = recorded or "rgb"
    elif recorded not in (None, args.color_space):
        print(
            f"note: the palette was found in {recorded}; it is applied in "
            f"{args.color_space} as asked, so its shares will differ from the file's",
            file=sys.stderr,
        )
    return palette


def _classes(
    parser: argparse.ArgumentParser, args: argparse.Namespace, palette: Palette | None
) -> Classes | None:
    """The ``--classes`` file read, or the ``--palette`` file's own classes."""
    if args.classes is None:
        return palette.classes if palette is not None and palette.classes else None
    try:
        return read_classes(args.classes.read_bytes())
    except (OSError, ClassesError) as exc:
        parser.error(f"--classes {args.classes}: {exc}")


def _check_sizes(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """--size and --paper read before any photo is (a usage error, exit 2)."""
    try:
        if args.size is not None:
            check_length("--size", args.size, 1.0, 100_000.0)
        if args.overlap is not None:
            if not args.touching:
                parser.error("--overlap LENGTH: is for --touching layers (stacked ones overlap)")
            check_length("--overlap", args.overlap, 0.01, 100.0)
        paper_mm(args.paper)
        if args.tiles is not None and not args.paint_by_number:
            parser.error("--tiles PAPER: is for --paint-by-number (the sheet over pages)")
    except (TypeError, ValueError) as exc:
        parser.error(str(exc).replace("paper must", "--paper must"))


def _picker(
    parser: argparse.ArgumentParser, args: argparse.Namespace
) -> Callable[[np.ndarray, np.ndarray | None], Segmentation]:
    """Each photo labelled with the best ``--pick`` of the ``--colours``."""
    try:
        own = load_palette(args.colours)
    except PaletteError as exc:
        parser.error(f"--colours {args.colours}: {exc}")
    distinct = len(np.unique(own.colors, axis=0))
    n = distinct if args.pick is None else args.pick
    if n > distinct:
        parser.error(f"--pick {n}: the file has {distinct} different colours")
    names = list(own.names) or None
    return lambda rgb, mask: pick_colours(
        rgb, own.colors, n, color_space=args.color_space, mask=mask, names=names
    )


def _segment_options(args: argparse.Namespace) -> dict[str, object]:
    return {
        "attempts": args.attempts,
        "scale": args.scale,
        "init": args.init,
        "color_space": args.color_space,
        "max_iter": args.max_iter,
        "seed": args.seed,
    }


class Run:
    """One run of the command line: the photos, where each goes, what failed."""

    def __init__(self, args: argparse.Namespace, folders: list[str]) -> None:
        self.args = args
        self.folders = folders
        self.failed: set[int] = set()
        self.names: list[str] = []
        self.counts: list[np.ndarray] = []
        self.scales: list[float | None] = []
        self.regions: list[dict[int, int]] = []

    def say(self, line: str) -> None:
        """A progress line on stderr (stdout stays free for scripts)."""
        if not self.args.quiet:
            print(line, file=sys.stderr)

    def fail(self, i: int, why: str) -> None:
        """Photo ``i`` (0-based) failed; always reported."""
        self.failed.add(i)
        print(f"[{i + 1}/{len(self.args.images)}] {self.args.images[i]}: {why}", file=sys.stderr)

    def each(
        self, label: Callable[[np.ndarray, np.ndarray | None], Segmentation] | None = None
    ) -> None:
        """Every photo with its own palette (fitted, or ``label``'s)."""
        options = _segment_options(self.args)
        for i, name in enumerate(self.args.images):
            self._one(
                i, name, label or (lambda rgb, m: segment(rgb, self.args.k, **options, mask=m))
            )

    def series(
        self,
        centers: np.ndarray,
        shared: SharedPalette | None,
        searched: np.ndarray | None = None,
    ) -> None:
        """Every photo labelled with ``centers`` (nearest to ``searched``,
        where a palette file records them); then shares.csv (and the shared
        palette's files)."""

        def label(rgb: np.ndarray, mask: np.ndarray | None) -> Segmentation:
            result = apply_palette(
                rgb,
                centers,
                color_space=self.args.color_space,
                mask=mask,
                label_centers=searched,
            )
            return result if shared is None else in_series(result, shared)

        for i, name in enumerate(self.args.images):
            if i not in self.failed:
                self._one(i, name, label)
        if not self.names:
            return
        measured = {"classes": self.args.class_list, "scales": self.scales}
        measured |= {"regions": self.regions} if self.args.regions else {}
        try:
            top = {"shares.csv": shares_csv(self.names, self.counts, centers, **measured)}
        except ClassesError as exc:
            print(f"could not write shares.csv: {exc}", file=sys.stderr)
            self.failed.add(-1)
            return
        if shared is not None:
            top |= {
                "palette.json": palette_json(shared, classes=self.args.class_list),
                "palette.csv": palette_csv(shared),
                "palette.gpl": palette_gpl(shared, "series"),
            }
        try:
            for rel, data in top.items():
                (self.args.out / rel).write_bytes(data)
        except (OSError, ValueError) as exc:
            print(f"could not write shares.csv: {exc}", file=sys.stderr)
            self.failed.add(-1)
            return
        self.say(f"shares of each colour per photo -> {self.args.out / 'shares.csv'}")

    def _one(
        self,
        i: int,
        name: str,
        label: Callable[[np.ndarray, np.ndarray | None], Segmentation],
    ) -> None:
        t0 = time.perf_counter()
        try:
            image = load_image(name, max_pixels=self.args.max_pixels)
            digest = hashlib.sha256(Path(name).read_bytes()).hexdigest()
            mask = opaque_mask(image)
            if self.args.roi is not None:
                mask = self.args.roi.mask(image.rgb.shape, mask)
            result = label(image.rgb, mask)
            if self.args.recolour:
                if max(n for n, _ in self.args.recolour) > result.k:
                    self.fail(i, f"skipped: --recolour names a colour above its {result.k}")
                    return
                changes = {n - 1: c for n, c in self.args.recolour}
                result = recolour(image.rgb, result, changes)
            out_dir = self.args.out / self.folders[i]
            files = export_files(image.rgb, result, **self._file_options(name, digest, image))
            counted = self._write(out_dir, files, result)
        except (ImageError, ClassesError, RoiError) as exc:
            self.fail(i, f"skipped: {exc}")
            return
        except (OSError, ValueError) as exc:  # ValueError: a NUL in --out
            self.fail(i, f"could not write the results: {exc}")
            return
        self.names.append(name)
        self.counts.append(result.counts)
        self.scales.append(self._scale(image.width))
        if counted is not None:
            self.regions.append(counted)
        notes = [*image.notices, *([result.notice] if result.notice else [])]
        colours = ", ".join(
            f"{row['index']} {row['name']} {100 * float(row['share']):.1f}%"  # type: ignore[arg-type]
            for row in palette_rows(result)
        )
        self.say(
            f"[{i + 1}/{len(self.args.images)}] {name}: {image.width}x{image.height}, "
            f"{result.k} clusters, mse {result.mse:.1f}, "
            f"{time.perf_counter() - t0:.2f} s -> {out_dir}"
            + f"\n    colours: {colours}"
            + "".join(f"\n    note: {x}" for x in notes)
        )

    def _file_options(self, name: str, digest: str, image: LoadedImage) -> dict[str, object]:
        """What :func:`export_files` is asked to write for one photo."""
        args = self.args
        return {
            "alpha": image.alpha,
            "source_name": name,
            "svg": args.svg,
            "paint": args.paint_by_number,
            "source_sha256": digest,
            "size": args.size,
            "stacked": not args.touching,
            "overlap": args.overlap,
            "paper": args.paper,
            "tiles": args.tiles,
            "pattern": args.pattern,
            "regions": args.regions,
            "mm_per_px": self._scale(image.width),
            "classes": args.class_list,
            "roi": None if args.roi is None else str(args.roi),
        }

    def _write(
        self, out_dir: Path, files: Iterable[tuple[str, bytes]], result: Segmentation
    ) -> dict[int, int] | None:
        """Write one photo's files; its regions per colour or class, if counted."""
        counted = None
        for rel, data in files:
            path = out_dir / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            if rel == "regions.csv":
                counted = _region_counts(data, self.args.class_list, result)
        return counted

    def _scale(self, width: int) -> float | None:
        """Millimetres a pixel of a photo ``width`` pixels wide, if given."""
        if self.args.width_mm is not None:
            return self.args.width_mm / width
        return self.args.mm_per_px

    def finish(self) -> int:
        """Say how many failed; the exit status."""
        if self.failed:
            photos = len(self.failed - {-1})
            print(f"{photos} of {len(self.args.images)} image(s) failed.", file=sys.stderr)
        return 1 if self.failed else 0


def _region_counts(data: bytes, classes: Classes | None, result: Segmentation) -> dict[int, int]:
    """Regions per colour (or per class) in a ``regions.csv`` just written."""
    rows = list(csv.reader(io.StringIO(data.decode())))[1:]
    if classes:
        names, _, _ = classes.groups(result.centers)
        found = Counter(row[1] for row in rows)
        return {i: found[n] for i, n in enumerate(names)}
    return dict(Counter(int(row[1]) - 1 for row in rows))
