"""The actor-swap test: swap who is named in real paragraphs and count how many predicted labels change.

A classifier that judges wording must give "Russia accuses NATO of lying"
and "the United States accuses CSTO of lying" the same techniques. The pairs
below are swapped both ways, with matching inflections in Russian and Polish,
so the swapped text stays grammatical; a paragraph naming none of them is left
out of the test.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import TYPE_CHECKING

from rhetorscope.classify.semeval import Paragraph

if TYPE_CHECKING:
    from rhetorscope.classify.model import ParagraphModel

SWAP_PAIRS: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("Russia", "United States"), ("Russian", "American"), ("Russians", "Americans"),
           ("Putin", "Biden"), ("NATO", "CSTO"), ("Moscow", "Washington"), ("Democrats", "Republicans"),
           ("Trump", "Obama"), ("Ukraine", "Israel")),
    "fr": (("Russie", "Chine"), ("Poutine", "Biden"), ("OTAN", "OTSC"), ("Moscou", "Pékin"),
           ("Macron", "Scholz"), ("Trump", "Obama")),
    "de": (("Russland", "Amerika"), ("russische", "amerikanische"), ("russischen", "amerikanischen"),
           ("Putin", "Biden"), ("NATO", "OVKS"), ("Moskau", "Washington"), ("Merkel", "Macron"),
           ("Trump", "Obama")),
    "it": (("Russia", "Cina"), ("russi", "cinesi"), ("Putin", "Biden"), ("NATO", "CSTO"),
           ("Mosca", "Pechino"), ("Trump", "Obama"), ("Meloni", "Draghi")),
    "pl": (("Rosja", "Ameryka"), ("Rosji", "Ameryki"), ("Rosję", "Amerykę"), ("Rosją", "Ameryką"),
           ("Putin", "Biden"), ("Putina", "Bidena"), ("Putinowi", "Bidenowi"), ("Putinem", "Bidenem"),
           ("NATO", "ODKB"), ("rosyjski", "amerykański"), ("rosyjskie", "amerykańskie"),
           ("rosyjskiej", "amerykańskiej"), ("Moskwa", "Waszyngton"), ("Tusk", "Kaczyński")),
    "ru": (("Россия", "Америка"), ("России", "Америки"), ("Россию", "Америку"), ("Россией", "Америкой"),
           ("Путин", "Байден"), ("Путина", "Байдена"), ("Путину", "Байдену"), ("Путиным", "Байденом"),
           ("НАТО", "ОДКБ"), ("российский", "американский"), ("российские", "американские"),
           ("российских", "американских"), ("российской", "американской"), ("Москва", "Вашингтон"),
           ("Москвы", "Вашингтона"), ("Москве", "Вашингтоне")),
}


@lru_cache(maxsize=8)
def _swapper(lang: str) -> tuple[re.Pattern[str], dict[str, str]]:
    mapping: dict[str, str] = {}
    for a, b in SWAP_PAIRS.get(lang, ()):
        mapping[a], mapping[b] = b, a
    names = sorted(mapping, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, names)) + r")(?!\w)"), mapping


def swap_actors(text: str, lang: str) -> str | None:
    """The text with every listed actor swapped for its counterpart; None when it names none."""
    if lang not in SWAP_PAIRS:
        return None
    pattern, mapping = _swapper(lang)
    swapped, n = pattern.subn(lambda m: mapping[m.group(0)], text)
    return swapped if n else None


def swap_set(paragraphs: Sequence[Paragraph]) -> list[tuple[Paragraph, Paragraph]]:
    """(original, swapped) pairs for every paragraph that names a listed actor; context is swapped too."""
    pairs = []
    for p in paragraphs:
        text = swap_actors(p.text, p.lang)
        if text is None:
            continue
        def sw(s: str, lang: str = p.lang) -> str:
            return swap_actors(s, lang) or s
        pairs.append((p, replace(p, text=text, title=sw(p.title), prev_text=sw(p.prev_text),
                                 next_text=sw(p.next_text))))
    return pairs


@dataclass(frozen=True)
class FlipReport:
    """How many label decisions changed when only the actors changed."""

    paragraphs: int
    labels: int
    flips: int
    changed_paragraphs: int

    @property
    def rate(self) -> float:
        return self.flips / max(1, self.labels)


def flip_rate(model: ParagraphModel, pairs: Sequence[tuple[Paragraph, Paragraph]]) -> FlipReport:
    """Flips (labels gained or lost) over the labels predicted on the original paragraphs."""
    before = model.predict([a for a, _ in pairs])
    after = model.predict([b for _, b in pairs])
    diffs = [len(set(x.labels) ^ set(y.labels)) for x, y in zip(before, after, strict=True)]
    return FlipReport(paragraphs=len(pairs), labels=sum(len(x.labels) for x in before),
                      flips=sum(diffs), changed_paragraphs=sum(d > 0 for d in diffs))
