"""Cut a segment into pieces at every highlight boundary, so overlapping spans stay readable.

Both the terminal and the HTML renderer draw from these pieces: each piece
knows every finding and editorial insertion covering it, and the renderer
stacks their styles instead of letting one hide the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import pairwise

from rhetorscope.model import Analysis, Finding, Segment


@dataclass
class Piece:
    start: int
    end: int
    text: str
    findings: list[Finding] = field(default_factory=list)
    editorial: bool = False


def is_span(finding: Finding, segment: Segment) -> bool:
    """A finding narrower than its segment is highlighted; a whole-segment one is shown as a badge."""
    return not (finding.start <= segment.start and finding.end >= segment.end)


def fragment_coverage(analysis: Analysis) -> str:
    """Per language of the document, whether technique fragments were searched: a language without a
    span model says so, rather than showing a report without highlights and no reason."""
    doc = analysis.document
    langs = {seg.language for seg in doc.segments if seg.language} or {doc.metadata.language or "unknown"}
    model = analysis.models.get("spans")
    if model is None:
        return "fragments: not searched (no span model in this run)"
    have = set(model.rsplit("(", 1)[1].rstrip(")").split(", ")) if "(" in model else set()
    parts = [f"fragments: {', '.join(sorted(langs & have))}"] if langs & have else []
    if langs - have:
        parts.append(f"no fragment model for {', '.join(sorted(langs - have))}")
    return " · ".join(parts)


def segment_badges(analysis: Analysis, segment: Segment) -> list[Finding]:
    return [f for f in analysis.findings_for(segment.id) if not is_span(f, segment)]


def pieces(analysis: Analysis, segment: Segment) -> list[Piece]:
    text = analysis.document.text
    spans = [f for f in analysis.findings_for(segment.id) if is_span(f, segment)]
    cuts = {segment.start, segment.end}
    for f in spans:
        cuts.update((max(f.start, segment.start), min(f.end, segment.end)))
    for e in segment.editorial:
        cuts.update((e.start, e.end))
    bounds = sorted(c for c in cuts if segment.start <= c <= segment.end)
    out = []
    for start, end in pairwise(bounds):
        if start == end:
            continue
        covering = sorted((f for f in spans if f.start <= start and f.end >= end), key=lambda f: f.end - f.start,
                          reverse=True)
        editorial = any(e.start <= start and e.end >= end for e in segment.editorial)
        out.append(Piece(start, end, text[start:end], covering, editorial))
    return out


def label(finding: Finding) -> str:
    """Display name: the technique's name, or 'Repetition'."""
    if finding.technique:
        from rhetorscope.techniques import TECHNIQUES

        technique = TECHNIQUES.get(finding.technique)
        return technique.name if technique else finding.technique
    return finding.kind.replace("_", " ").capitalize() if isinstance(finding.kind, str) else str(finding.kind)
