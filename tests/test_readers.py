"""Every reader, content sniffing and encoding detection, on the bundled fixtures and small inline inputs."""

from __future__ import annotations

import codecs
import datetime as dt
import json

import pytest

from conftest import FIXTURES
from rhetorscope.errors import InputError
from rhetorscope.readers import read_bytes, read_path
from rhetorscope.readers.sniff import sniff

RUSSIAN = "Министр иностранных дел заявил, что диалог должен быть равноправным.\n"


def test_plain_text(reference_path):
    (doc,) = read_path(reference_path)
    assert doc.input_format == "text" and doc.encoding == "utf-8"
    assert doc.text.startswith("🎙 Russia's Foreign Minister")


@pytest.mark.parametrize(("data", "encoding"), [
    (codecs.BOM_UTF8 + RUSSIAN.encode("utf-8"), "utf-8 with BOM"),
    (codecs.BOM_UTF16_LE + RUSSIAN.encode("utf-16-le"), "utf-16"),
    (codecs.BOM_UTF16_BE + RUSSIAN.encode("utf-16-be"), "utf-16"),
    (RUSSIAN.encode("utf-16-le"), "utf-16-le"),
    (RUSSIAN.encode("cp1251"), "cp1251"),
])
def test_encodings_are_detected(data, encoding):
    (doc,) = read_bytes(data)
    assert doc.text == RUSSIAN
    assert doc.encoding == encoding


def test_cp1251_interview_fixture():
    (doc,) = read_path(FIXTURES / "interview_ru_cp1251.txt")
    assert doc.encoding == "cp1251"
    assert "С.В.Лавров: Отношения находятся в худшем состоянии" in doc.text


def test_html_keeps_article_and_drops_boilerplate():
    (doc,) = read_path(FIXTURES / "article.html")
    assert doc.input_format == "html"
    assert doc.title == 'Minister: "The UN Charter must simply be respected"'
    assert doc.date == dt.date(2025, 3, 24)
    assert "Duplicity, cynicism, hypocrisy – these are the forces we confront" in doc.text
    assert "By Anna Weber, March 24, 2025" in doc.text
    for boilerplate in ("Politics", "cookies", "Share on", "Most read", "All rights reserved", "Subscribe",
                        "Related", "dataLayer", "font-family", "Home"):
        assert boilerplate not in doc.text
    assert not doc.hard_wraps


def test_telegram_export_messages_become_documents():
    docs = read_path(FIXTURES / "telegram_export.json")
    assert len(docs) == 23  # 23 posts; service messages and the photo-only post are skipped
    assert all(d.input_format == "telegram" and d.source == "MFA Russia" for d in docs)
    assert docs[0].date == dt.date(2025, 1, 10)
    formatted = next(d for d in docs if d.text.startswith("❗️ Statement by the Ministry"))
    assert "Such actions will not go unanswered." in formatted.text  # entity objects flattened in order
    link = next(d for d in docs if "Read the full transcript" in d.text)
    assert link.text.startswith("📍 Read the full transcript of the press conference")
    assert any(d.extra.get("forwarded_from") == "Russian Embassy in Germany" for d in docs)
    assert any("edited" in d.extra for d in docs)
    assert len({d.external_id for d in docs}) == len(docs)


@pytest.mark.parametrize(("payload", "fragment"), [
    ('{"name": "x", "messages": [{"id": 1, "type": "message", "text": 5}]}', "message #0"),
    ('{"name": "x", "messages": [{"id": 1, "type": "message", "text": "ok", "date": "2025-01-01T00:00:00"},'
     ' {"type": "message", "text": "no id"}]}', "message #1"),
    ('{"name": "x", "messages": [{"id": 1, "type": "message", "text": [{"type": "bold"}]}]}', "message #0"),
    ('{"name": "x"}', "no 'messages' list"),
    ('{"name": "x", "messages": [', "not valid JSON"),
])
def test_malformed_telegram_exports_are_refused(payload, fragment):
    with pytest.raises(InputError) as err:
        read_bytes(payload.encode(), name="result.json", input_format="telegram")
    assert fragment in str(err.value)


def test_jsonl_rows_with_text_column_detection():
    rows = [{"id": "a1", "date": "2025-02-01", "body": "First post text.", "source": "chan"},
            {"id": "a2", "body": "Second post."}]
    data = "\n".join(json.dumps(r) for r in rows).encode()
    docs = read_bytes(data, name="posts.jsonl")
    assert [d.text for d in docs] == ["First post text.", "Second post."]
    assert docs[0].external_id == "a1" and docs[0].date == dt.date(2025, 2, 1) and docs[0].source == "chan"
    assert docs[0].input_format == "jsonl"


def test_jsonl_bad_line_is_named():
    with pytest.raises(InputError, match="line 2 is not valid JSON"):
        read_bytes(b'{"text": "ok"}\n{"text": broken}\n', name="x.jsonl")


def test_csv_with_named_text_column():
    data = "id;when;message\n1;2024-05-01;Hello there, this is a post.\n2;2024-05-02;\"Quoted; with semicolon\"\n"
    docs = read_bytes(data.encode(), name="posts.csv", text_column="message")
    assert [d.text for d in docs] == ["Hello there, this is a post.", "Quoted; with semicolon"]
    assert docs[1].external_id == "2"


def test_csv_without_a_text_column_says_which_to_use():
    with pytest.raises(InputError, match="--text-column"):
        read_bytes(b"a,b\n1,2\n", name="x.csv")


@pytest.mark.parametrize(("text", "name", "expected"), [
    ("<!doctype html><html><body><p>x</p></body></html>", "page.txt", "html"),
    ('{"name": "chan", "messages": []}', "result.json", "telegram"),
    ('{"text": "a"}\n{"text": "b"}\n', "posts.json", "jsonl"),
    ("id,text\n1,hello\n", "data.csv", "csv"),
    ("Just words.", "notes.md", "text"),
    ("Just words.", None, "text"),
])
def test_sniffing_prefers_content(text, name, expected):
    from pathlib import PurePath

    assert sniff(text, PurePath(name) if name else None) == expected


DEEP = 100_000


@pytest.mark.parametrize(("data", "name"), [
    (b"[" * DEEP + b"]" * DEEP, "result.json"),
    (b'{"messages": ' + b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"}", "result.json"),
    (b'{"text": "fine"}\n{"text": ' + b"[" * DEEP + b"]" * DEEP + b"}\n", "posts.jsonl"),
])
def test_json_nested_too_deep_is_refused_in_one_line(data, name):
    with pytest.raises(InputError, match="nested too deeply") as err:
        read_bytes(data, name=name)
    assert "\n" not in str(err.value)


def _rows(fmt: str) -> bytes:
    rows = [{"id": str(n), "text": f"Post number {n} says something."} for n in range(1, 21)]
    rows[4]["text"] = ""
    rows[9]["text"] = "   "
    del rows[14]["text"]
    if fmt == "jsonl":
        return "\n".join(json.dumps(r) for r in rows).encode()
    return ("id,text\n" + "".join(f"{r['id']},{r.get('text', '')}\n" for r in rows)).encode()


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_rows_without_text_are_named_not_dropped(fmt):
    skipped: list[str] = []
    docs = read_bytes(_rows(fmt), name=f"posts.{fmt}", skipped=skipped)
    assert len(docs) + len(skipped) == 20
    assert [s.split(" (")[0] for s in skipped] == (["row 5", "row 10", "row 15"] if fmt == "jsonl"
                                                   else ["row 6", "row 11", "row 16"])
    with pytest.warns(UserWarning, match="skipped 3 rows without text"):
        read_bytes(_rows(fmt), name=f"posts.{fmt}")


def test_a_csv_field_of_200_kb_is_read():
    article = "A long article sentence, with a comma. " * 5_200
    docs = read_bytes(f'id,text\n1,"{article}"\n2,short\n'.encode(), name="articles.csv")
    assert [len(d.text) for d in docs] == [len(article), 5]


def test_html_nested_100000_deep_is_refused_before_parsing():
    page = b"<html><body>" + b"<div>" * DEEP + b"<p>Deep words.</p>" + b"</div>" * DEEP + b"</body></html>"
    with pytest.raises(InputError, match="nests elements more than 5,000 levels deep"):
        read_bytes(page, name="page.html")


def test_html_with_many_unclosed_paragraphs_is_not_deep():
    paragraphs = "".join(f"<p>Paragraph {n} of the article, never closed." for n in range(6_000))
    page = f"<html><body><article>{paragraphs}</article></body></html>"
    (doc,) = read_bytes(page.encode(), name="page.html")
    assert doc.text.count("\n") >= 5_000
