"""The span tagger as a pipeline component: technique findings on the exact words.

It runs after the paragraph classifier so that the two can agree: a span whose
technique matches a paragraph-level finding of its segment is linked to it both
ways (`confirms` / `confirmed_by`), which lets the renderers show the paragraph
label with its evidence underlined. The model is English; segments in another
language get no spans rather than wrong ones.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from rhetorscope.model import Finding, FindingKind, Related, Segment

if TYPE_CHECKING:
    from rhetorscope.spans.model import PredictedSpan, SpanModel
    from rhetorscope.work import Work

LANGUAGES = frozenset({"en"})


def _default_loader() -> SpanModel:
    from rhetorscope.spans.model import load_default

    return load_default()


class SpanComponent:
    """Adds one `technique` finding per tagged fragment and links it to matching paragraph findings."""

    name = "spans"

    def __init__(self, loader: Callable[[], SpanModel] = _default_loader) -> None:
        self._loader = loader

    def __call__(self, work: Work) -> None:
        from rhetorscope.techniques import PTC_2020_TO_2023, category_of

        model = self._loader()
        doc = work.doc
        source = f"spans {model.version}"
        spans = _by_segment(doc.segments, model.predict(doc.text, explain=True))
        paragraph_findings: dict[str, list[Finding]] = defaultdict(list)
        for f in work.findings:
            if f.kind == FindingKind.technique and f.source != source:
                paragraph_findings[f.segment_id].append(f)
        for segment in doc.segments:
            language = segment.language or doc.metadata.language
            if language is not None and language not in LANGUAGES:
                continue
            paragraph = paragraph_findings[segment.id]
            for span in spans[segment.id]:
                start, end = _clip(doc.text, span, segment.start, segment.end)
                if start >= end:
                    continue
                candidates = PTC_2020_TO_2023[span.label]
                matched = [f for f in paragraph if f.technique in candidates]
                technique = matched[0].technique if matched else candidates[0]
                finding = Finding(
                    id=work.next_finding_id(), kind=FindingKind.technique, technique=technique,
                    category=category_of(technique).id, segment_id=segment.id, start=start, end=end,
                    text=doc.text[start:end], confidence=span.confidence,
                    evidence=[f"PTC label: {span.label}", *span.evidence], source=source,
                )
                for other in matched:
                    finding.related.append(Related(relation="confirms", finding_id=other.id,
                                                   segment_id=segment.id, start=other.start, end=other.end))
                    other.related.append(Related(relation="confirmed_by", finding_id=finding.id,
                                                 segment_id=segment.id, start=start, end=end))
                work.findings.append(finding)
        work.models[self.name] = model.version


def _by_segment(segments: list[Segment], spans: list[PredictedSpan]) -> dict[str, list[PredictedSpan]]:
    """The spans overlapping each segment, found by bisection (segments are in text order, without overlap).

    Comparing every span with every segment is quadratic on a long document.
    """
    ends = [seg.end for seg in segments]
    out: dict[str, list[PredictedSpan]] = defaultdict(list)
    for span in spans:
        i = bisect_right(ends, span.start)
        while i < len(segments) and segments[i].start < span.end:
            out[segments[i].id].append(span)
            i += 1
    return out


def _clip(text: str, span: PredictedSpan, lo: int, hi: int) -> tuple[int, int]:
    """The part of a span inside a segment, without surrounding whitespace."""
    start, end = max(span.start, lo), min(span.end, hi)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end
