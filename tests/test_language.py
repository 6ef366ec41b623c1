"""Language detection: fastText's compact model first, lingua where it is unsure (`rhetorscope.language`)."""

from __future__ import annotations

import pytest

from rhetorscope.errors import InputError
from rhetorscope.language import FAST_CONFIDENCE, detect, fasttext_detect, known, lingua_detect, require_supported


@pytest.mark.parametrize(("text", "expected"), [
    # sentences of the shared datasets that lingua's low-accuracy mode alone read as another language
    ("Tekst ukazał się na łamach „The British Journal of Politics and International Relations” w 2019 roku.", "pl"),
    ("До сих пор эту вакцину никто в мире не покупал.", "ru"),
    ("Qui l’unico slogan da gridare con quanto fiato si ha in corpo è «No war, no Putin!».", "it"),
    ("In a detailed menu, the White House said the men were served Häagen-Dazs vanilla ice cream for dessert.", "en"),
    ("Trop frais, trop humide, trop ceci ou trop cela ?", "fr"),
])
def test_fasttext_decides_clear_sentences_lingua_misread(text: str, expected: str) -> None:
    assert lingua_detect(text)[0] != expected
    language, confidence = detect(text)
    assert language == expected and confidence >= FAST_CONFIDENCE


def test_a_neighbour_language_is_named_and_refused() -> None:
    language, _ = detect("Україна відновила постачання електроенергії після масованої атаки на енергосистему.")
    assert language == "uk"
    with pytest.raises(InputError, match="unsupported language"):
        require_supported(language, "post 1")


def test_a_language_outside_the_known_set_goes_to_lingua_which_answers_within_it() -> None:
    text = "El Parlament de Catalunya ha aprovat avui la llei de pressupostos per a l'any vinent."
    assert fasttext_detect(text)[0] == "ca"
    language, _ = detect(text)
    assert language in known() and language == lingua_detect(text)[0]


def test_shouted_text_and_newlines_are_read_and_too_little_text_is_no_language() -> None:
    assert detect("THE GOVERNMENT HAS ANNOUNCED NEW SANCTIONS AGAINST THE REGIME TODAY")[0] == "en"
    assert detect("Министр заявил сегодня,\nчто переговоры\nпродолжатся в четверг.")[0] == "ru"
    assert detect("OK, 2024!") == (None, 0.0)


def test_a_post_mixing_two_supported_languages_is_not_called_a_third() -> None:
    """fastText spreads its probability over such a mixture and names Ukrainian at 0.5-0.7; lingua decides."""
    post = ("Generał stwierdził, że armia brytyjska nie mobilizuje się, by wywołać wojnę, tylko mobilizuje się, "
            "by jej zapobiec. «Если Россия увеличит поставки газа по «Северному потоку» до 40 процентов, "
            "Германия переживет зиму")
    assert fasttext_detect(post)[0] == "uk"
    assert detect(post)[0] in ("pl", "ru")
