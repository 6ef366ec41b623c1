"""Corpora with known contents, written straight into a real SQLite store (no models run).

`compare` and propagation tests need rates and timings they can check exactly:
the findings are planted, so the test knows the truth. Analyses are built by
hand with the public model types and stored with `prepare` + `write_batch`, the
path `ingest` takes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from rhetorscope import __version__
from rhetorscope.model import Analysis, Document, DocumentMetadata, Finding, Segment
from rhetorscope.store import Store, prepare
from rhetorscope.store.records import analysis_key
from rhetorscope.techniques import TECHNIQUES

WORDS = ("policy statement council treaty region trade energy border security agreement minister "
         "parliament economy market partner summit talks delegation report budget").split()


def analysis(paragraphs: Sequence[str], *, source: str, date: dt.date | None = None,
             techniques: Iterable[tuple[int, str]] = (), extra: dict[str, Any] | None = None,
             external_id: str | None = None, language: str = "en", speaker: str | None = None) -> Analysis:
    """One analysed document of these paragraphs with a paragraph-level finding for each (index, technique)."""
    text = "\n\n".join(paragraphs)
    segments, pos = [], 0
    for i, paragraph in enumerate(paragraphs, 1):
        segments.append(Segment(id=f"s{i}", kind="paragraph", text=paragraph, start=pos, end=pos + len(paragraph),
                                original_start=pos, original_end=pos + len(paragraph), language=language,
                                speaker=speaker))
        pos += len(paragraph) + 2
    findings = []
    for index, technique in techniques:
        seg = segments[index]
        findings.append(Finding(id=f"f{len(findings) + 1}", kind="technique", technique=technique,
                                category=TECHNIQUES[technique].category, segment_id=seg.id, start=seg.start,
                                end=seg.end, text=seg.text, confidence=0.8, source="planted"))
    meta = DocumentMetadata(input_format="text", source=source, date=date, language=language,
                            external_id=external_id, extra=extra or {})
    document = Document(id=hashlib.sha256(text.encode()).hexdigest()[:16], metadata=meta, text=text,
                        segments=segments)
    return Analysis(generator=f"rhetorscope {__version__}", document=document, findings=findings,
                    models={"planted": "1"})


def write(db: str | Path, analyses: Iterable[Analysis]) -> None:
    """Store the analyses in one run, then cluster their passages for `repeats`."""
    with Store.open(db) as store:
        run = store.begin_run(["planted"], analyzed=True)
        store.write_batch([prepare(a, key=analysis_key(a)) for a in analyses], run_id=run)
        store.finish_run(run, "finished", added=0, skipped=0)
        store.update_repeats()


def paragraph(rng: random.Random) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(12)).capitalize() + "."


#: Planted per-paragraph rates: Name calling differs (0.30 vs 0.10), Doubt differs the other way (0.05 vs 0.20);
#: Loaded language and Flag waving are the same in both sources.
RATES = {"channel-a": {"Name_Calling-Labeling": 0.30, "Loaded_Language": 0.20, "Flag_Waving": 0.08, "Doubt": 0.05},
         "channel-b": {"Name_Calling-Labeling": 0.10, "Loaded_Language": 0.20, "Flag_Waving": 0.08, "Doubt": 0.20}}


def two_source_corpus(db: str | Path, *, paragraphs: int = 600, seed: int = 16, small_source: bool = True) -> None:
    """Two sources with the planted `RATES` (documents of 5 paragraphs, January–April 2024), and a small third.

    The third source has 10 paragraphs, too few to test; it must be listed as small.
    """
    rng = random.Random(seed)
    docs = []
    for source, rates in RATES.items():
        for d in range(paragraphs // 5):
            texts = [paragraph(rng) for _ in range(5)]
            planted = [(i, t) for i in range(5) for t, rate in rates.items() if rng.random() < rate]
            docs.append(analysis(texts, source=source, date=dt.date(2024, 1, 1) + dt.timedelta(days=d % 120),
                                 techniques=planted, external_id=str(d)))
    if small_source:
        for d in range(2):
            docs.append(analysis([paragraph(rng) for _ in range(5)], source="tiny-blog", date=dt.date(2024, 2, 1),
                                 techniques=[(0, "Doubt")], external_id=str(d)))
    write(db, docs)


CHAIN_POINT = ("The western sanctions have completely failed and only hurt the ordinary people of Europe "
               "who now pay twice as much for energy")
#: (source, post time, forwarded from, wording): the planted order of a repost chain, stored shuffled.
CHAIN = [
    ("origin-channel", "2024-03-01T09:00:00", None, CHAIN_POINT),
    ("relay-one", "2024-03-01T09:40:00", "origin-channel", CHAIN_POINT),
    ("relay-two", "2024-03-01T13:00:00", None, CHAIN_POINT.replace("completely", "totally")),
    ("relay-three", "2024-03-02T08:00:00", None, CHAIN_POINT),
    ("relay-one", "2024-03-03T10:00:00", None, CHAIN_POINT.replace("ordinary", "simple")),
]


def repost_chain(db: str | Path, *, seed: int = 3) -> None:
    """The `CHAIN` of posts of one talking point (with unrelated posts around it), written in a shuffled order."""
    rng = random.Random(seed)
    docs = []
    for n, (source, when, forwarded, wording) in enumerate(CHAIN):
        extra = {"datetime": when, **({"forwarded_from": forwarded} if forwarded else {})}
        docs.append(analysis([wording + ".", paragraph(rng)], source=source, date=dt.date.fromisoformat(when[:10]),
                             extra=extra, external_id=str(100 + n)))
    docs += [analysis([paragraph(rng)], source="relay-two", date=dt.date(2024, 3, 1), external_id=str(n))
             for n in range(3)]
    rng.shuffle(docs)
    write(db, docs)
