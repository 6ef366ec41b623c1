"""The notebook API: analyze (text, path, several documents, language), analyze_many, frames, JSON, Corpus."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

import rhetorscope
from rhetorscope.language import UnsupportedLanguage
from rhetorscope.model import Analysis
from rhetorscope.render.notebook import ROOT

FIXTURES = Path(__file__).parent / "fixtures"
SPANISH = ("El ministro de Asuntos Exteriores declaró que el diálogo debe ser equitativo y que las sanciones nunca "
           "alcanzaron sus objetivos.")
POST = "The sanctions have failed to isolate our country and only hurt the economies of those who imposed them."


@pytest.fixture(scope="module")
def report(reference_path: Path) -> Analysis:
    result = rhetorscope.analyze(reference_path, fast=True)
    assert isinstance(result, Analysis)
    return result


def test_analyze_a_path_a_text_and_a_file_of_several(report: Analysis, reference_path: Path) -> None:
    assert report.document.metadata.source == str(reference_path) and report.findings
    assert rhetorscope.analyze(str(reference_path), fast=True) == report  # a string naming a file is that file
    text = rhetorscope.analyze(POST, fast=True)
    assert isinstance(text, Analysis) and text.document.metadata.language == "en"
    several = rhetorscope.analyze(FIXTURES / "telegram_export.json", fast=True, language="ru")
    assert isinstance(several, list) and len(several) > 1
    html = rhetorscope.analyze("<html><body><article><h1>T</h1><p>" + POST + "</p></article></body></html>",
                               input_format="html", fast=True)
    assert isinstance(html, Analysis) and html.document.metadata.input_format == "html"


def test_language_policy_refuses_or_follows_the_override() -> None:
    with pytest.raises(UnsupportedLanguage, match=r"unsupported language \('es'\)"):
        rhetorscope.analyze(SPANISH, fast=True)
    forced = rhetorscope.analyze(SPANISH, language="it", fast=True)
    assert isinstance(forced, Analysis) and forced.document.metadata.language == "it"
    assert {s.language for s in forced.document.segments} == {"it"}
    with pytest.raises(UnsupportedLanguage, match="unsupported language 'es'"):
        rhetorscope.analyze(POST, language="es")


def test_frames_json_and_notebook_html(report: Analysis) -> None:
    findings = report.findings_frame()
    assert len(findings) == len(report.findings) and list(findings.columns)[:4] == ["document", "finding", "kind",
                                                                                     "technique"]
    segments = report.segments_frame()
    assert len(segments) == len(report.document.segments) and segments["findings"].sum() == len(report.findings)
    assert Analysis.from_json(report.to_json()) == report
    html = report._repr_html_()
    assert html.startswith(f'<div class="{ROOT[1:]}">') and "<script" not in html.lower()
    css = html[html.index("<style>") + 7:html.index("</style>")]
    selectors = [s.strip() for block in re.findall(r"([^{}]+)\{[^{}]*\}", css) for s in block.split(",")]
    assert selectors and all(s.startswith(ROOT) for s in selectors), [s for s in selectors if not s.startswith(ROOT)]
    assert "@media print" in css


def test_analyze_many_keeps_order_and_reports_one_failure(tmp_path: Path) -> None:
    items = [POST, tmp_path / "missing.txt", "Our partners in the West know that the sanctions have failed."]
    with pytest.warns(UserWarning, match=r"1 of 3 inputs could not be analysed \(first: #1"):
        results = rhetorscope.analyze_many(items, n_jobs=2, progress=False, fast=True)
    assert isinstance(results[0], Analysis) and isinstance(results[2], Analysis)
    assert results[0].document.text == POST and "partners" in results[2].document.text
    failed = results[1]
    assert isinstance(failed, rhetorscope.Failed) and not failed and failed.index == 1
    assert "no such file" in failed.error


def test_corpus_ingests_and_answers_typed_results(tmp_path: Path) -> None:
    posts = tmp_path / "posts.csv"
    with posts.open("w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f)
        writer.writerow(["id", "channel", "date", "text"])
        for n in range(6):
            writer.writerow([n, "alpha" if n % 2 else "beta", f"2024-0{1 + n % 3}-1{n}",
                             f"{POST} Post {n} says the West keeps provoking a crisis like shameless, lying "
                             "hypocrites."])
        writer.writerow([99, "beta", "2024-02-02", SPANISH])
    with rhetorscope.Corpus(tmp_path / "corpus.sqlite") as corpus:
        stats = corpus.ingest(posts, fast=True)
        assert stats["documents"] == 7 and stats["analyzed"] == 6  # the Spanish post: stored, not analysed
        hits = corpus.search("sanctions", source="alpha")
        assert hits.total == 3 and list(hits.to_frame()["source"].unique()) == ["alpha"]
        repeats = corpus.repeats(min_count=3, occurrences=100)
        assert repeats.total == 1 and len(repeats.to_frame()) == repeats.clusters[0].count >= 6
        spread = corpus.spread(repeats.clusters[0].id)
        assert spread.to_frame()["order"].tolist() == [1, 2, 3, 4, 5, 6]
        assert len(corpus.trends(by="month", since="2024-01-01").to_frame()) >= 1
        comparison = corpus.compare(by="source")
        assert {g.name for g in comparison.groups} == {"alpha", "beta"} and all(g.small for g in comparison.groups)
        assert set(comparison.to_frame()["group"]) == {"alpha", "beta"}
        assert "7 documents, 6 analysed" in repr(corpus)
