"""Split segments into sentences with a splitter that knows the language.

razdel for Russian (it knows `т.е.`, `С.В.Лавров`, `гг.`); pysbd's rules for the
other supported languages. Sentence offsets are found by walking the segment
text, so they always point at the exact characters.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

from rhetorscope.model import Sentence
from rhetorscope.work import Work

_PYSBD_CODES = {"en": "en", "fr": "fr", "de": "de", "it": "it", "pl": "pl"}


@lru_cache(maxsize=8)
def splitter(language: str | None) -> Callable[[str], list[str]]:
    if language in _PYSBD_CODES:
        import pysbd

        return pysbd.Segmenter(language=_PYSBD_CODES[language], clean=False).segment
    from razdel import sentenize

    return lambda text: [s.text for s in sentenize(text)]


def split(text: str, offset: int, language: str | None) -> list[Sentence]:
    """Sentences of `text`, with offsets shifted by `offset` (the segment's place in the document)."""
    out: list[Sentence] = []
    cursor = 0
    for piece in splitter(language)(text):
        piece = piece.strip()
        if not piece:
            continue
        at = text.find(piece, cursor)
        if at < 0:
            continue
        cursor = at + len(piece)
        out.append(Sentence(start=offset + at, end=offset + cursor, text=piece))
    return out


class SentenceComponent:
    """Fill `segment.sentences`."""

    name = "sentences"

    def __call__(self, work: Work) -> None:
        for seg in work.doc.segments:
            seg.sentences = split(seg.text, seg.start, seg.language)
