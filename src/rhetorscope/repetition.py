"""Find passages a document repeats verbatim or near-verbatim, and link both places.

Every sentence of at least `MIN_WORDS` words is reduced to its word 3-shingles
(see `rhetorscope.shingles`). Two sentences in different places match when the
Jaccard similarity of their shingle sets is at least `THRESHOLD` (0.6: tolerates
an inserted clause or editorial bracket, rejects sentences that only share a
formula), or when at least `CONTAINMENT` (0.8) of the shorter one's shingles
recur in the longer one (a quote repeated inside a longer sentence). Matching
sentences that follow each other on both sides are merged into one passage, so
a repeated four-sentence quote is one finding, placed at the later occurrence
and pointing back to the first.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from rhetorscope.model import Finding, FindingKind, Related
from rhetorscope.shingles import SHINGLE_SIZE, jaccard, shingles, words
from rhetorscope.work import Work

THRESHOLD = 0.6
CONTAINMENT = 0.8
MIN_WORDS = 6


@dataclass
class _Sentence:
    index: int
    segment_id: str
    start: int
    end: int
    shingles: set[str]


def _candidates(sentences: list[_Sentence]) -> dict[tuple[int, int], float]:
    index: dict[str, list[int]] = defaultdict(list)
    for s in sentences:
        for sh in s.shingles:
            index[sh].append(s.index)
    pairs: dict[tuple[int, int], float] = {}
    for postings in index.values():
        if len(postings) > 50:  # a formula repeated everywhere carries no signal and costs quadratic time
            continue
        for a_pos, a in enumerate(postings):
            for b in postings[a_pos + 1:]:
                if (a, b) not in pairs:
                    pairs[(a, b)] = _similarity(sentences[a].shingles, sentences[b].shingles)
    return {pair: score for pair, score in pairs.items() if score >= THRESHOLD}


def _similarity(a: set[str], b: set[str]) -> float:
    """Jaccard, or the containment of the shorter sentence when it clears `CONTAINMENT`."""
    score = jaccard(a, b)
    contained = len(a & b) / min(len(a), len(b))
    return max(score, contained) if contained >= CONTAINMENT else score


class RepetitionComponent:
    """Report each repeated passage once, at its later occurrence."""

    name = "repetition"

    def __call__(self, work: Work) -> None:
        doc = work.doc
        sentences: list[_Sentence] = []
        for seg in doc.segments:
            for sent in seg.sentences:
                if len(words(sent.text)) >= MIN_WORDS:
                    sentences.append(_Sentence(len(sentences), seg.id, sent.start, sent.end, shingles(sent.text)))
        matches = _candidates(sentences)
        used: set[tuple[int, int]] = set()
        for a, b in sorted(matches):
            if (a, b) in used:
                continue
            run = [(a, b)]
            while True:
                na, nb = run[-1][0] + 1, run[-1][1] + 1
                if (na, nb) not in matches or na >= b or sentences[na].segment_id != sentences[a].segment_id \
                        or sentences[nb].segment_id != sentences[b].segment_id:
                    break
                run.append((na, nb))
            used.update(run)
            first, later = sentences[a], sentences[b]
            first_end, later_end = sentences[run[-1][0]].end, sentences[run[-1][1]].end
            score = sum(matches[p] for p in run) / len(run)
            count = sum(1 for s in doc.segment(later.segment_id).sentences
                        if later.start <= s.start and s.end <= later_end)
            finding_id = work.next_finding_id()
            work.findings.append(Finding(
                id=finding_id, kind=FindingKind.repetition, segment_id=later.segment_id,
                start=later.start, end=later_end, text=doc.text[later.start:later_end],
                confidence=round(score, 3),
                evidence=[
                    f"{count} sentence(s) repeated from segment {first.segment_id}",
                    f"similarity {score:.2f} over word {SHINGLE_SIZE}-shingles "
                    f"(Jaccard ≥ {THRESHOLD} or containment ≥ {CONTAINMENT})",
                ],
                related=[Related(relation="repeats", segment_id=first.segment_id, start=first.start,
                                 end=first_end)],
                source="repetition",
            ))
