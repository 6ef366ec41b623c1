"""Issue 14 item 7: the other two shapes Telegram Desktop writes, the full-account JSON and the HTML export."""

from __future__ import annotations

import json
from pathlib import Path

from rhetorscope.readers import read_path
from rhetorscope.store import Store
from test_ingest import run


def account_export(path: Path) -> Path:
    chats = [{"name": "Channel One", "type": "public_channel", "id": 1, "messages": [
                 {"id": 1, "type": "message", "date": "2024-05-01T08:00:00", "text": "The talks in Geneva resume."},
                 {"id": 2, "type": "service", "date": "2024-05-01T08:01:00", "action": "pin_message", "text": ""}]},
             {"name": "Friend", "type": "personal_chat", "id": 2, "messages": [
                 {"id": 1, "type": "message", "date": "2024-05-02T09:00:00", "from": "Friend",
                  "text": [{"type": "plain", "text": "Did you read about the "}, {"type": "bold", "text": "sanctions"},
                           "?"]}]}]
    data = {"about": "Here is the data you requested.", "personal_information": {"first_name": "Me"},
            "chats": {"about": "This page lists all chats from this export.", "list": chats},
            "left_chats": {"about": "", "list": [{"name": "Old group", "type": "private_group", "id": 3,
                                                  "messages": [{"id": 9, "type": "message",
                                                                "date": "2023-01-01T10:00:00",
                                                                "text": "A message from a group I left."}]}]}}
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def html_page(path: Path, messages: list[str]) -> Path:
    path.write_text(f"""<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>Exported Data</title></head>
<body><div class="page_wrap"><div class="page_header"><div class="content"><div class="text bold">
 News Channel
</div></div></div>
<div class="page_body chat_page"><div class="history">
<div class="message service" id="message-1"><div class="body details">1 May 2024</div></div>
{''.join(messages)}
</div></div></div></body></html>""", encoding="utf-8")
    return path


def html_message(msg_id: int, when: str, text: str, *, sender: str | None = "News Channel",
                 forwarded: str | None = None) -> str:
    own = f'<div class="from_name">{sender}</div>' if sender else ""
    joined = "" if sender else " joined"
    body = f'<div class="text">{text}</div>'
    if forwarded:
        body = (f'<div class="forwarded body"><div class="from_name">{forwarded}<span class="date details" '
                f'title="30.04.2024 10:00:00"> 30.04.2024 10:00:00</span></div>{body}</div>')
    return (f'<div class="message default clearfix{joined}" id="message{msg_id}"><div class="pull_left userpic_wrap">'
            f'</div><div class="body"><div class="pull_right date details" title="{when} UTC+03:00">08:00</div>'
            f"{own}{body}</div></div>")


def test_full_account_export_is_a_source_per_chat(tmp_path) -> None:  # type: ignore[no-untyped-def]
    raws = read_path(account_export(tmp_path / "result.json"))
    assert [(r.source, r.external_id, r.text) for r in raws] == [
        ("Channel One", "1", "The talks in Geneva resume."), ("Friend", "1", "Did you read about the sanctions?"),
        ("Old group", "9", "A message from a group I left.")]
    assert raws[1].extra["from"] == "Friend" and raws[0].date.isoformat() == "2024-05-01"


def test_html_export_pages_are_one_source(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    folder = tmp_path / "ChatExport_2024-05-03"
    folder.mkdir()
    html_page(folder / "messages.html", [
        html_message(5, "01.05.2024 08:00:00", "The talks in Geneva resume next week.<br>More soon."),
        html_message(6, "01.05.2024 08:05:00", "A second post, joined to the first sender.", sender=None),
        html_message(7, "01.05.2024 09:00:00", "Agency says the sanctions failed.", forwarded="Agency One")])
    html_page(folder / "messages2.html", [html_message(8, "02.05.2024 10:00:00", "Page two: the sanctions again.")])
    raws = read_path(folder / "messages.html")
    assert [(r.external_id, r.text, r.date.isoformat()) for r in raws] == [
        ("5", "The talks in Geneva resume next week.\nMore soon.", "2024-05-01"),
        ("6", "A second post, joined to the first sender.", "2024-05-01"),
        ("7", "Agency says the sanctions failed.", "2024-05-01")]
    assert {r.source for r in raws} == {"News Channel"}
    assert raws[1].extra["from"] == "News Channel" and raws[2].extra["forwarded_from"] == "Agency One"
    assert raws[0].extra["datetime"] == "2024-05-01T08:00:00"
    db = tmp_path / "c.sqlite"
    code, _, err = run(capsys, monkeypatch, "ingest", str(folder), str(account_export(tmp_path / "result.json")),
                       "--db", str(db), "--jobs", "1")
    assert code == 0 and "added 7 documents" in err
    with Store.open(db) as store:
        hits = store.search("sanctions").hits
        assert {(h.source, h.external_id) for h in hits} == {("News Channel", "7"), ("News Channel", "8"),
                                                             ("Friend", "1")}
    assert run(capsys, monkeypatch, "ingest", str(folder), "--db", str(db), "--jobs", "1")[2].count("nothing new")
