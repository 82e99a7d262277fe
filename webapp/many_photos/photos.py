"""The "Many photos" page's computations: one palette over several photos,
each photo labelled with it, what the page shows of each, and its downloads.

Photos are decoded one at a time, each in its own job under the server's
memory budget (so other sessions keep their turns between two photos), and
once: counting a photo's colours keeps its colour histogram, its preview and
its preview's pixels, from which its counts, objective and segmented
preview follow once the palette is fitted (a palette file labels each photo
as it is decoded).  A series keeps only small previews and counts, and its
uploads' compressed bytes stay on the server's disk (``webapp.server.spool``).
Masks and the ZIP decode and label a photo again when asked for
(``webapp.many_photos.downloads``).
"""

from __future__ import annotations

import dataclasses
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

import kseg
from webapp.many_photos.views import Counted, PhotoView, count, counted_view, decoded, photo_view
from webapp.parts.markup import size_text
from webapp.server.cache import PAGE
from webapp.server.spool import SESSION_SHARE, spool_cap
from webapp.server.uploads import Upload
from webapp.session.choices import pinned_colours, roi_for
from webapp.session.compute import Source, photo_sizes
from webapp.session.jobs import TooLarge, check_fits, job
from webapp.session.state import Settings

#: Most photos in one series.
MAX_PHOTOS = 50
#: Bytes of one 2**24 count table (two when ``scale`` < 1): 32-bit counts,
#: since a series of MAX_PHOTOS photos of at most kseg.DEFAULT_MAX_PIXELS
#: (2,000 million pixels) never needs the 64-bit ones.
TABLE_BYTES = 4 << 24
#: Bytes per distinct colour while the shared palette is fitted.
FIT_BYTES_PER_COLOUR = 64


@dataclass(frozen=True, eq=False)
class Series:
    """A series on the page: the palette, each photo's view, the failures."""

    settings: Settings
    centers: np.ndarray  # (k, 3) uint8
    centers_float: np.ndarray  # what each photo is labelled with
    given: bool  # an uploaded palette, not fitted
    palette: tuple[dict, ...]  # kseg.palette_rows over all the photos
    photos: tuple[PhotoView, ...]
    failed: tuple[tuple[str, str], ...]  # (name, message)
    notice: str | None
    mse: float  # over every pixel of every photo
    settings_record: dict  # the manifest's settings
    label_centers: np.ndarray | None = None  # a palette file's, where it records them
    pinned: tuple[int, ...] = ()  # colours kept exactly at a pinned colour

    @property
    def pixels(self) -> int:
        return sum(int(p.counts.sum()) for p in self.photos)

    def totals(self) -> Totals:
        """The palette with its counts and shares over all the photos."""
        counts = np.sum([v.counts for v in self.photos], axis=0)
        return Totals(self.centers, counts, self.centers_float, self.settings.space)


class Totals:
    """A palette with its counts and shares over all the photos (what
    kseg's palette files take: with the exact centres and the colour space
    the photos were labelled in, so a file reproduces the series)."""

    def __init__(
        self,
        centers: np.ndarray,
        counts: np.ndarray,
        centers_float: np.ndarray | None = None,
        space: str = "rgb",
    ) -> None:
        self.centers, self.counts = centers, counts
        self.shares = counts / max(1, int(counts.sum()))
        self.centers_float = centers_float
        self.settings = {"color_space": space}


def _pixels_or_fail(up: Upload, failed: list[tuple[str, str]]) -> tuple[int, int] | None:
    """The photo's pixels and decoder pixels, or None with its failure noted."""
    try:
        check_fits(up, None, 0)
        return photo_sizes(Source(up))
    except kseg.ImageError as exc:
        failed.append((up.name, str(exc)))
    except TooLarge as exc:
        failed.append(
            (
                up.name,
                f"It is {exc.width:,} x {exc.height:,} pixels and needs about "
                f"{size_text(exc.need)}, more than this server can give one photo. "
                "Please make it smaller and add it again.",
            )
        )
    return None


def run_series(
    uploads: tuple[Upload, ...],
    settings: Settings,
    given: kseg.Palette | None,
    progress: Callable[[float, str], None],
) -> Series:
    """Fit one palette on all the photos (or use ``given``) and label each
    photo with it; ``progress(fraction, text)`` after each photo."""
    failed: list[tuple[str, str]] = []
    sizes = {up: _pixels_or_fail(up, failed) for up in uploads}
    usable = [up for up in uploads if sizes[up] is not None]
    stages = ["Labelling"] if given is not None else ["Counting colours", "Labelling"]

    def report(stage: str, i: int, n: int) -> None:
        done = stages.index(stage) + i / max(1, n)
        progress(done / len(stages), f"{stage}: photo {i} of {n}")

    with tempfile.TemporaryDirectory(prefix="kseg-series-") as scratch:
        return _count_and_label(usable, sizes, settings, given, failed, report, Path(scratch))


def _count_and_label(
    usable: list[Upload],
    sizes: dict[Upload, tuple[int, int] | None],
    settings: Settings,
    given: kseg.Palette | None,
    failed: list[tuple[str, str]],
    report: Callable[[str, int, int], None],
    scratch: Path,
) -> Series:
    """``run_series`` with a folder for what counting keeps of each photo."""
    palette: kseg.SharedPalette | None = None
    counted: dict[Upload, Counted | None] = {}
    if given is None:
        counted, palette = _count_and_fit(usable, sizes, settings, failed, report, scratch)
        if palette is None:
            return _empty(settings, failed)
        usable = list(counted)
    centers_float = given.centers if given is not None else palette.centers_float  # type: ignore[union-attr]
    searched = None if given is None else given.label_centers
    views = []
    for i, up in enumerate(usable, start=1):
        pixels, decoder = sizes[up]  # type: ignore[misc]
        try:
            kept = counted.get(up)
            if kept is not None:
                preview = kept.pixels.shape[0] * kept.pixels.shape[1]
                with job(["previews"], preview, extra=FIT_BYTES_PER_COLOUR * kept.n_colours):
                    views.append(counted_view(up, kept, centers_float, settings.space, searched))
            else:
                with job(["decode", "segment", "previews"], pixels, decoder):
                    views.append(
                        photo_view(
                            up,
                            centers_float,
                            settings.space,
                            searched,
                            roi_for(settings, up.digest),
                        )
                    )
        except kseg.ImageError as exc:
            failed.append((up.name, str(exc)))
        report("Labelling", i, len(usable))
    if not views:
        return _empty(settings, failed)
    series = _series(settings, centers_float, palette, tuple(views), tuple(failed))
    pinned = () if palette is None else palette.pinned
    return dataclasses.replace(series, label_centers=searched, pinned=pinned)


def _count_and_fit(
    usable: list[Upload],
    sizes: dict[Upload, tuple[int, int]],
    settings: Settings,
    failed: list[tuple[str, str]],
    report: Callable[[str, int, int], None],
    scratch: Path,
) -> tuple[dict[Upload, Counted | None], kseg.SharedPalette | None]:
    """Count every photo's colours (each its own job, keeping what labelling
    it needs while ``scratch`` holds less than a session's share of
    KSEG_SPOOL_MB; a photo counted beyond it is decoded again to be
    labelled), then fit the shared palette; what was kept of each photo
    that could be counted (None: nothing), and the palette (None if none)."""
    totals = kseg.ColorTotals(scale=settings.scale)
    tables = TABLE_BYTES * (2 if settings.scale < 1 else 1)
    room = int(SESSION_SHARE * spool_cap())
    counted: dict[Upload, Counted | None] = {}
    for i, up in enumerate(usable, start=1):
        pixels, decoder = sizes[up]
        try:
            with job(["decode", "segment"], pixels, decoder, extra=tables):
                image, mask = decoded(up, roi_for(settings, up.digest))
                kept = count(image, mask, totals, scratch / f"{i}.npy", room)
                if kept is not None:
                    room -= kept.colours.stat().st_size
                counted[up] = kept
                del image, mask
        except kseg.ImageError as exc:
            failed.append((up.name, str(exc)))
        report("Counting colours", i, len(usable))
    if not counted:
        return counted, None
    with job(["curve"], 0, extra=tables + FIT_BYTES_PER_COLOUR * totals.distinct):
        return counted, totals.fit(
            settings.k,
            attempts=settings.attempts,
            init=settings.init,  # type: ignore[arg-type]
            max_iter=settings.iters,
            eps=settings.eps,
            color_space=settings.space,  # type: ignore[arg-type]
            seed=settings.seed,
            fixed_centers=pinned_colours(settings.pins),
        )


def _series(
    settings: Settings,
    centers_float: np.ndarray,
    palette: kseg.SharedPalette | None,
    views: tuple[PhotoView, ...],
    failed: tuple[tuple[str, str], ...],
) -> Series:
    """The finished series: the palette with its shares over all the photos."""
    counts = np.sum([v.counts for v in views], axis=0)
    centers = np.clip(np.rint(centers_float), 0, 255).astype(np.uint8)
    record = dict(palette.settings) if palette is not None else {"palette_given": True}
    record |= {"color_space": settings.space, "photos": len(views)}
    return Series(
        settings=settings,
        centers=centers,
        centers_float=centers_float,
        given=palette is None,
        palette=tuple(kseg.palette_rows(Totals(centers, counts, centers_float, settings.space))),
        photos=views,
        failed=failed,
        notice=None if palette is None else palette.notice,
        mse=sum(v.mse * int(v.counts.sum()) for v in views) / max(1, int(counts.sum())),
        settings_record=record,
    )


def _empty(settings: Settings, failed: list[tuple[str, str]]) -> Series:
    none = np.zeros((0, 3))
    return Series(
        settings, none.astype(np.uint8), none, False, (), (), tuple(failed), None, 0.0, {}
    )


def series_key(uploads: tuple[Upload, ...], settings: Settings, given: bytes | None) -> tuple:
    return ("series", tuple(u.digest for u in uploads), settings, given)


def cached_series(
    uploads: tuple[Upload, ...],
    settings: Settings,
    given: kseg.Palette | None,
    given_bytes: bytes | None,
    progress: Callable[[float, str], None],
) -> Series:
    """:func:`run_series`, from the page cache (the same photos and settings
    give every session the same series)."""
    return PAGE.get_or_make(
        series_key(uploads, settings, given_bytes),
        lambda: run_series(uploads, settings, given, progress),
    )
