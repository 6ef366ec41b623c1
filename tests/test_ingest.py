"""`rhetorscope ingest` and the corpus commands end to end: idempotency, bad input, faults, concurrency."""

from __future__ import annotations

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from rhetorscope.cli import main

CLI = [str(Path(sys.executable).with_name("rhetorscope"))]
POINTS = [
    "The collective West is waging a hybrid war against our country and its people.",
    "Sanctions have failed to achieve their goals and hurt European consumers most of all.",
    "We remain open to dialogue on an equal footing that respects each other's legitimate interests.",
    "NATO expansion to the east was a direct threat to the national security of the whole region.",
    "Впервые за многие годы министр заявил о готовности к переговорам без предварительных условий.",
]


def telegram_export(path: Path, count: int, *, start: int = 1, name: str = "Test channel") -> Path:
    messages = [{"id": i, "type": "message", "date": f"2024-{1 + i % 6:02d}-{1 + i % 27:02d}T10:00:00",
                 "text": f"{POINTS[i % len(POINTS)]} Update {i}: details on item {i * 7} follow."}
                for i in range(start, start + count)]
    path.write_text(json.dumps({"name": name, "type": "public_channel", "id": 1, "messages": messages}),
                    encoding="utf-8")
    return path


def run(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, *args: str) -> tuple[int, str, str]:
    """Run the real entry point in-process; returns (exit code, stdout, stderr)."""
    monkeypatch.setattr(sys, "argv", ["rhetorscope", *args])
    try:
        main()
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out = capsys.readouterr()
    return code, out.out, out.err


def count(db: Path, table: str = "documents") -> int:
    with sqlite3.connect(db) as conn:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]


def test_ingest_folder_is_idempotent_and_feeds_every_command(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    data = tmp_path / "in"
    (data / "nested").mkdir(parents=True)
    telegram_export(data / "result.json", 30)
    (data / "nested" / "statement.txt").write_text(
        "Statement by the Ministry\n\nThe sanctions have failed, the ministry said today in a statement.\n",
        encoding="utf-8")
    (data / "notes.bin").write_bytes(b"\x00\x01")
    db = tmp_path / "c.sqlite"

    code, _, err = run(capsys, monkeypatch, "ingest", str(data), "--db", str(db), "--analyze", "--jobs", "2")
    assert code == 0, err
    assert "added 31 documents" in err
    code, _, err = run(capsys, monkeypatch, "ingest", str(data), "--db", str(db), "--analyze")
    assert code == 0 and "nothing new: all 31 documents are already in the corpus" in err
    assert count(db) == 31

    code, out, _ = run(capsys, monkeypatch, "search", "sanctions", "--db", str(db), "--format", "json",
                       "--source", "ministry")
    assert code == 0
    assert json.loads(out)["total"] == 0
    code, out, _ = run(capsys, monkeypatch, "search", '"hybrid war"', "--db", str(db), "--format", "json")
    result = json.loads(out)
    assert result["total"] == 6 and {h["source"] for h in result["hits"]} == {"Test channel"}

    code, out, _ = run(capsys, monkeypatch, "repeats", "--db", str(db), "--min-count", "5", "--format", "json")
    clusters = json.loads(out)["clusters"]
    assert len(clusters) == 5 and all(c["documents"] == 6 for c in clusters)

    chart = tmp_path / "trend.svg"
    code, out, err = run(capsys, monkeypatch, "trends", "--db", str(db), "--by", "month", "--out", str(chart),
                         "--format", "csv")
    assert code == 0, err
    assert out.splitlines()[0] == "period,technique,count,per_1000_words,words"
    assert chart.read_text(encoding="utf-8").lstrip().startswith("<?xml")

    out_file = tmp_path / "export.jsonl"
    code, _, err = run(capsys, monkeypatch, "export", "hybrid", "war", "--db", str(db), "--format", "jsonl",
                       "--out", str(out_file))
    assert code == 0 and "(6 documents)" in err
    assert len(out_file.read_text(encoding="utf-8").splitlines()) == 6


def test_bad_telegram_export_names_the_message_and_ingests_nothing_from_it(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    bad = telegram_export(tmp_path / "bad.json", 5)
    payload = json.loads(bad.read_text(encoding="utf-8"))
    payload["messages"][3]["id"] = "not a number"
    bad.write_text(json.dumps(payload), encoding="utf-8")
    good = telegram_export(tmp_path / "good.json", 4, start=100, name="Other")
    db = tmp_path / "c.sqlite"
    code, _, err = run(capsys, monkeypatch, "ingest", str(bad), str(good), "--db", str(db), "--analyze",
                       "--jobs", "1")
    assert code == 2
    assert "message #3 is malformed" in err.splitlines()[-1]
    assert err.splitlines()[-1].startswith("rhetorscope: error: 1 of 2 files could not be read")
    assert count(db) == 4


def test_newer_database_is_refused_in_one_line(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "c.sqlite"
    run(capsys, monkeypatch, "ingest", str(telegram_export(tmp_path / "r.json", 2)), "--db", str(db), "--jobs", "1")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0042'")
    code, _, err = run(capsys, monkeypatch, "search", "x", "--db", str(db))
    assert code == 2
    assert err.strip().count("\n") == 0 and "schema version 0042, newer than this rhetorscope" in err


def test_two_concurrent_ingests_lose_nothing(tmp_path) -> None:  # type: ignore[no-untyped-def]
    first = telegram_export(tmp_path / "a.json", 300)
    second = telegram_export(tmp_path / "b.json", 300, start=201)
    db = tmp_path / "c.sqlite"
    procs = [subprocess.Popen([*CLI, "ingest", str(path), "--db", str(db), "--batch", "25", "--jobs", "1",
                               "--analyze", "--fast"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for path in (first, second)]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    assert count(db) == 500
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT COUNT(*) FROM segments_fts").fetchone()[0] == count(db, "segments")
        assert conn.execute("SELECT COUNT(*) FROM passages WHERE cluster_id IS NULL").fetchone()[0] == 0


def test_ctrl_c_keeps_the_database_consistent_and_a_rerun_resumes(tmp_path) -> None:  # type: ignore[no-untyped-def]
    export = telegram_export(tmp_path / "result.json", 600)
    db = tmp_path / "c.sqlite"
    cmd = [*CLI, "ingest", str(export), "--db", str(db), "--batch", "20", "--jobs", "2", "--analyze", "--fast"]
    # a shell starts background jobs with Ctrl-C ignored, and a child inherits that: give it the default back
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and (not db.exists() or _safe_count(db) < 40):
        time.sleep(0.1)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    interrupted = count(db)
    assert 40 <= interrupted < 600
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert conn.execute("SELECT status FROM ingest_runs").fetchone()[0] == "interrupted"
        assert conn.execute("SELECT COUNT(DISTINCT document_id) FROM segments").fetchone()[0] == interrupted
    rerun = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert rerun.returncode == 0, rerun.stderr
    assert f"skipped {interrupted} already in the corpus" in rerun.stderr
    assert count(db) == 600


def _safe_count(db: Path) -> int:
    try:
        return count(db)
    except sqlite3.OperationalError:
        return 0


def _clusters(db: Path) -> set[frozenset[int]]:
    """Each cluster's documents (by external id), whatever its id."""
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT p.cluster_id, d.external_id FROM passages p "
                            "JOIN documents d ON d.id = p.document_id").fetchall()
    out: dict[int, set[int]] = {}
    for cluster, external in rows:
        out.setdefault(cluster, set()).add(int(external))
    return {frozenset(members) for members in out.values()}


def test_clustering_during_the_run_finds_the_clusters_of_one_pass_at_the_end(tmp_path, capsys,  # type: ignore[no-untyped-def]
                                                                            monkeypatch) -> None:
    """An ingest clusters as it goes (passes every few batches, geometrically spaced), with the same result."""
    from rhetorscope.store import core, repeats

    export = telegram_export(tmp_path / "result.json", 600)
    passes: list[int] = []
    original = core.update_clusters
    monkeypatch.setattr(core, "update_clusters", lambda conn: passes.append(1) or original(conn))
    one = tmp_path / "one.sqlite"
    assert run(capsys, monkeypatch, "ingest", str(export), "--db", str(one), "--batch", "5", "--jobs", "1")[0] == 0
    assert len(passes) == 1  # 600 documents are under the first pass's 20,000: one pass, at the end
    monkeypatch.setattr(repeats, "CLUSTER_EVERY", 10)
    many = tmp_path / "many.sqlite"
    assert run(capsys, monkeypatch, "ingest", str(export), "--db", str(many), "--batch", "5", "--jobs", "1")[0] == 0
    # the workers' chunks of 256 are written as they come: a pass after 256, 512 and 600, and one at the end
    assert len(passes) == 1 + 4
    assert _clusters(many) == _clusters(one)
    assert sorted(len(c) for c in _clusters(one))[-5:] == [120] * 5  # the 5 talking points, 120 posts each


def test_cluster_schedule_spaces_passes_geometrically() -> None:
    from rhetorscope.store.repeats import ClusterSchedule

    fresh = ClusterSchedule(every=100)
    assert [fresh.due(n) for n in (99, 100)] == [False, True]
    grown = ClusterSchedule(every=100, stored_before=10_000, clustered_at=0)
    assert [grown.due(n) for n in (100, 999, 1000)] == [False, False, True]  # a tenth of the 10,000 stored
