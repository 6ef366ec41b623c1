"""The `analyze` stage that scores every sentence's check-worthiness and reports the claims.

Every sentence gets `checkworthiness`; those at or above the model's calibrated threshold become a
finding of kind `claim` whose evidence names what makes it checkable. A title is scored but never
reported: it is a headline, not a statement. When a `Matcher` is given (a fact-check collection in
the store), each claim finding also lists the stored fact-checks that may verify it.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

from rhetorscope.model import Finding, FindingKind, Match, SegmentKind, Sentence
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
        from rhetorscope.encoder import encoder_max_chars

        model = load_model(self.artifact)
        doc = work.doc
        sentences = [(seg, sent) for seg in doc.segments for sent in seg.sentences]
        languages = [seg.language or doc.metadata.language for seg, _ in sentences]
        texts = _texts(work, [s for _, s in sentences], languages)
        work.models[self.name] = model.version
        budget = encoder_max_chars()
        if sum(len(s.text) for _, s in sentences) > budget:
            keep = _most_promising(model.unencoded_margins(texts, languages), [len(s.text) for _, s in sentences],
                                   budget)
            sentences, languages = [sentences[i] for i in keep], [languages[i] for i in keep]
            texts = [texts[i] for i in keep]
            work.models[self.name] = f"{model.version} ({OVER_BUDGET.format(budget)})"
        scored = model.score_texts(texts, languages, evidence=True)
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


OVER_BUDGET = ("the document is longer than the encoder reads ({:,} characters, RHETORSCOPE_ENCODER_MAX_CHARS): only "
               "the sentences whose words and cues score highest were scored, the others have no check-worthiness")
"""How the models line says that a long document's sentences were not all scored."""


def _texts(work: Work, sentences: Sequence[Sentence], languages: Sequence[str | None]) -> list[str]:
    """Each sentence as the model reads it, from the technique model's masking where it masked the
    sentence in the same language (masking every sentence again cost about 0.3 s per megabyte)."""
    from rhetorscope.claims.text import checkworthy_text, from_masked

    masked = {(v.start, v.end, v.language): v.masked for v in work.verdicts}
    out = []
    for sent, lang in zip(sentences, languages, strict=True):
        known = masked.get((sent.start, sent.end, lang or "en"))
        out.append(from_masked(known) if known is not None else checkworthy_text(sent.text, lang or "en"))
    return out


def _most_promising(margins: np.ndarray, lengths: Sequence[int], budget: int) -> list[int]:
    """Indices, in reading order, of the highest-margin sentences whose lengths add up to at most `budget`."""
    keep, used = [], 0
    for i in np.argsort(-margins, kind="stable"):
        if used + lengths[i] <= budget:
            keep.append(int(i))
            used += lengths[i]
    return sorted(keep)

