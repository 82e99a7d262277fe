"""Bundled sample photos (licences in LICENSES.md beside this file)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["SAMPLES", "sample_path"]

_DIR = Path(__file__).resolve().parent

#: Sample name -> (file name, caption with credit and licence).
SAMPLES: dict[str, tuple[str, str]] = {
    "coffee": ("coffee.png", "Coffee cup, Rachel Michetti (CC0)"),
    "chelsea": ("chelsea.png", "Chelsea the cat, Stefan van der Walt (CC0)"),
    "astronaut": ("astronaut.png", "Astronaut Eileen Collins, NASA (public domain)"),
    "rocket": ("rocket.jpg", "Falcon 9 launch, SpaceX (public domain)"),
}


def sample_path(name: str) -> Path:
    """Path of a bundled sample photo.

    Raises
    ------
    ValueError
        If ``name`` is not one of :data:`SAMPLES`.
    """
    if name not in SAMPLES:
        msg = f"unknown sample {name!r}; choose one of {sorted(SAMPLES)}"
        raise ValueError(msg)
    return _DIR / SAMPLES[name][0]
