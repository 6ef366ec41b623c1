"""One masking step for every model: who is named must not change what is found.

Two passes, in this order:

1. the actor gazetteer (`rhetorscope.actors`): listed countries, leaders, organisations and
   parties with their inflections and adjectives;
2. general names: any capitalised word (sentence-initial and all-caps words included) whose lower-case
   form the language's training text never writes in lower case. "Georgia", "Aliyev", "ASEAN",
   "Грузии", "Indien" are masked although no list names them, while "The", "However", "Это" stay.
   German writes every noun with a capital, so there a capitalised word also stays when the training
   text uses it as a noun (after an article or a determiner), when it is a compound whose head is such
   a noun ("Kriegsverbrechen"), or when it ends in a noun suffix ("-ung", "-heit", "-schaft" ...).

Consecutive placeholders collapse into one, so "African Union" and "ASEAN" give the same input.
The lexicons are word lists built from the training articles by `build_lexicons` and shipped as
`data/lower-<lang>.txt.gz` (plus `nouns-de.txt.gz`).
"""

from __future__ import annotations

import gzip
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path

from rhetorscope.actors import PLACEHOLDER, mask_actors

LANGS = ("en", "fr", "de", "it", "pl", "ru")

_WORD = re.compile(r"[^\W\d_][\w-]*")
_RUN = re.compile(PLACEHOLDER + r"(?:[\s-]+" + PLACEHOLDER + r")+")
_DE_DETERMINERS = frozenset(
    "der die das den dem des ein eine einen einem einer eines kein keine keinen keinem keiner keines "
    "im am zum zur vom beim ins ans dieser diese dieses diesen diesem jeder jede jedes jeden jedem "
    "mein meine unser unsere ihr ihre sein seine alle viele mehr".split()
)
_DE_ENDINGS = frozenset({"n", "en", "e", "s", "es", "er", "ern", "nen"})
_DE_NOUN_SUFFIX = re.compile(
    r"(?:ung|heit|keit|schaft|tion|sion|tät|ismus|ist|nis|nisse|tum|ment|ling|enz|anz|erei|chen|lein)(?:en|s|e)?$"
)


def _data_dir() -> Path:
    return Path(str(resources.files("rhetorscope") / "data"))


@lru_cache(maxsize=16)
def _words(name: str) -> frozenset[str]:
    path = _data_dir() / f"{name}.txt.gz"
    if not path.exists():
        return frozenset()
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        return frozenset(line.rstrip("\n") for line in fh if line.strip())


@lru_cache(maxsize=1)
def _keep() -> frozenset[str]:
    """Capitalised labels and ideologies ("Nazi", "Communist", "Слава") that are words, not actors."""
    lines = (_data_dir() / "keep.txt").read_text(encoding="utf-8").splitlines()
    return frozenset(w.strip() for w in lines if w.strip() and not w.startswith("#"))


def _is_name(word: str, lang: str) -> bool:
    if not word[0].isupper() or PLACEHOLDER in word:
        return False
    key = word.lower()
    if key in _words(f"lower-{lang}") or key in _keep():
        return False
    if lang == "de" and not word.isupper():
        return not _german_noun(key)
    return True


def _german_noun(key: str) -> bool:
    """A known noun (or an inflected form of one), a compound whose head is one, or a noun suffix."""
    nouns = _words("nouns-de")
    if _DE_NOUN_SUFFIX.search(key) is not None:
        return True
    stems = {key} | {key[:-k] for k in (1, 2, 3) if len(key) - k >= 4 and key[-k:] in _DE_ENDINGS}
    return any(stem[i:] in nouns for stem in stems for i in range(len(stem) - 3))


def mask_names(text: str, lang: str | None) -> str:
    """Replace capitalised names the language does not write in lower case by the placeholder."""
    if lang not in LANGS:
        return text
    return _WORD.sub(lambda m: PLACEHOLDER if _is_name(m.group(0), lang) else m.group(0), text)


def mask(text: str, lang: str | None) -> str:
    """The shared masking step: gazetteer, then general names, runs of placeholders collapsed."""
    return _RUN.sub(PLACEHOLDER, mask_names(mask_actors(text), lang))


def build_lexicons(texts: Mapping[str, Iterable[str]], out_dir: Path) -> dict[str, int]:
    """Write the lower-case word lists (and the German noun list) from training texts per language.

    A word enters the lower-case list when the texts write it in lower case at least once; a German
    capitalised word enters the noun list when it follows an article or determiner.
    Returns the size of each list.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    sizes: dict[str, int] = {}
    nouns: Counter[str] = Counter()
    for lang, items in texts.items():
        lower: set[str] = set()
        for text in items:
            prev = ""
            for m in _WORD.finditer(mask_actors(text)):
                w = m.group(0)
                if w.islower():
                    lower.add(w)
                elif lang == "de" and prev in _DE_DETERMINERS and w[0].isupper():
                    nouns[w.lower()] += 1
                prev = w.lower()
        sizes[f"lower-{lang}"] = _write(out_dir / f"lower-{lang}.txt.gz", lower)
    if "de" in texts:
        sizes["nouns-de"] = _write(out_dir / "nouns-de.txt.gz", set(nouns))
    _words.cache_clear()
    return sizes


def _write(path: Path, words: Iterable[str]) -> int:
    items = sorted(words)
    with gzip.GzipFile(path, "wb", mtime=0) as fh:
        fh.write(("\n".join(items) + "\n").encode("utf-8"))
    return len(items)


def offset_map(original: str, masked: str) -> tuple[list[int], list[int]]:
    """For every character of `mask(original)`, where it starts and ends in `original`.

    Masking only replaces names by the placeholder, so the text between placeholders is a copy of
    the original in the same order: each piece is found in turn, and a placeholder stands for what
    lies between two pieces. One pass, so mapping every word of a sentence stays linear.
    """
    first = [0] * len(masked)
    last = [0] * len(masked)
    m_at = o_at = 0
    for n, piece in enumerate(masked.split(PLACEHOLDER)):
        found = original.find(piece, o_at) if piece else o_at
        o_piece = found if found >= 0 else o_at
        if n:
            first[m_at - 1], last[m_at - 1] = o_at, max(o_at, o_piece)
        for k in range(len(piece)):
            first[m_at + k], last[m_at + k] = o_piece + k, o_piece + k + 1
        m_at += len(piece) + 1
        o_at = o_piece + len(piece)
    return first, last


def to_original(original: str, masked: str, start: int, end: int) -> tuple[int, int]:
    """Map a stretch of `mask(original)` back to `original`, so evidence quotes the real words."""
    if start >= end:
        return start, start
    first, last = offset_map(original, masked)
    end = min(end, len(masked))
    return first[start], last[end - 1]
