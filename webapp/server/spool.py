"""Photos of a series kept on the server's disk, not in its memory.

Once the "Many photos" page has read an upload, its bytes (compressed, as
uploaded) go to a folder of this server process, one file per distinct
photo (named by its hash), and the uploader is emptied.  Each session holds
a list of its photos; a file is deleted when no session holds it any more.
The folder is bounded in bytes (``KSEG_SPOOL_MB``, and a share of it per
session), removed when the process exits, and folders left by processes
that are gone are removed when a server starts.  Sessions that have ended
are swept by :meth:`Spool.sweep` (the page's janitor calls it).

No Streamlit here: the page says which sessions are alive.
"""

from __future__ import annotations

import atexit
import contextlib
import hashlib
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from webapp.server.budget import MB
from webapp.server.uploads import Upload

#: Disk the series photos of all sessions may take (MB), unless
#: KSEG_SPOOL_MB says otherwise; and the share one session may take.
DEFAULT_CAP_MB = 4096
SESSION_SHARE = 0.25
#: A session that stopped being alive this long ago has ended (Streamlit
#: keeps a disconnected session two minutes for it to come back).
GRACE_SECONDS = 150.0


def spool_cap(environ: dict[str, str] | os._Environ = os.environ) -> int:
    """The bytes the series photos of all sessions may take on disk."""
    return int(float(environ.get("KSEG_SPOOL_MB") or DEFAULT_CAP_MB) * MB)


class SpoolFull(Exception):
    """A photo that would take its session, or the server, over its share
    of the disk; ``whole_server`` tells which."""

    def __init__(self, nbytes: int, cap: int, whole_server: bool) -> None:
        super().__init__(f"{nbytes} bytes over the spool's cap of {cap}")
        self.nbytes, self.cap, self.whole_server = nbytes, cap, whole_server


@dataclass
class _Session:
    photos: dict[str, Upload] = field(default_factory=dict)  # digest -> upload, in order
    dead_since: float | None = None


class Spool:
    """A folder of uploaded photos shared by the sessions of one process."""

    def __init__(self, root: Path, cap: int, session_cap: int) -> None:
        self.root, self.cap, self.session_cap = root, cap, session_cap
        self.folder = root / str(os.getpid())
        self._sessions: dict[str, _Session] = {}
        self._lock = threading.Lock()
        remove_stale(root)
        self.folder.mkdir(parents=True, exist_ok=True)
        atexit.register(shutil.rmtree, self.folder, ignore_errors=True)

    @classmethod
    def from_env(cls, root: Path | None = None) -> Spool:
        """A spool under ``root`` (the system's temporary folder by default)
        with the cap of KSEG_SPOOL_MB."""
        root = root or Path(os.environ.get("KSEG_SPOOL_DIR") or tempfile.gettempdir())
        cap = spool_cap()
        return cls(root / "kseg-spool", cap, int(SESSION_SHARE * cap))

    def add(self, session_id: str, name: str, data: bytes) -> Upload:
        """Keep ``data`` on disk for ``session_id`` (once per distinct photo)
        and return its :class:`Upload`; raises :class:`SpoolFull`."""
        digest = hashlib.sha256(data).hexdigest()
        path = self.folder / digest
        with self._lock:
            session = self._sessions.setdefault(session_id, _Session())
            if digest in session.photos:
                return session.photos[digest]
            new = not path.exists()
            size = len(data) if new else 0
            if self._held(session) + len(data) > self.session_cap:
                raise SpoolFull(len(data), self.session_cap, whole_server=False)
            if self.total() + size > self.cap:
                raise SpoolFull(len(data), self.cap, whole_server=True)
            if new:
                partial = path.with_suffix(".part")
                partial.write_bytes(data)
                partial.replace(path)
            upload = Upload.on_disk(name, digest, len(data), path)
            session.photos[digest] = upload
            return upload

    def photos(self, session_id: str) -> list[Upload]:
        """The photos ``session_id`` holds, in the order they were added."""
        with self._lock:
            session = self._sessions.get(session_id)
            return [] if session is None else list(session.photos.values())

    def remove(self, session_id: str, digest: str | None = None) -> None:
        """Let go of one photo of ``session_id`` (all of them if ``digest`` is
        None); files no session holds are deleted."""
        with self._lock:
            session = self._sessions.get(session_id)
            if session is None:
                return
            if digest is None:
                session.photos.clear()
            else:
                session.photos.pop(digest, None)
            if not session.photos:
                del self._sessions[session_id]
            self._delete_unheld()

    def sweep(self, alive: Callable[[str], bool], now: float | None = None) -> None:
        """Let go of the photos of sessions not alive for ``GRACE_SECONDS``."""
        now = time.monotonic() if now is None else now
        ended = []
        with self._lock:
            for sid, session in self._sessions.items():
                if alive(sid):
                    session.dead_since = None
                elif session.dead_since is None:
                    session.dead_since = now
                elif now - session.dead_since >= GRACE_SECONDS:
                    ended.append(sid)
        for sid in ended:
            self.remove(sid)

    def held(self, session_id: str) -> int:
        """Bytes of the photos ``session_id`` holds."""
        with self._lock:
            session = self._sessions.get(session_id)
            return 0 if session is None else self._held(session)

    def total(self) -> int:
        """Bytes of the files in the folder."""
        return sum(p.stat().st_size for p in self.folder.iterdir() if p.is_file())

    @staticmethod
    def _held(session: _Session) -> int:
        return sum(u.nbytes for u in session.photos.values())

    def _delete_unheld(self) -> None:
        held = {d for s in self._sessions.values() for d in s.photos}
        for path in self.folder.iterdir():
            if path.name not in held:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


def remove_stale(root: Path) -> None:
    """Remove the folders under ``root`` of server processes that are gone."""
    if not root.is_dir():
        return
    for folder in root.iterdir():
        if folder.name.isdigit() and not _running(int(folder.name)):
            shutil.rmtree(folder, ignore_errors=True)


def _running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
