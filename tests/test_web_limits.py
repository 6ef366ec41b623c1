"""The analyze pool under abuse: time and memory limits, clients that leave, slow bodies, SIGTERM, kill -9.

Every test uses the real server on 127.0.0.1 and real worker processes; the
large input is generated (one paragraph of prose, no line breaks).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rhetorscope.store import Store
from rhetorscope.web import Settings
from test_ingest import CLI
from test_web_server import REFERENCE, running_server

SMALL = {"text": "The sanctions have failed. Our partners know it very well."}


def _long_paragraph(chars: int) -> str:
    return (" ".join(REFERENCE.read_text(encoding="utf-8").split()) + " ") * (chars // 20_000 + 1)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("limits") / "c.sqlite"
    Store.open(db).close()
    return db


@pytest.fixture(scope="module")
def limited(corpus: Path) -> Iterator[str]:
    settings = Settings(db=str(corpus), workers=1, queue=2, analyze_timeout_s=1.5, body_timeout_s=1.0)
    with running_server(settings) as url:
        yield url


def _in_progress(url: str) -> int:
    return int(httpx.get(f"{url}/api/v1/health").json()["analyses_in_progress"])


def _wait_idle(url: str, seconds: float) -> float:
    started = time.monotonic()
    while _in_progress(url) and time.monotonic() - started < seconds:
        time.sleep(0.1)
    return time.monotonic() - started


def test_an_analysis_over_its_time_limit_is_stopped_and_the_pool_recovers(limited: str) -> None:
    started = time.monotonic()
    slow = httpx.post(f"{limited}/api/v1/analyze", json={"text": _long_paragraph(600_000)}, timeout=60)
    assert slow.status_code == 503 and "longer than the 1.5 s limit" in slow.json()["detail"]
    assert time.monotonic() - started < 10
    small = httpx.post(f"{limited}/api/v1/analyze", json=SMALL, timeout=60)
    assert small.status_code == 200
    assert _in_progress(limited) == 0


def test_a_client_that_leaves_frees_its_slot(limited: str) -> None:
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{limited}/api/v1/analyze", json={"text": _long_paragraph(600_000)}, timeout=0.5)
    assert _wait_idle(limited, 5) < 5
    assert httpx.post(f"{limited}/api/v1/analyze", json=SMALL, timeout=60).status_code == 200


def test_a_body_that_trickles_in_is_answered_408(limited: str) -> None:
    host, port = limited.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(b"POST /api/v1/analyze HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 1000\r\n\r\n")
        started = time.monotonic()
        answer = b""
        sock.settimeout(0.2)
        while b"\r\n\r\n" not in answer and time.monotonic() - started < 10:
            try:
                sock.sendall(b"x")
                answer += sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                break
    assert answer.startswith(b"HTTP/1.1 408"), answer
    assert time.monotonic() - started < 5


def test_a_worker_over_its_memory_limit_is_stopped(corpus: Path) -> None:
    with running_server(Settings(db=str(corpus), workers=1, queue=0, worker_memory_bytes=20 * 1_048_576)) as url:
        answer = httpx.post(f"{url}/api/v1/analyze", json={"text": _long_paragraph(100_000)}, timeout=60)
    assert answer.status_code == 503 and "20 MB memory limit" in answer.json()["detail"]


def _children(pid: int) -> set[int]:
    out = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                    out.add(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    return out


def _alive(pid: int) -> bool:
    try:
        state = (Path("/proc") / str(pid) / "stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


@pytest.fixture
def served(corpus: Path) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([*CLI, "serve", "--db", str(corpus), "--port", str(port), "--workers", "2"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{url}/api/v1/health", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        server.kill()
        pytest.fail("the server did not start")
    try:
        yield server, url
    finally:
        if server.poll() is None:
            server.kill()
            server.wait()


def _busy(url: str) -> None:
    """Keep a worker busy with a long analysis (its answer does not matter)."""
    def post() -> None:
        try:
            httpx.post(f"{url}/api/v1/analyze", json={"text": _long_paragraph(600_000)}, timeout=30)
        except httpx.HTTPError:
            pass

    threading.Thread(target=post, daemon=True).start()
    deadline = time.monotonic() + 10
    while _in_progress(url) == 0 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.5)


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker processes from /proc")
def test_sigterm_stops_a_busy_server_within_seconds_and_leaves_no_workers(served) -> None:  # type: ignore[no-untyped-def]
    server, url = served
    workers = _children(server.pid)
    assert len(workers) >= 2
    _busy(url)
    started = time.monotonic()
    server.send_signal(signal.SIGTERM)
    server.wait(timeout=15)
    assert time.monotonic() - started < 8
    deadline = time.monotonic() + 5
    while [pid for pid in workers if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [(pid, (Path("/proc") / str(pid) / "cmdline").read_bytes()) for pid in workers if _alive(pid)]


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads worker processes from /proc")
def test_workers_die_with_a_killed_server(served) -> None:  # type: ignore[no-untyped-def]
    server, url = served
    workers = _children(server.pid)
    _busy(url)
    os.kill(server.pid, signal.SIGKILL)
    server.wait(timeout=10)
    deadline = time.monotonic() + 5
    while [pid for pid in workers if _alive(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in workers if _alive(pid)]
