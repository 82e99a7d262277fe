"""Series photos on the server's disk (webapp.server.spool): one file per distinct
photo, held by sessions, bounded in bytes, swept when sessions end, and
gone with the process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

import kseg
from webapp.server.spool import GRACE_SECONDS, Spool, SpoolFull

ROOT = Path(__file__).resolve().parents[1]
MB = 1 << 20


def photo(n: int, size: int = 1000) -> bytes:
    return bytes([n % 256]) * size


def files(spool: Spool) -> list[str]:
    return sorted(p.name for p in spool.folder.iterdir())


def test_a_photo_held_by_two_sessions_is_one_file_deleted_when_neither_holds_it(tmp_path):
    spool = Spool(tmp_path, cap=10 * MB, session_cap=5 * MB)
    a = spool.add("a", "x.jpg", photo(1))
    b = spool.add("b", "same.jpg", photo(1))
    assert a.digest == b.digest and files(spool) == [a.digest]
    assert a.data == photo(1) and a.path is not None and a.data_in_memory is None
    spool.remove("a")
    assert files(spool) == [a.digest] and spool.photos("b") == [b]
    spool.remove("b", b.digest)
    assert files(spool) == [] and spool.photos("b") == []


def test_photos_are_listed_in_the_order_added_and_a_repeat_is_kept_once(tmp_path):
    spool = Spool(tmp_path, cap=10 * MB, session_cap=5 * MB)
    names = [spool.add("s", f"{n}.jpg", photo(n)).name for n in (3, 1, 2)]
    spool.add("s", "again.jpg", photo(1))
    assert [u.name for u in spool.photos("s")] == names == ["3.jpg", "1.jpg", "2.jpg"]
    assert spool.held("s") == 3000 and spool.total() == 3000


def test_a_session_over_its_share_and_a_full_server_are_refused_apart(tmp_path):
    spool = Spool(tmp_path, cap=5000, session_cap=3000)
    spool.add("a", "1", photo(1))
    spool.add("a", "2", photo(2))
    with pytest.raises(SpoolFull) as mine:
        spool.add("a", "3", photo(3, 1500))
    assert not mine.value.whole_server and mine.value.cap == 3000
    spool.add("b", "4", photo(4, 2500))
    with pytest.raises(SpoolFull) as everyone:
        spool.add("c", "5", photo(5, 1000))
    assert everyone.value.whole_server and everyone.value.cap == 5000
    assert spool.total() == 4500  # nothing refused was written


def test_a_session_not_alive_for_the_grace_period_loses_its_photos(tmp_path):
    spool = Spool(tmp_path, cap=10 * MB, session_cap=5 * MB)
    spool.add("gone", "1", photo(1))
    spool.add("here", "2", photo(2))
    alive = {"here"}.__contains__
    spool.sweep(alive, now=100.0)
    spool.sweep(alive, now=100.0 + GRACE_SECONDS - 1)
    assert len(files(spool)) == 2  # within the grace a tab may reconnect
    spool.sweep(alive, now=100.0 + GRACE_SECONDS)
    assert spool.photos("gone") == [] and [u.name for u in spool.photos("here")] == ["2"]
    assert len(files(spool)) == 1


def test_a_photo_read_after_its_file_went_says_to_add_it_again(tmp_path):
    spool = Spool(tmp_path, cap=10 * MB, session_cap=5 * MB)
    upload = spool.add("s", "x.jpg", photo(1))
    spool.remove("s")
    with pytest.raises(kseg.ImageError, match="add it again"):
        _ = upload.data


def test_the_folder_goes_with_its_process_and_a_dead_servers_folder_at_the_next_start(tmp_path):
    code = (
        "import sys; from pathlib import Path; from webapp.server.spool import Spool; "
        "s = Spool(Path(sys.argv[1]), 10**6, 10**6); s.add('s', 'x', b'123'); print(s.folder)"
    )
    run = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)], cwd=ROOT, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    assert not Path(run.stdout.strip()).exists()  # removed at exit
    dead = tmp_path / "999999999"  # a killed server's folder (no such process)
    dead.mkdir()
    (dead / "photo").write_bytes(b"x")
    live = tmp_path / str(os.getppid())
    live.mkdir()
    spool = Spool(tmp_path, cap=10, session_cap=10)
    assert not dead.exists() and live.exists() and spool.folder.is_dir()


def test_the_first_page_run_of_a_server_removes_a_dead_servers_photos_whichever_page(tmp_path):
    dead = tmp_path / "kseg-spool" / "999999999"  # a killed server's folder
    dead.mkdir(parents=True)
    (dead / "photo").write_bytes(b"x")
    code = (
        "from streamlit.testing.v1 import AppTest; "
        "at = AppTest.from_file('app.py', default_timeout=120).run(); "  # the One photo page
        "assert not at.exception, at.exception"
    )
    env = {**os.environ, "KSEG_SPOOL_DIR": str(tmp_path)}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, env=env
    )
    assert run.returncode == 0, run.stderr
    assert not dead.exists()
