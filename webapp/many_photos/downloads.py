"""The "Many photos" downloads, made on click: a photo's mask, the shares
table, the series ZIP.  Each decodes and labels its photos again, one at a
time, each in its own job under the memory budget."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import numpy as np

import kseg
from webapp.many_photos.photos import Series
from webapp.many_photos.views import PhotoView, decoded
from webapp.server.cache import PAGE, ZIPS
from webapp.session.choices import roi_for
from webapp.session.jobs import ADMISSION, job

#: A series ZIP carries cut-outs (full-colour PNGs) up to this many pixels
#: in all; above, masks, segmented images and label maps only.
ZIP_CUTOUT_PIXELS = 100_000_000


def _labelled(series: Series, view: PhotoView) -> tuple[kseg.LoadedImage, kseg.Segmentation]:
    image, mask = decoded(view.upload, roi_for(series.settings, view.upload.digest))
    result = kseg.apply_palette(
        image.rgb,
        series.centers_float,
        color_space=series.settings.space,
        mask=mask,  # type: ignore[arg-type]
        label_centers=series.label_centers,
    )
    return image, result


def mask_file(series: Series, view: PhotoView, index: int) -> bytes:
    """One photo's mask of palette colour ``index`` (PNG)."""
    pixels = view.width * view.height
    with job(["decode", "segment", "mask"], pixels):
        return kseg.mask_png(_labelled(series, view)[1], index)


def region_counts(series: Series, named: kseg.Classes | None = None) -> list[dict[int, int]]:
    """Each photo's separate regions (8-connected) per colour, or per class
    with ``named``: every colour labelled once (``kseg.palette_lookup``),
    then every photo decoded again and its regions counted straight from
    its pixels, each in its own job, as many at once as the server has
    workers (the budget admits them); kept in the page cache."""

    def make() -> list[dict[int, int]]:
        with job(["lookup"], 1 << 24):
            lookup = kseg.palette_lookup(
                series.centers_float,
                color_space=series.settings.space,
                label_centers=series.label_centers,
                classes=named,
            )

        def one(view: PhotoView) -> dict[int, int]:
            held = lookup.table.nbytes
            with job(["decode", "count"], view.width * view.height, extra=held):
                image, mask = decoded(view.upload, roi_for(series.settings, view.upload.digest))
                counts = kseg.count_regions(image.rgb, lookup, mask=mask)
                return {i: int(n) for i, n in enumerate(counts) if n}

        with ThreadPoolExecutor(max_workers=ADMISSION.slots) as workers:
            return list(workers.map(one, series.photos))

    key = ("series-regions", tuple(v.upload.digest for v in series.photos), series.settings)
    key += (series.given, series.centers_float.tobytes(), named.text() if named else "")
    return PAGE.get_or_make(key, make)


def shares_file(
    series: Series,
    hidden: frozenset[int] = frozenset(),
    named: kseg.Classes | None = None,
    regions: list[dict[int, int]] | None = None,
) -> bytes:
    """Each colour's share (and share of the rest, without the ``hidden``
    background) and pixels per photo, each class's with ``named``, and each
    photo's regions per colour or class with ``regions`` (CSV)."""
    measured: dict[str, object] = {"classes": named} if named else {}
    measured |= {"regions": regions} if regions is not None else {}
    return kseg.shares_csv(
        [v.upload.name for v in series.photos],
        [v.counts for v in series.photos],
        series.centers,
        sorted(hidden),
        **measured,
    )


def zip_file(series: Series, hidden: frozenset[int] = frozenset()) -> bytes:
    """The series ZIP (from the ZIP cache, or made again)."""
    key = ("series-zip", tuple(v.upload.digest for v in series.photos), series.settings)
    key = (*key, series.given, series.centers.tobytes(), tuple(sorted(hidden)))
    return ZIPS.get_or_make(key, lambda: _zip(series, hidden))


def _zip(series: Series, hidden: frozenset[int] = frozenset()) -> bytes:
    cutouts = sum(v.width * v.height for v in series.photos) <= ZIP_CUTOUT_PIXELS

    def photos() -> Iterator[tuple[str, np.ndarray, np.ndarray | None, kseg.Segmentation]]:
        for view in series.photos:
            with job(["decode", "segment", "zip_one_core"], view.width * view.height):
                image, result = _labelled(series, view)
                yield view.upload.name, image.rgb, image.alpha, result

    return kseg.series_zip(
        photos(),
        series.totals(),
        settings=series.settings_record,
        cutouts=cutouts,
        hidden=sorted(hidden),
    )
