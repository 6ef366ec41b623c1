"""Issue 14 item 5: one cluster per talking point, its central wording, its occurrences, source filter, boilerplate."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator

import pytest

from rhetorscope.store import Store
from test_ingest import run
from test_store import _pg_schema_url, analysed

POINT = ("The collective West has waged a hybrid war against our country for many years. "
         "The sanctions it imposed have only hurt ordinary Europeans and their families.")
EDITS = [POINT.replace("many years", "years"), POINT.replace("ordinary Europeans", "ordinary people"),
         POINT.replace("hybrid war", "real war")]
SIGNATURE = "Subscribe to our channel to read all the news first every single day."
NOTES = ["Bread prices rose again in the northern district this week, traders said.",
         "The regional council met on Tuesday to discuss repairs of the old bridge.",
         "A new school opened in the village after two years of construction work.",
         "Heavy rain flooded several streets near the river on Sunday evening.",
         "The football club won its third match in a row before a full stadium.",
         "Farmers expect a good harvest of apples thanks to the warm spring.",
         "The museum will show paintings from a private collection until June.",
         "Bus routes to the airport change next month because of road works.",
         "A local bakery celebrated fifty years with free pastries for children.",
         "Doctors at the city hospital warned about a rise in seasonal flu cases."]


def corpus(db) -> None:  # type: ignore[no-untyped-def]
    with Store.open(db) as store:
        # the earliest copy is an edited one; the original wording is the most central
        for n, (text, source, date) in enumerate([(EDITS[0], "a", "2024-01-01"), (POINT, "b", "2024-01-02"),
                                                  (EDITS[1], "c", "2024-01-03"), (EDITS[2], "x", "2024-01-04")], 1):
            store.add(analysed(text, source=source, external_id=str(n), date=date))
        for n in range(10):  # a source whose every other post ends with its signature
            body = NOTES[n]
            store.add(analysed(body + ("\n\n" + SIGNATURE if n % 2 else ""), source="signed", external_id=f"s{n}",
                               date="2024-02-01"))
        store.update_repeats()  # as ingest does when it ends: the read-only `repeats` never clusters


def test_one_cluster_per_talking_point_with_its_central_wording(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "c.sqlite"
    corpus(db)
    code, out, _ = run(capsys, monkeypatch, "repeats", "--db", str(db), "--format", "json")
    assert code == 0
    page = json.loads(out)
    (cluster,) = page["clusters"]  # the paragraph, not also each of its two sentences
    assert (page["total"], page["boilerplate_hidden"]) == (1, 1)
    assert cluster["level"] == "paragraph" and cluster["documents"] == 4
    assert cluster["canonical"] == POINT
    assert [o["source"] for o in cluster["occurrences"]] == ["a", "b", "c", "x"]
    assert {o["external_id"] for o in cluster["occurrences"]} == {"1", "2", "3", "4"}
    assert [o["similarity"] == 1.0 for o in cluster["occurrences"]] == [False, True, False, False]
    code, out, _ = run(capsys, monkeypatch, "repeats", "--db", str(db), "--format", "json", "--source", "x")
    assert [c["documents"] for c in json.loads(out)["clusters"]] == [4]  # x holds one copy; all four count
    code, out, _ = run(capsys, monkeypatch, "repeats", "--db", str(db), "--format", "json", "--include-boilerplate")
    clusters = json.loads(out)["clusters"]
    assert [c["boilerplate"] for c in clusters] == [True, False] and clusters[0]["canonical"] == SIGNATURE
    code, out, err = run(capsys, monkeypatch, "repeats", "--db", str(db), "--format", "csv", "--include-boilerplate",
                         "--limit", "1", "--offset", "1")
    lines = out.splitlines()
    assert lines[0].startswith("cluster,level,documents,occurrences") and len(lines) == 5  # header, 4 occurrences
    assert "2 repeated talking points, showing 2–2" in err
    code, out, _ = run(capsys, monkeypatch, "repeats", "--db", str(db))
    assert "1 repeated talking point, showing 1–1; 1 boilerplate passage hidden" in " ".join(out.split())


def test_repeats_page_and_api_show_occurrences_and_totals(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import httpx

    from rhetorscope.web import Settings
    from test_web_server import running_server

    db = tmp_path / "c.sqlite"
    corpus(db)
    with running_server(Settings(db=str(db), workers=1, queue=4)) as url:
        page = httpx.get(f"{url}/repeats", timeout=30).text
        api = httpx.get(f"{url}/api/v1/repeats", params={"include_boilerplate": "true", "limit": 1}, timeout=30)
    assert "1 repeated talking point, showing 1–1; 1 boilerplate passage hidden" in page
    assert page.count('class="similarity"') == 4 and "#4</a>" in page
    assert api.headers["x-total-count"] == "2" and api.json()[0]["boilerplate"] is True


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path) -> Iterator[str]:  # type: ignore[no-untyped-def]
    if request.param == "sqlite":
        yield str(tmp_path / "c.sqlite")
        return
    yield from _pg_schema_url()


def test_both_backends_count_absorb_flag_and_order_clusters_alike(db: str) -> None:
    """Issue 17 item 5: the database decides which clusters are listed and in which order, the same on both."""
    corpus(db)
    sentence = POINT.split(". ")[0] + "."
    with Store.open(db) as store:
        for n, source in enumerate(["y", "z"]):  # the first sentence alone, outside the point's paragraphs
            store.add(analysed(sentence, source=source, external_id=f"{source}{n}", date="2024-01-05"))
        page = store.repeats(min_count=2)
        assert (page.total, page.boilerplate_hidden) == (2, 1)
        assert [(c.level, c.documents, c.count) for c in page.clusters] == [("sentence", 6, 6), ("paragraph", 4, 4)]
        assert page.clusters[0].canonical == sentence and page.clusters[1].canonical == POINT
        everything = store.repeats(min_count=2, include_boilerplate=True, limit=1, offset=1)
        assert (everything.total, everything.boilerplate_hidden) == (3, 0)
        assert [(c.canonical, c.documents, c.boilerplate) for c in everything.clusters] == [(SIGNATURE, 5, True)]
        # in the window the sentence occurs only inside the point's paragraphs: one talking point
        window = store.repeats(min_count=2, since=dt.date(2024, 1, 2), until=dt.date(2024, 1, 3))
        assert [(c.level, c.documents, c.canonical) for c in window.clusters] == [("paragraph", 2, POINT)]
        assert [c.documents for c in store.repeats(min_count=2, source="y").clusters] == [6]
        assert (store.repeats(min_count=5).total, store.repeats(min_count=5).boilerplate_hidden) == (1, 1)
        assert store.repeats(min_count=7).clusters == []


def test_a_clustering_pass_reads_by_copy_what_the_rows_say(db: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """PostgreSQL hands a pass every passage as one binary COPY read in place; it must equal the rows it replaced."""
    import numpy as np

    from rhetorscope.store import repeats

    if not db.startswith("postgresql"):
        pytest.skip("SQLite's passages are read as rows")
    corpus(db)
    with Store.open(db) as store, store.engine.connect() as conn:
        transaction = conn.begin()
        conn.exec_driver_sql("UPDATE passages SET cluster_id = NULL WHERE MOD(id, 3) = 0")
        copied = repeats._stored_passages(conn)
        monkeypatch.setattr(repeats, "_copied_passages", lambda conn: None)
        fetched = repeats._stored_passages(conn)
        transaction.rollback()
    ids, _, is_new, bands = copied
    assert len(ids) > 10 and 0 < is_new.sum() < len(ids) and bands.shape == (len(ids), repeats.BANDS)
    assert all(np.array_equal(a, b) and a.dtype == b.dtype for a, b in zip(copied, fetched, strict=True))
