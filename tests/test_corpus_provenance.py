"""Issue 14 item 6: every post knows its source, external id, public link and where it was forwarded from."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import httpx

from rhetorscope.store import SearchFilters, Store
from rhetorscope.web import Settings
from test_ingest import run
from test_web_server import running_server


def channel(path: Path) -> Path:
    messages = [
        {"id": 10, "type": "message", "date": "2024-05-01T08:00:00", "text": "Our own report on the sanctions."},
        {"id": 11, "type": "message", "date": "2024-05-01T09:00:00", "forwarded_from": "Agency One",
         "text": "A forwarded report on the sanctions and the talks."},
        {"id": 12, "type": "message", "date": "2024-05-02T09:00:00", "forwarded_from": "Blogger Two",
         "text": "Another forwarded post on the sanctions, from a blogger."},
    ]
    path.write_text(json.dumps({"name": "News Channel", "username": "newschannel", "type": "public_channel",
                                "id": 5, "messages": messages}), encoding="utf-8")
    return path


def test_posts_carry_source_link_and_forwarded_from(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "c.sqlite"
    rows = tmp_path / "rows.csv"
    with rows.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows([["id", "url", "text"], ["a1", "https://example.org/a1", "A row on the sanctions."]])
    note = tmp_path / "note.txt"
    note.write_text("A note about the sanctions, from a file without a source.", encoding="utf-8")
    assert run(capsys, monkeypatch, "ingest", str(channel(tmp_path / "result.json")), str(rows), "--db", str(db),
               "--jobs", "1")[0] == 0
    assert run(capsys, monkeypatch, "ingest", str(note), "--source", "Field notes", "--db", str(db),
               "--jobs", "1")[0] == 0
    with Store.open(db) as store:
        result = store.search("sanctions", limit=10, facets=True)
        hits = {h.external_id: h for h in result.hits}
        assert hits["11"].link == "https://t.me/newschannel/11" and hits["11"].forwarded_from == "Agency One"
        assert hits["10"].source == "News Channel" and hits["10"].forwarded_from is None
        assert hits["a1"].link == "https://example.org/a1"
        assert {h.source for h in result.hits} == {"News Channel", str(rows), "Field notes"}
        assert result.facets["forwarded_from"] == {"Agency One": 1, "Blogger Two": 1}
        assert [h.external_id for h in store.search("sanctions", SearchFilters(forwarded_from="agency")).hits] == [
            "11"]
    assert run(capsys, monkeypatch, "export", "sanctions", "--format", "csv", "--out", str(tmp_path / "e.csv"),
               "--db", str(db))[0] == 0
    exported = {r["external_id"]: r for r in csv.DictReader((tmp_path / "e.csv").open(encoding="utf-8"))}
    assert exported["12"]["link"] == "https://t.me/newschannel/12"
    assert exported["12"]["forwarded_from"] == "Blogger Two"
    with running_server(Settings(db=str(db), workers=1, queue=4)) as url:
        page = httpx.get(f"{url}/corpus", params={"q": "sanctions"}, timeout=30).text
        api = httpx.get(f"{url}/api/v1/search", params={"q": "sanctions", "forwarded_from": "blogger"},
                        timeout=30).json()
        document = httpx.get(f"{url}/documents/{api['hits'][0]['document']['id']}", timeout=30).text
    assert 'href="https://t.me/newschannel/11"' in page and "forwarded from Agency One" in page
    assert [h["forwarded_from"] for h in api["hits"]] == ["Blogger Two"]
    assert api["hits"][0]["link"] == "https://t.me/newschannel/12"
    assert "<dt>forwarded from</dt><dd>Blogger Two</dd>" in document
    assert 'href="https://t.me/newschannel/12"' in document
