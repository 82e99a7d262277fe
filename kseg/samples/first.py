"""The page's first results, stored: each bundled sample segmented with the
page's default settings, exactly as :func:`kseg.segment` gives it, so a
fresh server answers its first visitors without compiling the engine's
kernels first.  ``python -m kseg.samples.first`` writes them again
(after a change to the engine; the tests say when one is due).
"""

from __future__ import annotations

import functools
import hashlib
import io
import json
import time
from collections.abc import Mapping
from pathlib import Path

import numpy as np

from kseg.engine.result import Segmentation
from kseg.samples import SAMPLES, sample_path

__all__ = ["DEFAULTS", "sample_digest", "store_results", "stored_result"]

_DIR = Path(__file__).resolve().parent / "first"
#: The page's default settings, as :func:`kseg.segment` records them.
DEFAULTS: dict[str, object] = {
    "k": 5,
    "attempts": 10,
    "scale": 1.0,
    "init": "kmeans++",
    "max_iter": 100,
    "eps": 0.0,
    "color_space": "rgb",
    "seed": 0,
}
_ARRAYS = ("labels", "centers", "centers_float", "counts", "shares")


def sample_digest(name: str) -> str:
    """The SHA-256 of a bundled sample's file (what the page keys it by)."""
    return hashlib.sha256(sample_path(name).read_bytes()).hexdigest()


def has_stored(digest: str, settings: Mapping[str, object]) -> bool:
    """Whether a result is stored for this file's SHA-256 and these settings."""
    return dict(settings) == DEFAULTS and (_DIR / f"{digest[:16]}.npz").exists()


def stored_result(digest: str, settings: Mapping[str, object]) -> Segmentation | None:
    """The stored result of the sample whose file has this SHA-256, if it was
    stored with these settings (else None: compute it)."""
    if not has_stored(digest, settings):
        return None
    return _load(digest)


@functools.lru_cache(maxsize=len(SAMPLES))
def _load(digest: str) -> Segmentation | None:
    path = _DIR / f"{digest[:16]}.npz"
    t = time.perf_counter()
    with np.load(path, allow_pickle=False) as data:
        meta = json.loads(str(data["meta"]))
        if meta["digest"] != digest:
            return None
        arrays = {name: np.array(data[name]) for name in _ARRAYS}
        label_centers = np.array(data["label_centers"]) if "label_centers" in data else None
    seconds = time.perf_counter() - t
    return Segmentation(
        **arrays,
        mse=meta["mse"],
        k_requested=meta["k_requested"],
        n_colors=meta["n_colors"],
        n_iter=meta["n_iter"],
        converged=meta["converged"],
        notice=meta["notice"],
        timings={"histogram": 0.0, "fit": 0.0, "label": 0.0, "total": seconds},
        settings=meta["settings"],
        pinned=tuple(meta["pinned"]),
        label_centers=label_centers,
        names=tuple(meta["names"]),
    )


def store_results() -> list[Path]:
    """Segment every bundled sample with the page's defaults (as the page
    does: its colours counted once, then fitted) and store the results."""
    from kseg.engine.clustering import segment
    from kseg.engine.histogram import color_histogram
    from kseg.files.loading import load_image, opaque_mask

    _DIR.mkdir(exist_ok=True)
    written = []
    for name in SAMPLES:
        image = load_image(sample_path(name))
        mask = opaque_mask(image)
        counted = color_histogram(image.rgb, mask=mask)
        result = segment(
            image.rgb, **_arguments(), mask=mask, histogram=counted, fixed_centers=None
        )
        digest = sample_digest(name)
        meta = {
            "digest": digest,
            "mse": result.mse,
            "k_requested": result.k_requested,
            "n_colors": result.n_colors,
            "n_iter": result.n_iter,
            "converged": result.converged,
            "notice": result.notice,
            "settings": dict(result.settings),
            "pinned": list(result.pinned),
            "names": list(result.names),
        }
        arrays = {key: getattr(result, key) for key in _ARRAYS}
        if result.label_centers is not None:
            arrays["label_centers"] = result.label_centers
        buf = io.BytesIO()
        np.savez_compressed(buf, meta=np.array(json.dumps(meta)), **arrays)
        path = _DIR / f"{digest[:16]}.npz"
        path.write_bytes(buf.getvalue())
        written.append(path)
    return written


def _arguments() -> dict[str, object]:
    """:data:`DEFAULTS` as :func:`kseg.segment`'s keyword arguments."""
    return {
        "k": DEFAULTS["k"],
        "attempts": DEFAULTS["attempts"],
        "scale": DEFAULTS["scale"],
        "init": DEFAULTS["init"],
        "color_space": DEFAULTS["color_space"],
        "max_iter": DEFAULTS["max_iter"],
        "eps": DEFAULTS["eps"],
        "seed": DEFAULTS["seed"],
    }


if __name__ == "__main__":
    for written in store_results():
        print(written)
