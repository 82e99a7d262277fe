"""The upload guard on Streamlit's own upload store (no server needed)."""

from __future__ import annotations

import pytest
from starlette.exceptions import HTTPException
from streamlit.runtime.memory_uploaded_file_manager import MemoryUploadedFileManager
from streamlit.runtime.uploaded_file_manager import UploadedFileRec

from webapp.server.budget import MB
from webapp.server.uploads import UploadGuard, refusal_message


def upload(store, session: str, name: str, mb: float) -> None:
    data = b"\0" * int(mb * MB)
    store.add_file(session_id=session, file=UploadedFileRec(name, name, "image/jpeg", data))


@pytest.fixture
def guarded():
    store = MemoryUploadedFileManager("/_stcore/upload_file")
    guard = UploadGuard.for_budget(200 * MB)  # 20 MB a visitor, 80 MB in all
    guard.install(store)
    guard.install(store)  # twice: still one wrapper
    return store, guard


def test_a_session_over_its_share_is_refused_and_its_bytes_are_not_kept(guarded):
    store, guard = guarded
    for i in range(4):
        upload(store, "a", f"p{i}", 4.7)  # 18.8 MB held
    with pytest.raises(HTTPException) as err:
        upload(store, "a", "p4", 4.7)
    assert err.value.status_code == 413
    with pytest.raises(HTTPException):
        upload(store, "a", "p5", 4.7)
    assert sorted(store.file_storage["a"]) == ["p0", "p1", "p2", "p3"]
    assert guard.held(store, "a") == 4 * int(4.7 * MB)
    refused = guard.refused("a")
    assert (refused.files, refused.nbytes, refused.whole_server) == (2, 2 * int(4.7 * MB), False)
    text = refusal_message(guard, guard.held(store, "a"), 4, refused)
    assert "These 6 files are 28 MB" in text and "20 MB of photos per visitor" in text
    assert "`kseg` command" in text
    # Another visitor is not affected.
    upload(store, "b", "q0", 4.7)
    assert guard.refused("b") is None and "q0" in store.file_storage["b"]


def test_removing_files_makes_room_and_an_accepted_file_clears_the_refusal(guarded):
    store, guard = guarded
    upload(store, "a", "big", 15)
    with pytest.raises(HTTPException):
        upload(store, "a", "more", 10)
    store.remove_file("a", "big")
    upload(store, "a", "more", 10)
    assert guard.refused("a") is None
    assert guard.held(store, "a") == 10 * MB


def test_replacing_a_file_counts_its_new_size_only(guarded):
    store, guard = guarded
    upload(store, "a", "same", 15)
    upload(store, "a", "same", 15)  # the same file id sent again
    assert guard.held(store, "a") == 15 * MB


def test_the_whole_server_cap_refuses_new_bytes_once_all_visitors_hold_it(guarded):
    store, guard = guarded
    for s in "abcd":
        upload(store, s, "p", 19)  # 76 MB in all
    with pytest.raises(HTTPException):
        upload(store, "e", "p", 5)
    refused = guard.refused("e")
    assert refused.whole_server and refused.files == 1
    assert "e" not in store.file_storage or not store.file_storage["e"]
    text = refusal_message(guard, 0, 0, refused)
    assert "80 MB of photos for all its visitors" in text
    # When a visitor leaves (its session's files go), the next one gets in.
    store.remove_session_files("a")
    upload(store, "e", "p", 5)
    assert guard.refused("e") is None
