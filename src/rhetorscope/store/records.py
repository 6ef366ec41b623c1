"""Between `Analysis` objects and table rows, in both directions.

`prepare` does the CPU work (row building, passage signatures) and returns a
picklable `Prepared`, so ingest workers can run it next to the pipeline while
the single writer only inserts. `load_analysis` rebuilds the exact `Analysis`.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from sqlalchemy import Connection, Row, bindparam, delete, select, text, update

from rhetorscope.model import Analysis, Document, DocumentMetadata, Editorial, Finding, Segment, Sentence
from rhetorscope.readers.base import RawDocument
from rhetorscope.store import schema as t
from rhetorscope.store.bulk import insert_documents, insert_rows, insert_segments
from rhetorscope.store.filter_terms import paragraph_terms
from rhetorscope.store.repeats import Passage, passages_of
from rhetorscope.store.tokens import index_terms, to_tsvector

#: A segment's language as stored: NULL means the document's, '' means none could be told.
SEGMENT_LANGUAGE = "NULLIF(COALESCE(s.language, d.language), '')"

#: Formats whose records have a stable id in their source, so that a re-export of an edited record is the same record.
EDITABLE_FORMATS = frozenset({"telegram"})


def content_key(text: str, *, source: str | None, external_id: str | None, input_format: str | None = None) -> bytes:
    """Identity of an ingested post: where it was posted, and its text unless that place is a stable id.

    A Telegram message is channel + message id: re-exported after an edit it is
    the same post, and `write` updates it instead of adding a second. Elsewhere
    the text is part of the key: re-reading the same file gives the same keys, so
    ingest is idempotent, and the same words posted again elsewhere (another file
    or row) are another document, which is what makes them a repeated talking
    point. 96 bits of SHA-256 (a collision is unlikely before 10^14 documents),
    kept as bytes: the key and its unique index are on every row.
    """
    if external_id and input_format in EDITABLE_FORMATS:
        return hashlib.sha256(f"{source or ''}#{external_id}".encode()).digest()[:12]
    where = f"{source or ''}#{external_id}" if external_id else ""
    return hashlib.sha256(f"{where}\0{text}".encode()).digest()[:12]


def raw_key(raw: RawDocument) -> bytes:
    """The key of a document as read (ingest checks it before spending time on analysis)."""
    return content_key(raw.text, source=raw.source, external_id=raw.external_id, input_format=raw.input_format)


def analysis_key(analysis: Analysis) -> bytes:
    """The key of an `Analysis` handed to `Store.add`: its repaired text and place of publication."""
    meta = analysis.document.metadata
    return content_key(analysis.document.text, source=meta.source, external_id=meta.external_id,
                       input_format=meta.input_format)


_LINK_FIELDS = ("link", "url", "permalink")


def post_link(input_format: str | None, external_id: str | None, extra: dict[str, Any] | None) -> str | None:
    """The public address of a post: `https://t.me/<username>/<id>` for a Telegram channel that has a username,
    else a `link`/`url` field of the record (a CSV/JSONL column); None when the export gives neither."""
    extra = extra or {}
    username = extra.get("username")
    if input_format == "telegram" and isinstance(username, str) and username and external_id:
        return f"https://t.me/{username}/{external_id}"
    for name in _LINK_FIELDS:
        value = extra.get(name)
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            return value
    return None


def edited_at(extra: dict[str, Any] | None) -> str:
    """A record's last edit time as ISO text ('' when never edited): the newer of two versions has the larger."""
    value = (extra or {}).get("edited")
    return value if isinstance(value, str) else ""


DEFAULT_KIND = "paragraph"
"""The segment kind stored as NULL: most posts are one plain paragraph."""
_EPOCH = dt.datetime(1970, 1, 1)


@dataclass
class Prepared:
    """Everything the writer inserts for one document."""

    key: bytes
    source: str
    source_kind: str
    document: dict[str, Any]
    segments: list[dict[str, Any]]
    findings: list[dict[str, Any]]
    models: dict[str, str]
    passages: list[Passage] = field(default_factory=list)
    #: Per segment, the stems and folded forms the full-text index holds (`rhetorscope.store.tokens`).
    index: list[tuple[str, str]] = field(default_factory=list)
    #: Per segment, its PostgreSQL tsvector, when a scale-out worker made it: there the single writer's CPU is
    #: what limits a run, so the workers do what they can of its work. None: the writer makes them.
    tsvectors: list[str] | None = None


def _spans(spans: Sequence[Sentence | Editorial], doc_text: str) -> list[list[Any]]:
    """Offsets only; the text too where it is not the document's text at those offsets (else null when
    a sentence's check-worthiness follows as a fourth item)."""
    out: list[list[Any]] = []
    for s in spans:
        row: list[Any] = [s.start, s.end] if doc_text[s.start:s.end] == s.text else [s.start, s.end, s.text]
        score = getattr(s, "checkworthiness", None)
        if score is not None:
            row += [None, score] if len(row) == 2 else [score]
        out.append(row)
    return out


class ToPrepare(NamedTuple):
    """One document for `prepare_batch`, with what `prepare` takes beside it."""

    analysis: Analysis
    key: bytes
    source: str | None = None
    analyzed: bool = True


def prepare(analysis: Analysis, *, key: bytes, source: str | None = None, analyzed: bool = True) -> Prepared:
    """Rows for one document; `source` names it when the metadata does not.

    `analyzed` says whether the full pipeline produced it (an ingest without
    `--analyze` stores structure only, and a later `--analyze` fills it in).
    """
    return prepare_batch([ToPrepare(analysis, key, source, analyzed)])[0]


def prepare_batch(docs: Sequence[ToPrepare]) -> list[Prepared]:
    """`prepare` of each document, with the passages of all of them signed at once (`repeats.passages_of`)."""
    passages = passages_of([d.analysis for d in docs])
    return [_prepared(d, found) for d, found in zip(docs, passages, strict=True)]


def _prepared(todo: ToPrepare, passages: list[Passage]) -> Prepared:
    analysis, key, source, analyzed = todo
    doc, meta = analysis.document, analysis.document.metadata
    posted_at, extra = _posted_at(meta.extra)
    document = {
        "content_key": key, "doc_id": doc.id, "external_id": meta.external_id, "date": meta.date,
        "stated_date": meta.stated_date,
        "posted_at": posted_at, "title": meta.title, "source_line": meta.source_line, "language": meta.language,
        "language_confidence": meta.language_confidence, "input_format": meta.input_format,
        "encoding": meta.encoding, "extra": extra, "repairs": [r.model_dump() for r in doc.repairs] or None,
        "schema_version": analysis.schema_version, "generator": analysis.generator, "analyzed": analyzed,
        "words": len(doc.text.split()), "text": doc.text,
    }
    segments = [{
        "seq": n, "key": seg.id, "kind": None if seg.kind == DEFAULT_KIND else seg.kind, "speaker": seg.speaker,
        "language": _unless(seg.language or "", meta.language), "start": seg.start, "end": seg.end,
        "original_start": seg.original_start, "original_end": seg.original_end,
        "text": None if doc.text[seg.start:seg.end] == seg.text else seg.text,
        "sentences": _spans(seg.sentences, doc.text) or None, "editorial": _spans(seg.editorial, doc.text) or None,
    } for n, seg in enumerate(doc.segments, 1)]
    findings = [{
        "key": f.id, "segment_key": f.segment_id, "kind": f.kind, "technique": f.technique,
        "category": f.category, "start": f.start, "end": f.end, "text": f.text, "confidence": f.confidence,
        "evidence": f.evidence, "related": [r.model_dump() for r in f.related], "source": f.source,
        "matches": [m.model_dump() for m in f.matches] or None, "tier": f.tier,
    } for f in analysis.findings]
    return Prepared(key=key, source=meta.source or source or "unknown", source_kind=meta.input_format,
                    document=document, segments=segments, findings=findings, models=dict(analysis.models),
                    passages=passages,
                    index=[index_terms(seg.text, seg.language or None) for seg in doc.segments])


@dataclass(frozen=True)
class Written:
    """What a batch did: documents added (or a structure-only one analysed), and stored records updated by an edit."""

    added: int = 0
    updated: int = 0


def write(conn: Connection, batch: Sequence[Prepared], *, run_id: int) -> Written:
    """Insert a batch in the caller's transaction; returns how many documents were added and updated.

    A document whose key is stored already is skipped, with two exceptions: a
    stored one that was not analysed, or was analysed by other model versions
    (`rhetorscope reanalyze`), is replaced by this one's analysis, and a
    stored record (a Telegram message) is replaced by a later edit of it, as
    told by its `edited` time; an older version of it is skipped. Inserts use ON
    CONFLICT DO NOTHING, so a concurrent writer on PostgreSQL that got there
    first wins cleanly instead of failing the batch.
    """
    unique = list({p.key: p for p in reversed(batch)}.values())[::-1]
    if not unique:
        return Written()
    d, src = t.documents.c, t.sources.c
    stored = {row.content_key: row for row in conn.execute(
        select(d.content_key, d.id, d.analyzed, d.extra, d.shares_source, src.extra.label("source_extra"))
        .join(t.sources, src.id == d.source_id).where(d.content_key.in_([p.key for p in unique])))}

    def stored_edit(p: Prepared) -> str:
        row = stored[p.key]
        return edited_at({**((row.source_extra or {}) if row.shares_source else {}), **(row.extra or {})})

    new = [p for p in unique if p.key not in stored]
    edits = [p for p in unique if p.key in stored and edited_at(p.document["extra"]) > stored_edit(p)]
    edited = {p.key for p in edits}
    models = _stored_models(conn, [stored[p.key].id for p in unique if p.key in stored and p.key not in edited
                                   and stored[p.key].analyzed and p.document["analyzed"]])
    upgrades = [p for p in unique if p.key in stored and p.key not in edited and p.document["analyzed"]
                and (not stored[p.key].analyzed or models.get(stored[p.key].id, set()) != set(p.models.items()))]
    sources = _sources(conn, new + upgrades + edits)
    run = conn.execute(select(t.ingest_runs.c.generator, t.ingest_runs.c.schema_version)
                       .where(t.ingest_runs.c.id == run_id)).one()

    def row(p: Prepared) -> dict[str, Any]:
        source = sources[p.source]
        doc = p.document
        return {**doc, **_own_metadata(doc, source), "source_id": source.id, "run_id": run_id,
                "generator": _unless(doc["generator"], run.generator),
                "schema_version": _unless(doc["schema_version"], run.schema_version)}

    written: list[tuple[Prepared, int]] = []
    if new:
        ids = insert_documents(conn, [row(p) for p in new])
        written += [(p, ids[p.key]) for p in new if p.key in ids]
    replaced = [(p, stored[p.key].id) for p in upgrades + edits]
    if replaced:
        _drop_children(conn, [i for _, i in replaced], passages=[i for p, i in replaced if p.key in edited])
        conn.execute(update(t.documents).where(t.documents.c.id == bindparam("row_id")),
                     [{**row(p), "row_id": i} for p, i in replaced])
    _write_children(conn, written + [(p, i) for p, i in replaced if p.key in edited], with_passages=True)
    _write_children(conn, [(p, i) for p, i in replaced if p.key not in edited], with_passages=False)
    return Written(added=len(written) + len(upgrades), updated=len(edits))


def _stored_models(conn: Connection, doc_ids: Sequence[int]) -> dict[int, set[tuple[str, str]]]:
    """The model versions each stored document was analysed with."""
    out: dict[int, set[tuple[str, str]]] = {}
    if doc_ids:
        mv, dm = t.model_versions.c, t.document_models.c
        for doc, component, version in conn.execute(
                select(dm.document_id, mv.component, mv.version).join(t.model_versions, mv.id == dm.model_version_id)
                .where(dm.document_id.in_(doc_ids))):
            out.setdefault(doc, set()).add((component, version))
    return out


def _unless(value: str, default: str | None) -> str | None:
    """NULL where a value is what its run, source or document holds already (generator, input format, language)."""
    return None if value == default else value


def _posted_at(extra: dict[str, Any]) -> tuple[int | None, dict[str, Any]]:
    """A post's time (`extra["datetime"]`, naive ISO seconds) as an integer, and `extra` without it.

    On a short post the ISO string in JSON costs more than a fifth of the text;
    an integer costs a few bytes. Values that would not come back character for
    character (time zones, fractions of a second) stay in `extra` as they are.
    """
    value = extra.get("datetime")
    if not isinstance(value, str):
        return None, extra
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None, extra
    if when.tzinfo is not None or when.isoformat() != value:
        return None, extra
    seconds = int((when - _EPOCH).total_seconds())
    return seconds, {k: v for k, v in extra.items() if k != "datetime"}


def _with_posted_at(extra: dict[str, Any], posted_at: int | None) -> dict[str, Any]:
    """The reverse of `_posted_at`."""
    if posted_at is None:
        return extra
    return {**extra, "datetime": (_EPOCH + dt.timedelta(seconds=posted_at)).isoformat()}


def _or_run(value: str | None, default: str) -> str:
    """The reverse of `_unless`."""
    return default if value is None else value


def _own_metadata(doc: dict[str, Any], source: Row[Any]) -> dict[str, Any]:
    """The document's metadata columns without what its source holds once for all its documents.

    A Telegram post repeats its input format, its file's encoding and its
    channel's name and id; stored once on the source, they leave a post's row
    with what is its own (date and time, sender, edits). The input format is
    NULL where it is the source's `kind`. `shares_source` says the document takes
    the source's encoding and the shared part of `extra`; one whose encoding
    differs, or that lacks a shared key, keeps both whole.
    """
    extra, shared = doc["extra"], source.extra or {}
    own = {"input_format": _unless(doc["input_format"], source.kind)}
    if doc["encoding"] == source.encoding and shared.keys() <= extra.keys():
        extra = {k: v for k, v in extra.items() if k not in shared or shared[k] != v}
        return {**own, "encoding": None, "extra": extra or None, "shares_source": True}
    return {**own, "encoding": doc["encoding"], "extra": extra or None, "shares_source": False}


def _shared_extra(extras: Sequence[dict[str, Any]]) -> dict[str, Any] | None:
    """The metadata items every one of a new source's first documents carries alike (two documents at least)."""
    if len(extras) < 2:
        return None
    shared = {k: v for k, v in extras[0].items() if all(k in e and e[k] == v for e in extras[1:])}
    return shared or None


def _insert_ignore(conn: Connection, table: Any, index: list[str]) -> Any:
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    return dialect_insert(table).on_conflict_do_nothing(index_elements=index)


def _sources(conn: Connection, batch: Sequence[Prepared]) -> dict[str, Row[Any]]:
    """Each source of the batch (id, kind, encoding, shared extra), creating the sources not stored yet."""
    s = t.sources.c
    names = list({p.source: None for p in batch})
    if not names:
        return {}
    columns = (s.name, s.id, s.kind, s.encoding, s.extra)
    known = {row.name: row for row in conn.execute(select(*columns).where(s.name.in_(names)))}
    missing = [n for n in names if n not in known]
    if missing:
        now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        first = {p.source: p for p in reversed(batch)}
        conn.execute(_insert_ignore(conn, t.sources, ["name"]), [
            {"name": n, "kind": first[n].source_kind, "encoding": first[n].document["encoding"],
             "first_ingested": now,
             "extra": _shared_extra([p.document["extra"] for p in batch if p.source == n])} for n in missing])
        known.update((row.name, row) for row in conn.execute(select(*columns).where(s.name.in_(missing))))
    return known


def _model_ids(conn: Connection, models: set[tuple[str, str]]) -> dict[tuple[str, str], int]:
    if not models:
        return {}
    conn.execute(_insert_ignore(conn, t.model_versions, ["component", "version"]),
                 [{"component": c, "version": v} for c, v in models])
    rows = conn.execute(select(t.model_versions.c.component, t.model_versions.c.version, t.model_versions.c.id))
    return {(c, v): i for c, v, i in rows if (c, v) in models}


def _write_children(conn: Connection, written: Sequence[tuple[Prepared, int]], *, with_passages: bool) -> None:
    if not written:
        return
    seg_rows = [{**s, "document_id": doc_id} for p, doc_id in written for s in p.segments]
    if seg_rows:
        terms = [entry for p, _ in written for entry in p.index]
        tsv = ([f"{v} {paragraph_terms(_language(p.document, seg), p.document['date'])}" for p, _ in written
                for seg, v in zip(p.segments, p.tsvectors or [to_tsvector(*i) for i in p.index], strict=True)]
               if conn.dialect.name == "postgresql" else None)
        insert_segments(conn, seg_rows, terms, tsv)
    insert_rows(conn, t.findings, [{**f, "document_id": doc_id} for p, doc_id in written for f in p.findings])
    model_ids = _model_ids(conn, {m for p, _ in written for m in p.models.items()})
    insert_rows(conn, t.document_models, [{"document_id": doc_id, "model_version_id": model_ids[m]}
                                          for p, doc_id in written for m in p.models.items()])
    passage_rows = [{"document_id": doc_id, "segment_key": ps.segment_key, "level": ps.level,
                     "start": ps.start, "end": ps.end, "bands": ps.bands}
                    for p, doc_id in written for ps in p.passages] if with_passages else []
    insert_rows(conn, t.passages, passage_rows)


def _language(document: Mapping[str, Any], segment: Mapping[str, Any]) -> str | None:
    """A stored paragraph's language as `SEGMENT_LANGUAGE` reads it back: its own, else its document's."""
    return (document["language"] if segment["language"] is None else segment["language"]) or None


def index_rows(conn: Connection, where: str = "", params: dict[str, Any] | None = None) -> list[tuple[int, str, str]]:
    """(segment id, stems, forms) of the stored paragraphs (`where` narrows them, over `st`, `s` and `d`)."""
    rows = conn.execute(text(f"SELECT st.id, st.text, {SEGMENT_LANGUAGE} FROM segment_text st "
                             f"JOIN segments s ON s.id = st.id JOIN documents d ON d.id = s.document_id {where}")
                        .bindparams(*(bindparam(k, expanding=True) for k in params or {})), params or {}).all()
    return [(i, *index_terms(body, lang)) for i, body, lang in rows]


def unindex_segments(conn: Connection, doc_ids: Sequence[int]) -> None:
    """Remove documents' paragraphs from the SQLite index (contentless: FTS5 is given the tokens it holds again)."""
    rows = index_rows(conn, "WHERE st.document_id IN :ids", {"ids": list(doc_ids)})
    if rows:
        conn.execute(text("INSERT INTO segments_fts(segments_fts, rowid, stems, forms) "
                          "VALUES ('delete', :id, :stems, :forms)"),
                     [{"id": i, "stems": st, "forms": fo} for i, st, fo in rows])


def _drop_children(conn: Connection, doc_ids: Sequence[int], *, passages: Sequence[int] = ()) -> None:
    """Remove segments (and their index entries), findings and model links, before a re-analysis or an edit.

    `passages` names the documents whose passages go too: an edited text has new ones.
    """
    if conn.dialect.name == "sqlite":
        unindex_segments(conn, doc_ids)
    for table in (t.segments, t.findings, t.document_models):
        conn.execute(delete(table).where(table.c.document_id.in_(doc_ids)))
    if passages:
        conn.execute(delete(t.passages).where(t.passages.c.document_id.in_(passages)))


def load_analysis(conn: Connection, row_id: int) -> Analysis | None:
    """The stored document as the `Analysis` it was ingested from; None when there is no such id."""
    d = t.documents.c
    run, src = t.ingest_runs.c, t.sources.c
    doc = conn.execute(select(t.documents, src.name.label("source_name"), src.kind.label("source_kind"),
                              src.encoding.label("source_encoding"), src.extra.label("source_extra"),
                              run.generator.label("run_generator"),
                              run.schema_version.label("run_schema_version"))
                       .join(t.sources, t.sources.c.id == d.source_id).join(t.ingest_runs, run.id == d.run_id)
                       .where(d.id == row_id)).mappings().first()
    if doc is None:
        return None
    body = doc["text"]

    def spans(cls: type[Sentence] | type[Editorial], raw: list[list[Any]]) -> list[Any]:
        return [cls(start=s[0], end=s[1], text=s[2] if len(s) > 2 and s[2] is not None else body[s[0]:s[1]],
                    **({"checkworthiness": s[3]} if len(s) > 3 else {})) for s in raw]

    segs = conn.execute(select(t.segments).where(t.segments.c.document_id == row_id)
                        .order_by(t.segments.c.seq)).mappings()
    segments = [Segment(
        id=s["key"], kind=s["kind"] or DEFAULT_KIND, speaker=s["speaker"],
        language=_language(doc, s),
        text=s["text"] if s["text"] is not None else body[s["start"]:s["end"]], start=s["start"], end=s["end"],
        original_start=s["original_start"], original_end=s["original_end"],
        sentences=spans(Sentence, s["sentences"] or []), editorial=spans(Editorial, s["editorial"] or []),
    ) for s in segs]
    f = t.findings.c
    found = [Finding(
        id=r["key"], kind=r["kind"], technique=r["technique"], category=r["category"],
        segment_id=r["segment_key"], start=r["start"], end=r["end"], text=r["text"], confidence=r["confidence"],
        evidence=r["evidence"], related=r["related"], source=r["source"], matches=r["matches"] or [], tier=r["tier"],
    ) for r in conn.execute(select(t.findings).where(f.document_id == row_id).order_by(f.id)).mappings()]
    models = dict(conn.execute(
        select(t.model_versions.c.component, t.model_versions.c.version)
        .join(t.document_models, t.document_models.c.model_version_id == t.model_versions.c.id)
        .where(t.document_models.c.document_id == row_id)).all())
    metadata = DocumentMetadata(
        title=doc["title"], source_line=doc["source_line"], date=doc["date"], stated_date=doc["stated_date"],
        language=doc["language"],
        language_confidence=doc["language_confidence"], input_format=_or_run(doc["input_format"], doc["source_kind"]),
        encoding=doc["source_encoding"] if doc["shares_source"] else doc["encoding"], source=doc["source_name"],
        external_id=doc["external_id"],
        extra=_with_posted_at({**((doc["source_extra"] or {}) if doc["shares_source"] else {}),
                               **(doc["extra"] or {})}, doc["posted_at"]),
    )
    return Analysis(
        schema_version=_or_run(doc["schema_version"], doc["run_schema_version"]),
        generator=_or_run(doc["generator"], doc["run_generator"]), models=models, findings=found,
        document=Document(id=doc["doc_id"], metadata=metadata, text=body, segments=segments,
                          repairs=doc["repairs"] or []),
    )
