"""kseg: K-means colour segmentation of photos, exact and fast.

>>> import kseg
>>> image = kseg.load_image(kseg.sample_path("coffee"))
>>> result = kseg.segment(image.rgb, 5, seed=0)
>>> result.k
5
"""

from __future__ import annotations

from kseg.base.naming import basic_name, color_name, color_names
from kseg.base.validation import check_length, safe_stem
from kseg.base.version import __version__
from kseg.engine.applying import apply_palette, palette_counts
from kseg.engine.choosing import KCurve, objective_curve
from kseg.engine.classes import (
    Classes,
    ClassesError,
    ClassTable,
    ColourClass,
    class_table,
)
from kseg.engine.clustering import COLOR_SPACES, INITS, MAX_K, Segmentation, segment
from kseg.engine.counting import PaletteLookup, count_regions, palette_lookup
from kseg.engine.editing import clean_segmentation, merge_clusters, merged_numbers, recolour
from kseg.engine.histogram import ColorHistogram, color_histogram
from kseg.engine.measuring import RegionTable, measure_regions
from kseg.engine.picking import pick_colours
from kseg.engine.roi import Roi, RoiError, parse_roi
from kseg.files.class_reading import read_classes
from kseg.files.encoding import encode_jpeg, encode_png, labels_png, segmented_png
from kseg.files.export import (
    cluster_file_stem,
    cutout_png,
    export_entries,
    export_files,
    export_zip,
    mask_png,
    unique_stems,
)
from kseg.files.loading import (
    DEFAULT_MAX_BYTES,
    DEFAULT_MAX_PIXELS,
    FORMATS,
    ImageError,
    LoadedImage,
    fitted_size,
    image_size,
    load_image,
    opaque_mask,
)
from kseg.files.measurements import classes_csv, regions_csv
from kseg.files.methods import methods_text
from kseg.files.palette_reading import Palette, PaletteError, load_palette, read_palette
from kseg.files.palette_writing import (
    palette_csv,
    palette_file_rows,
    palette_gpl,
    palette_json,
    palette_rows,
)
from kseg.files.pattern import StitchPattern, stitch_pattern
from kseg.files.swatches import palette_ase, palette_css, palette_png
from kseg.pictures.masks import (
    cluster_mask,
    cutout,
    downscale,
    label_map,
    mask_image,
    paint_labels,
    segmented_image,
)
from kseg.pictures.numbered import numbered_regions
from kseg.pictures.previews import Previews, make_previews, on_checkerboard, photo_preview
from kseg.pictures.views import (
    ColorSample,
    boundary_overlay,
    cluster_at,
    color_sample,
    highlight,
    pixel_at,
    preview_labels,
    preview_pixels,
    split_view,
)
from kseg.samples import SAMPLES, sample_path
from kseg.series.files import (
    class_slug,
    colour_columns,
    measured_rows,
    series_zip,
    shares_csv,
    shares_rows,
)
from kseg.series.fitting import ColorTotals, SharedPalette, fit_shared_palette, segment_many
from kseg.shapes.paint import MIN_WIDTH_MM, NUMBER_MM, PaintByNumber, paint_by_number
from kseg.shapes.tiling import Tiles
from kseg.shapes.vector import layers_svg, mask_svg
from kseg.warming import warm_up

__all__ = [
    "COLOR_SPACES",
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_PIXELS",
    "FORMATS",
    "INITS",
    "MAX_K",
    "MIN_WIDTH_MM",
    "NUMBER_MM",
    "SAMPLES",
    "ClassTable",
    "Classes",
    "ClassesError",
    "ColorHistogram",
    "ColorSample",
    "ColorTotals",
    "ColourClass",
    "ImageError",
    "KCurve",
    "LoadedImage",
    "PaintByNumber",
    "Palette",
    "PaletteError",
    "PaletteLookup",
    "Previews",
    "RegionTable",
    "Roi",
    "RoiError",
    "Segmentation",
    "SharedPalette",
    "StitchPattern",
    "Tiles",
    "__version__",
    "apply_palette",
    "basic_name",
    "boundary_overlay",
    "check_length",
    "class_slug",
    "class_table",
    "classes_csv",
    "clean_segmentation",
    "cluster_at",
    "cluster_file_stem",
    "cluster_mask",
    "color_histogram",
    "color_name",
    "color_names",
    "color_sample",
    "colour_columns",
    "count_regions",
    "cutout",
    "cutout_png",
    "downscale",
    "encode_jpeg",
    "encode_png",
    "export_entries",
    "export_files",
    "export_zip",
    "fit_shared_palette",
    "fitted_size",
    "highlight",
    "image_size",
    "label_map",
    "labels_png",
    "layers_svg",
    "load_image",
    "load_palette",
    "make_previews",
    "mask_image",
    "mask_png",
    "mask_svg",
    "measure_regions",
    "measured_rows",
    "merge_clusters",
    "merged_numbers",
    "methods_text",
    "numbered_regions",
    "objective_curve",
    "on_checkerboard",
    "opaque_mask",
    "paint_by_number",
    "paint_labels",
    "palette_ase",
    "palette_counts",
    "palette_css",
    "palette_csv",
    "palette_file_rows",
    "palette_gpl",
    "palette_json",
    "palette_lookup",
    "palette_png",
    "palette_rows",
    "parse_roi",
    "photo_preview",
    "pick_colours",
    "pixel_at",
    "preview_labels",
    "preview_pixels",
    "read_classes",
    "read_palette",
    "recolour",
    "regions_csv",
    "safe_stem",
    "sample_path",
    "segment",
    "segment_many",
    "segmented_image",
    "segmented_png",
    "series_zip",
    "shares_csv",
    "shares_rows",
    "split_view",
    "stitch_pattern",
    "unique_stems",
    "warm_up",
]
