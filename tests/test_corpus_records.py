"""Issue 14, items 1-2: a record keeps its own date, a stated date sits beside it, an edit updates one record."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import Connection

from test_ingest import run


def channel_export(path: Path, messages: list[dict[str, object]], *, name: str = "Edits channel") -> Path:
    path.write_text(json.dumps({"name": name, "type": "public_channel", "id": 77, "messages": messages}),
                    encoding="utf-8")
    return path


def message(msg_id: int, text: str, date: str, **fields: object) -> dict[str, object]:
    return {"id": msg_id, "type": "message", "date": date, "text": text, **fields}


QUOTING = ("Спикер напомнил о заявлении от 29 марта 2016 года.\n\n"
           "The minister recalled what was said on March 29, 2016 about the sanctions and the talks.")


def test_a_post_keeps_its_date_and_the_quoted_one_is_stated_date(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    export = channel_export(tmp_path / "result.json", [message(1, QUOTING, "2024-05-01T08:00:00")])
    code, out, _ = run(capsys, monkeypatch, "analyze", str(export), "--format", "json")
    assert code == 0
    meta = json.loads(out)["document"]["metadata"]
    assert (meta["date"], meta["stated_date"]) == ("2024-05-01", "2016-03-29")
    db = tmp_path / "c.sqlite"
    assert run(capsys, monkeypatch, "ingest", str(export), "--db", str(db), "--jobs", "1")[0] == 0
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT date, stated_date FROM documents").fetchall() == [("2024-05-01", "2016-03-29")]


def test_a_text_file_takes_the_date_it_states() -> None:
    from rhetorscope.pipeline import structure_pipeline
    from rhetorscope.readers.base import RawDocument

    analysis = structure_pipeline()(RawDocument(text="Statement by the Ministry\n\n(March 21, 2025)\n\n"
                                                     "The ministry said the talks would go on.", input_format="text"))
    assert analysis.document.metadata.date == analysis.document.metadata.stated_date == dt.date(2025, 3, 21)


def test_an_edited_post_updates_its_record(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    first = "The talks will resume next week in Geneva, the spokesman said on Monday morning."
    second = "The talks will resume next month in Vienna, the spokesman said on Monday morning."
    other = message(2, "A second post that nobody edited, about the weather in the capital.", "2024-05-02T09:00:00")
    old = channel_export(tmp_path / "old.json", [message(1, first, "2024-05-01T08:00:00"), other])
    new = channel_export(tmp_path / "new.json", [
        message(1, second, "2024-05-01T08:00:00", edited="2024-05-03T12:00:00"), other])
    db = tmp_path / "c.sqlite"
    assert run(capsys, monkeypatch, "ingest", str(old), "--db", str(db), "--jobs", "1")[0] == 0
    code, _, err = run(capsys, monkeypatch, "ingest", str(new), "--db", str(db), "--jobs", "1")
    assert code == 0
    assert "added 0 documents, updated 1 edited since they were stored, skipped 1" in err
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT external_id, text, json_extract(extra, '$.edited') FROM documents "
                            "ORDER BY external_id").fetchall()
        assert rows[0] == ("1", second, "2024-05-03T12:00:00")
        assert len(rows) == 2
        assert conn.execute("SELECT COUNT(*) FROM passages WHERE document_id = 1").fetchone()[0] >= 1
    # the older export read again changes nothing: the stored version is the later edit
    code, _, err = run(capsys, monkeypatch, "ingest", str(old), "--db", str(db), "--jobs", "1")
    assert code == 0 and "nothing new" in err
    code, out, _ = run(capsys, monkeypatch, "search", "Vienna", "--db", str(db), "--format", "json")
    assert json.loads(out)["total"] == 1
    code, out, _ = run(capsys, monkeypatch, "search", "Geneva", "--db", str(db), "--format", "json")
    assert json.loads(out)["total"] == 0


@contextmanager
def corpus_at(path: Path, revision: str) -> Iterator[Connection]:
    """A new SQLite corpus whose schema is that of an older `revision`, open for writing in one transaction."""
    from alembic import command
    from alembic.config import Config

    from rhetorscope.store.engine import _MIGRATIONS, make_engine, to_url

    engine = make_engine(to_url(str(path)))
    try:
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(_MIGRATIONS))
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
            yield conn
    finally:
        engine.dispose()


def test_migration_0002_redates_posts_and_merges_stored_edits(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A corpus written by the 0001 schema: a post redated by its text, and one message stored twice."""
    from rhetorscope.store import Store

    path = tmp_path / "old.sqlite"
    with corpus_at(path, "0001") as conn:
        conn.exec_driver_sql("INSERT INTO sources VALUES (1, 'chan', 'telegram', '2024-01-01', NULL, NULL)")
        conn.exec_driver_sql("INSERT INTO ingest_runs VALUES (1, '2024-01-01', NULL, 'finished', '[]', 0, 3, 0, 0, "
                             "'rhetorscope 0.1.0', '1.0')")
        posted = int((dt.datetime(2024, 5, 1, 8) - dt.datetime(1970, 1, 1)).total_seconds())
        for row_id, key, external_id, extra in ((1, b"a" * 12, "1", None), (2, b"b" * 12, "2", None),
                                                (3, b"c" * 12, "2", '{"edited": "2024-05-03T00:00:00"}')):
            conn.exec_driver_sql(
                "INSERT INTO documents (id, content_key, doc_id, source_id, run_id, external_id, date, posted_at, "
                "extra, shares_source, analyzed, words, text) VALUES (?, ?, ?, 1, 1, ?, '2016-03-29', ?, ?, 1, 0, "
                "2, 'some text')", (row_id, key, bytes(8), external_id, posted, extra))
    with Store.open(path) as store, store.engine.connect() as conn:
        rows = conn.exec_driver_sql("SELECT id, date, stated_date FROM documents ORDER BY id").all()
    assert rows == [(1, "2024-05-01", "2016-03-29"), (3, "2024-05-01", "2016-03-29")]


def test_migration_0006_puts_the_forms_first_and_search_answers_the_same(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """A corpus written by the 0005 schema (index columns stems, forms) searches alike after the upgrade."""
    from rhetorscope.pipeline import structure_pipeline
    from rhetorscope.readers.base import RawDocument
    from rhetorscope.store import SearchFilters, Store
    from rhetorscope.store.records import content_key, prepare, write
    from rhetorscope.store.search import search

    posts = ["Санкции против России провалились, санкции только вредят Европе.",
             "The sanctions failed; sanctioned countries trade more, and the sanctions hurt Europeans.",
             "Sankcje wobec Rosji nie działają, a sankcje szkodzą Polakom i Europie.",
             "Europe imposed new sanctions on the talks in Geneva, officials said."]
    queries = ["sanctions", "санкции", "sankcje Europe", '"the sanctions"', "sanction* OR europe", "europe -geneva"]
    path = tmp_path / "old.sqlite"
    with corpus_at(path, "0005") as conn:
        conn.exec_driver_sql("INSERT INTO ingest_runs (id, started_at, status, paths, analyzed, added, skipped, "
                             "failed, generator, schema_version) VALUES (1, '2024-01-01', 'finished', '[]', 0, 4, "
                             "0, 0, 'rhetorscope 0.1.0', '1.0')")
        analyses = [structure_pipeline()(RawDocument(text=text, input_format="telegram", source="chan",
                                                     external_id=str(n))) for n, text in enumerate(posts, 1)]
        write(conn, [prepare(a, key=content_key(a.document.text, source="chan", external_id=str(n)))
                     for n, a in enumerate(analyses, 1)], run_id=1)
        before = [search(conn, q, SearchFilters(), limit=10, offset=0, facets=False) for q in queries]
    with Store.open(path) as store:
        after = [store.search(q, limit=10) for q in queries]
        with store.engine.connect() as conn:
            table = conn.exec_driver_sql("SELECT sql FROM sqlite_master WHERE name = 'segments_fts'").scalar_one()
            free = conn.exec_driver_sql("PRAGMA freelist_count").scalar_one()
    assert "fts5(forms, stems," in table
    assert free == 0  # the old index's pages went back to the file system
    assert [r.total for r in before] == [r.total for r in after] == [2, 1, 1, 1, 3, 1]
    assert [[(h.document_id, h.score, h.snippet, h.highlights) for h in r.hits] for r in before] == \
        [[(h.document_id, h.score, h.snippet, h.highlights) for h in r.hits] for r in after]


LOCALIZED = [("01.03.2024", "2024-03-01"), ("5 марта 2024", "2024-03-05"), ("March 5, 2024", "2024-03-05"),
             ("Tue, 05 Mar 2024 10:00:00 +0000", "2024-03-05"), ("1709632800", "2024-03-05"),
             ("2024-03-07T10:00:00Z", "2024-03-07"), ("5 marca 2024", "2024-03-05"), ("someday", None)]


def test_csv_dates_in_the_usual_ways_and_undated_rows_are_reported(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import csv

    path = tmp_path / "posts.csv"
    with path.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "published", "body"])
        for n, (value, _) in enumerate(LOCALIZED, 1):
            writer.writerow([n, value, f"Post {n} says the sanctions have failed, and {n * 11} people agree."])
    db = tmp_path / "c.sqlite"
    code, _, err = run(capsys, monkeypatch, "ingest", str(path), "--db", str(db), "--jobs", "1")
    assert code == 0
    assert "1 record read without a date" in err and "cannot read the date 'someday' in column 'published'" in err
    with sqlite3.connect(db) as conn:
        stored = [d for (d,) in conn.execute("SELECT date FROM documents ORDER BY CAST(external_id AS INTEGER)")]
    assert stored == [expected for _, expected in LOCALIZED]
    code, out, _ = run(capsys, monkeypatch, "search", "sanctions", "--since", "2024-01-01", "--db", str(db),
                       "--format", "json")
    assert (json.loads(out)["total"], json.loads(out)["undated_left_out"]) == (7, 1)


def test_date_column_and_format_options(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = tmp_path / "posts.jsonl"
    path.write_text("\n".join(json.dumps({"text": f"Post {n} on the talks in Geneva.", "when": when})
                              for n, when in enumerate(["05/03/2024", "06/03/2024"], 1)), encoding="utf-8")
    code, out, _ = run(capsys, monkeypatch, "analyze", str(path), "--date-column", "when", "--date-format",
                       "%d/%m/%Y", "--format", "json")
    assert code == 0
    assert [json.loads(line)["document"]["metadata"]["date"] for line in out.splitlines()] == ["2024-03-05",
                                                                                               "2024-03-06"]
    code, _, err = run(capsys, monkeypatch, "analyze", str(path), "--date-column", "posted")
    assert code == 2 and "there is no date column 'posted'" in err and "Traceback" not in err


def test_trends_say_how_many_undated_documents_they_leave_out(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rhetorscope.store import Store
    from test_store import analysed

    with Store.open(tmp_path / "c.sqlite") as store:
        store.add(analysed("A dated post about the sanctions, long enough to count.", external_id="1",
                           techniques=(("Loaded_Language", "manipulative_wording"),)))
        undated = analysed("An undated post about the sanctions, long enough to count.", external_id="2",
                           techniques=(("Loaded_Language", "manipulative_wording"),))
        undated.document.metadata.date = None
        store.add(undated)
        table = store.trends(by="month")
    assert (sum(table.counts["Loaded_Language"].values()), table.undated) == (1, 1)
    import httpx

    from rhetorscope.web import Settings
    from test_web_server import running_server

    with running_server(Settings(db=str(tmp_path / "c.sqlite"), workers=1, queue=4)) as url:
        assert httpx.get(f"{url}/api/v1/trends", timeout=30).json()["undated"] == 1
        assert "1 analysed document without a date is left out" in httpx.get(f"{url}/trends", timeout=30).text


def test_export_per_finding_min_confidence_and_a_json_round_trip(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """Issue 14 item 8: findings as rows, a confidence threshold, and an export that ingest reads back as it was."""
    import csv

    from rhetorscope.store import SearchFilters, Store
    from test_store import analysed

    first, second = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    with Store.open(first) as store:
        sure = analysed("Sanctions have failed, the minister said, and the talks will go on.", external_id="1",
                        techniques=(("Loaded_Language", "manipulative_wording"), ("Doubt", "attack_on_reputation")))
        sure.findings[-1].confidence = 0.3
        sure.document.metadata.extra.update({"forwarded_from": "Agency", "datetime": "2024-03-05T10:00:00"})
        store.add(sure)
        store.add(analysed("A second post on the sanctions without any technique at all.", external_id="2"))
        store.add(analysed("Третий пост о переговорах в Женеве, без санкций.", external_id="3", source="ru"))
        originals = [store.get_document(i) for i in (1, 2, 3)]
        hits = {h.external_id: h for h in store.search("sanctions", SearchFilters(min_confidence=0.5)).hits}
        assert hits["1"].techniques == ["Loaded_Language"]
        assert sum(sum(c.values()) for c in store.trends(min_confidence=0.5).counts.values()) == 1
    rows = tmp_path / "findings.csv"
    code, _, err = run(capsys, monkeypatch, "export", "sanctions", "--per", "finding", "--format", "csv",
                       "--min-confidence", "0.5", "--out", str(rows), "--db", str(first))
    assert code == 0 and "(1 finding)" in err
    (row,) = csv.DictReader(rows.open(encoding="utf-8"))
    assert (row["technique"], row["confidence"], row["source"], row["date"]) == ("Loaded_Language", "0.9", "chan",
                                                                                 "2024-03-05")
    assert row["fragment"] == originals[0].document.text[int(row["start"]):int(row["end"])]
    dump = tmp_path / "all.jsonl"
    assert run(capsys, monkeypatch, "export", "", "--out", str(dump), "--db", str(first))[0] == 0
    code, _, err = run(capsys, monkeypatch, "ingest", str(dump), "--db", str(second), "--jobs", "1")
    assert code == 0 and "added 3 documents" in err
    with Store.open(second) as store:
        assert sorted((store.get_document(i) for i in (1, 2, 3)), key=lambda a: a.document.text) == sorted(
            originals, key=lambda a: a.document.text)
    code, _, err = run(capsys, monkeypatch, "export", "", "--format", "semeval", "--per", "finding", "--out",
                       str(tmp_path / "x.tsv"), "--db", str(first))
    assert code == 2 and "cannot be written per finding" in err
