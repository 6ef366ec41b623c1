"""Recent analyses of the Analyze page, kept so their JSON and HTML can be downloaded without re-running.

Bounded by total size, least recently used first out: a burst of large
documents cannot grow it past `max_bytes`. Keyed by the document's content
hash, so only someone who already has the text can fetch its report.
"""

from __future__ import annotations

from collections import OrderedDict


class ReportCache:
    """LRU of analysis JSON by document id; used from the event loop only."""

    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self.size = 0
        self._items: OrderedDict[str, str] = OrderedDict()

    def put(self, doc_id: str, analysis_json: str) -> None:
        self._drop(doc_id)
        if len(analysis_json) > self.max_bytes:
            return
        self._items[doc_id] = analysis_json
        self.size += len(analysis_json)
        while self.size > self.max_bytes:
            self._drop(next(iter(self._items)))

    def get(self, doc_id: str) -> str | None:
        if doc_id in self._items:
            self._items.move_to_end(doc_id)
        return self._items.get(doc_id)

    def _drop(self, doc_id: str) -> None:
        old = self._items.pop(doc_id, None)
        if old is not None:
            self.size -= len(old)
