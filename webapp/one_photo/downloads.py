"""Downloads: each made on click, outside the script run, as a job under the
memory budget, from the photo's reference (rebuilding what the caches let go).
"""

from __future__ import annotations

from contextlib import AbstractContextManager

import kseg
from webapp.server.budget import job_bytes
from webapp.server.cache import PAGE, ZIPS
from webapp.session.compute import PhotoRef, missing_steps, photo_sizes
from webapp.session.jobs import ADMISSION, job


def _download_job(ref: PhotoRef, *names: str) -> AbstractContextManager[None]:
    """The job of one download: rebuilding what the caches let go, then ``name``."""
    pixels, decoder = photo_sizes(ref.source)
    return job([*missing_steps(ref.digest, ref.settings, ref.edits), *names], pixels, decoder)


def pattern_files(ref: PhotoRef, cells: int) -> dict[str, bytes]:
    """The stitch pattern ``cells`` across: its PDF, PNG and CSV, by kind
    (made under the budget once, kept in the page cache)."""

    def make() -> dict[str, bytes]:
        with _download_job(ref, "pattern"):
            pattern = kseg.stitch_pattern(ref.image().rgb, ref.result(), cells)
            return {"pdf": pattern.pdf, "png": pattern.png, "csv": pattern.csv.encode()}

    return PAGE.get_or_make(("pattern", ref.digest, ref.settings, ref.edits, cells), make)


#: What the page chose for the ZIP, as (export option, value) pairs: the
#: classes' text (as the page checked it), the scale (``mm_per_px``), the
#: sheet's ``paper`` and other options (``sheet``) and the layers' ``size``,
#: ``stacked`` and ``overlap``.
Choices = tuple[tuple[str, object], ...]


def zip_key(ref: PhotoRef, hidden: frozenset[int], chosen: Choices = ()) -> tuple:
    return (ref.digest, ref.name, ref.settings, ref.edits, tuple(sorted(hidden)), chosen)


def zip_step(ref: PhotoRef) -> str:
    """How the ZIP is made: on both cores ("zip") when the budget can ever
    hold that, else one file at a time ("zip_one_core", a quarter less
    memory, twice the time)."""
    pixels, decoder = photo_sizes(ref.source)
    steps = missing_steps(ref.digest, ref.settings, ref.edits)
    both = job_bytes([*steps, "zip"], pixels, decoder)
    return "zip" if ADMISSION.fits_alone(both) else "zip_one_core"


def make_zip(ref: PhotoRef, hidden: frozenset[int], chosen: Choices = ()) -> bytes:
    """The ZIP of everything for the photo, made as the page shows it
    (``chosen``: its classes, scale, paper and layers)."""
    options = dict(chosen)
    classes = options.pop("classes", "")
    step = zip_step(ref)
    with _download_job(ref, step):
        image, result = ref.image(), ref.result()
        return kseg.export_zip(
            image.rgb,
            result,
            alpha=image.alpha,
            source_name=ref.name,
            hidden=hidden,
            svg=True,
            paint=True,
            source_sha256=ref.source.upload.digest,
            classes=kseg.read_classes(classes) if classes else None,
            roi=ref.settings.roi or None,
            **options,
            **({} if step == "zip" else {"threads": 1}),
        )


def zip_bytes(ref: PhotoRef, hidden: frozenset[int], chosen: Choices = ()) -> bytes:
    """The finished ZIP from the ZIP cache (the same photo, settings,
    background and choices give everyone the same ZIP), or made again."""
    return ZIPS.get_or_make(zip_key(ref, hidden, chosen), lambda: make_zip(ref, hidden, chosen))


def mask_file(ref: PhotoRef, clusters: int | list[int]) -> bytes:
    with _download_job(ref, "mask"):
        return kseg.mask_png(ref.result(), clusters)


def svg_file(ref: PhotoRef, cluster: int) -> bytes:
    """One colour's exact shapes (SVG)."""
    with _download_job(ref, "svg"):
        return kseg.mask_svg(ref.result(), cluster).encode()


def layers_file(
    ref: PhotoRef,
    hidden: frozenset[int],
    size: str | None = None,
    stacked: bool = True,
    overlap: str | None = None,
) -> bytes:
    """Every colour but the background as a smooth, named layer (SVG), at
    ``size`` wide if given, stacked or cut out (grown by ``overlap``)."""
    with _download_job(ref, "svg"):
        return kseg.layers_svg(
            ref.result(), hidden=sorted(hidden), size=size, stacked=stacked, overlap=overlap
        ).encode()


def cutout_file(ref: PhotoRef, clusters: int | list[int]) -> bytes:
    with _download_job(ref, "cutout"):
        image, result = ref.image(), ref.result()
        return kseg.cutout_png(image.rgb, result, clusters, image.alpha)


def palette_file(
    ref: PhotoRef, kind: str, hidden: frozenset[int] = frozenset(), classes: str = ""
) -> bytes:
    """The palette as a CSV, JSON or GIMP .gpl file (``kind``), with each
    colour's share of the rest when some are background (the JSON with the
    ``classes``, their text as the page checked it); or for designers'
    tools, Adobe .ase, CSS custom properties or a swatch image (png)."""
    with _download_job(ref):
        result, shown = ref.result(), sorted(hidden)
        if kind == "gpl":
            return kseg.palette_gpl(result, ref.name, shown)
        if kind in DESIGNERS:
            return DESIGNERS[kind](result)
        if kind == "json":
            return kseg.palette_json(result, shown, kseg.read_classes(classes) if classes else None)
        return kseg.palette_csv(result, shown)


#: The palette for designers' tools, by file kind.
DESIGNERS = {"ase": kseg.palette_ase, "css": kseg.palette_css, "png": kseg.palette_png}


def segmented_file(ref: PhotoRef) -> bytes:
    with _download_job(ref, "segmented"):
        return kseg.segmented_png(ref.result())
