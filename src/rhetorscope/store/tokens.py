"""One tokenisation for search on both backends: words, folded forms and Snowball stems.

SQLite's FTS5 tokenizer and PostgreSQL's text-search parser split and fold text
differently (`U.S.`, `9/11`, `naïve` gave very different counts), so neither
does: this module turns a paragraph into its tokens in Python, and both backends
index exactly these tokens (FTS5 columns `stems` and `forms`, a PostgreSQL
tsvector built from them). A query's words go through the same functions.

* A word is a run of letters and digits (`\\w` without `_`): `U.S.` is `u s`,
  `9/11` is `9 11`, `don't` is `don t`.
* Its *form* is folded: lower case, `ё` → `е`, and diacritics removed from Latin
  letters (`naïve` → `naive`, `sécurité` → `securite`, `łódź` → `lodz`), the same
  on both backends; Cyrillic `й` stays `й`.
* Its *stem* is the Snowball stem (PyStemmer) of the lower-case word in the
  paragraph's language, then folded; a paragraph in another or unknown language
  keeps the form.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterator

import Stemmer

#: Snowball algorithm per supported language (ISO 639-1).
STEMMERS = {"en": "english", "ru": "russian", "fr": "french", "de": "german", "it": "italian", "pl": "polish"}
#: The stemmers a query word is stemmed with, by its script: a Cyrillic word is not stemmed as English.
_CYRILLIC_LANGUAGES = ("ru",)
_LATIN_LANGUAGES = ("en", "fr", "de", "it", "pl")

WORD = re.compile(r"[^\W_]+")
#: Longer words (base64, URLs without punctuation) are indexed by their first this many characters:
#: PostgreSQL refuses lexemes over 2,047 bytes.
MAX_WORD = 100
_LATIN_END = 0x250  # Basic Latin to IPA Extensions: the letters whose diacritics are removed
_SPECIAL = str.maketrans({"ё": "е", "ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ı": "i", "ß": "ss", "æ": "ae",
                          "œ": "oe"})


@functools.cache
def _stemmer(language: str) -> Stemmer.Stemmer:
    return Stemmer.Stemmer(STEMMERS[language])


@functools.lru_cache(maxsize=200_000)
def fold(word: str) -> str:
    """Lower case, `ё` as `е`, Latin letters without diacritics; cut at `MAX_WORD` characters."""
    lowered = word[:MAX_WORD].lower().translate(_SPECIAL)
    if lowered.isascii():
        return lowered
    out = []
    for char in lowered:
        if ord(char) < _LATIN_END and not char.isascii():
            out.append("".join(c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)))
        else:
            out.append(char)
    return "".join(out)


@functools.lru_cache(maxsize=400_000)
def stem(word: str, language: str | None) -> str:
    """The folded Snowball stem of `word` in `language`; its folded form where the language has no stemmer."""
    if language not in STEMMERS:
        return fold(word)
    return fold(_stemmer(language).stemWord(word[:MAX_WORD].lower()))


def words(text: str) -> Iterator[re.Match[str]]:
    """The words of `text`, with their offsets."""
    return WORD.finditer(text)


#: Per language, each word's (stem, form): ingest indexes millions of words, most of them seen before.
_TERMS: dict[str | None, dict[str, tuple[str, str]]] = {}
_TERMS_MAX = 500_000


def index_terms(text: str, language: str | None) -> tuple[str, str]:
    """What both backends index of a paragraph, space-separated: its stems, and the folded forms of its words.

    The forms are every word in order (phrases need their positions). The stems
    are only those that differ from their word's form: a bare query word is
    matched against the stems *and* the forms (`rhetorscope.store.query`), so a
    stem equal to its form would be indexed twice; left out, the index is about
    a sixth smaller. FTS5 reads both with its `ascii` tokenizer, which splits at
    the spaces only; `to_tsvector` turns them into PostgreSQL's.
    """
    cache = _TERMS.setdefault(language, {})
    terms = [cache.get(word) or _remember(cache, word, language) for word in WORD.findall(text)]
    return " ".join([stemmed for stemmed, form in terms if stemmed != form]), " ".join([form for _, form in terms])


def word_terms(word: str, language: str | None) -> tuple[str, str]:
    """A word's (stem, folded form), cached per language."""
    cache = _TERMS.setdefault(language, {})
    return cache.get(word) or _remember(cache, word, language)


def _remember(cache: dict[str, tuple[str, str]], word: str, language: str | None) -> tuple[str, str]:
    """A word's terms, first seen: stemmed and folded, and kept (`index_terms` looks them up word by word)."""
    if len(cache) > _TERMS_MAX:
        cache.clear()
    terms = cache[word] = (stem(word, language), fold(word))
    return terms


def query_stems(word: str) -> tuple[str, ...]:
    """Every stem a query word may have been indexed under: its stems in the languages of its script.

    The query's language is unknown (a corpus mixes six), so a word is matched in
    every language written in its script. A query also matches the word's folded
    form (`securite` finds `sécurité`, whose stem was taken with its accents).
    """
    cyrillic = any("\u0400" <= c <= "\u04ff" for c in word)
    languages = _CYRILLIC_LANGUAGES if cyrillic else _LATIN_LANGUAGES
    return tuple(dict.fromkeys(stem(word, lang) for lang in languages))


#: Prefix of a folded form in the PostgreSQL tsvector, where forms and stems share positions.
FORM_MARK = "="


def lexeme(value: str) -> str:
    """A quoted tsvector/tsquery lexeme."""
    return "'" + value.replace("\\", "\\\\").replace("'", "''") + "'"


def to_tsvector(stems: str, forms: str) -> str:
    """The tsvector literal of a paragraph: its marked forms at their positions, its stems without positions.

    Only phrases use positions, and phrases are of forms. PostgreSQL keeps
    positions up to 16,383 and 256 per lexeme; later words of a very long
    paragraph still match as words, but phrases there may not.
    """
    seen: dict[str, list[int]] = {}
    for position, form in enumerate(forms.split(), 1):
        seen.setdefault(FORM_MARK + form, []).append(min(position, 16383))
    marked = (f"{lexeme(k)}:{','.join(map(str, sorted(set(v))[:256]))}" for k, v in seen.items())
    return " ".join([*marked, *(lexeme(stem) for stem in dict.fromkeys(stems.split()))])
