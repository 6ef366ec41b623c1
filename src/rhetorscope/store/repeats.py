"""Repeated talking points: near-duplicate sentences and paragraphs across the corpus.

Each passage (a sentence, or a paragraph of several sentences, of at least
`MIN_WORDS` words) is reduced to its set of words (`rhetorscope.shingles.words`)
and a datasketch MinHash of it. The signature is cut into `BANDS` bands of
`ROWS` values; only the 32-bit hash of each band is stored (`passages.bands`,
64 bytes), which is all LSH needs to find candidates. Candidates are then
confirmed by the exact Jaccard similarity of their word sets (>= `THRESHOLD`).

Words rather than the 3-word shingles a single document uses: the corpus must
still match a talking point after up to 10 % of its words were edited, and one
edited word breaks three shingles but only one word (a 10-word sentence with one
substitution keeps a word Jaccard of 0.82 but a shingle Jaccard of 0.45).

Clustering is incremental: new passages arrive with `cluster_id` NULL and
`update_clusters` joins them to existing clusters (or to each other); a cluster
is identified by the id of its earliest passage and never renumbered except
when a new passage bridges two clusters, which merges them.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rhetorscope.repetition import MIN_WORDS
from rhetorscope.shingles import jaccard, words

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy import Connection, Row

    from rhetorscope.model import Analysis

SENTENCE, PARAGRAPH = 0, 1
LEVELS = {SENTENCE: "sentence", PARAGRAPH: "paragraph"}
THRESHOLD = 0.6
BANDS, ROWS = 16, 4
SCHEME = "affine32"  # pinned: stored band hashes must stay comparable across datasketch releases
_MAX_BUCKET_PAIRS = 64


@dataclass(frozen=True)
class Passage:
    """A stretch of a document that takes part in repeat detection."""

    segment_key: str
    level: int
    start: int
    end: int
    bands: bytes


@lru_cache(maxsize=1)
def _hasher() -> tuple[object, np.ndarray]:
    import numpy as np
    from datasketch import MinHash

    template = MinHash(num_perm=BANDS * ROWS, seed=1, scheme=SCHEME)
    multipliers = np.random.default_rng(7).integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1)
    return template, multipliers


def bands_of(tokens: Iterable[str]) -> bytes:
    """The LSH band hashes of a word set: BANDS little-endian uint32 values."""
    import numpy as np
    from datasketch import MinHash

    template, multipliers = _hasher()
    minhash = MinHash(num_perm=BANDS * ROWS, seed=1, permutations=template.permutations,  # type: ignore[attr-defined]
                      scheme=SCHEME)
    minhash.update_batch([t.encode("utf-8") for t in tokens])
    values = minhash.hashvalues.astype(np.uint64).reshape(BANDS, ROWS)
    mixed = (values * multipliers).sum(axis=1, dtype=np.uint64)
    return (mixed >> np.uint64(32)).astype("<u4").tobytes()


def passages_of(analysis: Analysis) -> list[Passage]:
    """Sentences, and paragraphs of several sentences, long enough to be a talking point.

    A one-sentence paragraph is one passage (a sentence), so it matches the same
    sentence quoted inside a longer paragraph elsewhere.
    """
    text = analysis.document.text
    out: list[Passage] = []

    def add(key: str, level: int, start: int, end: int) -> None:
        tokens = words(text[start:end])
        if len(tokens) >= MIN_WORDS:
            out.append(Passage(key, level, start, end, bands_of(set(tokens))))

    for seg in analysis.document.segments:
        if len(seg.sentences) > 1:
            add(seg.id, PARAGRAPH, seg.start, seg.end)
            for sentence in seg.sentences:
                add(seg.id, SENTENCE, sentence.start, sentence.end)
        else:
            add(seg.id, SENTENCE, seg.start, seg.end)
    return out


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[int, int] = {}

    def find(self, x: int) -> int:
        root = x
        while self.parent.get(root, root) != root:
            root = self.parent[root]
        while x != root:
            self.parent[x], x = root, self.parent.get(x, x)
        return root

    def union(self, a: int, b: int) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            lo, hi = min(ra, rb), max(ra, rb)
            self.parent[hi] = lo


def update_clusters(conn: Connection) -> int:
    """Assign every passage with `cluster_id` NULL to a cluster; returns how many were assigned.

    Runs inside the caller's write transaction, so concurrent callers take turns.
    """
    import numpy as np
    from sqlalchemy import text

    rows = conn.execute(text("SELECT id, bands, cluster_id FROM passages ORDER BY id")).all()
    fresh = [r for r in rows if r[2] is None]
    if not fresh:
        return 0
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    clusters = np.fromiter((r[0] if r[2] is None else r[2] for r in rows), dtype=np.int64, count=len(rows))
    is_new = np.fromiter((r[2] is None for r in rows), dtype=bool, count=len(rows))
    bands = np.frombuffer(b"".join(r[1] for r in rows), dtype="<u4").reshape(len(rows), BANDS)

    uf = _UnionFind()
    for i in np.flatnonzero(is_new):
        uf.parent[int(ids[i])] = int(ids[i])
    _union_identical(bands, ids, clusters, is_new, uf)
    candidates = _candidate_pairs(bands, is_new)
    if candidates:
        _confirm(conn, candidates, ids, clusters, uf)

    new_ids = ids[is_new]
    updates = [{"cid": uf.find(int(pid)), "pid": int(pid)} for pid in new_ids]
    merged = {int(c): uf.find(int(c)) for c in np.unique(clusters[~is_new])}
    conn.execute(text("UPDATE passages SET cluster_id = :cid WHERE id = :pid"), updates)
    moves = [{"new": root, "old": old} for old, root in merged.items() if root != old]
    if moves:
        conn.execute(text("UPDATE passages SET cluster_id = :new WHERE cluster_id = :old"), moves)
    return len(updates)


def _union_identical(bands: np.ndarray, ids: np.ndarray, clusters: np.ndarray, is_new: np.ndarray,
                     uf: _UnionFind) -> None:
    """Passages with identical signatures (the same words) join without a text comparison."""
    import numpy as np

    rows = np.ascontiguousarray(bands).view(np.dtype((np.void, bands.shape[1] * 4))).ravel()
    order = np.argsort(rows, kind="stable")
    sorted_rows = rows[order]
    starts = np.flatnonzero(np.r_[True, sorted_rows[1:] != sorted_rows[:-1]])
    ends = np.r_[starts[1:], len(order)]
    for s, e in zip(starts, ends, strict=True):
        if e - s < 2:
            continue
        group = order[s:e]
        if not is_new[group].any():
            continue
        first = int(clusters[group[0]])
        for i in group[1:]:
            uf.union(first, int(clusters[i]))


def _candidate_pairs(bands: np.ndarray, is_new: np.ndarray) -> set[tuple[int, int]]:
    """Index pairs (i, j), i < j, sharing a band, where at least one is new and the signatures differ."""
    import numpy as np

    pairs: set[tuple[int, int]] = set()
    for band in range(bands.shape[1]):
        column = bands[:, band]
        order = np.argsort(column, kind="stable")
        values = column[order]
        starts = np.flatnonzero(np.r_[True, values[1:] != values[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        for s, size in zip(starts[sizes > 1], sizes[sizes > 1], strict=True):
            bucket = order[s:s + size]
            new = bucket[is_new[bucket]]
            if not len(new):
                continue
            for i in new:
                for j in bucket[:_MAX_BUCKET_PAIRS]:
                    if i != j and not np.array_equal(bands[i], bands[j]):
                        pairs.add((min(int(i), int(j)), max(int(i), int(j))))
    return pairs


def _confirm(conn: Connection, candidates: set[tuple[int, int]], ids: np.ndarray, clusters: np.ndarray,
             uf: _UnionFind) -> None:
    """Exact word-set Jaccard for each candidate pair; pairs at or above THRESHOLD are joined."""
    needed = sorted({int(ids[i]) for pair in candidates for i in pair})
    texts = passage_texts(conn, needed)
    word_sets = {pid: set(words(t)) for pid, t in texts.items()}
    for i, j in candidates:
        if jaccard(word_sets[int(ids[i])], word_sets[int(ids[j])]) >= THRESHOLD:
            uf.union(int(clusters[i]), int(clusters[j]))


def passage_texts(conn: Connection, passage_ids: Sequence[int]) -> dict[int, str]:
    """The text of each passage, cut from its document."""
    from sqlalchemy import bindparam, text

    stmt = text('SELECT p.id, SUBSTR(d.text, p.start + 1, p."end" - p.start) FROM passages p '
                "JOIN documents d ON d.id = p.document_id WHERE p.id IN :ids").bindparams(
        bindparam("ids", expanding=True))
    out: dict[int, str] = {}
    for chunk in range(0, len(passage_ids), 900):
        out.update(conn.execute(stmt, {"ids": list(passage_ids[chunk:chunk + 900])}).all())
    return out


@dataclass
class Occurrence:
    """One place a repeated passage appears."""

    document_id: int
    segment_key: str
    start: int
    end: int
    date: dt.date | None
    source: str
    text: str


@dataclass
class RepeatCluster:
    """A talking point: near-identical passages, with the wording used most often."""

    id: int
    level: str
    canonical: str
    count: int
    documents: int
    first_seen: dt.date | None
    last_seen: dt.date | None
    sources: list[str]
    occurrences: list[Occurrence] = field(default_factory=list)


def list_clusters(conn: Connection, *, min_count: int, since: dt.date | None, until: dt.date | None,
                  source: str | None, limit: int, occurrences: int) -> list[RepeatCluster]:
    """Clusters with at least `min_count` documents in the window, the most repeated first."""
    from sqlalchemy import Date, text

    where, params = ["p.cluster_id IS NOT NULL"], {"min": min_count, "limit": limit}
    if since:
        where.append("d.date >= :since")
        params["since"] = since
    if until:
        where.append("d.date <= :until")
        params["until"] = until
    if source:
        where.append("LOWER(s.name) LIKE :source")
        params["source"] = f"%{source.lower()}%"
    scope = (f"FROM passages p JOIN documents d ON d.id = p.document_id JOIN sources s ON s.id = d.source_id "
             f"WHERE {' AND '.join(where)}")
    heads = conn.execute(text(
        f"SELECT p.cluster_id, COUNT(DISTINCT p.document_id) AS docs {scope} "
        "GROUP BY p.cluster_id HAVING COUNT(DISTINCT p.document_id) >= :min "
        "ORDER BY docs DESC, p.cluster_id LIMIT :limit"), params).all()
    result = []
    for cluster_id, _docs in heads:
        members = conn.execute(text(
            "SELECT p.document_id, p.segment_key, p.level, p.start, p.\"end\", d.date, s.name, "
            "SUBSTR(d.text, p.start + 1, p.\"end\" - p.start) "
            f"{scope} AND p.cluster_id = :cid ORDER BY d.date, p.id").columns(date=Date),
            {**params, "cid": cluster_id}).all()
        result.append(_cluster(cluster_id, members, occurrences))
    return result


def _cluster(cluster_id: int, members: Sequence[Row[Any]], keep: int) -> RepeatCluster:
    occ = [Occurrence(document_id=doc, segment_key=key, start=start, end=end, date=date, source=src, text=body)
           for doc, key, _level, start, end, date, src, body in members]
    variants = [" ".join(o.text.split()) for o in occ]
    counts = Counter(variants)
    canonical = min(counts, key=lambda w: (-counts[w], variants.index(w)))
    dates = [o.date for o in occ if o.date is not None]
    levels = Counter(LEVELS[m[2]] for m in members)
    return RepeatCluster(
        id=cluster_id, level=levels.most_common(1)[0][0], canonical=canonical, count=len(occ),
        documents=len({o.document_id for o in occ}), first_seen=min(dates, default=None),
        last_seen=max(dates, default=None), sources=sorted({o.source for o in occ}), occurrences=occ[:keep],
    )
