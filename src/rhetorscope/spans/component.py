"""The fragment tagger as a pipeline component: technique findings on the exact words, six languages.

It runs after the sentence technique model and searches only the sentences that model passed, only
for the techniques it passed there (`Work.verdicts`), so fragments and paragraph labels tell one
story: every fragment's technique is its paragraph's, and every paragraph label has its fragments
in the sentences that carry it.
A fragment is linked to the paragraph finding it refines both ways (`confirms` / `confirmed_by`).
Its confidence is the sentence model's probability for that sentence (how sure the technique is
there); the words that place it, and the cues around it, are its evidence.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from typing import TYPE_CHECKING

from rhetorscope.model import Finding, FindingKind, Related
from rhetorscope.spans.tokens import document_counts, tokenize
from rhetorscope.techniques import TECHNIQUES, category_of

if TYPE_CHECKING:
    from rhetorscope.spans.fragments import FragmentModel
    from rhetorscope.work import Work


def _default_loader() -> FragmentModel:
    from rhetorscope.spans.fragments import load_default

    return load_default()


class SpanComponent:
    """Adds one `technique` finding per fragment and links it to the paragraph finding it refines."""

    name = "spans"

    def __init__(self, loader: Callable[[], FragmentModel] = _default_loader) -> None:
        self._loader = loader

    def __call__(self, work: Work) -> None:
        model = self._loader()
        doc = work.doc
        source = f"spans {model.version}"
        paragraph: dict[tuple[str, str], list[Finding]] = defaultdict(list)
        for f in work.findings:
            if f.kind == FindingKind.technique and f.technique:
                paragraph[(f.segment_id, f.technique)].append(f)
        counts = document_counts([v.masked for v in work.verdicts])
        for v in work.verdicts:
            wanted = [t for t in v.techniques if t in model.labels]
            if not wanted or v.language not in model.languages:
                continue
            tokens = tokenize(doc.text[v.start : v.end], v.masked, v.language, counts)
            logits = model.scores(tokens)
            for technique in wanted:
                for frag in model.fragments(tokens, logits, model.index(technique), v.language):
                    start, end = v.start + frag.start, v.start + frag.end
                    words = ", ".join(f'"{w}" (+{x:.2f})' for w, x in frag.words)
                    evidence = [f"{TECHNIQUES[technique].name} in this sentence: {v.techniques[technique]:.2f} "
                                f"(sentence model); the words placed by the fragment tagger: {frag.confidence:.2f}"]
                    if words:
                        evidence.append(f"words: {words}")
                    evidence.extend(v.cues(technique))
                    finding = Finding(
                        id=work.next_finding_id(), kind=FindingKind.technique, technique=technique,
                        category=category_of(technique).id, segment_id=v.segment_id, start=start, end=end,
                        text=doc.text[start:end], confidence=v.techniques[technique], evidence=evidence,
                        source=source,
                    )
                    for other in paragraph[(v.segment_id, technique)]:
                        finding.related.append(Related(relation="confirms", finding_id=other.id,
                                                       segment_id=v.segment_id, start=other.start, end=other.end))
                        other.related.append(Related(relation="confirmed_by", finding_id=finding.id,
                                                     segment_id=v.segment_id, start=start, end=end))
                    work.findings.append(finding)
        work.models[self.name] = f"{model.version} ({', '.join(sorted(model.languages))})"
