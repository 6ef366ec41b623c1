"""Database and environment failures: one line, exit 2, nothing created by a read, the run marked failed."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from rhetorscope.store import engine
from test_ingest import CLI, count, run, telegram_export

READS = [["search", "x"], ["repeats"], ["trends"], ["export", "", "--out", "{tmp}/out.jsonl"]]


def _one_line_error(code: int, err: str, fragment: str, *, after_progress: bool = False) -> None:
    """Exit 2 and one error line (the last one, after ingest's progress lines when `after_progress`)."""
    assert code == 2, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert after_progress or len(lines) == 1, err
    assert lines[-1].startswith("rhetorscope: error: ") and fragment in lines[-1], err


def _corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "c.sqlite"
    code, _, err = run(capsys, monkeypatch, "ingest", str(telegram_export(tmp_path / "r.json", 30)), "--db", str(db),
                       "--jobs", "1")
    assert code == 0, err
    return db


@pytest.mark.parametrize("args", READS)
def test_read_commands_refuse_a_missing_database_and_create_nothing(tmp_path, capsys, monkeypatch, args):  # type: ignore[no-untyped-def]
    db = tmp_path / "missing.sqlite"
    code, _, err = run(capsys, monkeypatch, *[a.format(tmp=tmp_path) for a in args], "--db", str(db))
    _one_line_error(code, err, f"there is no corpus database at {db}")
    assert not db.exists()


def test_serve_refuses_a_missing_or_bad_database_before_starting(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    code, _, err = run(capsys, monkeypatch, "serve", "--db", str(tmp_path / "missing.sqlite"))
    _one_line_error(code, err, "there is no corpus database")
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database, just words " * 100)
    code, _, err = run(capsys, monkeypatch, "serve", "--db", str(bad))
    _one_line_error(code, err, "is not an SQLite database")


@pytest.mark.parametrize("command", [["search", "x"], ["ingest", "{corpus}"]])
def test_a_file_that_is_not_sqlite_is_one_line(tmp_path, capsys, monkeypatch, command):  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.sqlite"
    bad.write_text("not a database, just words " * 100)
    args = [a.format(corpus=telegram_export(tmp_path / "r.json", 3)) for a in command]
    code, _, err = run(capsys, monkeypatch, *args, "--db", str(bad), *(["--jobs", "1"] if "ingest" in args else []))
    _one_line_error(code, err, "is not an SQLite database")


def test_a_truncated_database_is_one_line(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    db = _corpus(tmp_path, capsys, monkeypatch)
    with sqlite3.connect(db) as conn:
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    truncated = tmp_path / "t.sqlite"
    truncated.write_bytes(db.read_bytes()[:20_000])
    code, _, err = run(capsys, monkeypatch, "search", "sanctions", "--db", str(truncated))
    _one_line_error(code, err, "is damaged or incomplete")


@pytest.mark.parametrize(("sql", "fragment"), [
    ("UPDATE alembic_version SET version_num = '0000'", "unknown schema version '0000'"),
    ("UPDATE alembic_version SET version_num = 'abc'", "unknown schema version 'abc'"),
    ("DROP TABLE alembic_version", "not a rhetorscope corpus"),
])
def test_unknown_schemas_are_refused(tmp_path, capsys, monkeypatch, sql, fragment):  # type: ignore[no-untyped-def]
    db = _corpus(tmp_path, capsys, monkeypatch)
    with sqlite3.connect(db) as conn:
        conn.execute(sql)
    for args in (["search", "x"], ["ingest", str(tmp_path / "r.json"), "--jobs", "1"]):
        code, _, err = run(capsys, monkeypatch, *args, "--db", str(db))
        _one_line_error(code, err, fragment)


def test_a_full_disk_during_ingest_keeps_earlier_batches_and_marks_the_run_failed(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    db = _corpus(tmp_path, capsys, monkeypatch)
    pages = sqlite3.connect(db).execute("PRAGMA page_count").fetchone()[0]
    real = engine._sqlite_connect

    def small_disk(dbapi_connection, record, *, readonly):  # type: ignore[no-untyped-def]
        real(dbapi_connection, record, readonly=readonly)
        dbapi_connection.execute(f"PRAGMA max_page_count = {pages + 2}")  # SQLite's own SQLITE_FULL

    monkeypatch.setattr(engine, "_sqlite_connect", small_disk)
    big = telegram_export(tmp_path / "big.json", 400, start=1000, name="Big")
    code, _, err = run(capsys, monkeypatch, "ingest", str(big), "--db", str(db), "--jobs", "1", "--batch", "50")
    _one_line_error(code, err, "the disk is full", after_progress=True)
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT status FROM ingest_runs ORDER BY id DESC").fetchone() == ("failed",)
    assert count(db) >= 30


def _readonly_mount_available() -> bool:
    probe = subprocess.run(["unshare", "-rm", "true"], capture_output=True)
    return probe.returncode == 0


@pytest.mark.skipif(not sys.platform.startswith("linux") or not _readonly_mount_available(),
                    reason="needs unshare(1) with user and mount namespaces to make a read-only mount")
def test_read_commands_work_on_a_read_only_mount_and_ingest_says_why_not(tmp_path, capsys, monkeypatch):  # type: ignore[no-untyped-def]
    db = _corpus(tmp_path, capsys, monkeypatch)
    folder = db.parent
    script = (f"mount --bind {folder} {folder} && mount -o remount,bind,ro {folder} && "
              f"{CLI[0]} search sanctions --db {db} --format json >/dev/null && "
              f"{CLI[0]} repeats --db {db} >/dev/null && {CLI[0]} trends --db {db} >/dev/null; "
              f"echo searched $?; {CLI[0]} ingest {folder}/r.json --db {db} --jobs 1")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", script], capture_output=True, text=True, timeout=120)
    assert "searched 0" in done.stdout, done.stderr
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(f"rhetorscope: error: the corpus database {db} is read-only")
