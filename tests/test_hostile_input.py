"""Hostile and careless input through the CLI: one line and exit 2, nothing partial, nothing dropped unsaid."""

from __future__ import annotations

import json
import sqlite3

import pytest

from test_ingest import count, run, telegram_export

DEEP = 100_000


def test_a_deeply_nested_file_is_named_and_the_rest_of_the_folder_ingested(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "a-deep.json").write_bytes(b"[" * DEEP + b"]" * DEEP)
    (folder / "b-deep.jsonl").write_bytes(b'{"text": ' + b'{"x": ' * DEEP + b"1" + b"}" * DEEP + b"}\n")
    telegram_export(folder / "c-good.json", 3)
    db = tmp_path / "c.sqlite"
    code, _, err = run(capsys, monkeypatch, "ingest", str(folder), "--db", str(db), "--jobs", "1")
    assert code == 2
    last = err.strip().splitlines()[-1]
    assert last.startswith("rhetorscope: error: 2 of 3 files could not be read")
    assert "a-deep.json is JSON nested too deeply" in last and "b-deep.jsonl: line 1 is JSON nested too deeply" in last
    assert "Traceback" not in err
    assert count(db) == 3


def test_analyze_refuses_deep_json_with_exit_2(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    deep = tmp_path / "result.json"
    deep.write_bytes(b'{"messages": ' + b"[" * DEEP + b"]" * DEEP + b"}")
    code, out, err = run(capsys, monkeypatch, "analyze", str(deep))
    assert code == 2 and not out
    assert err.count("\n") == 1 and "nested too deeply" in err


def test_ingest_names_rows_without_text(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    rows = [{"id": n, "text": f"Row {n} has a sentence of its own about sanctions."} for n in range(1, 21)]
    rows[3]["text"], rows[11]["text"] = "", " "
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join(json.dumps(r) for r in rows), encoding="utf-8")
    db = tmp_path / "c.sqlite"
    code, _, err = run(capsys, monkeypatch, "ingest", str(posts), "--db", str(db), "--jobs", "1")
    assert code == 0
    assert count(db) == 18
    flat = " ".join(err.split())
    assert "added 18 documents" in flat
    assert f"skipped 2 rows without text: {posts}: row 4 (empty text); {posts}: row 12 (empty text)" in flat


def test_a_nul_after_the_first_8_kb_is_refused_and_nothing_stored(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    text = "The ministry said the talks had failed again today.\n" * 400 + "Hidden\x00byte here.\n"
    bad = tmp_path / "statement.txt"
    bad.write_bytes(text.encode())
    db = tmp_path / "c.sqlite"
    code, _, err = run(capsys, monkeypatch, "ingest", str(bad), "--db", str(db), "--jobs", "1")
    assert code == 2 and "contains a NUL character at line 401, column 7" in err
    assert count(db) == 0
    code, _, err = run(capsys, monkeypatch, "analyze", str(bad))
    assert code == 2 and "NUL character" in err


ARABIC = "قال وزير الخارجية إن المفاوضات فشلت لأن الطرف الآخر رفض الاستماع إلى أي حجة.\n"


def _pipeline_must_not_run(monkeypatch):  # type: ignore[no-untyped-def]
    from rhetorscope import pipeline

    def refuse(*_args, **_kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the pipeline ran on a text in an unsupported language")

    monkeypatch.setattr(pipeline, "default_pipeline", refuse)


def test_an_unsupported_language_is_refused_before_the_pipeline_runs(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    arabic = tmp_path / "arabic.txt"
    arabic.write_text(ARABIC * 20_000, encoding="utf-8")
    _pipeline_must_not_run(monkeypatch)
    code, _, err = run(capsys, monkeypatch, "analyze", str(arabic))
    assert code == 2 and "is in an unsupported language ('ar')" in err

    from rhetorscope.web.pool import analyze_bytes

    ok, message, _, status = analyze_bytes((ARABIC * 2_000).encode(), "upload.txt", None, None)
    assert not ok and "unsupported language ('ar')" in message and status == 422


@pytest.mark.parametrize("analyze", [[], ["--analyze"]])
def test_ingest_names_documents_in_unsupported_languages(tmp_path, capsys, monkeypatch, analyze):  # type: ignore[no-untyped-def]
    rows = [{"id": n, "text": f"Row {n}: the sanctions have failed, the ministry said again today."}
            for n in range(1, 6)]
    rows.append({"id": 6, "text": ARABIC * 3})
    posts = tmp_path / "posts.jsonl"
    posts.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    db = tmp_path / "c.sqlite"
    code, _, err = run(capsys, monkeypatch, "ingest", str(posts), "--db", str(db), "--jobs", "1", *analyze)
    assert code == 0, err
    assert count(db) == 6  # stored, structure only: searchable, not analysed
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT analyzed, language FROM documents WHERE external_id = '6'").fetchone() == (0, "ar")
    assert f"1 stored without analysis, in a language rhetorscope does not analyse (force one with --language): " \
           f"{posts}: document 6 ('ar')" in " ".join(err.split())


def test_a_long_text_in_no_language_is_refused_before_the_pipeline_runs(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    letters = tmp_path / "x.txt"
    letters.write_text("x" * 1_000_000, encoding="utf-8")
    _pipeline_must_not_run(monkeypatch)
    code, _, err = run(capsys, monkeypatch, "analyze", str(letters))
    assert code == 2 and "cannot tell its language" in err


def test_the_early_check_reads_a_short_text_once_and_a_long_one_at_three_places(monkeypatch):  # type: ignore[no-untyped-def]
    """Up to two samples long, the start is read (the pipeline reads the same sample); longer, start, middle, end."""
    from rhetorscope import language

    seen: list[str] = []
    monkeypatch.setattr(language, "detect", lambda sample: seen.append(sample) or ("en", 1.0))
    short = "The ministry said the talks had failed again. " * 14  # 644 characters
    language.refuse_unsupported_early(short, "post")
    assert seen == [short[:language.SAMPLE_CHARS]]
    seen.clear()
    long = short * 2
    language.refuse_unsupported_early(long, "post")
    assert len(seen) == 3 and seen[0] == long[:language.SAMPLE_CHARS]
    seen.clear()
    spanish = "El ministro dijo que las negociaciones fracasaron otra vez por culpa del otro lado. " * 12
    monkeypatch.setattr(language, "detect", lambda sample: seen.append(sample) or ("es", 0.9))
    with pytest.raises(language.UnsupportedLanguage, match="unsupported language \\('es'\\)"):
        language.refuse_unsupported_early(spanish, "post")
    assert len(seen) == 3
