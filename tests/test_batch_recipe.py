"""The batch recipes of docs/deploy.md: fit one palette with --shared-palette
on a sample of the photos, then --palette per photo under an existing job
runner (GNU parallel) or a real cluster scheduler (dask.distributed, two
worker processes); each photo's outputs equal those of one --palette run."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import kseg

ROOT = Path(__file__).resolve().parents[1]
# Each test starts other processes (kseg commands, GNU parallel, Dask workers): make test only.
pytestmark = pytest.mark.integration
PARALLEL = shutil.which("parallel")


@pytest.fixture(autouse=True)
def one_date(monkeypatch):
    """Every run here dates its manifests alike (SOURCE_DATE_EPOCH), so runs
    made at different times can be compared byte for byte."""
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1767225600")


def _kseg(*args: str, cwd: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run([sys.executable, "-m", "kseg", *args], cwd=cwd, env=env, check=True)


@pytest.mark.skipif(
    PARALLEL is None and os.environ.get("CI") != "true", reason="GNU parallel not installed"
)
def test_parallel_per_photo_runs_equal_one_palette_run(tmp_path):
    assert PARALLEL is not None, "CI: make test installs Debian's parallel"
    names = _fitted_series(tmp_path)  # step 1: one palette fitted on two of the four
    assert (tmp_path / "fit" / "palette.json").exists()
    # Step 2: every photo on its own, two at a time, by GNU parallel.
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    subprocess.run(
        [
            PARALLEL,
            "-j",
            "2",
            "--halt",
            "now,fail=1",
            sys.executable,
            "-m",
            "kseg",
            "{}",
            "--palette",
            "fit/palette.json",
            "-q",
            "--out",
            "parts/{/.}",
            ":::",
            *(f"photos/{n}" for n in names),
        ],
        cwd=tmp_path,
        env=env,
        check=True,
    )
    _assert_parts_equal_one_run(tmp_path, names)


def _assert_parts_equal_one_run(tmp_path: Path, names: list[str]) -> None:
    """Each photo's folder under parts/ is byte for byte one --palette run's."""
    _kseg(
        *(f"photos/{n}" for n in names),
        "--palette",
        "fit/palette.json",
        "-q",
        "--out",
        "single",
        cwd=tmp_path,
    )
    for n in names:
        stem = Path(n).stem
        part = tmp_path / "parts" / stem / stem
        whole = tmp_path / "single" / stem
        files = sorted(p.relative_to(whole) for p in whole.rglob("*") if p.is_file())
        assert len(files) > 10
        assert files == sorted(p.relative_to(part) for p in part.rglob("*") if p.is_file())
        for rel in files:
            assert (part / rel).read_bytes() == (whole / rel).read_bytes(), (n, rel)
    # The per-photo shares lines are the single run's rows.
    single_rows = (tmp_path / "single" / "shares.csv").read_text().splitlines()
    part_rows = [
        (tmp_path / "parts" / Path(n).stem / "shares.csv").read_text().splitlines() for n in names
    ]
    assert all(rows[0] == single_rows[0] for rows in part_rows)  # the same colour columns
    assert sorted(rows[1] for rows in part_rows) == sorted(single_rows[1:])


def _fitted_series(tmp_path: Path) -> list[str]:
    """The four samples in photos/, a palette fitted on two of them in fit/."""
    photos = tmp_path / "photos"
    photos.mkdir()
    for name in kseg.SAMPLES:
        shutil.copy(kseg.sample_path(name), photos)
    names = sorted(p.name for p in photos.iterdir())
    _kseg(*(f"photos/{n}" for n in names[:2]), "-k", "5", "--shared-palette", "-q",
          "--out", "fit", cwd=tmp_path)  # fmt: skip
    return names


def test_a_dask_cluster_labels_each_photo_as_one_palette_run_does(tmp_path, monkeypatch):
    from dask.distributed import Client, LocalCluster  # requirements-dev.txt, kseg[dask]

    from kseg.batch import label_on

    names = _fitted_series(tmp_path)
    monkeypatch.chdir(tmp_path)
    # A real scheduler and two worker processes (not threads of this one).
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        pids = set(client.run(os.getpid).values())
        status = label_on(client, [f"photos/{n}" for n in names], "fit/palette.json", "parts")
    assert len(pids) == 2 and os.getpid() not in pids
    assert status == {f"photos/{n}": 0 for n in names}
    _assert_parts_equal_one_run(tmp_path, names)
