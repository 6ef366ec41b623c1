"""Split segments into sentences with a splitter that knows the language.

razdel for Russian (it knows `т.е.`, `С.В.Лавров`, `гг.`); pysbd's rules for the
other supported languages. Sentence offsets are found by walking the segment
text, so they always point at the exact characters.

pysbd's cost grows faster than the length of its input (its abbreviation pass
rescans the text once per abbreviation found), so a paragraph of a megabyte
without a line break took minutes. The splitters therefore only ever see
windows of at most `WINDOW` characters, cut after the last sentence end in the
window (else the last space): the cost is linear in the text, and a real
paragraph, far shorter than a window, is split exactly as before.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache

from rhetorscope.model import Sentence
from rhetorscope.work import Work

_PYSBD_CODES = {"en": "en", "fr": "fr", "de": "de", "it": "it", "pl": "pl"}
#: Characters handed to a splitter at once; pysbd is linear up to a few thousand.
WINDOW = 3000
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)\]]*\s+")
_SPACE = re.compile(r"\s+")


@lru_cache(maxsize=8)
def splitter(language: str | None) -> Callable[[str], list[str]]:
    if language in _PYSBD_CODES:
        import pysbd

        return pysbd.Segmenter(language=_PYSBD_CODES[language], clean=False).segment
    from razdel import sentenize

    return lambda text: [s.text for s in sentenize(text)]


def windows(text: str, size: int = WINDOW) -> Iterator[tuple[int, str]]:
    """`(offset, piece)` pairs that cover `text`, each at most `size` characters.

    A cut goes after the last sentence end in the second half of the window, else
    after the last whitespace there, else (one unbroken token) at `size`.
    """
    pos = 0
    while len(text) - pos > size:
        piece = text[pos:pos + size]
        cut = None
        for pattern in (_SENTENCE_END, _SPACE):
            ends = [m.end() for m in pattern.finditer(piece, size // 2)]
            if ends:
                cut = ends[-1]
                break
        cut = cut or size
        yield pos, text[pos:pos + cut]
        pos += cut
    yield pos, text[pos:]


def split(text: str, offset: int, language: str | None) -> list[Sentence]:
    """Sentences of `text`, with offsets shifted by `offset` (the segment's place in the document)."""
    out: list[Sentence] = []
    segment = splitter(language)
    for at_window, window in windows(text):
        cursor = 0
        for piece in segment(window):
            piece = piece.strip()
            if not piece:
                continue
            at = window.find(piece, cursor)
            if at < 0:
                continue
            cursor = at + len(piece)
            start = offset + at_window + at
            out.append(Sentence(start=start, end=start + len(piece), text=piece))
    return out


class SentenceComponent:
    """Fill `segment.sentences`."""

    name = "sentences"

    def __call__(self, work: Work) -> None:
        for seg in work.doc.segments:
            seg.sentences = split(seg.text, seg.start, seg.language)
