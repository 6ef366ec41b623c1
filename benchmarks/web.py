"""Web app benchmark: warm `POST /api/v1/analyze` latency, then concurrent clients mixing analyze and search.

Starts `rhetorscope serve` as its own process on 127.0.0.1 (a free port) over a
fresh corpus holding the reference interview and posts cut from it, so the
numbers include HTTP, JSON and the worker pool, and the load generator does not
share the server's CPU time slice. Only loopback traffic; every loop is bounded
in time.

Then the burst of issue 13: `--burst` clients each post about 1 MB of prose in
one paragraph and give up after `--burst-timeout` seconds. After the burst a
small request must be answered within 2 s, and the server must stop within 5 s
of SIGTERM and leave no worker process behind.

    python benchmarks/web.py                       # 50 sequential analyses, 20 clients for 30 s, a burst of 50
    python benchmarks/web.py --duration 5 --clients 4 --burst 10
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import itertools
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from long_text import one_paragraph

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "examples" / "mfa-lavrov-interview-2025-03-21.txt"
QUERIES = ["west", "partnership", '"little brother"', "nato OR alliance", "sovereign*", "referendum -crimea",
           "multipolarity", "G7"]


def build_corpus(db: Path) -> None:
    """The reference interview, plus each of its paragraphs as a dated post of its own."""
    from rhetorscope.pipeline import default_pipeline
    from rhetorscope.readers.base import RawDocument
    from rhetorscope.store import Store

    text = REFERENCE.read_text(encoding="utf-8")
    pipeline = default_pipeline()
    raws = [RawDocument(text=text, input_format="text", source="mid.ru")]
    paragraphs = [p for p in text.split("\n\n") if len(p.split()) > 12]
    raws += [RawDocument(text=p, input_format="text", source=f"channel-{i % 3}", external_id=str(i),
                         date=dt.date(2025, 1, 1) + dt.timedelta(days=7 * i)) for i, p in enumerate(paragraphs)]
    with Store.open(db) as store:
        for raw in raws:
            store.add(pipeline(raw))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(db: Path, port: int, workers: int) -> subprocess.Popen[bytes]:
    server = subprocess.Popen([sys.executable, "-m", "rhetorscope", "serve", "--db", str(db), "--port", str(port),
                               "--workers", str(workers)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                              env={**os.environ, "RHETORSCOPE_TOKEN": ""})
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/api/v1/health", timeout=1).is_success:
                return server
        except httpx.TransportError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not start within 120 s")


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[int(q) - 1] if len(values) > 1 else values[0]


def warm_latency(url: str, requests: int) -> list[float]:
    body = {"text": REFERENCE.read_text(encoding="utf-8"), "name": REFERENCE.name}
    times = []
    with httpx.Client(base_url=url, timeout=30) as http:
        for i in range(5 + requests):
            start = time.perf_counter()
            http.post("/api/v1/analyze", json=body).raise_for_status()
            if i >= 5:  # the first five warm the connection, the workers and their caches
                times.append(time.perf_counter() - start)
    return times


async def load(url: str, clients: int, duration: float) -> dict[str, list[float] | int]:
    """`clients` concurrent loops, alternating analyze and search, until `duration` seconds have passed."""
    body = {"text": REFERENCE.read_text(encoding="utf-8"), "name": REFERENCE.name}
    latencies: dict[str, list[float]] = {"analyze": [], "search": []}
    errors = 0
    deadline = time.monotonic() + duration
    limits = httpx.Limits(max_connections=clients)

    async def client(index: int, http: httpx.AsyncClient) -> None:
        nonlocal errors
        for step in itertools.count(index):
            if time.monotonic() >= deadline:
                return
            kind = "analyze" if step % 2 == 0 else "search"
            start = time.perf_counter()
            try:
                if kind == "analyze":
                    response = await http.post("/api/v1/analyze", json=body)
                else:
                    response = await http.get("/api/v1/search", params={"q": QUERIES[step % len(QUERIES)]})
                ok = response.is_success
            except httpx.HTTPError:
                ok = False
            if ok:
                latencies[kind].append(time.perf_counter() - start)
            else:
                errors += 1

    async with httpx.AsyncClient(base_url=url, timeout=60, limits=limits) as http:
        await asyncio.gather(*(client(i, http) for i in range(clients)))
    return {**latencies, "errors": errors}


async def burst(url: str, clients: int, size: int, timeout: float) -> dict[str, object]:
    """`clients` posts of `size` characters at once, each abandoned after `timeout` s; then one small request."""
    body = {"text": one_paragraph(size)}
    outcomes: dict[str, int] = {}

    async def post(http: httpx.AsyncClient) -> None:
        try:
            key = str((await http.post("/api/v1/analyze", json=body)).status_code)
        except httpx.TimeoutException:
            key = "gave up"
        except httpx.HTTPError:
            key = "error"
        outcomes[key] = outcomes.get(key, 0) + 1

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=timeout, limits=limits) as http:
        await asyncio.gather(*(post(http) for _ in range(clients)))
    start = time.perf_counter()
    small = httpx.post(f"{url}/api/v1/analyze", json={"text": "The sanctions have failed. Everyone knows it."},
                       timeout=30)
    return {"outcomes": outcomes, "small_status": small.status_code, "small_s": time.perf_counter() - start,
            "in_progress": httpx.get(f"{url}/api/v1/health").json()["analyses_in_progress"]}


def children(pid: int) -> set[int]:
    """Processes whose parent is `pid` (the analyze workers), from /proc."""
    found = set()
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                found.add(int(entry.name))
        except (OSError, IndexError, ValueError):
            continue
    return found


def stop(server: subprocess.Popen[bytes]) -> tuple[float, int]:
    """SIGTERM the server: seconds until it exited, and how many of its workers are still alive 1 s later."""
    workers = children(server.pid)
    start = time.perf_counter()
    server.terminate()
    try:
        server.wait(30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait()
    seconds = time.perf_counter() - start
    time.sleep(1)
    alive = [p for p in workers if Path(f"/proc/{p}").exists()
             and Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"]
    return seconds, len(alive)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=50, help="sequential warm analyses to time")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients in the load run")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of the load run")
    parser.add_argument("--workers", type=int, default=2, help="the server's analyze worker processes")
    parser.add_argument("--burst", type=int, default=50, help="clients in the burst of long documents (0: none)")
    parser.add_argument("--burst-size", type=float, default=1.0, help="MB of one-paragraph prose per burst request")
    parser.add_argument("--burst-timeout", type=float, default=10.0, help="seconds before a burst client gives up")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "corpus.sqlite"
        build_corpus(db)
        port = free_port()
        server = start_server(db, port, args.workers)
        url = f"http://127.0.0.1:{port}"
        try:
            times = warm_latency(url, args.requests)
            result = asyncio.run(load(url, args.clients, args.duration))
            after = asyncio.run(burst(url, args.burst, int(args.burst_size * 1_000_000), args.burst_timeout)) \
                if args.burst else None
        finally:
            stopped_s, orphans = stop(server)

    ms = [t * 1000 for t in times]
    print(f"machine: {os.cpu_count()} CPUs · server workers: {args.workers}")
    print(f"warm POST /api/v1/analyze, reference document ({REFERENCE.stat().st_size} bytes), {len(ms)} requests: "
          f"p50 {percentile(ms, 50):.0f} ms · p95 {percentile(ms, 95):.0f} ms · max {max(ms):.0f} ms "
          f"(target p95 <= 300 ms)")
    analyze, search = result["analyze"], result["search"]
    assert isinstance(analyze, list) and isinstance(search, list)
    total = len(analyze) + len(search) + int(result["errors"])  # type: ignore[call-overload]
    print(f"{args.clients} clients for {args.duration:.0f} s, alternating analyze and search: {total} requests, "
          f"{result['errors']} errors, {total / args.duration:.1f} requests/s")
    for name, values in (("analyze", analyze), ("search", search)):
        if values:
            v = [t * 1000 for t in values]
            print(f"  {name}: {len(v)} ok · p50 {percentile(v, 50):.0f} ms · p95 {percentile(v, 95):.0f} ms")

    if after is not None:
        print(f"burst of {args.burst} × {args.burst_size:g} MB one-paragraph posts, clients giving up after "
              f"{args.burst_timeout:g} s: {after['outcomes']}; then a small request: {after['small_status']} in "
              f"{after['small_s']:.2f} s (target ≤ 2 s), {after['in_progress']} analyses still in progress")
    print(f"SIGTERM: stopped in {stopped_s:.1f} s (target ≤ 5 s), {orphans} worker processes left (target 0)")


if __name__ == "__main__":
    main()
