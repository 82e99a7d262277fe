"""A cache bounded by bytes, for the full-size pieces of a photo (decoded
pixels, labels), shared by every session of the server.

Least recently used entries go first once the total passes the cap; each
entry is made once even when several sessions ask for it at the same time
(the others wait for it); an entry larger than the whole cap is handed out
but not kept.  Whoever holds a value keeps it alive, so the page holds only
keys and refetches on demand (a download rebuilds what was evicted).
"""

from __future__ import annotations

import os
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

from webapp.server.budget import budget_bytes

T = TypeVar("T")

#: Largest cap of the full-size cache (``KSEG_CACHE_MB`` overrides it): three
#: 40-megapixel photos with their labels, or about twenty of 4 megapixels.
DEFAULT_CACHE_MB = 640
#: Share of the server's memory budget the full-size cache may take at most (the
#: rest: the idle server, the page and ZIP caches, and the steps at work).
CACHE_SHARE = 0.4
#: Seconds an entry may go unused before it is dropped (a closed tab's photo
#: leaves memory soon after Streamlit drops the session, 30 s after it closed).
IDLE_SECONDS = 30.0


def nbytes(value: object) -> int:
    """Bytes held by the arrays, byte strings and strings of ``value`` (a
    dataclass, tuple, list, dict, array, bytes or str)."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, (bytes, bytearray, str)):
        return len(value)
    if isinstance(value, (tuple, list)):
        return sum(nbytes(v) for v in value)
    if isinstance(value, dict):
        return sum(nbytes(v) for v in value.values())
    fields = getattr(value, "__dataclass_fields__", None)
    if fields:
        return sum(nbytes(getattr(value, name)) for name in fields)
    return 0


class BytesCache:
    """LRU cache of values whose size :func:`nbytes` measures, at most
    ``max_bytes`` in all."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._items: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._used: dict[Hashable, float] = {}  # key -> when last handed out
        self._total = 0
        self._lock = threading.Lock()
        self._making: dict[Hashable, threading.Lock] = {}

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value for ``key``, made by ``make()`` if it is not kept."""
        with self._lock:
            if key in self._items:
                return self._touch(key)
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._items:  # made by another session meanwhile
                    return self._touch(key)
            try:
                value = make()
            finally:
                with self._lock:
                    self._making.pop(key, None)
            self._keep(key, value)
            return value

    def _touch(self, key: Hashable) -> Any:
        self._items.move_to_end(key)
        self._used[key] = time.monotonic()
        return self._items[key][0]

    def _keep(self, key: Hashable, value: Any) -> None:
        size = nbytes(value)
        with self._lock:
            if size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._used[key] = time.monotonic()
            self._total += size
            while self._total > self.max_bytes:
                self._drop_oldest()

    def _drop_oldest(self) -> int:
        key, (_, size) = self._items.popitem(last=False)
        self._used.pop(key, None)
        self._total -= size
        return size

    def shrink(self, nbytes: int) -> int:
        """Drop least recently used entries until ``nbytes`` are freed (or the
        cache is empty); returns the bytes dropped."""
        freed = 0
        with self._lock:
            while freed < nbytes and self._items:
                freed += self._drop_oldest()
        return freed

    def drop_idle(self, seconds: float) -> int:
        """Drop entries not handed out for ``seconds``; returns the bytes dropped."""
        cutoff = time.monotonic() - seconds
        freed = 0
        with self._lock:
            for key in [k for k in self._items if self._used.get(k, 0.0) < cutoff]:
                _, size = self._items.pop(key)
                self._used.pop(key, None)
                self._total -= size
                freed += size
        return freed

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return self._total

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items


def _cap_bytes() -> int:
    """``KSEG_CACHE_MB``, else 640 MB or a quarter of the memory budget if less."""
    try:
        return max(1, int(os.environ["KSEG_CACHE_MB"])) * 2**20
    except (KeyError, ValueError):
        return _share(DEFAULT_CACHE_MB, CACHE_SHARE)


def _share(mb: int, share: float) -> int:
    return max(2**20, min(mb * 2**20, int(share * budget_bytes()[0])))


#: The server's one cache of full-size pieces (decoded photos, labels).
FULL_SIZE = BytesCache(_cap_bytes())
#: What the page shows of each result (preview-size pictures, palettes).
PAGE = BytesCache(_share(96, 0.04))
#: Finished ZIPs, for a second click on the same download.
ZIPS = BytesCache(_share(400, 0.10))
