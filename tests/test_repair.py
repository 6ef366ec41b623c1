"""Each repair rule, and the offset map back to the original characters."""

from __future__ import annotations

import pytest

from rhetorscope.repair import repair


def repaired(text: str) -> str:
    return repair(text).text


@pytest.mark.parametrize(("before", "after"), [
    ("a huge mistake.Starting with it", "a huge mistake. Starting with it"),
    ("Это ошибка.Начиная с Примакова", "Это ошибка. Начиная с Примакова"),
    ("the “little brother.”We were", "the “little brother.” We were"),
    ("talks with the U.S. Army and the U.S.Navy", "talks with the U.S. Army and the U.S.Navy"),
    ("inflation was 3.5 percent", "inflation was 3.5 percent"),
    ("see example.com for more", "see example.com for more"),
])
def test_glued_sentences(before, after):
    assert repaired(before) == after


def test_glued_brackets_and_parentheses():
    assert repaired("focused [in 1994]on creating") == "focused [in 1994] on creating"
    assert repaired("(March 21, 2025)Read in full") == "(March 21, 2025) Read in full"


def test_hard_wrap_inside_sentence_is_joined():
    text = "Intro line that is long enough to be a paragraph of its own, really.\nThis, of course, was\na huge mistake."
    assert repaired(text).endswith("This, of course, was a huge mistake.")


def test_wrap_before_capitalised_name_is_joined_but_not_after_sentence_end():
    text = "It was a mistake. Starting with\nYevgeny Primakov, policy changed.\nThe Charter stands."
    assert repaired(text) == "It was a mistake. Starting with Yevgeny Primakov, policy changed.\nThe Charter stands."


def test_heading_stays_a_heading_but_wrapped_title_is_joined():
    heading = "Introduction\nThe text begins here. It goes on."
    assert repaired(heading) == heading
    assert repaired("🎙 Foreign Minister\nSergey Lavrov’s interview\n(March 21, 2025)") == (
        "🎙 Foreign Minister Sergey Lavrov’s interview\n(March 21, 2025)"
    )


def test_blank_line_layout_unwraps_every_line_of_a_block():
    text = ("First paragraph starts here and the line is wrapped at a\nfixed width. It goes on for a\nwhile.\n\n"
            "Second paragraph is also wrapped at a fixed width and it\ncontinues here.\n\n"
            "Third one.\nAnother line.\n")
    out = repaired(text)
    assert "wrapped at a fixed width. It goes on for a while." in out
    assert "Third one. Another line." in out
    assert out.count("\n\n") == 2


def test_bullets_alone_glued_and_inline():
    assert repaired("Key points:•\nMultipolarity means") == "Key points:\n• Multipolarity means"
    assert repaired("First.\n•\nNo other language") == "First.\n• No other language"
    assert repaired("• One item ends. • Where our interests") == "• One item ends.\n• Where our interests"


def test_line_between_two_bullets_belongs_to_the_first():
    text = "• Item one ends here.\nIts continuation.\n• Item two."
    assert repaired(text) == "• Item one ends here. Its continuation.\n• Item two."


def test_glued_speaker_tag_gets_its_own_line():
    text = "in the international arena?💬 Sergey Lavrov: Our leadership"
    assert repaired(text) == "in the international arena?\n💬 Sergey Lavrov: Our leadership"


def test_invisible_and_special_spaces_and_nfc():
    text = "Zero\u200bwidth\u00a0space e\u0301te\u0301 soft\u00adhyphen.\r\nNext"
    assert repaired(text) == "Zerowidth space été softhyphen.\nNext"


def test_emoji_zero_width_joiner_is_kept():
    family = "👨\u200d👩\u200d👧 family."
    assert repaired(family) == family


def test_offset_map_points_to_original_characters():
    original = "The end.Starting\u00a0with\nYevgeny [in 1994]on it."
    result = repair(original)
    text = result.text
    assert text == "The end. Starting with Yevgeny [in 1994] on it."
    for word in ("Starting", "Yevgeny", "on it", "[in 1994]"):
        at = text.index(word)
        mapped = result.offsets.to_original(at)
        assert original[mapped:mapped + 3] == word[:3]
    assert result.offsets.to_original(len(text)) == len(original)
    assert {r.rule for r in result.repairs} >= {"glued_sentence", "special_spaces", "line_wrap", "glued_bracket"}


def test_clean_text_is_untouched():
    text = "A clean paragraph.\nAnother clean paragraph."
    result = repair(text)
    assert result.text == text and result.repairs == []


def test_joining_many_lines_reads_bounded_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """200,000 wrapped lines of a script without capitals were joined into one growing string and each
    step searched all of it (minutes in `ingest`); the heading test now sees at most a heading's length
    plus one line, so the work is linear in the text."""
    from rhetorscope import repair as module

    seen: list[int] = []
    real = module._heading_like
    monkeypatch.setattr(module, "_heading_like", lambda line: seen.append(len(line)) or real(line))
    line = "مرحبا بالعالم هذا نص طويل بلا نهاية جملة"
    text = "\n".join([line] * 5_000)
    repaired = repair(text)
    assert repaired.text.count("\n") == 0
    assert max(seen) <= module.HEADING_MAX + len(line) + 1
