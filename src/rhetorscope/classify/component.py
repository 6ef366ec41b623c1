"""The `analyze` stage that labels every segment with the techniques the paragraph model finds.

Each non-title segment becomes one classifier input with its document's
title and its neighbouring segments as context, as in training. The model is
loaded on first use and cached for the process.
"""

from __future__ import annotations

from pathlib import Path

from rhetorscope.classify.semeval import Paragraph
from rhetorscope.model import Finding, FindingKind, SegmentKind
from rhetorscope.techniques import category_of
from rhetorscope.work import Work

EVIDENCE_PER_FINDING = 5


class ParagraphTechniqueComponent:
    """Adds one `technique` finding per (segment, technique) the paragraph classifier predicts."""

    name = "paragraphs"

    def __init__(self, artifact: Path | None = None) -> None:
        self.artifact = artifact

    def __call__(self, work: Work) -> None:
        from rhetorscope.classify.model import load_model

        model = load_model(self.artifact)
        doc = work.doc
        segments = list(doc.segments)
        title = doc.metadata.title or next(
            (s.text for s in segments if s.kind == SegmentKind.title.value), "")
        inputs: list[tuple[int, Paragraph]] = []
        for i, seg in enumerate(segments):
            if seg.kind == SegmentKind.title.value:
                continue
            inputs.append((i, Paragraph(
                article_id=doc.id, paragraph_no=seg.id, text=seg.text,
                lang=seg.language or doc.metadata.language or "en",
                title=title,
                prev_text=segments[i - 1].text if i > 0 else "",
                next_text=segments[i + 1].text if i + 1 < len(segments) else "",
                position=i if title else i + 1,
            )))
        predictions = model.predict([p for _, p in inputs], evidence=EVIDENCE_PER_FINDING)
        source = f"paragraphs {model.version}"
        for (i, _), pred in zip(inputs, predictions, strict=True):
            seg = segments[i]
            for technique in pred.labels:
                work.findings.append(Finding(
                    id=work.next_finding_id(), kind=FindingKind.technique, technique=technique,
                    category=category_of(technique).id, segment_id=seg.id, start=seg.start, end=seg.end,
                    text=seg.text, confidence=round(pred.confidence[technique], 4),
                    evidence=pred.evidence.get(technique, []), source=source, tier="fast",
                ))
        work.models[self.name] = model.version
