"""The CLI as a user meets it: real subprocesses, exit codes, one-line errors, atomic output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import FIXTURES


def run(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "rhetorscope", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=120)


def test_analyze_reference_to_json_file(tmp_path, reference_path):
    out = tmp_path / "report.json"
    result = run("analyze", str(reference_path), "--format", "json", "--out", str(out))
    assert result.returncode == 0, result.stderr
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["document"]["metadata"]["date"] == "2025-03-21"
    assert [p.name for p in tmp_path.iterdir()] == ["report.json"]  # no temporary files left


def test_analyze_html_and_text_to_stdout(reference_path):
    html = run("analyze", str(reference_path), "--format", "html")
    assert html.returncode == 0 and html.stdout.startswith("<!doctype html>")
    text = run("analyze", str(reference_path))
    assert text.returncode == 0 and "Sergey Lavrov" in text.stdout


def test_input_format_override(tmp_path):
    page = tmp_path / "page.txt"
    page.write_text("<p>Plain words. Nothing else here to see today.</p>", encoding="utf-8")
    as_text = run("analyze", str(page), "--format", "json", "--input-format", "text")
    assert json.loads(as_text.stdout)["document"]["metadata"]["input_format"] == "text"
    sniffed = run("analyze", str(page), "--format", "json")
    assert json.loads(sniffed.stdout)["document"]["metadata"]["input_format"] == "html"


def _bad_inputs(tmp: Path) -> dict[str, tuple[list[str], str]]:
    (tmp / "empty.txt").write_bytes(b"")
    (tmp / "blank.txt").write_bytes(b"  \n\n ")
    (tmp / "image.png").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    (tmp / "random.bin").write_bytes(bytes((i * 37 + 11) % 256 for i in range(4000)))
    (tmp / "latin.txt").write_bytes(b"\x81\x8d\x8f\x90\x9d" * 50)
    (tmp / "result.json").write_text('{"name": "c", "messages": [{"id": 1, "type": "message", "text": 7}]}')
    (tmp / "big.txt").write_bytes(b"word " * 300_000)
    (tmp / "spanish.txt").write_text("El ministro de Asuntos Exteriores declaró que el diálogo debe ser "
                                     "equitativo y que las sanciones nunca alcanzaron sus objetivos.")
    return {
        "missing": (["missing.txt"], "no such file"),
        "directory": ([str(tmp)], "is a directory"),
        "empty": (["empty.txt"], "is empty"),
        "blank": (["blank.txt"], "is empty"),
        "binary image": (["image.png"], "a PNG image"),
        "binary data": (["random.bin"], "binary"),
        "undecodable": (["latin.txt"], "UTF-8"),
        "malformed telegram": (["result.json"], "message #0"),
        "too big": (["big.txt", "--max-size", "1"], "over the 1 MB limit"),
        "unknown language": (["spanish.txt"], "unsupported language ('es')"),
        "unknown input format": (["spanish.txt", "--input-format", "pdf"], "pdf"),
    }


BAD_INPUT_CASES = ["missing", "directory", "empty", "blank", "binary image", "binary data", "undecodable",
                   "malformed telegram", "too big", "unknown language", "unknown input format"]


@pytest.mark.parametrize("case", BAD_INPUT_CASES)
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, case):
    args, message = _bad_inputs(tmp_path)[case]
    out = tmp_path / "out.json"
    result = run("analyze", *args, "--format", "json", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    if case != "unknown input format":  # a usage error: typer prints usage plus the message
        assert len(result.stderr.strip().splitlines()) == 1
    assert not out.exists()
    assert not any(p.name.startswith(".out.json") for p in tmp_path.iterdir())


def test_telegram_export_gives_one_json_line_per_message():
    result = run("analyze", str(FIXTURES / "telegram_export.json"), "--format", "json")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 23
