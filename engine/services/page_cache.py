"""Pages of material files this process rendered lately, by the file's SHA-256, page and width: a
reviewer paging back and forth, or several reviewers reading one floor plan, render each page once.
A file's bytes never change under its digest, so an entry is never stale; the cache is bounded by
the bytes it holds (ONETHING_PAGE_CACHE_MB; 0 turns it off)."""

from __future__ import annotations

import threading
from collections.abc import Callable

from cachetools import LRUCache


class PageCache:
    def __init__(self, max_bytes: int = 64 * 1024 * 1024) -> None:
        self.max_bytes = max_bytes
        self._pages: LRUCache[tuple[str, int, int], bytes] = LRUCache(maxsize=max(max_bytes, 1), getsizeof=len)
        self._lock = threading.Lock()

    def get(self, digest: str, page: int, width: int, render: Callable[[], bytes]) -> bytes:
        """The page as cached, or ``render()`` it (outside the lock: two renders of one page at once
        are harmless) and keep it."""
        key = (digest, page, width)
        with self._lock:
            found = self._pages.get(key)
        if found is not None:
            return found
        image = render()
        if self.max_bytes > 0 and len(image) <= self.max_bytes:
            with self._lock:
                self._pages[key] = image
        return image
