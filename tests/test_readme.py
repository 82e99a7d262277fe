"""The README as a new user reads it: short, in the promised order, and
every ```sh and ```python block runs as written on sample photos (```console
blocks, such as `make run`, are shown, not run)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kseg

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text()
SECTIONS = [
    "Two commands",
    "Using the page",
    "The command line",
    "Python",
    "Hosting",
    "Limits and safety",
    "Licence and dependencies",
    "Read more",
]


def blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```$", README, flags=re.M | re.S)


def test_the_readme_is_short_and_in_the_order_a_user_needs():
    assert len(README.splitlines()) <= 300
    headings = re.findall(r"^## (.+)$", README, flags=re.M)
    assert [h for h in headings if h in SECTIONS] == SECTIONS
    assert "docs/screenshot.png" in README and (ROOT / "docs" / "screenshot.png").exists()
    for doc in re.findall(r"`(docs/[a-z]+\.md|[A-Z]+\.md|LICENSE|NOTICE)`", README):
        assert (ROOT / doc).exists(), doc
    # It speaks of the project, not of how the work was organised.
    for text in [README, *(p.read_text() for p in (ROOT / "docs").glob("*.md"))]:
        assert not re.search(r"\bissue #?\d|\bsession \d", text, flags=re.I)


@pytest.fixture
def photos(tmp_path: Path) -> Path:
    """A folder with the photos the README's examples name."""
    for name, sample in [("photo1.jpg", "rocket"), ("photo2.png", "coffee")]:
        shutil.copy(kseg.sample_path(sample), tmp_path / name)
    for folder, samples in [("slides", ["rocket", "rocket"]), ("new", ["rocket"])]:
        (tmp_path / folder).mkdir()
        for i, sample in enumerate(samples):
            shutil.copy(kseg.sample_path(sample), tmp_path / folder / f"{i}.jpg")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "kseg").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m kseg "$@"\n')
    (bin_dir / "kseg").chmod(0o755)
    return tmp_path


def _env(photos: Path) -> dict[str, str]:
    path = f"{photos / 'bin'}{os.pathsep}{os.environ['PATH']}"
    return {**os.environ, "PYTHONPATH": str(ROOT), "PATH": path}


def test_every_shell_block_of_the_readme_runs(photos):
    found = blocks("sh")
    assert len(found) >= 2
    for block in found:
        run = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", block],
            cwd=photos,
            env=_env(photos),
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, (block, run.stderr)
    assert (photos / "results" / "photo1" / "manifest.json").exists()
    assert (photos / "more" / "shares.csv").exists()


def test_every_python_block_of_the_readme_runs(photos):
    found = blocks("python")
    assert len(found) >= 1
    for block in found:
        run = subprocess.run(
            [sys.executable, "-c", block],
            cwd=photos,
            env=_env(photos),
            capture_output=True,
            text=True,
        )
        assert run.returncode == 0, (block, run.stderr)
