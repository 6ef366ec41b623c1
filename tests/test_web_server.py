"""The real server the web tests talk to, a fixture corpus, and tests of the server's own machinery.

`running_server` starts uvicorn on 127.0.0.1 on a free port (the socket is bound
here, so no other process can take the port in between) in a thread, and stops
it on exit. The other test_web_* modules import these helpers.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn

from rhetorscope.model import Analysis, Finding
from rhetorscope.pipeline import default_pipeline
from rhetorscope.readers.base import RawDocument
from rhetorscope.store import Store
from rhetorscope.web import Settings, create_app
from rhetorscope.web.reports import ReportCache

REFERENCE = Path(__file__).resolve().parents[1] / "examples" / "mfa-lavrov-interview-2025-03-21.txt"
TALKING_POINT = ("The sanctions have failed to isolate our country and only hurt the economies "
                 "of those who imposed them.")


@contextmanager
def running_server(settings: Settings, app: object | None = None) -> Iterator[str]:
    """Serve `create_app(settings)` (or `app`) on 127.0.0.1; yields the base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(app or create_app(settings), log_level="warning", lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 90
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
        sock.close()


def _technique(analysis: Analysis, segment_index: int, technique: str, category: str, words: int) -> Finding:
    """A technique finding over the first `words` words of a segment, as the span tagger would add it."""
    seg = analysis.document.segments[segment_index]
    end = seg.start + len(" ".join(seg.text.split(" ")[:words]))
    return Finding(id=f"f{len(analysis.findings) + 1}", kind="technique", technique=technique, category=category,
                   segment_id=seg.id, start=seg.start, end=end, text=analysis.document.text[seg.start:end],
                   confidence=0.83, evidence=["test fixture"], source="fixture")


def fixture_corpus(db: Path) -> dict[str, int]:
    """Ingest a small corpus: the reference interview plus dated posts from two channels in two languages.

    Technique findings are added by hand, so facets and trends have something to count whatever
    models are installed. Returns document row ids by name.
    """
    pipeline = default_pipeline(techniques=False)
    posts = {
        "reference": RawDocument(text=REFERENCE.read_text(encoding="utf-8"), input_format="text",
                                 source="mid.ru"),
        "alpha-1": RawDocument(text=f"{TALKING_POINT}\n\nThe West keeps provoking a new crisis every week.",
                               input_format="text", source="channel-alpha", date=dt.date(2025, 1, 14),
                               external_id="1"),
        "alpha-2": RawDocument(text=f"Once again: {TALKING_POINT}\n\nOur partners in the West know it.",
                               input_format="text", source="channel-alpha", date=dt.date(2025, 2, 3),
                               external_id="2"),
        "beta-1": RawDocument(text=f"{TALKING_POINT}\n\nHistory will judge those who started this war "
                                   "of words against the West.", input_format="text", source="channel-beta",
                              date=dt.date(2025, 2, 20), external_id="7"),
        "beta-fr": RawDocument(text="Les sanctions occidentales ont échoué et frappent surtout ceux qui les ont "
                                    "imposées. L'Occident le sait très bien.", input_format="text",
                               source="channel-beta", date=dt.date(2025, 3, 2), external_id="8"),
    }
    ids = {}
    with Store.open(db) as store:
        for name, raw in posts.items():
            analysis = pipeline(raw)
            if name != "reference":
                analysis.findings.append(_technique(analysis, 0, "Loaded_Language", "manipulative_wording", 4))
            if name == "alpha-2":
                analysis.findings.append(_technique(analysis, 0, "Doubt", "attack_on_reputation", 6))
            store.add(analysis)
            ids[name] = store.find_documents(analysis.document.id)[-1]
        store.update_repeats()  # as `ingest` does at its end; the read-only web app never writes clusters
    return ids


def test_report_cache_drops_least_recently_used_past_its_size() -> None:
    cache = ReportCache(max_bytes=10)
    cache.put("a", "1234")
    cache.put("b", "5678")
    assert cache.get("a") == "1234"  # a is now the most recently used
    cache.put("c", "90ab")
    assert cache.get("b") is None and cache.get("a") == "1234" and cache.get("c") == "90ab"
    assert cache.size == 8
    cache.put("huge", "x" * 11)
    assert cache.get("huge") is None and cache.size == 8


def test_server_starts_answers_and_stops(tmp_path: Path) -> None:
    with running_server(Settings(db=str(tmp_path / "c.sqlite"), workers=1, queue=0, create_db=True)) as url:
        health = httpx.get(f"{url}/api/v1/health").json()
    assert health["status"] == "ok" and health["workers"] == 1 and health["capacity"] == 1
    with pytest.raises(httpx.ConnectError):
        httpx.get(f"{url}/api/v1/health", timeout=2)


def test_cli_start_does_not_import_the_web_stack() -> None:
    """`rhetorscope analyze` must stay fast: FastAPI, uvicorn and the web package load only in `serve`."""
    code = "import sys, rhetorscope.cli; print(sorted(m for m in ('fastapi', 'uvicorn', 'rhetorscope.web') " \
           "if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         env={**os.environ, "PYTHONWARNINGS": "ignore"})
    assert out.stdout.strip() == "[]"


def test_serve_command_defaults_to_loopback() -> None:
    out = subprocess.run([sys.executable, "-m", "rhetorscope", "serve", "--help"], capture_output=True, text=True,
                         check=True, env={**os.environ, "COLUMNS": "200", "NO_COLOR": "1"})
    for option in ("--db", "--host", "--port", "--workers", "--max-body-mb"):
        assert option in out.stdout
    assert "127.0.0.1" in out.stdout
    assert Settings().host == "127.0.0.1" and Settings().loopback
