"""Files a user downloads: PNGs, palettes (JSON, CSV, GIMP .gpl) and a ZIP."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path

import numpy as np

from kseg._cv import cv2
from kseg.masks import cutout, label_map, mask_image, segmented_image
from kseg.result import Segmentation

__all__ = [
    "cluster_file_stem",
    "encode_png",
    "export_files",
    "export_zip",
    "palette_csv",
    "palette_gpl",
    "palette_json",
    "palette_rows",
    "safe_stem",
]


def encode_png(image: np.ndarray, *, compression: int = 3) -> bytes:
    """Encode a grey (H, W), RGB (H, W, 3) or RGBA (H, W, 4) uint8 array as PNG.

    Raises
    ------
    ValueError
        If the array is not uint8 with 1, 3 or 4 channels.
    """
    if image.dtype != np.uint8 or image.ndim not in (2, 3):
        msg = f"expected a uint8 (H, W[, C]) array, got {image.dtype} {image.shape}"
        raise ValueError(msg)
    if image.ndim == 3:
        if image.shape[2] == 3:
            image = cv2.cvtColor(image, cv2.COLOR_RGB2BGR)
        elif image.shape[2] == 4:
            image = cv2.cvtColor(image, cv2.COLOR_RGBA2BGRA)
        else:
            msg = f"expected 3 or 4 channels, got {image.shape[2]}"
            raise ValueError(msg)
    ok, buf = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, compression])
    if not ok:  # pragma: no cover - OpenCV reports no reason
        msg = "PNG encoding failed"
        raise RuntimeError(msg)
    return buf.tobytes()


def _hex(c: np.ndarray) -> str:
    return "#{:02x}{:02x}{:02x}".format(*(int(v) for v in c))


def palette_rows(result: Segmentation) -> list[dict[str, object]]:
    """One row per cluster: index (1-based), hex, r, g, b, share, pixels."""
    return [
        {
            "index": i + 1,
            "hex": _hex(c),
            "r": int(c[0]),
            "g": int(c[1]),
            "b": int(c[2]),
            "share": round(float(s), 6),
            "pixels": int(n),
        }
        for i, (c, s, n) in enumerate(
            zip(result.centers, result.shares, result.counts, strict=False)
        )
    ]


def palette_json(result: Segmentation) -> bytes:
    """The palette as JSON: a list of rows (see :func:`palette_rows`)."""
    return (json.dumps(palette_rows(result), indent=2) + "\n").encode()


def palette_csv(result: Segmentation) -> bytes:
    """The palette as CSV with a header row."""
    buf = io.StringIO()
    rows = palette_rows(result)
    writer = csv.DictWriter(buf, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue().encode()


def palette_gpl(result: Segmentation, name: str = "kseg") -> bytes:
    """The palette as a GIMP/Inkscape palette file (.gpl)."""
    lines = ["GIMP Palette", f"Name: {safe_stem(name)}", "Columns: 8", "#"]
    for row in palette_rows(result):
        lines.append(
            f"{row['r']:3d} {row['g']:3d} {row['b']:3d}\t"
            f"cluster {row['index']} {row['hex']} {100 * float(row['share']):.2f}%"
        )
    return ("\n".join(lines) + "\n").encode()


def safe_stem(name: str, default: str = "image") -> str:
    """A file-name stem with no path parts or unsafe characters.

    ``"../../etc/passwd.png"`` becomes ``"passwd"``.
    """
    base = Path(str(name).replace("\\", "/")).name
    stem = base.rsplit(".", 1)[0] if "." in base[1:] else base
    stem = re.sub(r"[^A-Za-z0-9._-]+", "_", stem).strip("._-")[:80]
    return stem or default


def cluster_file_stem(result: Segmentation, index: int) -> str:
    """``cluster_01_aabbcc`` for cluster 0: numbered from 1, with its colour."""
    return f"cluster_{index + 1:02d}_{_hex(result.centers[index])[1:]}"


def export_files(
    rgb: np.ndarray,
    result: Segmentation,
    *,
    alpha: np.ndarray | None = None,
    source_name: str = "image",
    hidden: Iterable[int] = (),
) -> Iterator[tuple[str, bytes]]:
    """Every download, as (relative path, bytes) pairs, produced one by one.

    Yields ``segmented.png``, ``labels.png`` (cluster index per pixel, 255 for
    left-out pixels), ``palette.json``, ``palette.csv``, ``palette.gpl``,
    ``masks/cluster_NN_rrggbb.png`` and ``cutouts/cluster_NN_rrggbb.png`` for
    each cluster not in ``hidden`` (clusters marked as background), then,
    when some are hidden, ``cutouts/foreground.png`` (everything but the
    background), and ``manifest.json`` last.

    Raises
    ------
    ValueError
        If a hidden index is out of range, or every cluster is hidden.
    """
    hidden_set = {int(i) for i in hidden}
    shown = [i for i in range(result.k) if i not in hidden_set]
    if any(not 0 <= i < result.k for i in hidden_set):
        msg = f"hidden cluster indices must be from 0 to {result.k - 1}, got {sorted(hidden_set)}"
        raise ValueError(msg)
    if not shown:
        msg = "every cluster is hidden: nothing would be left to export"
        raise ValueError(msg)
    seg = segmented_image(result)
    if (result.labels < 0).any():
        seg = np.dstack([seg, np.where(result.labels < 0, 0, 255).astype(np.uint8)])
    yield "segmented.png", encode_png(seg)
    yield "labels.png", encode_png(label_map(result))
    yield "palette.json", palette_json(result)
    yield "palette.csv", palette_csv(result)
    yield "palette.gpl", palette_gpl(result, source_name)
    files = []
    for i in shown:
        stem = cluster_file_stem(result, i)
        yield f"masks/{stem}.png", encode_png(mask_image(result, i))
        yield f"cutouts/{stem}.png", encode_png(cutout(rgb, result, i, alpha))
        files.append(stem)
    if hidden_set:
        yield "cutouts/foreground.png", encode_png(cutout(rgb, result, shown, alpha))
    manifest = {
        "tool": "kseg",
        "source": {
            "name": safe_stem(source_name),
            "width": int(rgb.shape[1]),
            "height": int(rgb.shape[0]),
        },
        "settings": dict(result.settings),
        "clusters_found": result.k,
        "mse": round(result.mse, 4),
        "notice": result.notice,
        "palette": palette_rows(result),
        "clusters": files,
        "hidden": sorted(hidden_set),
    }
    yield "manifest.json", (json.dumps(manifest, indent=2) + "\n").encode()


def export_zip(
    rgb: np.ndarray,
    result: Segmentation,
    *,
    alpha: np.ndarray | None = None,
    source_name: str = "image",
    hidden: Iterable[int] = (),
) -> bytes:
    """All of :func:`export_files` in one ZIP, under a folder named for the image."""
    folder = safe_stem(source_name)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for path, data in export_files(
            rgb, result, alpha=alpha, source_name=source_name, hidden=hidden
        ):
            kind = zipfile.ZIP_STORED if path.endswith(".png") else zipfile.ZIP_DEFLATED
            zf.writestr(f"{folder}/{path}", data, compress_type=kind)
    return buf.getvalue()
