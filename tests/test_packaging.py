"""`pip install .` gives the library, its samples and the `kseg` command, and
nothing of the page, the tests or the benchmarks."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

import kseg

ROOT = Path(__file__).resolve().parents[1]
IGNORED = (".venv", ".git", "build", "*.egg-info", ".hypothesis", "*_cache", "artifacts", ".cache")


@pytest.mark.integration
def test_the_wheel_installs_into_a_fresh_venv_with_a_working_kseg_command(tmp_path):
    # Built from a copy of what a clone holds, so the checkout gets no build/.
    source = tmp_path / "source"
    shutil.copytree(ROOT, source, ignore=shutil.ignore_patterns(*IGNORED))
    wheels = tmp_path / "wheels"
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", str(source), "-w", str(wheels)],
        check=True,
        cwd=tmp_path,
    )
    (wheel,) = wheels.glob("kseg-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "kseg/engine/clustering.py" in names and "kseg/samples/coffee.png" in names
    assert "kseg/samples/LICENSES.md" in names
    stored = [n for n in names if n.startswith("kseg/samples/first/") and n.endswith(".npz")]
    assert len(stored) == len(kseg.SAMPLES)  # the first results a fresh server answers with
    assert "kseg/base/xkcd_colors.tsv" in names  # colour names, read at run time
    assert not [n for n in names if n.split("/")[0] in ("webapp", "tests", "bench", "app.py")]
    # The licence travels with the wheel, and the version is kseg's own.
    assert wheel.name.startswith(f"kseg-{kseg.__version__}-")
    info = f"kseg-{kseg.__version__}.dist-info"
    assert f"{info}/licenses/LICENSE" in names and f"{info}/licenses/NOTICE" in names
    metadata = zipfile.ZipFile(wheel).read(f"{info}/METADATA").decode()
    assert "License-Expression: MIT" in metadata
    entry_points = next(n for n in names if n.endswith("entry_points.txt"))
    assert "kseg = kseg.cli:main" in zipfile.ZipFile(wheel).read(entry_points).decode()

    requires = {line.split(": ", 1)[1] for line in metadata.splitlines() if "Requires-Dist" in line}
    for needed in ("numba>=0.61", "numpy<3,>=2.0", "opencv-python-headless>=4.8", "pillow>=12.3"):
        assert needed in requires, metadata

    # A fresh venv with the wheel alone; its dependencies (numpy, numba,
    # OpenCV, Pillow: the wheel's Requires-Dist, checked above) are this
    # test run's own, seen through a .pth file, so the test does not spend
    # half a minute installing them again.  The checkout is not on its path.
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    (site,) = venv.glob("lib/python*/site-packages")
    ours = [p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()]
    (site / "deps.pth").write_text("\n".join(ours) + "\n")
    pip = [sys.executable, "-m", "pip", "--python", venv / "bin" / "python"]
    subprocess.run(
        [*pip, "install", "-q", "--no-deps", str(wheel)],
        check=True,
        cwd=tmp_path,
    )

    shown = subprocess.run(
        [venv / "bin" / "kseg", "--help"], capture_output=True, text=True, cwd=tmp_path
    )
    assert shown.returncode == 0 and "usage:" in shown.stdout and "--quiet" in shown.stdout
    version = subprocess.run(
        [venv / "bin" / "kseg", "--version"], capture_output=True, text=True, cwd=tmp_path
    )
    assert version.returncode == 0 and version.stdout.strip() == f"kseg {kseg.__version__}"
    sample = subprocess.run(
        [venv / "bin" / "python", "-c", "import kseg; print(kseg.sample_path('coffee'))"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
        check=True,
    ).stdout.strip()
    assert sample.startswith(str(venv))  # the installed package, not the checkout
    # The first run compiles the engine's kernels: with no C compiler to be
    # found and (where the machine allows a private network namespace) no
    # network, numba's own LLVM must do it, into the installed package.
    cmd = [str(venv / "bin" / "kseg"), sample, "-k", "12", "--out", "first"]
    unshare = shutil.which("unshare")
    private = unshare and os.geteuid() == 0
    if private and subprocess.run([unshare, "-n", "true"], capture_output=True).returncode == 0:
        cmd = [unshare, "-n", *cmd]
    bare = {"PATH": str(venv / "bin"), "CC": "/nonexistent/cc", "HOME": str(tmp_path)}
    run = subprocess.run(cmd, capture_output=True, text=True, cwd=tmp_path, env=bare)
    assert run.returncode == 0, run.stderr
    assert list(venv.glob("lib/python*/site-packages/kseg/engine/__pycache__/hamerly.*.nbc"))
    # Every group of the package, its data files with it.
    (site,) = venv.glob("lib/python*/site-packages/kseg")
    groups = {p.parent.name for p in site.glob("*/__init__.py")}
    assert groups == {p.parent.name for p in (ROOT / "kseg").glob("*/__init__.py")}
    assert (site / "base" / "xkcd_colors.tsv").is_file()
    # The same result as this process gives.
    manifest = json.loads((tmp_path / "first" / "coffee" / "manifest.json").read_text())
    assert manifest["version"] == kseg.__version__
    rgb = kseg.load_image(kseg.sample_path("coffee")).rgb
    seed = manifest["settings"]["seed"]
    assert manifest["mse"] == round(kseg.segment(rgb, 12, seed=seed).mse, 4)
    run = subprocess.run(
        [venv / "bin" / "kseg", sample, "-k", "3", "--out", "out"],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert run.returncode == 0, run.stderr
    assert "[1/1]" in run.stderr and "3 clusters" in run.stderr
    manifest = json.loads((tmp_path / "out" / "coffee" / "manifest.json").read_text())
    assert manifest["clusters_found"] == 3
    assert len(list((tmp_path / "out" / "coffee" / "masks").glob("*.png"))) == 3
