"""The shared masking step: listed and unlisted names masked in six languages, words kept."""

from __future__ import annotations

import pytest

from rhetorscope.actors import PLACEHOLDER as Z
from rhetorscope.detect.cues import CUE_FILES_LANGS, cue_classes, cues_for
from rhetorscope.masking import mask, to_original


@pytest.mark.parametrize(("lang", "text", "expected"), [
    ("en", "Georgia and India signed it.", f"{Z} and {Z} signed it."),
    ("en", "ASEAN and the African Union back Aliyev.", f"{Z} and the {Z} Union back {Z}."),
    ("en", "GEORGIA ACCUSES ARMENIA", f"{Z} ACCUSES {Z}"),
    ("ru", "Алиев заявил, что Армения лжёт.", f"{Z} заявил, что {Z} лжёт."),
    ("pl", "Alijew powiedział, że Armenia kłamie.", f"{Z} powiedział, że {Z} kłamie."),
    ("fr", "L'Arménie et la Géorgie.", f"L'{Z} et la {Z}."),
    ("it", "Aliyev ha detto che l'Armenia mente.", f"{Z} ha detto che l'{Z} mente."),
    ("de", "Alijew sagt, Georgien lüge.", f"{Z} sagt, {Z} lüge."),
])
def test_unlisted_names_are_masked(lang: str, text: str, expected: str) -> None:
    assert mask(text, lang) == expected


@pytest.mark.parametrize(("lang", "text"), [
    ("en", "However, the government said this is a full Nazi regime."),
    ("ru", "Однако это так. Слава героям!"),
    ("de", "Die Regierung sagt, Kriegsverbrechen seien bekannt."),
    ("pl", "Wczoraj rząd powiedział, że to kłamstwo."),
])
def test_common_words_labels_and_german_nouns_stay(lang: str, text: str) -> None:
    assert mask(text, lang) == text


def test_listed_actors_and_runs_collapse_to_one_placeholder() -> None:
    assert mask("Russian President Vladimir Putin met Joe Biden.", "en") == f"{Z} President {Z} met {Z}."


def test_unsupported_language_only_gets_the_gazetteer() -> None:
    assert mask("Georgia and Russia", "xx") == f"Georgia and {Z}"


@pytest.mark.parametrize(("original", "lang", "cue", "words"), [
    ("as President of Russia Vladimir Putin rightly said, the world", "en", "rightly said",
     "President of Russia Vladimir Putin rightly said"),
    ("Marco Rubio also said this.", "en", f"{Z} also said", "Marco Rubio also said"),
    ("Слава России!", "ru", f"Слава {Z}", "Слава России"),
])
def test_masked_offsets_map_back_to_the_real_words(original: str, lang: str, cue: str, words: str) -> None:
    masked = mask(original, lang)
    at = masked.index(cue)
    start, end = to_original(original, masked, at, at + len(cue))
    assert words.endswith(original[start:end]) or original[start:end] == words
    assert Z not in original[start:end]


def test_every_cue_example_matches_its_own_pattern_after_masking() -> None:
    failures = [(lang, c.cls, c.example) for lang in CUE_FILES_LANGS for c in cues_for(lang)
                if not c.pattern.search(mask(c.example, lang))]
    assert failures == []


def test_every_language_has_the_argument_level_cue_classes() -> None:
    for lang in CUE_FILES_LANGS:
        have = {c.cls for c in cues_for(lang)}
        assert {"authority", "whatabout", "hypocrisy", "dilemma", "popularity", "exaggeration", "killer"} <= have
    assert len(cue_classes()) >= 15
