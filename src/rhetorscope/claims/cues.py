"""What makes a sentence checkable, as features the model weighs and as evidence a reader can check.

Each cue is a family of surface forms in the six languages (word stems matched at a word start,
so Russian and Polish inflections match too): a number or quantity, a year or date, a comparison,
an attribution to a source or statistic, a causal or temporal link; and, against checkability, a
question or an opinion/obligation marker ("I think", "we must"). A number glued to letters ("G7",
"F35") is a name, not a quantity. The cues carry no weight of their own: training learns how much
each one counts, and only the cues whose learned weight pushed a
sentence up are shown as its evidence. Pure `re`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _stems(*forms: str) -> re.Pattern[str]:
    """One pattern for word forms: `x*` and any form of six letters or more match as a word start
    (inflections follow), shorter ones only as whole words, so "pil" (Italian GDP) never matches
    "pillars" and "prima" never matches "Primakov"."""
    stems = [f.rstrip("*") for f in forms if f.endswith("*") or len(f) >= 6]
    words = [f for f in forms if not f.endswith("*") and len(f) < 6]
    parts = []
    if stems:
        parts.append("(?:" + "|".join(sorted(stems, key=len, reverse=True)) + r")\w*")
    if words:
        parts.append("(?:" + "|".join(sorted(words, key=len, reverse=True)) + r")(?!\w)")
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + ")", re.IGNORECASE)


@dataclass(frozen=True)
class Cue:
    """One cue family: its feature name, what the evidence line calls it and how it is found."""

    name: str
    label: str
    pattern: re.Pattern[str]


CUES: tuple[Cue, ...] = (
    Cue("number", "a number or quantity", re.compile(
        r"(?<![^\W_])\d+(?:[.,]\d+)*|(?<!\w)(?:million|billion|trillion|thousand|hundred|dozen|milli|миллион|миллиард|тысяч"
        r"|сотн|mille|milliard|Million|Milliard|Tausend|miliard|milion|tysi|setki)\w*", re.IGNORECASE)),
    Cue("share", "a share, rate or amount of money", re.compile(
        r"[%$€£₽]|" + _stems(
            "percent*", "per cent", "pour cent", "prozent*", "per cento", "procent*", "процент*", "dollar*", "euro*",
            "rubl*", "рубл*", "доллар*", "евро", "złot*", "tax*", "budget*", "бюджет*", "налог*", "impôt*",
            "steuer*", "tasse", "podat*", "deficit*", "debt*", "долг*", "dette*", "schulden", "debito", "dług*",
            "gdp", "ввп", "pib", "bip", "pil", "pkb").pattern, re.IGNORECASE)),
    Cue("date", "a date or year", re.compile(
        r"(?<!\d)(?:1[89]\d\d|20\d\d)(?!\d)|(?<!\w)(?:january|february|march|april|june|july|august|september"
        r"|october|november|december|январ|феврал|март|апрел|ма[яе](?!\w)|июн|июл|август|сентябр|октябр|ноябр"
        r"|декабр|janvier|février|mars|avril|juin|juillet|août|septembre|octobre|novembre|décembre|januar|februar"
        r"|märz|juni|juli|oktober|dezember|gennaio|febbraio|marzo|aprile|maggio|giugno|luglio|agosto|settembre"
        r"|ottobre|dicembre|styczni|czerw|sierpni|wrze[sś]|październik|listopad|grudni)\w*"
        r"|(?<!\w)(?:luty|lutego|marzec|marca|kwiecień|kwietnia|maj|maja|lipiec|lipca)(?!\w)", re.IGNORECASE)),
    Cue("comparison", "a comparison", _stems(
        "more than", "less than", "fewer", "most", "largest", "biggest", "highest", "lowest", "smallest",
        "increase", "decrease", "doubl*", "tripl*", "grew", "grow*", "rose", "fell", "drop*", "record*", "than ever",
        "больше", "меньше", "более", "менее", "крупнейш*", "рост*", "вырос*", "снизил", "сократил", "увелич",
        "plus de", "moins de", "hausse*", "baisse*", "augment*", "diminu*", "mehr als", "weniger als", "gestiegen",
        "gesunken", "höchst*", "niedrigst", "più di", "meno di", "aument*", "calat*", "ridott*", "więcej niż",
        "mniej niż", "wzrost*", "wzrósł", "spad*", "największ", "najwyższ")),
    Cue("source", "a named source, report or statistic", _stems(
        "according to", "report", "study", "studies", "survey*", "poll*", "statistic", "data", "figures",
        "census", "research", "published", "official", "по данным", "согласно", "доклад", "отчет*", "отчёт*",
        "исследован", "опрос*", "статистик", "данны*", "selon", "d'après", "rapport", "étude*", "sondage",
        "statistique", "données", "laut", "zufolge", "bericht", "studie", "umfrage", "statisti", "daten",
        "secondo", "rapporto", "studio", "sondaggio", "dati", "według", "raport*", "badani*", "sondaż*", "dane")),
    Cue("event", "a causal or temporal assertion", _stems(
        "because", "caused", "led to", "result*", "since", "after", "before", "ago", "last year", "passed",
        "signed", "voted", "held", "took place", "announced", "elected", "потому что", "из-за", "привел*",
        "после", "до этого", "назад", "с тех пор", "подписал", "проведен", "состоял", "избран*", "заявил*",
        "parce que", "à cause", "depuis", "après", "avant", "signé*", "voté*", "élu*", "weil", "wegen", "seit",
        "nach dem", "vor", "unterzeichnet", "gewählt", "perché", "a causa", "dopo", "prima", "firmat*", "votat*",
        "elett*", "ponieważ", "z powodu", "od czasu", "po tym", "przed", "podpisa*", "głosowa", "wybran")),
    Cue("opinion", "an opinion or obligation (against checkability)", _stems(
        "i think", "i believe", "we must", "we need", "should", "must", "have to", "i hope", "i feel", "in my view",
        "я думаю", "я считаю", "мы должны", "надо", "нужно", "следует", "надеюсь", "je pense", "je crois",
        "nous devons", "il faut", "doit", "ich denke", "ich glaube", "wir müssen", "sollte*", "muss*", "penso",
        "credo", "dobbiamo", "bisogna", "dovrebbe", "myślę", "uważam", "musimy", "trzeba", "powinn*")),
)

CUE_NAMES: tuple[str, ...] = (*(c.name for c in CUES), "question", "short", "long")
"""Column order of `cue_vector`: the families, then three shape cues."""


def cue_hits(text: str) -> dict[str, list[str]]:
    """The matched surface forms per cue family (at most three each), for evidence lines."""
    hits: dict[str, list[str]] = {}
    for cue in CUES:
        found = list(dict.fromkeys(m.group(0).strip() for m in cue.pattern.finditer(text)))
        if found:
            hits[cue.name] = found[:3]
    return hits


def cue_vector(text: str) -> list[float]:
    """Cue features in `CUE_NAMES` order: 0/1 per family (numbers count up to 3), then shape."""
    hits = {cue.name: len(cue.pattern.findall(text)) for cue in CUES}
    words = len(text.split())
    row = [min(hits["number"], 3) / 3.0, *(float(hits[c.name] > 0) for c in CUES[1:])]
    row += [float(text.rstrip().endswith("?")), float(words < 6), float(words > 30)]
    return row


def cue_label(name: str) -> str:
    """The reader-facing name of a cue column."""
    for cue in CUES:
        if cue.name == name:
            return cue.label
    return {"question": "a question", "short": "a very short sentence", "long": "a long sentence"}[name]
