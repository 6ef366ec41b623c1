"""The `analyze` stage that scores every sentence's check-worthiness and reports the claims.

Every sentence gets `checkworthiness`; those at or above the model's calibrated threshold become a
finding of kind `claim` whose evidence names what makes it checkable. A title is scored but never
reported: it is a headline, not a statement. When a `Matcher` is given (a fact-check collection in
the store), each claim finding also lists the stored fact-checks that may verify it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from rhetorscope.model import Finding, FindingKind, Match, SegmentKind
from rhetorscope.pipeline import Pipeline
from rhetorscope.work import Work

Matcher = Callable[[Sequence[str]], list[list[Match]]]
"""Claim sentences in, the best stored fact-checks for each out (see `factchecks.StoreMatcher`)."""


class ClaimComponent:
    """Adds `checkworthiness` to every sentence and a `claim` finding per check-worthy one."""

    name = "claims"

    def __init__(self, artifact: Path | None = None, matcher: Matcher | None = None) -> None:
        self.artifact = artifact
        self.matcher = matcher

    def __call__(self, work: Work) -> None:
        from rhetorscope.claims.checkworthy import load_model

        model = load_model(self.artifact)
        doc = work.doc
        sentences = [(seg, sent) for seg in doc.segments for sent in seg.sentences]
        scored = model.score([s.text for _, s in sentences],
                             [seg.language or doc.metadata.language for seg, _ in sentences], evidence=True)
        source = f"claims {model.version}"
        found: list[Finding] = []
        for (seg, sent), result in zip(sentences, scored, strict=True):
            sent.checkworthiness = round(result.score, 4)
            if not result.is_claim or seg.kind == SegmentKind.title.value:
                continue
            found.append(Finding(
                id=work.next_finding_id(), kind=FindingKind.claim, segment_id=seg.id, start=sent.start,
                end=sent.end, text=sent.text, confidence=round(result.score, 4),
                evidence=result.evidence or ["check-worthiness model score above its threshold"], source=source,
            ))
        if self.matcher is not None and found:
            for finding, matches in zip(found, self.matcher([f.text for f in found]), strict=True):
                finding.matches = matches
        work.findings.extend(found)
        work.models[self.name] = model.version


def with_matcher(pipeline: Pipeline, matcher: Matcher) -> Pipeline:
    """The same pipeline whose claim stage also matches each claim against a fact-check collection."""
    return Pipeline([ClaimComponent(c.artifact, matcher) if isinstance(c, ClaimComponent) else c
                     for c in pipeline.components])
