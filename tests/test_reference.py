"""The reference document: the product's first impression, checked against the issue's acceptance list."""

from __future__ import annotations

import datetime as dt

import pytest

from rhetorscope.model import Analysis
from rhetorscope.pipeline import default_pipeline
from rhetorscope.readers import read_path


@pytest.fixture(scope="module")
def analysis(reference_path) -> Analysis:
    (raw,) = read_path(reference_path)
    return default_pipeline()(raw)


def by_kind(analysis: Analysis, kind: str):
    return [s for s in analysis.document.segments if s.kind == kind]


def test_title_and_date(analysis):
    meta = analysis.document.metadata
    assert meta.title.startswith("Russia's Foreign Minister Sergey Lavrov’s interview with")
    assert meta.title.endswith('"Diplomacy as a Way of Life: I Prefer Fair Play"')
    assert meta.date == dt.date(2025, 3, 21)
    assert meta.source_line == "(March 21, 2025) Read in full"
    assert meta.language == "en"


def test_speakers_on_lead_answer_and_key_points(analysis):
    turns = [s for s in analysis.document.segments if s.kind in ("lead", "answer")]
    assert len([s for s in turns if s.speaker == "Sergey Lavrov"]) >= 3
    key_points = by_kind(analysis, "key_point")
    assert len(key_points) == 5
    assert {s.speaker for s in key_points} == {"Sergey Lavrov"}
    assert key_points[0].text.startswith("Multipolarity means")
    assert key_points[1].text.endswith("mutually beneficial results.")  # the hard-wrapped continuation stays
    assert key_points[4].text.startswith("No other language")


def test_question_split_from_glued_answer(analysis):
    (question,) = by_kind(analysis, "question")
    assert question.speaker == "Interviewer"
    assert question.text.endswith("in the international arena?")
    following = analysis.document.segments[analysis.document.segments.index(question) + 1]
    assert following.kind == "answer" and following.speaker == "Sergey Lavrov"
    assert following.text.startswith("Our leadership was primarily focused on the West")


def test_editorial_insertions(analysis):
    editorial = [e.text for s in analysis.document.segments for e in s.editorial]
    assert editorial == ["[in 1994]", "[with the US]", "[as Russian]"]
    text = analysis.document.text
    for seg in analysis.document.segments:
        for e in seg.editorial:
            assert text[e.start:e.end] == e.text


def test_glued_sentences_repaired(analysis):
    text = analysis.document.text
    assert "a huge mistake. Starting with Yevgeny Primakov" in text
    assert "[in 1994] on creating" in text
    assert "mistake.Starting" not in text
    answer = next(s for s in by_kind(analysis, "answer") if "Starting with" in s.text)
    assert any(sent.text == "This, of course, was a huge mistake." for sent in answer.sentences)


def test_lead_quote_repetition_links_both_places(analysis):
    repetitions = [f for f in analysis.findings if f.kind == "repetition"]
    assert len(repetitions) == 1
    (rep,) = repetitions
    lead = by_kind(analysis, "lead")[0]
    assert rep.text.startswith("The leadership focused on creating proper conditions")
    assert rep.text.endswith("This, of course, was a huge mistake.")
    assert rep.segment_id != lead.id
    (place,) = rep.related
    assert place.segment_id == lead.id and place.relation == "repeats"
    assert analysis.document.text[place.start:place.end].startswith("The leadership focused [in 1994] on")
    assert rep.confidence >= 0.9


def test_offsets_point_into_repaired_and_original_text(analysis, reference_path):
    original = reference_path.read_text(encoding="utf-8")
    doc = analysis.document
    for seg in doc.segments:
        assert doc.text[seg.start:seg.end] == seg.text
        for sent in seg.sentences:
            assert doc.text[sent.start:sent.end] == sent.text
        first_word = seg.text.split()[0]
        assert original[seg.original_start:seg.original_end].startswith(first_word)
    for finding in analysis.findings:
        assert doc.text[finding.start:finding.end] == finding.text


def test_closing_and_title_segments(analysis):
    (closing,) = by_kind(analysis, "closing")
    assert closing.text == "Diplomacy mirrors life: complex, yet we must endure and labour on."
    assert closing.speaker is None
    (title,) = by_kind(analysis, "title")
    assert not title.text.startswith("🎙")


def test_pipeline_reports_each_stage_in_order(reference_path):
    (raw,) = read_path(reference_path)
    pipeline = default_pipeline()
    stages: list[str] = []
    pipeline(raw, on_stage=stages.append)
    assert stages == pipeline.names
    assert stages[:5] == ["repair", "structure", "language", "sentences", "repetition"]
