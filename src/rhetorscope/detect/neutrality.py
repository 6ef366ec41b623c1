"""The actor-swap test of the sentence model, with listed and with unlisted names.

Swapping who is named must not change what is found. Two sets of pairs, in all six languages:
`listed` (names the gazetteer knows) and `unlisted`
(countries, leaders and organisations it does not list, with their case forms in Russian and
Polish), which only the general name masking can neutralise. A sentence whose masked text does not
change cannot change its score, so only the sentences where masking missed a name are embedded
again.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from rhetorscope.detect.corpus import Article, segments
from rhetorscope.detect.features import SentenceInput
from rhetorscope.detect.model import SentenceModel, aggregate
from rhetorscope.encoder import Encoder

LISTED: dict[str, tuple[tuple[str, str], ...]] = {
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
"""Pairs of names the gazetteer lists, with matching inflections in Russian and Polish."""

UNLISTED: dict[str, tuple[tuple[str, str], ...]] = {
    "en": (("Georgia", "India"), ("Armenia", "Azerbaijan"), ("Aliyev", "Pashinyan"), ("ASEAN", "African Union"),
           ("Asia", "Africa"), ("Brazil", "Japan"), ("Canada", "Mexico"), ("Modi", "Lula"),
           ("Georgian", "Indian"), ("Brazilian", "Japanese")),
    "fr": (("Géorgie", "Inde"), ("Arménie", "Azerbaïdjan"), ("Aliev", "Pachinian"), ("Brésil", "Japon"),
           ("Canada", "Mexique"), ("Asie", "Afrique"), ("ASEAN", "Union africaine")),
    "de": (("Georgien", "Indien"), ("Armenien", "Aserbaidschan"), ("Alijew", "Paschinjan"), ("Brasilien", "Japan"),
           ("Kanada", "Mexiko"), ("Asien", "Afrika"), ("ASEAN", "Afrikanische Union")),
    "it": (("Georgia", "India"), ("Armenia", "Azerbaigian"), ("Aliyev", "Pashinyan"), ("Brasile", "Giappone"),
           ("Canada", "Messico"), ("Asia", "Africa"), ("ASEAN", "Unione africana")),
    "pl": (("Gruzja", "Japonia"), ("Gruzji", "Japonii"), ("Gruzję", "Japonię"), ("Brazylia", "Kanada"),
           ("Brazylii", "Kanady"), ("Azja", "Afryka"), ("Azji", "Afryki"), ("Alijew", "Paszynian"),
           ("Alijewa", "Paszyniana"), ("Indie", "Chile")),
    "ru": (("Грузия", "Индия"), ("Грузии", "Индии"), ("Грузию", "Индию"), ("Армения", "Бразилия"),
           ("Армении", "Бразилии"), ("Алиев", "Пашинян"), ("Алиева", "Пашиняна"), ("Азия", "Африка"),
           ("Азии", "Африки"), ("Япония", "Канада"), ("Японии", "Канады"), ("АСЕАН", "Африканский союз")),
}
SETS = {"listed": LISTED, "unlisted": UNLISTED}


@lru_cache(maxsize=16)
def _swapper(which: str, lang: str) -> tuple[re.Pattern[str], dict[str, str]] | None:
    pairs = SETS[which].get(lang, ())
    if not pairs:
        return None
    mapping: dict[str, str] = {}
    for a, b in pairs:
        mapping[a], mapping[b] = b, a
    alternatives = "|".join(re.escape(k) for k in sorted(mapping, key=len, reverse=True))
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)"), mapping


def swap(text: str, lang: str, which: str) -> str:
    """`text` with every name of the pair set swapped for its partner (both ways at once)."""
    found = _swapper(which, lang)
    if found is None:
        return text
    pattern, mapping = found
    return pattern.sub(lambda m: mapping[m.group(0)], text)


@dataclass
class FlipReport:
    which: str
    articles: int
    labels: int
    changed: int

    @property
    def rate(self) -> float:
        return self.changed / max(self.labels, 1)


def flip_rate(model: SentenceModel, articles: Sequence[Article], which: str, encoder: Encoder | None) -> FlipReport:
    """Predicted segment labels (segments as given) that change when names are swapped, over those predicted."""
    n_articles = labels = changed = 0
    for art in articles:
        swapped = [swap(u.text, art.lang, which) for u in art.units]
        if all(s == u.text for s, u in zip(swapped, art.units, strict=True)):
            continue
        n_articles += 1
        groups = [idx for _, _, idx in segments(art, "given", with_title=True)]
        th = model.threshold(art.lang)
        preds = []
        for texts in ([u.text for u in art.units], swapped):
            inputs = [SentenceInput(t, art.lang) for t in texts]
            preds.append(aggregate(model.proba(model.rows(inputs, encoder), [s.masked for s in inputs]), groups) >= th)
        labels += int(preds[0].sum())
        changed += int((preds[0] != preds[1]).sum())
    return FlipReport(which, n_articles, labels, changed)
