"""The corpus store on both backends: schema, round trip, search, repeats, trends, export."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator

import pytest

from rhetorscope.errors import InputError
from rhetorscope.model import Analysis, Finding
from rhetorscope.pipeline import default_pipeline
from rhetorscope.readers.base import RawDocument
from rhetorscope.store import SCHEMA_REVISION, SearchFilters, Store, StoreError
from rhetorscope.store.export import export
from rhetorscope.store.query import parse, to_fts5, to_tsquery

PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"

TALKING_POINT = ("The collective West has waged a hybrid war against our country for years, "
                 "and the sanctions it imposed only hurt ordinary Europeans.")
EDITED = ("The collective West has waged a hybrid war against our nation for years, "
          "and the sanctions it imposed only hurt ordinary Europeans.")


def _pg_schema_url() -> Iterator[str]:
    sqlalchemy = pytest.importorskip("sqlalchemy")
    try:
        engine = sqlalchemy.create_engine(PG_URL, connect_args={"connect_timeout": 3})
        with engine.connect():
            pass
    except Exception as exc:  # any failure to connect means no server here
        pytest.skip(f"PostgreSQL not reachable at 127.0.0.1:5432 ({type(exc).__name__}); "
                    "start one to run the PostgreSQL tests")
    schema = f"rs_test_{uuid.uuid4().hex[:12]}"
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{PG_URL}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path) -> Iterator[Store]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        with Store.open(tmp_path / "corpus.sqlite") as s:
            yield s
        return
    for url in _pg_schema_url():
        with Store.open(url) as s:
            yield s


def analysed(text: str, *, source: str = "chan", external_id: str = "1", date: str = "2024-03-05",
             techniques: tuple[tuple[str, str], ...] = ()) -> Analysis:
    """A real pipeline analysis, plus technique findings on the first segment (no trained model needed)."""
    raw = RawDocument(text=text, input_format="telegram", source=source, external_id=external_id,
                      date=dt.date.fromisoformat(date))
    analysis = default_pipeline(techniques=False)(raw)
    seg = analysis.document.segments[0]
    for n, (technique, category) in enumerate(techniques, 1):
        analysis.findings.append(Finding(
            id=f"t{n}", kind="technique", technique=technique, category=category, segment_id=seg.id,
            start=seg.start, end=seg.end, text=seg.text, confidence=0.9, evidence=["test"], source="test 1"))
    analysis.models["techniques"] = "test-1"
    return analysis


def test_round_trip_is_exact_and_add_is_idempotent(store: Store) -> None:
    analysis = analysed("Title of the statement\n\nFirst paragraph says something. And a second sentence.\n\n"
                        "Second paragraph with [editorial insertion] here.",
                        techniques=(("Loaded_Language", "manipulative_wording"),))
    assert store.add(analysis) is True
    assert store.add(analysis) is False
    assert store.stats()["documents"] == 1
    (row_id,) = store.find_documents(analysis.document.id)
    assert store.get_document(row_id) == analysis


def test_get_missing_document_is_a_user_error(store: Store) -> None:
    with pytest.raises(StoreError, match="no document with id 42"):
        store.get_document(42)


def test_same_text_in_another_channel_is_another_document(store: Store) -> None:
    store.add(analysed(TALKING_POINT, source="a", external_id="1"))
    store.add(analysed(TALKING_POINT, source="b", external_id="1"))
    stats = store.stats()
    assert (stats["documents"], stats["sources"]) == (2, 2)


def test_search_syntax_ranking_snippets_and_filters(store: Store) -> None:
    store.add(analysed("Sanctions against Russia have failed completely.", external_id="1", date="2024-01-10",
                       techniques=(("Loaded_Language", "manipulative_wording"),)))
    store.add(analysed("The special military operation continues as planned.", external_id="2",
                       date="2024-02-10"))
    store.add(analysed("Санкции против России провалились, заявил министр.", external_id="3", source="ru_chan",
                       date="2024-03-10"))
    store.add(analysed("Sovereignty and sovereign decisions matter, not sanctions.", external_id="4",
                       date="2024-04-10"))

    hit = store.search('"special military operation"').hits
    assert [h.external_id for h in hit] == ["2"]
    marked = " ".join(hit[0].snippet[a:b] for a, b in hit[0].highlights)
    assert marked.lower() == "special military operation"
    assert {h.external_id for h in store.search("sanctions").hits} == {"1", "4"}
    assert {h.external_id for h in store.search("sanctions -sovereign").hits} == {"1"}
    assert {h.external_id for h in store.search("sovereign*").hits} == {"4"}
    assert {h.external_id for h in store.search("operation OR провалились").hits} == {"2", "3"}
    assert {h.external_id for h in store.search("санкции").hits} == {"3"}
    assert store.search("sanctions", SearchFilters(technique="Loaded_Language")).total == 1
    assert store.search("sanctions", SearchFilters(category="manipulative_wording")).hits[0].techniques == [
        "Loaded_Language"]
    assert store.search("", SearchFilters(source="ru_")).total == 1
    assert store.search("", SearchFilters(language="ru")).hits[0].external_id == "3"
    assert store.search("", SearchFilters(since=dt.date(2024, 2, 1), until=dt.date(2024, 3, 31))).total == 2
    assert [h.external_id for h in store.search("").hits] == ["4", "3", "2", "1"]
    facets = store.search("sanctions OR operation", facets=True).facets
    assert facets["technique"] == {"Loaded_Language": 1}
    assert facets["source"] == {"chan": 3}


def test_diacritics_are_folded_on_sqlite(tmp_path) -> None:  # type: ignore[no-untyped-def]
    with Store.open(tmp_path / "c.sqlite") as store:
        store.add(analysed("Le ministre a déclaré que la sécurité européenne est menacée."))
        assert store.search("securite europeenne").total == 1


@pytest.mark.parametrize(("query", "message"), [
    ('"open phrase', "unbalanced quote"), ("-only -excluded", "not excluded"), ("OR sanctions", "OR needs a term"),
    ("NOT war", "not excluded"), ("war AND", "AND needs a term"), ("(war", "unmatched '\\('"),
    ("war)", "unmatched '\\)'"), ("war OR -peace", "cannot be one of the alternatives"), ("*", "no words"),
    ("(", "unmatched"), ("%", "no words"), ("\U0001f1f7\U0001f1fa", "no words"), ("\u202e", "no words"),
    ("\x00", "no words"), ("  -  ", "no words")])
def test_bad_queries_are_explained(query: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        parse(query)


def test_query_rendering_quotes_user_text() -> None:
    q = parse('nato OR "U.S. army" sovereign* -"war"')
    assert to_fts5(q) == ('((((stems : ("nato" OR "nat") OR forms : ("nato" OR "nat")) OR forms : "u s army") AND '
                          'forms : "sovereign"*) NOT forms : "war")')
    assert to_tsquery(q) == ("((('nato' | 'nat' | '=nato' | '=nat') | ('=u' <-> '=s' <-> '=army')) & "
                             "('=sovereign':*) & !('=war'))")


def test_repeats_cluster_near_duplicates_incrementally(store: Store) -> None:
    store.add(analysed(TALKING_POINT, source="a", external_id="1", date="2024-01-01"))
    store.add(analysed("An unrelated post about the weather in the capital this weekend, sunny and warm.",
                       source="a", external_id="2"))
    assert store.repeats().clusters == []
    store.add(analysed(EDITED, source="b", external_id="7", date="2024-02-01"))
    store.add(analysed(TALKING_POINT + " Another sentence that is new here and long enough.", source="c",
                       external_id="9", date="2024-03-01"))
    (cluster,) = store.repeats(min_count=3).clusters
    assert cluster.documents == 3
    assert cluster.sources == ["a", "b", "c"]
    assert (cluster.first_seen, cluster.last_seen) == (dt.date(2024, 1, 1), dt.date(2024, 3, 1))
    assert cluster.canonical == TALKING_POINT
    assert store.repeats(min_count=2, since=dt.date(2024, 2, 1)).clusters[0].documents == 2
    assert store.repeats(min_count=4).clusters == []


def test_trends_count_per_period_and_per_1000_words(store: Store) -> None:
    ll = (("Loaded_Language", "manipulative_wording"),)
    store.add(analysed("One two three four five six seven eight nine ten.", external_id="1", date="2024-01-03",
                       techniques=ll))
    store.add(analysed("Eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen twenty.",
                       external_id="2", date="2024-01-20"))
    store.add(analysed("Doubt everything they say about it now.", external_id="3", date="2024-02-02",
                       techniques=(*ll, ("Doubt", "attack_on_reputation"))))
    table = store.trends(by="month")
    jan, feb = dt.date(2024, 1, 1), dt.date(2024, 2, 1)
    assert table.periods == [jan, feb]
    assert table.count("Loaded_Language", jan) == 1
    assert table.per_1000_words("Loaded_Language", jan) == pytest.approx(1000 / 20)
    assert table.series == ["Loaded_Language", "Doubt"]
    by_category = store.trends(by="week", category="attack_on_reputation")
    assert by_category.group == "category"
    assert by_category.counts == {"attack_on_reputation": {dt.date(2024, 1, 29): 1}}


def test_trends_count_a_paragraph_once_per_technique(store: Store) -> None:
    analysis = analysed("They are liars and frauds, all of them, every single day.", external_id="1",
                        date="2024-01-03", techniques=(("Loaded_Language", "manipulative_wording"),))
    seg = analysis.document.segments[0]
    for n, word in enumerate(("liars", "frauds"), 1):
        start = analysis.document.text.index(word)
        analysis.findings.append(Finding(
            id=f"span{n}", kind="technique", technique="Loaded_Language", category="manipulative_wording",
            segment_id=seg.id, start=start, end=start + len(word), text=word, confidence=0.5, source="test 1"))
    store.add(analysis)
    table = store.trends(by="month")
    assert table.count("Loaded_Language", dt.date(2024, 1, 1)) == 1


def test_export_formats(store: Store) -> None:
    store.add(analysed("Sanctions failed.\n\nThey will always fail, the minister said.", external_id="1",
                       techniques=(("Loaded_Language", "manipulative_wording"),)))
    store.add(analysed("Nothing about that here.", external_id="2"))
    content, count = export(store, "sanctions OR fail", SearchFilters(), "jsonl")
    assert count == 1
    assert Analysis.model_validate_json(content.splitlines()[0]).document.metadata.external_id == "1"
    content, _ = export(store, "fail", SearchFilters(), "csv")
    assert content.splitlines()[0].startswith("document_id,doc_id,date")
    assert "They will always fail, the minister said." in content
    content, _ = export(store, "sanctions", SearchFilters(), "semeval")
    assert content.splitlines() == ["1\t1\tLoaded_Language", "1\t2\t"]


def test_migrations_create_exactly_the_declared_schema(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext

    from rhetorscope.store.schema import metadata

    with Store.open(tmp_path / "c.sqlite") as store, store.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), metadata)
    assert [d for d in diff if "segments_fts" not in str(d)] == []


def test_newer_schema_is_refused(tmp_path) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "c.sqlite"
    with Store.open(path) as store, store.engine.begin() as conn:
        conn.exec_driver_sql("UPDATE alembic_version SET version_num = '0999'")
    with pytest.raises(StoreError, match=f"schema version 0999, newer than this rhetorscope understands "
                                         f"\\({SCHEMA_REVISION}\\)"):
        Store.open(path)


@pytest.mark.parametrize("posted", ["2024-03-05T09:15:00", "2024-03-05T09:15:00+03:00", "2024-03-05T09:15:00.5",
                                    "not a time"])
def test_elided_values_round_trip(store: Store, posted: str) -> None:
    """What the store leaves out of a row (post time as text, default kind, language, empty lists) comes back."""
    analysis = analysed("Short post.\n\nA second paragraph that is long enough to have its language told apart.",
                        techniques=(("Loaded_Language", "manipulative_wording"),))
    analysis.document.metadata.extra["datetime"] = posted
    analysis.document.segments[0].language = None
    assert analysis.document.segments[1].language == analysis.document.metadata.language
    store.add(analysis)
    (row_id,) = store.find_documents(analysis.document.id)
    assert store.get_document(row_id) == analysis


def test_signatures_equal_datasketch_and_odd_ids_round_trip(store: Store) -> None:
    import numpy as np
    from datasketch import MinHash

    from rhetorscope.shingles import words
    from rhetorscope.store.repeats import BANDS, ROWS, minhash

    tokens = set(words(TALKING_POINT))
    reference = MinHash(num_perm=BANDS * ROWS, seed=1, scheme="affine32")
    reference.update_batch([w.encode("utf-8") for w in tokens])
    assert np.array_equal(minhash(tokens), reference.hashvalues)
    for n, doc_id in enumerate(("not-hex", "1234567", "abcdefgh", "ABCDEF0123456789", "Ünïcode id"), 1):
        analysis = analysed(f"Post number {n} has its own words.", external_id=str(n))
        analysis.document.id = doc_id
        store.add(analysis)
        (row_id,) = store.find_documents(doc_id)
        assert store.get_document(row_id) == analysis


def test_metadata_shared_by_a_source_is_stored_once_and_read_back_per_document(store: Store) -> None:
    from rhetorscope.store.records import prepare, raw_key

    raws = [RawDocument(text=f"Message {n} of the channel, with words of its own.", input_format="telegram",
                        source="chan", external_id=str(n), extra=extra)
            for n, extra in enumerate(({"channel": "chan", "channel_id": 5, "datetime": "2024-01-01T10:00:00"},
                                       {"channel": "chan", "channel_id": 5, "datetime": "2024-01-01T11:00:00"},
                                       {"channel": "chan", "datetime": "2024-01-01T12:00:00"},
                                       {"channel": "chan", "channel_id": 6}))]
    pipeline = default_pipeline(techniques=False)
    analyses = [pipeline(raw) for raw in raws]
    run = store.begin_run(["test"], analyzed=True)
    prepared = [prepare(a, key=raw_key(r)) for a, r in zip(analyses, raws, strict=True)]
    assert store.write_batch(prepared[:2], run_id=run).added + store.write_batch(prepared[2:], run_id=run).added == 4
    with store.engine.connect() as conn:
        shared = conn.exec_driver_sql("SELECT extra FROM sources").scalar_one()
        generators = conn.exec_driver_sql("SELECT DISTINCT generator FROM documents").scalars().all()
    assert "channel_id" in shared and "datetime" not in shared
    assert generators == [None]
    for analysis in analyses:
        (row_id,) = store.find_documents(analysis.document.id)
        assert store.get_document(row_id) == analysis
