"""Robustness table: hostile and careless inputs through every entry point, under a time limit.

Generates each input class (huge paragraphs, deep JSON, NUL bytes, encodings
that used to be misread, rows without text, a zip bomb named .txt, random
Unicode with lone surrogates and bidi controls, a Telegram export with every
field of the wrong type, 100,000 nested HTML elements, a 200,000-line Arabic
file, damaged databases …), runs `analyze`, `ingest` and `POST /api/v1/analyze`
on each (and the read commands and `serve` on each database class), and prints
input class × entry point → exit code or HTTP status, wall time, peak memory,
and the one-line message. It ends by counting tracebacks, hangs (over the time
limit), silent corruptions (exit 0, but the text that must come back did not)
and answers over the memory limit; it exits 1 if any count is not zero.

    python benchmarks/robustness.py                    # full sizes (1 MB paragraph, 10 MB of one character)
    python benchmarks/robustness.py --scale 0.1        # a tenth of the sizes, for a quick look
    python benchmarks/robustness.py --only deep_json_array,nul_after_8k --no-web
"""

from __future__ import annotations

import argparse
import codecs
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from web import free_port, start_server

ROOT = Path(__file__).resolve().parents[1]
REFERENCE = ROOT / "examples" / "mfa-lavrov-interview-2025-03-21.txt"
RUSSIAN = ("Министр заявил, что переговоры провалились, потому что другая сторона отказалась слушать. "
           "Мы всегда были открыты для диалога, сказал он журналистам в Женеве во вторник.\n")
ARABIC = "قال وزير الخارجية إن المفاوضات فشلت لأن الطرف الآخر رفض الاستماع إلى أي حجة.\n"
DEEP = 100_000


@dataclass
class Case:
    """One input class: a file to write, and what must survive in the output when it is accepted."""

    name: str
    filename: str
    make: Callable[[float], bytes]
    #: a text that an accepted analysis must contain (else the run is a silent corruption)
    keep: str | None = None


def _prose(scale: float) -> bytes:
    one_line = " ".join(REFERENCE.read_text(encoding="utf-8").split()) + " "
    size = int(1_000_000 * scale)
    return (one_line * (size // len(one_line) + 1))[:size].encode()


def _zip_bomb(_scale: float) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive, archive.open("inner.txt", "w") as inner:
        for _ in range(100):  # 100 MB of zeros, written in pieces so this process stays small
            inner.write(b"0" * 1_000_000)
    return buffer.getvalue()


def _random_unicode(scale: float) -> bytes:
    rng = random.Random(13)
    pools = [(0x20, 0x7E), (0x400, 0x4FF), (0x202A, 0x202E), (0x2066, 0x2069), (0xD800, 0xDFFF), (0x1F300, 0x1F6FF)]
    chars = [chr(rng.randint(*rng.choice(pools))) for _ in range(int(200_000 * scale))]
    return "".join(chars).encode("utf-8", "surrogatepass")


def _wrong_types(_scale: float) -> bytes:
    messages = [{"id": "seven", "type": 3, "date": [], "text": {"a": 1}, "from": 5, "edited": True},
                {"id": 2, "type": "message", "date": "yesterday", "text": [1, 2, {"x": None}]}]
    return json.dumps({"name": 42, "type": None, "id": "x", "messages": messages}).encode()


def _rows(_scale: float) -> bytes:
    lines = ["id,text"] + [f"{n},Row {n} says the sanctions have failed again." for n in range(1, 21)]
    lines[5], lines[12] = "5,", "12,   "
    return ("\n".join(lines) + "\n").encode()


CASES = [
    Case("long_paragraph", "one-paragraph.txt", _prose, keep="Krasnaya Zvezda"),
    Case("deep_json_array", "result.json", lambda _s: b"[" * DEEP + b"]" * DEEP),
    Case("deep_json_object", "result.json",
         lambda _s: b'{"messages": ' + b'{"a": ' * DEEP + b"1" + b"}" * DEEP + b"}"),
    Case("deep_jsonl_line", "posts.jsonl",
         lambda _s: b'{"text": "fine"}\n{"text": ' + b"[" * DEEP + b"]" * DEEP + b"}\n"),
    Case("nul_after_8k", "statement.txt",
         lambda _s: (REFERENCE.read_text(encoding="utf-8") * 3 + "tail\x00end\n").encode()),
    Case("utf16be_no_bom", "statement.txt", lambda _s: (RUSSIAN * 20).encode("utf-16-be"),
         keep="переговоры провалились"),
    Case("utf8_one_bad_byte", "statement.txt",
         lambda _s: (RUSSIAN * 10).encode() + b" \xff " + (RUSSIAN * 10).encode(), keep="переговоры провалились"),
    Case("cp1251", "statement.txt", lambda _s: (RUSSIAN * 20).encode("cp1251"), keep="переговоры провалились"),
    Case("utf16le_bom", "statement.txt", lambda _s: codecs.BOM_UTF16_LE + (RUSSIAN * 20).encode("utf-16-le"),
         keep="переговоры провалились"),
    Case("csv_rows_without_text", "posts.csv", _rows),
    Case("csv_200kb_field", "articles.csv",
         lambda _s: ('id,text\n1,"' + "A long article sentence, with a comma. " * 5_200 + '"\n').encode(),
         keep="A long article sentence"),
    Case("zip_bomb_as_text", "notes.txt", _zip_bomb),
    Case("one_char_10mb", "x.txt", lambda s: b"x" * int(10_000_000 * s)),
    Case("million_empty_lines", "empty.txt", lambda _s: b"\n" * 1_000_000),
    Case("random_unicode", "noise.txt", _random_unicode),
    Case("telegram_wrong_types", "result.json", _wrong_types),
    Case("html_100k_nested", "page.html",
         lambda _s: b"<html><body>" + b"<div>" * DEEP + b"<p>Deep words here, a sentence of them.</p>"
         + b"</div>" * DEEP + b"</body></html>"),
    Case("arabic_200k_lines", "arabic.txt", lambda s: (ARABIC * int(200_000 * s)).encode()),
]
DB_CASES = {
    "db_not_sqlite": lambda path: path.write_text("not a database, just words " * 100),
    "db_truncated": lambda path: path.write_bytes(_corpus_bytes()[:20_000]),
    "db_missing": lambda path: None,
    "db_foreign_tables": lambda path: sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.commit(),
}
READ_COMMANDS = {"search": ["search", "x"], "repeats": ["repeats"], "trends": ["trends"],
                 "export": ["export", "", "--out", "{tmp}/export.jsonl"], "serve": ["serve", "--port", "{port}"]}


def _corpus_bytes() -> bytes:
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "c.sqlite"
        subprocess.run([sys.executable, "-m", "rhetorscope", "ingest", str(REFERENCE), "--db", str(db), "--jobs", "1"],
                       check=True, capture_output=True)
        with sqlite3.connect(db) as conn:
            conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        return db.read_bytes()


@dataclass
class Row:
    case: str
    entry: str
    code: str
    seconds: float
    peak_mb: float | None
    message: str
    traceback: bool = False
    hang: bool = False
    corrupted: bool = False


def run_cli(args: list[str], timeout: float) -> tuple[int | None, str, str, float, float]:
    """(exit code or None on timeout, stdout, stderr, seconds, peak MB) of one CLI run."""
    started = time.perf_counter()
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, "-m", "rhetorscope", *args], stdout=out, stderr=err,
                                stdin=subprocess.DEVNULL, env={**os.environ, "COLUMNS": "400"})
        code: int | None = None
        peak = 0.0
        while time.perf_counter() - started < timeout:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                code, peak = os.waitstatus_to_exitcode(status), usage.ru_maxrss / 1024
                break
            time.sleep(0.05)
        else:
            proc.kill()
            _, _, usage = os.wait4(proc.pid, 0)
            peak = usage.ru_maxrss / 1024
        proc.returncode = code if code is not None else -9
        out.seek(0)
        err.seek(0)
        return code, out.read().decode("utf-8", "replace"), err.read().decode("utf-8", "replace"), \
            time.perf_counter() - started, peak


def _message(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    errors = [line for line in lines if line.startswith("rhetorscope:")]
    return (errors[-1] if errors else lines[-1] if lines else "").removeprefix("rhetorscope: ")[:150]


def cli_row(case: str, entry: str, args: list[str], timeout: float, keep: str | None = None,
            check_db: Path | None = None) -> Row:
    code, out, err, seconds, peak = run_cli(args, timeout)
    row = Row(case, entry, "hang" if code is None else str(code), seconds, peak, _message(err),
              traceback="Traceback" in err, hang=code is None)
    if code == 0 and keep is not None:
        stored = out
        if check_db is not None and check_db.exists():
            with sqlite3.connect(check_db) as conn:
                stored = "\n".join(t for (t,) in conn.execute("SELECT text FROM documents"))
        row.corrupted = keep not in stored
    return row


def api_row(case: Case, path: Path, url: str, timeout: float) -> Row:
    started = time.perf_counter()
    try:
        with path.open("rb") as handle:
            answer = httpx.post(f"{url}/api/v1/analyze", files={"file": (case.filename, handle)}, timeout=timeout)
    except httpx.TimeoutException:
        return Row(case.name, "POST /api/v1/analyze", "hang", time.perf_counter() - started, None, "", hang=True)
    except httpx.HTTPError as exc:
        return Row(case.name, "POST /api/v1/analyze", "error", time.perf_counter() - started, None, str(exc)[:110],
                   traceback=True)
    seconds = time.perf_counter() - started
    try:
        body = answer.json()
    except ValueError:
        body = {}
    message = f"{body.get('detail')} — {body.get('hint')}" if answer.status_code != 200 and body else ""
    row = Row(case.name, "POST /api/v1/analyze", str(answer.status_code), seconds, None, message[:110],
              traceback=(answer.status_code >= 500 and answer.status_code != 503) or "Traceback" in answer.text)
    if answer.status_code == 200 and case.keep is not None:
        row.corrupted = case.keep not in answer.text
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=1.0, help="multiply the generated sizes")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds before a run counts as a hang")
    parser.add_argument("--memory-mb", type=float, default=2048.0, help="peak memory over this is a failure")
    parser.add_argument("--only", default="", help="comma-separated input classes to run")
    parser.add_argument("--no-web", action="store_true", help="skip the web API column")
    args = parser.parse_args()
    only = {c for c in args.only.split(",") if c}
    rows: list[Row] = []
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        server = url = None
        if not args.no_web:
            web_db = tmp / "web.sqlite"
            subprocess.run([sys.executable, "-m", "rhetorscope", "ingest", str(REFERENCE), "--db", str(web_db),
                            "--jobs", "1"], check=True, capture_output=True)
            port = free_port()
            server = start_server(web_db, port, 2)
            url = f"http://127.0.0.1:{port}"
        try:
            for case in CASES:
                if only and case.name not in only:
                    continue
                folder = tmp / case.name
                folder.mkdir()
                path = folder / case.filename
                path.write_bytes(case.make(args.scale))
                rows.append(cli_row(case.name, "analyze", ["analyze", str(path), "--format", "json"], args.timeout,
                                    case.keep))
                db = folder / "c.sqlite"
                rows.append(cli_row(case.name, "ingest", ["ingest", str(path), "--db", str(db), "--jobs", "1"],
                                    args.timeout, case.keep, check_db=db))
                if url is not None:
                    rows.append(api_row(case, path, url, args.timeout))
                print(f"  done {case.name}", file=sys.stderr, flush=True)
            for name, make in DB_CASES.items():
                if only and name not in only:
                    continue
                db = tmp / f"{name}.sqlite"
                make(db)
                for entry, command in READ_COMMANDS.items():
                    argv = [a.format(tmp=tmp, port=free_port()) for a in command] + ["--db", str(db)]
                    rows.append(cli_row(name, entry, argv, min(args.timeout, 30.0)))
                rows.append(cli_row(name, "ingest", ["ingest", str(REFERENCE), "--db", str(db), "--jobs", "1"],
                                    args.timeout))
        finally:
            if server is not None:
                server.terminate()
                server.wait(30)
    report(rows, args)


def report(rows: list[Row], args: argparse.Namespace) -> None:
    over_memory = [r for r in rows if r.peak_mb is not None and r.peak_mb > args.memory_mb]
    print(f"machine: {os.cpu_count()} CPUs · scale {args.scale:g} · time limit {args.timeout:g} s · "
          f"memory limit {args.memory_mb:g} MB")
    print(f"{'input class':<22} {'entry point':<21} {'exit':>5} {'time s':>7} {'peak MB':>8}  message")
    for r in rows:
        flags = "".join(f" [{f}]" for f, on in (("TRACEBACK", r.traceback), ("HANG", r.hang),
                                                  ("CORRUPTED", r.corrupted)) if on)
        peak = f"{r.peak_mb:.0f}" if r.peak_mb is not None else "-"
        print(f"{r.case:<22} {r.entry:<21} {r.code:>5} {r.seconds:>7.1f} {peak:>8}  {r.message}{flags}")
    counts = {"tracebacks": sum(r.traceback for r in rows), "hangs": sum(r.hang for r in rows),
              "silent corruptions": sum(r.corrupted for r in rows), "over memory": len(over_memory)}
    print(" · ".join(f"{n} {name}" for name, n in counts.items()))
    if any(counts.values()):
        raise SystemExit(1)


if __name__ == "__main__":
    main()
