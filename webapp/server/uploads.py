"""Uploaded photos: :class:`Upload` (what the page passes around), and the
uploaded bytes under the memory budget, refused at the door.

Streamlit keeps every uploaded file in the server's memory for as long as
it stays in its uploader, before any script run sees it.  The guard wraps
the server's upload store: a file that would take its session over
``SESSION_SHARE`` of the memory budget, or every session together over
``TOTAL_SHARE``, is refused as it arrives (HTTP 413, its bytes dropped at
once) and noted for the page, which says how much was asked and what to do.
No streamlit here: the page installs the guard on its runtime's store.
"""

from __future__ import annotations

import functools
import hashlib
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from starlette.exceptions import HTTPException

import kseg
from webapp.server.budget import MB, budget_bytes

#: What one session may hold in its uploaders at once, as a share of the
#: memory budget, and what all sessions together may hold.
SESSION_SHARE = 0.10
TOTAL_SHARE = 0.40


@dataclass(frozen=True)
class Upload:
    """One photo the page works on: its name, the hash of its bytes, their
    size, and the bytes themselves, in memory or in a file on the server's
    disk (see ``webapp.server.spool``).  Two uploads are equal when their names and
    bytes are."""

    name: str
    digest: str
    nbytes: int
    data_in_memory: bytes | None = field(default=None, repr=False, compare=False)
    path: Path | None = field(default=None, compare=False)

    @classmethod
    def of(cls, name: str, data: bytes) -> Upload:
        """An upload held in memory."""
        return cls(name, hashlib.sha256(data).hexdigest(), len(data), data_in_memory=data)

    @classmethod
    def on_disk(cls, name: str, digest: str, nbytes: int, path: Path) -> Upload:
        """An upload kept in the file ``path``."""
        return cls(name, digest, nbytes, path=path)

    @property
    def data(self) -> bytes:
        """The photo's bytes (read from disk when kept there)."""
        if self.data_in_memory is not None:
            return self.data_in_memory
        try:
            return self.path.read_bytes()  # type: ignore[union-attr]
        except FileNotFoundError:
            msg = "The photo is no longer on the server; please add it again."
            raise kseg.ImageError(msg) from None

    @functools.cached_property
    def size(self) -> tuple[int, int]:
        """(width, height) from the file's header, read once (raises
        ``kseg.ImageError`` for a file that is not an image)."""
        return kseg.image_size(self.data if self.path is None else self.path)

    @functools.cached_property
    def jpeg(self) -> bool:
        """Whether the file is a JPEG (its decoder can reduce while decoding)."""
        if self.data_in_memory is not None:
            return self.data_in_memory[:3] == b"\xff\xd8\xff"
        with open(self.path, "rb") as f:  # type: ignore[arg-type]
            return f.read(3) == b"\xff\xd8\xff"


@dataclass
class Refused:
    """Files refused to one session since it last had one accepted."""

    files: int = 0
    nbytes: int = 0
    whole_server: bool = False  # refused for the total, not the session's own cap
    shown: bool = False  # the page has said so


@dataclass
class UploadGuard:
    """Caps on the bytes held by a Streamlit upload store (its
    ``file_storage``: session id -> file id -> record with ``data``)."""

    session_cap: int
    total_cap: int
    _refused: dict[str, Refused] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _installed: set[int] = field(default_factory=set)

    @classmethod
    def for_budget(cls, budget: int | None = None) -> UploadGuard:
        """Caps as shares of ``budget`` bytes (the server's, by default)."""
        budget = budget_bytes()[0] if budget is None else budget
        return cls(int(SESSION_SHARE * budget), int(TOTAL_SHARE * budget))

    def install(self, store: Any) -> None:
        """Wrap ``store.add_file`` (once per store)."""
        with self._lock:
            if id(store) in self._installed:
                return
            self._installed.add(id(store))
            add_file: Callable[..., None] = store.add_file

        def guarded(session_id: str, file: Any) -> None:
            self.admit(store, session_id, file)
            add_file(session_id=session_id, file=file)

        store.add_file = guarded

    def admit(self, store: Any, session_id: str, file: Any) -> None:
        """Raise HTTP 413 (and note it) if ``file`` would take its session
        or the server over its cap; a file accepted clears the notes."""
        size = len(file.data)
        with self._lock:
            held = self.held(store, session_id, but=file.file_id)
            total = sum(
                len(f.data)
                for files in list(store.file_storage.values())
                for f in list(files.values())
            )
            over_session = held + size > self.session_cap
            over_total = total + size > self.total_cap
            if over_session or over_total:
                note = self._refused.setdefault(session_id, Refused())
                note.files += 1
                note.nbytes += size
                note.whole_server = note.whole_server or not over_session
                raise HTTPException(413, "The server holds no more photos for this visitor now.")
            self._refused.pop(session_id, None)

    @staticmethod
    def held(store: Any, session_id: str, but: str | None = None) -> int:
        """Bytes ``session_id`` holds in ``store`` (but file ``but``)."""
        files = store.file_storage.get(session_id) or {}
        return sum(len(f.data) for fid, f in list(files.items()) if fid != but)

    def refused(self, session_id: str) -> Refused | None:
        """What was refused to ``session_id`` since its last accepted file."""
        with self._lock:
            return self._refused.get(session_id)

    def sweep(self, alive: Callable[[str], bool]) -> None:
        """Drop the notes of sessions that are not alive."""
        with self._lock:
            for session_id in [s for s in self._refused if not alive(s)]:
                del self._refused[session_id]

    def forget(self, session_id: str) -> None:
        """Drop the notes of a session (it removed its files, or ended)."""
        with self._lock:
            self._refused.pop(session_id, None)


def refusal_message(guard: UploadGuard, held: int, held_files: int, refused: Refused) -> str:
    """What the page says after a refusal: how much was asked, what the
    server takes, and what to do."""
    files = held_files + refused.files
    asked = (held + refused.nbytes) / MB
    if refused.whole_server:
        return (
            f"{refused.files} of your files ({refused.nbytes / MB:.0f} MB) could not be "
            f"taken: this server holds at most {guard.total_cap / MB:.0f} MB of photos for "
            "all its visitors at a time, and is full just now. Try again in a few minutes, "
            "or use the `kseg` command for large series."
        )
    return (
        f"These {files} files are {asked:.0f} MB; this server takes "
        f"{guard.session_cap / MB:.0f} MB of photos per visitor at a time, so "
        f"{refused.files} of them ({refused.nbytes / MB:.0f} MB) were not taken: segment "
        "them in smaller groups (remove some first), or use the `kseg` command for "
        "large series."
    )
