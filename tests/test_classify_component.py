"""The paragraph classifier inside `analyze`: one finding per predicted technique, with evidence."""

from __future__ import annotations

from rhetorscope.classify.component import ParagraphTechniqueComponent
from rhetorscope.model import Document, DocumentMetadata, Segment
from rhetorscope.pipeline import technique_components
from rhetorscope.readers.base import RawDocument
from rhetorscope.techniques import TECHNIQUES, category_of
from rhetorscope.work import Work

TEXTS = [
    ("title", "Minister answers critics"),
    ("answer", "These so-called experts spread shameful, outrageous lies and vile propaganda every day, "
               "a disgraceful campaign of hysteria."),
    ("answer", "The meeting will take place on Tuesday at ten o'clock."),
]


def _work() -> Work:
    text, segments, pos = "", [], 0
    for i, (kind, body) in enumerate(TEXTS, 1):
        segments.append(Segment(id=f"s{i}", kind=kind, text=body, start=pos, end=pos + len(body),
                                original_start=pos, original_end=pos + len(body), language="en"))
        text += body + "\n\n"
        pos = len(text)
    doc = Document(id="d", metadata=DocumentMetadata(input_format="text", title=TEXTS[0][1]), text=text,
                   segments=segments)
    return Work(raw=RawDocument(text=text, input_format="text"), text=text, document=doc)


def test_component_adds_technique_findings_with_evidence() -> None:
    work = _work()
    component = ParagraphTechniqueComponent()
    component(work)
    assert work.models["paragraphs"]
    assert work.findings, "a paragraph of insults must get at least one technique"
    assert {f.segment_id for f in work.findings} <= {"s2", "s3"}
    for f in work.findings:
        seg = work.doc.segment(f.segment_id)
        assert f.technique in TECHNIQUES and f.category == category_of(f.technique).id
        assert (f.start, f.end, f.text) == (seg.start, seg.end, seg.text)
        assert 0.0 <= f.confidence <= 1.0 and f.evidence
        assert f.source == f"paragraphs {work.models['paragraphs']}"
    assert len({f.id for f in work.findings}) == len(work.findings)
    assert any(f.technique == "Loaded_Language" for f in work.findings if f.segment_id == "s2")


def test_paragraph_component_runs_first_among_technique_stages() -> None:
    assert technique_components()[0].name == "paragraphs"
