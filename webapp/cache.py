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
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

import numpy as np

T = TypeVar("T")

#: Default cap of the full-size cache (``KSEG_CACHE_MB`` overrides it): three
#: 40-megapixel photos with their labels, or about twenty of 4 megapixels.
DEFAULT_CACHE_MB = 640


def nbytes(value: object) -> int:
    """Bytes held by the arrays of ``value`` (a dataclass, tuple or array)."""
    if isinstance(value, np.ndarray):
        return int(value.nbytes)
    if isinstance(value, (tuple, list)):
        return sum(nbytes(v) for v in value)
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
        self._total = 0
        self._lock = threading.Lock()
        self._making: dict[Hashable, threading.Lock] = {}

    def get_or_make(self, key: Hashable, make: Callable[[], T]) -> T:
        """The value for ``key``, made by ``make()`` if it is not kept."""
        with self._lock:
            if key in self._items:
                self._items.move_to_end(key)
                return self._items[key][0]
            making = self._making.setdefault(key, threading.Lock())
        with making:
            with self._lock:
                if key in self._items:  # made by another session meanwhile
                    self._items.move_to_end(key)
                    return self._items[key][0]
            try:
                value = make()
            finally:
                with self._lock:
                    self._making.pop(key, None)
            self._keep(key, value)
            return value

    def _keep(self, key: Hashable, value: Any) -> None:
        size = nbytes(value)
        with self._lock:
            if size > self.max_bytes:
                return
            self._items[key] = (value, size)
            self._total += size
            while self._total > self.max_bytes:
                _, (_, dropped) = self._items.popitem(last=False)
                self._total -= dropped

    @property
    def total_bytes(self) -> int:
        with self._lock:
            return self._total

    def __contains__(self, key: Hashable) -> bool:
        with self._lock:
            return key in self._items


def _cap_bytes() -> int:
    try:
        mb = int(os.environ.get("KSEG_CACHE_MB", DEFAULT_CACHE_MB))
    except ValueError:
        mb = DEFAULT_CACHE_MB
    return max(1, mb) * 2**20


#: The server's one cache of full-size pieces.
FULL_SIZE = BytesCache(_cap_bytes())
