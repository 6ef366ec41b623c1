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

Inside a window, pysbd's abbreviation pass rewrites the whole text once for every
word that starts like a known abbreviation (every word beginning with "a" for
the abbreviation "a"), although the rewrite is the same for all of them. A
pysbd language is therefore used with `_once_per_form`'s replacer, which makes
each distinct rewrite once per text: the sentences are the same, and about a
tenth of the splitter's time is saved.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Any

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

        segmenter = pysbd.Segmenter(language=_PYSBD_CODES[language], clean=False)
        rules = segmenter.language_module
        segmenter.language_module = type(rules.__name__, (rules,),
                                         {"AbbreviationReplacer": _once_per_form(rules.AbbreviationReplacer)})
        return segmenter.segment
    from razdel import sentenize

    return lambda text: [s.text for s in sentenize(text)]


def _once_per_form(replacer: type) -> type:
    """A pysbd language's abbreviation replacer that rewrites the text once per distinct abbreviation form.

    pysbd calls `scan_for_replacements(text, form, index, next_chars)` for every word that starts like
    an abbreviation, and each call substitutes "∯" for the periods after `form` in the whole text.
    Two calls with the same form and the same following character are the same substitution, and
    doing it again changes nothing: the pass only ever turns a "." into "∯", and that cannot create
    a match for any of its patterns (each needs a "." where it matches; its lookarounds need letters,
    digits, spaces or a "."; the abbreviation forms hold no character class, only letters, literal
    punctuation and "." wildcards, which match "∯" as well). So the repeats are skipped: the text,
    and the sentences, are exactly pysbd's (`tests/test_long_text.py` compares them).
    """

    class OncePerForm(replacer):
        def search_for_abbreviations_in_string(self, text: str) -> str:
            self._done: set[tuple[str, str]] = set()
            return str(super().search_for_abbreviations_in_string(text))

        def scan_for_replacements(self, txt: str, am: str, ind: int, char_array: list[Any]) -> str:
            key = (am, str(char_array[ind]) if ind < len(char_array) else "")
            if key in self._done:
                return txt
            self._done.add(key)
            return str(super().scan_for_replacements(txt, am, ind, char_array))

    return OncePerForm


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
