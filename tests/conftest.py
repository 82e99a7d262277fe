from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
BADIMAGES = SHARED / "badimages"


@pytest.fixture(scope="session")
def coffee_rgb() -> np.ndarray:
    import kseg

    return kseg.load_image(kseg.sample_path("coffee")).rgb


def quadrants(size: int = 40, noise: int = 6, seed: int = 0) -> np.ndarray:
    """Four flat coloured quadrants with seeded noise."""
    rng = np.random.default_rng(seed)
    img = np.zeros((size, size, 3), dtype=np.int16)
    h = size // 2
    img[:h, :h] = (200, 30, 30)
    img[:h, h:] = (30, 200, 30)
    img[h:, :h] = (30, 30, 200)
    img[h:, h:] = (230, 230, 40)
    img += rng.integers(-noise, noise + 1, img.shape, dtype=np.int16)
    return np.clip(img, 0, 255).astype(np.uint8)
