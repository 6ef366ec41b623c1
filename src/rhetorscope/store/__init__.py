"""The corpus: many analysed documents in one database, searchable and comparable over time.

Public API (used by the CLI and the web app)::

    from rhetorscope.store import Store, SearchFilters

    with Store.open("corpus.sqlite") as store:          # or "postgresql://…", or None for the default
        store.add(analysis)                              # idempotent
        result = store.search('"special operation" OR sanctions', SearchFilters(language="en"), facets=True)
        analysis = store.get_document(result.hits[0].document_id)
        clusters = store.repeats(min_count=3)
        table = store.trends(by="month", category="attack_on_reputation")

Importing this package pulls in SQLAlchemy, so the CLI imports it inside the
corpus commands only; `rhetorscope analyze` never loads it.
"""

from __future__ import annotations

from rhetorscope.store.core import Store
from rhetorscope.store.engine import SCHEMA_REVISION, StoreError, default_db_url
from rhetorscope.store.records import Prepared, Written, content_key, prepare, raw_key
from rhetorscope.store.repeats import Occurrence, RepeatCluster, RepeatPage
from rhetorscope.store.search import SearchFilters, SearchHit, SearchResult
from rhetorscope.store.trends import PERIODS, TrendTable, plot

__all__ = [
    "PERIODS",
    "SCHEMA_REVISION",
    "Occurrence",
    "Prepared",
    "RepeatCluster",
    "RepeatPage",
    "SearchFilters",
    "SearchHit",
    "SearchResult",
    "Store",
    "StoreError",
    "TrendTable",
    "Written",
    "content_key",
    "default_db_url",
    "plot",
    "prepare",
    "raw_key",
]
