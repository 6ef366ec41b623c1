"""Repeated talking points: near-duplicate sentences and paragraphs across the corpus.

Each passage (a sentence, or a paragraph of several sentences, of at least
`MIN_WORDS` words) is reduced to its set of words (`rhetorscope.shingles.words`)
and a MinHash of it (datasketch's affine32 scheme, computed here with numpy).
The signature is cut into `BANDS` bands of `ROWS` values; only a 24-bit hash of
each band is stored (`passages.bands`, 36 bytes: about one chance in 1.4 million
that two unrelated passages meet in a band), which is all LSH needs to find
candidates. Candidates are then
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
import hashlib
from collections import Counter
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rhetorscope.repetition import MIN_WORDS
from rhetorscope.shingles import jaccard, words
from rhetorscope.store.query import window_clauses

if TYPE_CHECKING:
    import numpy as np
    from sqlalchemy import Connection, Row

    from rhetorscope.model import Analysis

SENTENCE, PARAGRAPH = 0, 1
LEVELS = {SENTENCE: "sentence", PARAGRAPH: "paragraph"}
THRESHOLD = 0.6
BANDS, ROWS = 12, 4
BAND_BYTES = 3
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
def _permutations() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """datasketch's affine32 permutation parameters for seed 1, and the band-mixing multipliers.

    Drawn the way `datasketch.MinHash(num_perm=48, seed=1, scheme="affine32")` draws them
    (a test pins the equality), without importing datasketch, whose import alone costs
    each ingest worker most of a second.
    """
    import numpy as np

    gen = np.random.RandomState(1)
    a = gen.randint(0, 1 << 31, BANDS * ROWS, dtype=np.uint32) * np.uint32(2) + np.uint32(1)
    b = gen.randint(0, 1 << 32, BANDS * ROWS, dtype=np.uint32)
    multipliers = np.random.default_rng(7).integers(1, 2**63, size=ROWS, dtype=np.uint64) | np.uint64(1)
    return a, b, multipliers


@lru_cache(maxsize=1 << 18)
def _word_hash(word: str) -> int:
    """datasketch's sha1_hash32 of the word, pre-mixed with the MurmurHash3 finalizer as affine32 does.

    Cached: a corpus repeats its vocabulary, and SHA-1 is most of the cost of a signature.
    """
    h = int.from_bytes(hashlib.sha1(word.encode("utf-8")).digest()[:4], "little")
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    return h ^ (h >> 16)


def minhash(tokens: Collection[str]) -> np.ndarray:
    """The 48 MinHash values of a word set, equal to datasketch's `MinHash(48, seed=1, scheme="affine32")`."""
    return minhashes([tokens])[0]


def minhashes(token_sets: Sequence[Collection[str]]) -> np.ndarray:
    """`minhash` of each word set, as rows: one vectorised affine map over all their words.

    A post is one short passage, and a dozen numpy calls per signature cost more
    than the arithmetic they do, so a worker signs its whole batch at once (each
    set's minima by `minimum.reduceat`) rather than a datasketch object, or a
    numpy pass, per passage.
    """
    import numpy as np

    a, b, _ = _permutations()
    sizes = [len(tokens) for tokens in token_sets]
    values = np.full((len(token_sets), BANDS * ROWS), 0xFFFFFFFF, dtype=np.uint32)
    filled = [n for n, size in enumerate(sizes) if size]
    if filled:
        hashes = np.fromiter((_word_hash(word) for n in filled for word in token_sets[n]), dtype=np.uint32,
                             count=sum(sizes))
        starts = np.cumsum([0] + [sizes[n] for n in filled[:-1]])
        values[filled] = np.minimum.reduceat(hashes[:, None] * a + b, starts, axis=0)
    return values


def bands_of(tokens: Collection[str]) -> bytes:
    """The LSH band hashes of a word set: BANDS little-endian values of BAND_BYTES bytes."""
    return band_signatures([tokens])[0]


def band_signatures(token_sets: Sequence[Collection[str]]) -> list[bytes]:
    """`bands_of` of each word set, all in one pass of numpy."""
    import numpy as np

    _, _, multipliers = _permutations()
    rows = minhashes(token_sets).astype(np.uint64).reshape(len(token_sets), BANDS, ROWS)
    mixed = (rows * multipliers).sum(axis=2, dtype=np.uint64) >> np.uint64(64 - 8 * BAND_BYTES)
    blob = mixed.astype("<u4").view(np.uint8).reshape(len(token_sets), BANDS, 4)[:, :, :BAND_BYTES].tobytes()
    width = BANDS * BAND_BYTES
    return [blob[i:i + width] for i in range(0, len(blob), width)]


def _band_matrix(joined: bytes, count: int) -> np.ndarray:
    """`count` stored band blobs, joined, as an (n, BANDS) uint32 matrix."""
    import numpy as np

    raw = np.frombuffer(joined, dtype=np.uint8).reshape(count, BANDS, BAND_BYTES)
    out = np.zeros((count, BANDS), dtype=np.uint32)
    for byte in range(BAND_BYTES):
        out |= raw[:, :, byte].astype(np.uint32) << np.uint32(8 * byte)
    return out


def passages_of(analyses: Sequence[Analysis]) -> list[list[Passage]]:
    """Per analysis, its sentences, and paragraphs of several sentences, long enough to be a talking point.

    A one-sentence paragraph is one passage (a sentence), so it matches the same
    sentence quoted inside a longer paragraph elsewhere. The passages of all the
    analyses are signed together (`band_signatures`).
    """
    spans: list[tuple[int, str, int, int, int]] = []
    token_sets: list[set[str]] = []

    def add(owner: int, text: str, key: str, level: int, start: int, end: int) -> None:
        tokens = words(text[start:end])
        if len(tokens) >= MIN_WORDS:
            spans.append((owner, key, level, start, end))
            token_sets.append(set(tokens))

    for owner, analysis in enumerate(analyses):
        text = analysis.document.text
        for seg in analysis.document.segments:
            if len(seg.sentences) > 1:
                add(owner, text, seg.id, PARAGRAPH, seg.start, seg.end)
                for sentence in seg.sentences:
                    add(owner, text, seg.id, SENTENCE, sentence.start, sentence.end)
            else:
                add(owner, text, seg.id, SENTENCE, seg.start, seg.end)
    out: list[list[Passage]] = [[] for _ in analyses]
    for (owner, key, level, start, end), bands in zip(spans, band_signatures(token_sets), strict=True):
        out[owner].append(Passage(key, level, start, end, bands))
    return out


#: An ingest's first clustering pass comes after this many documents (`ClusterSchedule`).
CLUSTER_EVERY = 20_000


@dataclass
class ClusterSchedule:
    """When an ingest runs an incremental clustering pass: once the corpus has grown by `every`
    documents (`CLUSTER_EVERY`) and by a tenth since the last pass.

    A pass reads every stored passage's bands, so passes spaced geometrically cost about ten passes
    over the final corpus in all, however large it grows, instead of one per batch (quadratic in
    the corpus). Against a single pass at the end, they find repeats while the run goes on and
    leave the end of the run only the last tenth to cluster: on two cores a 100,000-post ingest
    spent its last 3-4 s clustering on one core while the other had nothing to do, and the passes
    during the run cost 5 % more CPU in all than that one pass.
    """

    every: int = field(default_factory=lambda: CLUSTER_EVERY)
    #: Documents in the corpus before the run.
    stored_before: int = 0
    #: Documents written by the run at the last pass.
    clustered_at: int = 0

    def due(self, written: int) -> bool:
        """Whether a pass is due, `written` documents into the run."""
        grown = written - self.clustered_at
        return grown >= self.every and grown >= 0.1 * (self.stored_before + self.clustered_at)


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

    from rhetorscope.store import schema as t
    from rhetorscope.store.bulk import set_column

    # `repeats` calls this before every listing: reading every passage's bands to find none new took most of
    # a second at 100,000 posts, where the database answers this in a scan
    if conn.execute(text("SELECT 1 FROM passages WHERE cluster_id IS NULL LIMIT 1")).first() is None:
        return 0
    ids, clusters, is_new, bands = _stored_passages(conn)
    # each row's bytes as one opaque value: the same classes as np.unique(axis=0), a third of its time
    signatures = np.unique(bands.view(np.dtype((np.void, bands.itemsize * BANDS))).ravel(),
                           return_inverse=True)[1].ravel()

    uf = _UnionFind()
    for i in np.flatnonzero(is_new):
        uf.parent[int(ids[i])] = int(ids[i])
    _union_identical(signatures, clusters, is_new, uf)
    candidates = _candidate_pairs(bands, signatures, is_new)
    if len(candidates):
        _confirm(conn, candidates, ids, clusters, uf)

    new_ids = ids[is_new]
    updates = [(int(pid), uf.find(int(pid))) for pid in new_ids]
    roots = {int(c): uf.find(int(c)) for c in np.unique(clusters[~is_new])}
    moved = [i for i in np.flatnonzero(~is_new) if roots[int(clusters[i])] != clusters[i]]
    updates += [(int(ids[i]), roots[int(clusters[i])]) for i in moved]
    set_column(conn, t.passages, "cluster_id", updates)
    return int(is_new.sum())


def _stored_passages(conn: Connection) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Every passage's id, cluster (its own id while it has none), whether it has none, and bands, by id.

    A pass reads every stored passage. On PostgreSQL they come as one binary COPY that numpy reads
    in place: fetched as rows they cost the client 1.5-1.7 s of CPU a pass at a million passages,
    the COPY 0.6 s. Rows of any other shape than the expected one are read as rows.
    """
    import numpy as np
    from sqlalchemy import text

    if conn.dialect.name == "postgresql":
        copied = _copied_passages(conn)
        if copied is not None:
            ids, stored, blobs = copied
            is_new = stored < 0
            return ids, np.where(is_new, ids, stored), is_new, _band_matrix(blobs, len(ids))
    rows = conn.execute(text("SELECT id, bands, cluster_id FROM passages ORDER BY id")).all()
    ids = np.fromiter((r[0] for r in rows), dtype=np.int64, count=len(rows))
    clusters = np.fromiter((r[0] if r[2] is None else r[2] for r in rows), dtype=np.int64, count=len(rows))
    is_new = np.fromiter((r[2] is None for r in rows), dtype=bool, count=len(rows))
    return ids, clusters, is_new, _band_matrix(b"".join(r[1] for r in rows), len(rows))


#: PostgreSQL's binary COPY begins with this signature, 4 bytes of flags and the length of a header extension
#: (0 here), and ends with a 2-byte trailer; each row between them is a field count, then each field's length
#: and value.
_COPY_SIGNATURE, _COPY_HEADER, _COPY_TRAILER = b"PGCOPY\n\xff\r\n\x00", 19, 2


def _copied_passages(conn: Connection) -> tuple[np.ndarray, np.ndarray, bytes] | None:
    """PostgreSQL: (ids, cluster ids or -1, the bands joined) by one binary COPY; None if a row is not as expected."""
    import numpy as np

    width = BANDS * BAND_BYTES
    row = np.dtype([("fields", ">i2"), ("id_size", ">i4"), ("id", ">i8"), ("cluster_size", ">i4"),
                    ("cluster", ">i8"), ("bands_size", ">i4"), ("bands", f"V{width}")])
    data = bytearray()
    with conn.connection.dbapi_connection.cursor() as cursor, cursor.copy(  # type: ignore[union-attr]
            "COPY (SELECT id::int8, COALESCE(cluster_id, -1)::int8, bands FROM passages ORDER BY id) "
            "TO STDOUT (FORMAT BINARY)") as copy:
        for chunk in copy:
            data += chunk
    body = memoryview(data)[_COPY_HEADER:len(data) - _COPY_TRAILER]
    if not data.startswith(_COPY_SIGNATURE) or data[15:_COPY_HEADER] != bytes(4) or len(body) % row.itemsize:
        return None
    rows = np.frombuffer(body, dtype=row)
    if not ((rows["fields"] == 3).all() and (rows["id_size"] == 8).all() and (rows["cluster_size"] == 8).all()
            and (rows["bands_size"] == width).all()):
        return None
    return rows["id"].astype(np.int64), rows["cluster"].astype(np.int64), rows["bands"].tobytes()


def _stable_sort(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`np.argsort(values, kind="stable")` and the sorted values, for values from 0 and a length under 2**32.

    Each value is packed with its index into one uint64 and the packed keys are sorted: the keys are
    distinct, so any sort gives the stable order, and sorting plain integers takes about a fifth of a
    stable argsort's time (a clustering pass at a million passages sorted ten such columns, 2.4 s).
    """
    import numpy as np

    keys = (values.astype(np.uint64) << np.uint64(32)) | np.arange(len(values), dtype=np.uint64)
    keys.sort()
    return (keys & np.uint64(0xFFFFFFFF)).astype(np.int64), (keys >> np.uint64(32)).astype(values.dtype)


def _groups(values: np.ndarray) -> Iterator[np.ndarray]:
    """Indexes of the rows sharing a value, for every value held by two rows or more."""
    import numpy as np

    order, ordered = _stable_sort(values)
    starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
    sizes = np.diff(np.r_[starts, len(order)])
    for start, size in zip(starts[sizes > 1], sizes[sizes > 1], strict=True):
        yield order[start:start + size]


def _union_identical(signatures: np.ndarray, clusters: np.ndarray, is_new: np.ndarray, uf: _UnionFind) -> None:
    """Passages with identical signatures (the same words) join without a text comparison."""
    for group in _groups(signatures):
        if is_new[group].any():
            first = int(clusters[group[0]])
            for i in group[1:]:
                uf.union(first, int(clusters[i]))


def _candidate_pairs(bands: np.ndarray, signatures: np.ndarray, is_new: np.ndarray) -> np.ndarray:
    """Index pairs (i, j), i < j, sharing a band, where at least one is new and the signatures differ.

    Each new passage is paired with the first `_MAX_BUCKET_PAIRS` passages (by id) of every bucket
    it falls in. Built with numpy, band by band, as an (n, 2) array in ascending order: a
    100,000-post first ingest yields millions of such pairs before duplicates are removed, which
    cost seconds of the serial end of the run when they went into a Python set one by one.
    """
    import numpy as np

    found = []
    for band in range(bands.shape[1]):
        order, ordered = _stable_sort(bands[:, band])
        starts = np.flatnonzero(np.r_[True, ordered[1:] != ordered[:-1]])
        sizes = np.diff(np.r_[starts, len(order)])
        group = np.repeat(np.arange(len(starts)), sizes)
        members = np.flatnonzero(is_new[order] & (sizes[group] > 1))  # positions of new passages in shared buckets
        heads = np.minimum(sizes[group[members]], _MAX_BUCKET_PAIRS)
        first = np.repeat(starts[group[members]], heads)
        within = np.arange(int(heads.sum())) - np.repeat(np.cumsum(heads) - heads, heads)
        found.append(np.stack([order[np.repeat(members, heads)], order[first + within]], axis=1))
    pairs = np.concatenate(found) if found else np.empty((0, 2), dtype=np.int64)
    pairs = pairs[signatures[pairs[:, 0]] != signatures[pairs[:, 1]]]
    n = len(bands)
    keys = np.unique(pairs.min(axis=1) * n + pairs.max(axis=1))  # one integer a pair: sorts faster than rows
    return np.stack([keys // n, keys % n], axis=1)


#: Candidate pairs compared at once (`_confirm`): two sparse rows of about 20 words each a pair.
_PAIRS_AT_ONCE = 200_000


def _confirm(conn: Connection, candidates: np.ndarray, ids: np.ndarray, clusters: np.ndarray,
             uf: _UnionFind) -> None:
    """Word-set Jaccard for each candidate pair; pairs at or above THRESHOLD are joined.

    The word sets are the rows of a sparse 0/1 matrix over the pass's vocabulary (a word's column
    is its 64-bit string hash: two of a pass's ~10^5 distinct words share one with a probability
    of about 10^-9, and only then can a similarity differ from `shingles.jaccard`'s), so a pair's
    shared words are the row-wise sum of two rows' product, for 200,000 pairs at a time: at a
    million posts a pass compared 1.9 million pairs for 100,000 new passages, and comparing them
    one by one in Python was four fifths of the pass. Passages of the same text share a row. The
    clusters are those of the pairs' graph, whatever the order of the joins (a cluster's root is its
    smallest id), so every pair is compared and the passing ones joined.
    """
    import numpy as np
    from scipy.sparse import csr_matrix

    pids = np.unique(ids[candidates])
    texts = passage_texts(conn, pids.tolist())
    row_of_text: dict[str, int] = {}
    hashes: list[int] = []
    indptr = [0]
    rows = np.empty(len(pids), dtype=np.int64)
    for at, pid in enumerate(pids.tolist()):
        body = texts[pid]
        row = row_of_text.get(body)
        if row is None:
            row = row_of_text[body] = len(indptr) - 1
            hashes += map(hash, set(words(body)))  # a word's column: its 64-bit hash (a pass has ~10^5 words)
            indptr.append(len(hashes))
        rows[at] = row
    vocabulary, columns = np.unique(np.array(hashes, dtype=np.int64), return_inverse=True)
    matrix = csr_matrix((np.ones(len(columns), dtype=np.float32), columns.ravel(), indptr),
                        shape=(len(indptr) - 1, max(len(vocabulary), 1)))
    sizes = np.diff(indptr)
    pair_rows = rows[np.searchsorted(pids, ids[candidates])]
    for start in range(0, len(candidates), _PAIRS_AT_ONCE):
        left, right = pair_rows[start:start + _PAIRS_AT_ONCE].T
        shared = np.asarray(matrix[left].multiply(matrix[right]).sum(axis=1), dtype=np.int64).ravel()
        union = sizes[left] + sizes[right] - shared
        filled = (sizes[left] > 0) & (sizes[right] > 0)  # an empty word set is like nothing (`jaccard`)
        similarity = np.divide(shared, union, out=np.zeros(len(shared)), where=filled)
        passing = filled & (similarity >= THRESHOLD)
        for i, j in candidates[start:start + _PAIRS_AT_ONCE][passing].tolist():
            uf.union(int(clusters[i]), int(clusters[j]))


def passage_texts(conn: Connection, passage_ids: Sequence[int]) -> dict[int, str]:
    """The text of each passage, cut from its document: on PostgreSQL in one query (an array parameter),
    on SQLite 900 at a time (its limit on a statement's parameters)."""
    from sqlalchemy import bindparam, text

    cut = 'SELECT p.id, SUBSTR(d.text, p.start + 1, p."end" - p.start) FROM passages p ' \
          "JOIN documents d ON d.id = p.document_id WHERE "
    if conn.dialect.name == "postgresql":
        return dict(conn.execute(text(cut + "p.id = ANY(:ids)"), {"ids": list(passage_ids)}).all())
    stmt = text(cut + "p.id IN :ids").bindparams(bindparam("ids", expanding=True))
    out: dict[int, str] = {}
    for chunk in range(0, len(passage_ids), 900):
        out.update(conn.execute(stmt, {"ids": list(passage_ids[chunk:chunk + 900])}).all())
    return out


@dataclass
class Occurrence:
    """One place a repeated passage appears; `similarity` is the word-set Jaccard to the canonical wording."""

    document_id: int
    segment_key: str
    start: int
    end: int
    date: dt.date | None
    source: str
    text: str
    external_id: str | None = None
    link: str | None = None
    similarity: float = 1.0


@dataclass
class RepeatCluster:
    """A talking point: near-identical passages, with its most central wording as the canonical one.

    `boilerplate` marks a passage that recurs in a large share of one source's
    posts (a credit line, a signature), not a talking point.
    """

    id: int
    level: str
    canonical: str
    count: int
    documents: int
    first_seen: dt.date | None
    last_seen: dt.date | None
    sources: list[str]
    occurrences: list[Occurrence] = field(default_factory=list)
    boilerplate: bool = False


#: The columns of `RepeatPage.rows()`, i.e. of a repeats CSV.
OCCURRENCE_COLUMNS = ("cluster", "level", "documents", "occurrences", "first_seen", "last_seen", "boilerplate",
                      "canonical", "document_id", "external_id", "source", "date", "link", "similarity", "text")


@dataclass
class RepeatPage:
    """A page of clusters, with how many there are in all and how many were hidden as boilerplate."""

    clusters: list[RepeatCluster]
    total: int
    offset: int = 0
    boilerplate_hidden: int = 0

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per occurrence with its cluster's columns, for CSV: the CLI's and the web download's."""
        return [dict(zip(OCCURRENCE_COLUMNS, (
            c.id, c.level, c.documents, c.count, c.first_seen or "", c.last_seen or "", int(c.boilerplate),
            c.canonical, o.document_id, o.external_id or "", o.source, o.date or "", o.link or "", o.similarity,
            o.text), strict=True)) for c in self.clusters for o in c.occurrences]

    def to_frame(self) -> Any:
        """`rows()` as a pandas DataFrame (the `notebook` extra)."""
        from rhetorscope.frames import frame

        return frame(self.rows(), OCCURRENCE_COLUMNS)

#: A cluster is boilerplate when one source has it in at least this share of its posts, and in this many posts.
BOILERPLATE_SHARE = 0.25
BOILERPLATE_MIN_POSTS = 5
#: At most this many distinct wordings are compared to choose a cluster's canonical one.
_MAX_VARIANTS = 60


def list_clusters(conn: Connection, *, min_count: int, since: dt.date | None, until: dt.date | None,
                  source: str | None, limit: int, occurrences: int, offset: int = 0,
                  include_boilerplate: bool = False) -> RepeatPage:
    """Talking points found in at least `min_count` documents of the date window, the most repeated first.

    One cluster per talking point: a sentence cluster whose every occurrence lies
    in paragraphs of one paragraph cluster is part of that cluster, not another
    row. With `source`, the clusters with at least one occurrence in a source
    whose name contains it (their other sources still count). Boilerplate is
    left out unless `include_boilerplate`.

    Which clusters, in which order, is decided in SQL (`_ranked`); only the page's
    clusters have their occurrences read.
    """
    from sqlalchemy import Date, bindparam, text

    from rhetorscope.store.records import post_link

    params: dict[str, Any] = {}
    window = window_clauses(params, source=None, since=since, until=until, sources_alias="s")
    scope = ("FROM passages p JOIN documents d ON d.id = p.document_id JOIN sources s ON s.id = d.source_id "
             f"WHERE {' AND '.join(['p.cluster_id IS NOT NULL', *window])}")
    ranked = _ranked(conn, scope, window, params, min_count=min_count, source=source)
    hidden = 0 if include_boilerplate else sum(boilerplate for _, boilerplate in ranked)
    shown = [(cid, boilerplate) for cid, boilerplate in ranked if include_boilerplate or not boilerplate]
    page = shown[offset:offset + limit]
    members: dict[int, list[Row[Any]]] = {cid: [] for cid, _ in page}
    if members:
        stmt = text(
            "SELECT p.cluster_id, p.document_id, p.segment_key, p.level, p.start, p.\"end\", d.date, s.name, "
            "SUBSTR(d.text, p.start + 1, p.\"end\" - p.start), d.source_id, d.external_id, "
            "COALESCE(d.input_format, s.kind), d.extra, CASE WHEN d.shares_source THEN s.extra END "
            f"{scope} AND p.cluster_id IN :cids ORDER BY d.date, p.id").columns(date=Date).bindparams(
            bindparam("cids", expanding=True))
        heads = list(members)
        for i in range(0, len(heads), 900):
            for row in conn.execute(stmt, {**params, "cids": heads[i:i + 900]}):
                members[row[0]].append(row)
    return RepeatPage([_cluster(cid, members[cid], occurrences, boilerplate, post_link) for cid, boilerplate in page],
                      len(shown), offset, hidden)


def _ranked(conn: Connection, scope: str, window: list[str], params: dict[str, Any], *, min_count: int,
            source: str | None) -> list[tuple[int, bool]]:
    """Every cluster `list_clusters` lists, the most documents first (then by id), and whether it is boilerplate.

    Computed by the database from the window's passages (`scope`, alias p, with documents d and
    sources s): reading every occurrence of every cluster into Python to count, absorb and flag
    them took 11 s at 100,000 posts. A cluster counts the distinct documents it occurs in.

    A sentence cluster is absorbed when one paragraph cluster holds a paragraph at each of its
    occurrences (the same document and paragraph key). Such a paragraph cluster occurs in at
    least as many documents, and in the same sources, so it is listed too whatever `min_count`
    and `source`: paragraphs are looked up among all the window's passages.

    Boilerplate: in some source, in at least `BOILERPLATE_MIN_POSTS` of its documents and
    `BOILERPLATE_SHARE` of its documents in the window.
    """
    from sqlalchemy import text

    in_source = "0"
    having = ""
    if source:
        in_source = (f"CASE WHEN {window_clauses(params, source=source, since=None, until=None, sources_alias='s')[0]}"
                     " THEN 1 ELSE 0 END")
        having = " AND MAX(hit) = 1"
    if conn.dialect.name == "postgresql":
        # every step reads whole tables; PostgreSQL cannot size the steps' results (its guess for a HAVING is
        # a row or two) and chose nested loops that ran a step once per cluster: minutes at 100,000 posts
        conn.exec_driver_sql("SET LOCAL enable_nestloop = off")
    rows = conn.execute(text(
        f"WITH m AS (SELECT p.cluster_id AS c, p.document_id AS doc, p.segment_key AS seg, p.level AS lvl, "
        f"d.source_id AS src, {in_source} AS hit {scope}), "
        # a cluster's documents per source (a document has one source, so they add up to its documents)
        "per_source AS (SELECT c, src, COUNT(*) AS n, MAX(hit) AS hit FROM "
        "(SELECT c, doc, src, MAX(hit) AS hit FROM m GROUP BY c, doc, src) docs GROUP BY c, src), "
        "posts AS (SELECT d.source_id AS src, COUNT(*) AS n FROM documents d JOIN sources s ON s.id = d.source_id"
        f"{' WHERE ' + ' AND '.join(window) if window else ''} GROUP BY d.source_id), "
        "heads AS (SELECT ps.c, SUM(ps.n) AS documents, "
        "MAX(CASE WHEN ps.n >= :bp_posts AND ps.n >= :bp_share * posts.n THEN 1 ELSE 0 END) AS boilerplate "
        f"FROM per_source ps JOIN posts ON posts.src = ps.src GROUP BY ps.c HAVING SUM(ps.n) >= :min{having}), "
        # per cluster its passages, and whether they are all sentences
        "clusters AS (SELECT c, COUNT(*) AS n, MAX(lvl) AS top FROM m GROUP BY c), "
        "paragraphs AS (SELECT DISTINCT doc, seg, c FROM m WHERE lvl = :paragraph), "
        # per sentence cluster and paragraph cluster, how many of its passages lie in one of the paragraphs
        "holders AS (SELECT m.c, pa.c AS holder, COUNT(*) AS n FROM m JOIN paragraphs pa "
        "ON pa.doc = m.doc AND pa.seg = m.seg WHERE m.lvl = :sentence GROUP BY m.c, pa.c), "
        "absorbed AS (SELECT x.c FROM holders x JOIN clusters cl ON cl.c = x.c "
        "WHERE cl.top = :sentence AND x.n = cl.n) "
        "SELECT c, boilerplate FROM heads WHERE c NOT IN (SELECT c FROM absorbed) ORDER BY documents DESC, c"),
        {**params, "min": min_count, "sentence": SENTENCE, "paragraph": PARAGRAPH,
         "bp_posts": BOILERPLATE_MIN_POSTS, "bp_share": BOILERPLATE_SHARE}).all()
    return [(int(cid), bool(flag)) for cid, flag in rows]


def json_object(value: Any) -> dict[str, Any]:
    import json

    if isinstance(value, str):
        value = json.loads(value)
    return value if isinstance(value, dict) else {}


def _cluster(cluster_id: int, members: Sequence[Row[Any]], keep: int, boilerplate: bool,
             post_link: Any) -> RepeatCluster:
    """The cluster of these passages: the wording closest to all the others is canonical."""
    level = Counter(m[3] for m in members).most_common(1)[0][0]
    rows = list(members)
    variants = [" ".join(m[8].split()) for m in rows]
    counts = Counter(variants)
    distinct = list(counts)[:_MAX_VARIANTS]
    word_sets = {v: set(words(v)) for v in distinct}

    def centrality(variant: str) -> float:
        return sum(counts[other] * jaccard(word_sets[variant], word_sets[other]) for other in distinct)

    canonical = max(distinct, key=lambda v: (centrality(v), counts[v], -variants.index(v)))
    target = word_sets[canonical]
    occ = []
    for m in rows:
        extra = {**json_object(m[13]), **json_object(m[12])}
        occ.append(Occurrence(document_id=m[1], segment_key=m[2], start=m[4], end=m[5], date=m[6], source=m[7],
                              text=m[8], external_id=m[10], link=post_link(m[11], m[10], extra),
                              similarity=round(jaccard(target, set(words(m[8]))), 3)))
    dates = [o.date for o in occ if o.date is not None]
    return RepeatCluster(
        id=cluster_id, level=LEVELS[level], canonical=canonical, count=len(occ),
        documents=len({o.document_id for o in occ}), first_seen=min(dates, default=None),
        last_seen=max(dates, default=None), sources=sorted({o.source for o in occ}), occurrences=occ[:keep],
        boilerplate=boilerplate,
    )
