"""The actor gazetteer: listed names, their inflections and adjectives are masked; swapped names mask alike."""

from __future__ import annotations

import pytest

from rhetorscope.actors import PLACEHOLDER, mask_actors
from rhetorscope.detect.neutrality import swap
from rhetorscope.masking import mask


@pytest.mark.parametrize(("text", "masked"), [
    ("Russia and the United States told NATO.", "ζ and the ζ told ζ."),
    ("Путину и Байдену, России и Америки", "ζ и ζ, ζ и ζ"),
    ("Rosji, Putina: US and us", "ζ, ζ: ζ and us"),
    ("romantic Romans, Cinema", "romantic Romans, Cinema"),
    ("USED UNDER the US and the UN-Sicherheitsrat, NATOs", "USED UNDER the ζ and the ζ-Sicherheitsrat, ζ"),
    ("Assad's Syria, Kim Jong Un and Turkey; a turkey", "ζ's ζ, ζ and ζ; a turkey"),
])
def test_actor_names_and_inflections_are_masked(text: str, masked: str) -> None:
    assert mask_actors(text) == masked.replace("ζ", PLACEHOLDER)


def test_swapped_paragraphs_mask_to_the_same_text() -> None:
    swapped = swap("Путина критикуют в НАТО, а Россия молчит.", "ru", "listed")
    assert swapped == "Байдена критикуют в ОДКБ, а Америка молчит."
    assert mask(swapped, "ru") == mask("Путина критикуют в НАТО, а Россия молчит.", "ru")
    assert swap("Nothing to swap here.", "en", "listed") == "Nothing to swap here."
