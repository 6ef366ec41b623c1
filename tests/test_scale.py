"""Scale-out runs (issue 17): streamed reading, exactly-once analysis with a lost worker, resume after a killed
client, and a local pool that finds what one process finds.

Real components throughout: SQLite files, the PostgreSQL on 127.0.0.1 (a schema of its own per test), a real
dask LocalCluster of 2 worker processes, and the CLI in subprocesses. The fast technique tier keeps the workers'
model loading short; exactly-once is about the runs, not the models.
"""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import text

from rhetorscope.readers import read_path
from rhetorscope.readers.stream import stream_telegram
from rhetorscope.scale.inputs import Reading, from_files
from rhetorscope.scale.tasks import BatchResult, Item, analyse_batch
from rhetorscope.store import Store
from rhetorscope.store.runs import list_runs, run_failures
from test_ingest import CLI, telegram_export
from test_store import _pg_schema_url

FIXTURE = Path(__file__).parent / "fixtures" / "telegram_export.json"


def _findings(db: str | Path) -> dict[bytes, list[tuple[object, ...]]]:
    """Each stored document's findings (by content key), and a count per key to catch duplicates."""
    with Store.open(db, readonly=True) as store, store.engine.connect() as conn:
        rows = conn.execute(text("SELECT d.content_key, f.technique, f.start, f.\"end\", f.confidence FROM documents d "
                                 "LEFT JOIN findings f ON f.document_id = d.id ORDER BY d.content_key, f.start, "
                                 "f.technique")).all()
    out: dict[bytes, list[tuple[object, ...]]] = {}
    for key, *finding in rows:
        out.setdefault(bytes(key), []).extend([tuple(finding)] if finding[0] is not None else [])
    return out


def _once(db: str | Path, expected: int) -> None:
    """Every document stored once, analysed, with one link per model and no finding twice."""
    with Store.open(db, readonly=True) as store, store.engine.connect() as conn:
        docs, analysed = conn.execute(text("SELECT COUNT(*), SUM(CASE WHEN analyzed THEN 1 ELSE 0 END) "
                                           "FROM documents")).one()
        twice = conn.execute(text("SELECT COUNT(*) FROM (SELECT document_id, key FROM findings "
                                  "GROUP BY document_id, key HAVING COUNT(*) > 1) x")).scalar_one()
        links = conn.execute(text("SELECT COUNT(DISTINCT n) FROM (SELECT COUNT(*) AS n FROM document_models "
                                  "GROUP BY document_id) x")).scalar_one()
    assert (docs, analysed, twice, links) == (expected, expected, 0, 1)


def test_streamed_telegram_reads_what_the_whole_file_reader_reads(tmp_path: Path) -> None:
    with FIXTURE.open("rb") as f:
        streamed = list(stream_telegram(f, name=str(FIXTURE), on_failure=lambda *_: pytest.fail("no failure")))
    assert streamed == read_path(FIXTURE)

    broken = tmp_path / "broken.json"
    broken.write_text('{"name": "C", "id": 5, "messages": [{"id": 1, "type": "message", "text": "first post"}, '
                      '{"id": "x", "type": "message", "text": "bad id"}, {"id": 3, "type": "message", '
                      '"text": "third post"}, {"id": 4, "type": "message", "text": "cut', encoding="utf-8")
    failures: list[tuple[str, str]] = []
    with broken.open("rb") as f:
        kept = [raw.external_id for raw in stream_telegram(f, name="broken.json",
                                                           on_failure=lambda *a: failures.append(a))]
    assert kept == ["1", "3"]
    assert failures[0][0] == "broken.json: message #1" and "malformed (id" in failures[0][1]
    assert failures[1][0] == "broken.json: after message #3" and "not valid JSON" in failures[1][1]


def test_local_pool_and_reanalyze_find_what_one_process_finds(tmp_path: Path) -> None:
    single, pooled, later = tmp_path / "single.sqlite", tmp_path / "pooled.sqlite", tmp_path / "later.sqlite"
    common = ["ingest", str(FIXTURE), "--analyze", "--fast", "--batch", "5"]
    subprocess.run([*CLI, *common, "--db", str(single), "--jobs", "1"], check=True, capture_output=True)
    done = subprocess.run([*CLI, *common, "--db", str(pooled), "--executor", "local", "--workers", "2"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "23 added" in done.stderr and "docs per worker CPU second" in done.stderr
    expected = _findings(single)
    assert len(expected) == 23 and sum(map(len, expected.values())) > 0
    assert _findings(pooled) == expected
    _once(pooled, 23)
    with Store.open(pooled, readonly=True) as store:
        (run,) = list_runs(store)
    assert (run.command, run.status, run.executor, run.workers, run.added) == ("ingest", "finished", "local", 2, 23)

    # stored structure-only, then analysed where it is stored
    subprocess.run([*CLI, "ingest", str(FIXTURE), "--db", str(later), "--jobs", "1"], check=True, capture_output=True)
    done = subprocess.run([*CLI, "reanalyze", "--db", str(later), "--fast", "--workers", "1", "--batch", "7"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert "23 stored documents to analyse" in done.stderr and "23 added" in done.stderr
    assert _findings(later) == expected
    _once(later, 23)


def _crash_once(items: Sequence[Item], analyze: bool, fast: bool, tsvectors: bool, *, marker: str) -> BatchResult:
    """A worker that dies halfway through the first batch it is given (once per test: the marker file)."""
    try:
        fd = os.open(marker, os.O_CREAT | os.O_EXCL)
    except FileExistsError:
        return analyse_batch(items, analyze, fast, tsvectors)
    os.close(fd)
    analyse_batch(items[: len(items) // 2], analyze, fast, tsvectors)
    os._exit(1)


@pytest.fixture
def pg_url() -> object:
    yield from _pg_schema_url()


def test_worker_killed_mid_batch_every_document_analysed_once(tmp_path: Path, pg_url: str) -> None:
    pytest.importorskip("distributed", reason="dask.distributed is not installed (pip install 'rhetorscope[scale]')")
    import functools

    import cloudpickle

    from rhetorscope.scale.executors import DaskExecutor
    from rhetorscope.scale.runner import Runner

    cloudpickle.register_pickle_by_value(sys.modules[__name__])
    export = telegram_export(tmp_path / "result.json", 60)
    with Store.open(pg_url) as store, DaskExecutor("local:2") as cluster:
        run_id = store.begin_run([str(export)], analyzed=True)
        reading = Reading()
        task = functools.partial(_crash_once, marker=str(tmp_path / "crashed"))
        runner = Runner(store, run_id, cluster, analyze=True, fast=True, batch=10, write_batch=10, task=task)
        totals = runner.run(from_files(store, [export], analyze=True, reader_options={}, reading=reading), reading)
        assert (tmp_path / "crashed").exists()
        assert (totals.added, totals.failures, run_failures(store, run_id)) == (60, [], [])
    _once(pg_url, 60)


def _analysed(db: Path) -> int:
    try:
        with sqlite3.connect(db, timeout=30) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM documents WHERE analyzed").fetchone()[0])
    except sqlite3.OperationalError:  # not created yet
        return 0


def test_killed_client_resumes_where_it_stopped(tmp_path: Path) -> None:
    export = telegram_export(tmp_path / "result.json", 200)
    db = tmp_path / "corpus.sqlite"
    cmd = [*CLI, "ingest", str(export), "--db", str(db), "--analyze", "--fast", "--batch", "5", "--executor",
           "local", "--workers", "1"]
    client = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    deadline = time.monotonic() + 120
    while _analysed(db) < 10 and time.monotonic() < deadline and client.poll() is None:
        time.sleep(0.05)
    os.killpg(client.pid, signal.SIGKILL)  # the client and its worker: nothing gets to clean up
    client.wait()
    before = _analysed(db)
    assert 0 < before < 200, "the client was killed mid-run"

    done = subprocess.run(cmd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"{200 - before} added" in done.stderr and f"{before} skipped" in done.stderr
    _once(db, 200)
    with Store.open(db, readonly=True) as store:
        statuses = [r.status for r in list_runs(store)]
    assert statuses == ["finished", "running"]  # the killed one could record nothing



def test_pool_workers_run_the_encoder_on_one_thread_unless_the_user_says(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    """A worker per core, each with a thread per core, spun against each other: workers get one thread each."""
    from concurrent.futures import ProcessPoolExecutor

    from rhetorscope.cli.corpus import _worker_init
    from rhetorscope.scale.executors import LocalExecutor

    monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
    with LocalExecutor(1) as local:
        assert local.call(os.getenv, "OMP_NUM_THREADS") == "1"
    with ProcessPoolExecutor(1, initializer=_worker_init) as pool:
        assert pool.submit(os.getenv, "OMP_NUM_THREADS").result() == "1"
    monkeypatch.setenv("OMP_NUM_THREADS", "3")
    with LocalExecutor(1) as local:
        assert local.call(os.getenv, "OMP_NUM_THREADS") == "3"
    assert os.environ["OMP_NUM_THREADS"] == "3"


def _spanish_and_english(folder: Path) -> Path:
    """A CSV of two posts: 1 in Spanish (stored structure-only by every ingest), 2 in English."""
    posts = folder / "posts.csv"
    posts.write_text(
        "id,date,text\n"
        '1,2024-05-01,"El ministro dijo que las negociaciones fracasaron otra vez por culpa del otro lado, que nunca '
        'quiso escuchar ningún argumento."\n'
        '2,2024-05-02,"The minister said the talks failed again because the other side never wanted to listen to '
        'any argument at all."\n', encoding="utf-8")
    return posts


def test_reanalyze_leaves_a_document_in_an_unsupported_language_structure_only(tmp_path: Path) -> None:
    """`ingest --analyze` stores a Spanish post without analysis; `reanalyze` must not run the models on it."""
    posts = _spanish_and_english(tmp_path)
    db = tmp_path / "c.sqlite"
    done = subprocess.run([*CLI, "ingest", str(posts), "--db", str(db), "--analyze", "--fast", "--jobs", "1"],
                          capture_output=True, text=True)
    assert done.returncode == 0 and "document 1 ('es')" in " ".join(done.stderr.split()), done.stderr
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET analyzed = 0 WHERE language = 'en'")  # as if stored structure-only
    done = subprocess.run([*CLI, "reanalyze", "--db", str(db), "--fast", "--workers", "1"], capture_output=True,
                          text=True)
    assert done.returncode == 0, done.stderr
    assert "1 stored documents to analyse" in " ".join(done.stderr.split())
    with sqlite3.connect(db) as conn:
        assert dict(conn.execute("SELECT language, analyzed FROM documents")) == {"es": 0, "en": 1}


def test_executor_stores_a_post_in_an_unsupported_language_structure_only_as_ingest_does(tmp_path: Path) -> None:
    posts = _spanish_and_english(tmp_path)
    plain, scaled = tmp_path / "plain.sqlite", tmp_path / "scaled.sqlite"
    common = ["ingest", str(posts), "--analyze", "--fast"]
    subprocess.run([*CLI, *common, "--db", str(plain), "--jobs", "1"], check=True, capture_output=True)
    done = subprocess.run([*CLI, *common, "--db", str(scaled), "--executor", "local", "--workers", "1"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    said = " ".join(done.stderr.split())
    assert "1 stored without analysis, in a language rhetorscope does not analyse:" in said and "('es')" in said
    rows = "SELECT external_id, language, analyzed FROM documents ORDER BY external_id"
    with sqlite3.connect(plain) as a, sqlite3.connect(scaled) as b:
        assert a.execute(rows).fetchall() == b.execute(rows).fetchall() == [("1", "es", 0), ("2", "en", 1)]


def test_a_run_ends_with_the_tables_vacuumed_and_the_index_pending_entries_filed(pg_url: str) -> None:
    """Every search reads the full-text index's pending entries whole; a run's end files them (PostgreSQL)."""
    from rhetorscope.store.bulk import vacuum_after_load
    from test_store import analysed

    def pending(store: Store) -> int:  # pages filed by filing them now, undone
        with store.engine.connect() as conn, conn.begin() as transaction:
            pages = int(conn.exec_driver_sql("SELECT gin_clean_pending_list('ix_segments_tsv'::regclass)").scalar())
            transaction.rollback()
            return pages

    with Store.open(pg_url) as store:
        for n in range(30):
            store.add(analysed(f"Post {n}: the ministers met again to talk about sanctions and the summit.",
                               source="s", external_id=str(n)))
        assert pending(store) > 0
        vacuum_after_load(store.engine)
        assert pending(store) == 0
        with store.engine.connect() as conn:
            vacuumed = conn.exec_driver_sql("SELECT COUNT(*) FROM pg_stat_user_tables WHERE relname IN ('documents', "
                                            "'segments', 'passages') AND schemaname = current_schema() "
                                            "AND last_vacuum IS NOT NULL AND last_analyze IS NOT NULL").scalar()
        assert vacuumed == 3


def _member_sets(db: str) -> set[frozenset[str]]:
    """Each near-duplicate cluster's documents (by external id), whatever its id."""
    with Store.open(db, readonly=True) as store, store.engine.connect() as conn:
        rows = conn.execute(text("SELECT p.cluster_id, d.external_id FROM passages p "
                                 "JOIN documents d ON d.id = p.document_id")).all()
    out: dict[int, set[str]] = {}
    for cluster, external in rows:
        out.setdefault(cluster, set()).add(external)
    return {frozenset(members) for members in out.values()}


def test_postgresql_clusters_beside_the_writes_as_one_pass_at_the_end_would(tmp_path: Path, capsys,  # type: ignore[no-untyped-def]
                                                                          monkeypatch) -> None:
    """On PostgreSQL a run's passes go on in a process of their own while the client writes; same clusters."""
    from rhetorscope.scale import runner
    from rhetorscope.store import repeats
    from test_ingest import run

    export = telegram_export(tmp_path / "result.json", 600)
    started: list[int] = []
    original = runner.Runner._start_pass
    monkeypatch.setattr(runner.Runner, "_start_pass", lambda self: started.append(1) or original(self))
    found, passes = [], []
    for every in (20_000, 10):  # one pass at the end; passes every few batches
        monkeypatch.setattr(repeats, "CLUSTER_EVERY", every)
        for url in _pg_schema_url():
            code, _, err = run(capsys, monkeypatch, "ingest", str(export), "--db", url, "--executor", "local",
                               "--workers", "1", "--batch", "20")
            assert code == 0, err
            found.append(_member_sets(url))
            passes.append(len(started))
    assert passes[0] == 0 and passes[1] >= 1  # one at a time, as many as the writes leave time for
    assert found[1] == found[0] and sorted(len(c) for c in found[0])[-5:] == [120] * 5
