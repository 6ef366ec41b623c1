"""Sentence splitting: bounded windows keep a paragraph of any length linear in cost."""

from __future__ import annotations

import random

from rhetorscope import sentences

_WORDS = ("the minister said that Mr. Smith of the U.S. and Dr. Jones visited Gen. Petraeus in Jan. about "
          "No. 5 and Prof. Lee of Acme Inc. spoke on St. Mark's day").split()


def _one_paragraph(chars: int, seed: int = 7) -> str:
    """Abbreviation-dense prose without a line break: the input that made pysbd superlinear."""
    rng = random.Random(seed)
    words: list[str] = []
    size = 0
    while size < chars:
        word = rng.choice(_WORDS) + ("." if rng.random() < 0.06 else "")
        words.append(word)
        size += len(word) + 1
    return " ".join(words)[:chars]


def test_the_splitter_only_sees_bounded_windows(monkeypatch):
    seen: list[int] = []
    real = sentences.splitter("en")

    def spy(language):
        def segment(text):
            seen.append(len(text))
            return real(text)
        return segment

    monkeypatch.setattr(sentences, "splitter", spy)
    text = _one_paragraph(40_000)
    found = sentences.split(text, 100, "en")
    assert max(seen) <= sentences.WINDOW
    assert len(seen) >= 40_000 // sentences.WINDOW
    for sentence in found:  # every offset points at the exact characters, shifted by the segment's place
        assert text[sentence.start - 100:sentence.end - 100] == sentence.text
    assert [s.start for s in found] == sorted(s.start for s in found)


def test_windows_cover_the_text_and_cut_after_sentence_ends():
    text = _one_paragraph(20_000)
    pieces = list(sentences.windows(text))
    assert "".join(piece for _, piece in pieces) == text
    assert all(text[at:at + len(piece)] == piece for at, piece in pieces)
    assert all(piece.rstrip()[-1] == "." for _, piece in pieces[:-1])


def test_a_text_without_spaces_is_cut_at_the_window_size():
    text = "x" * (2 * sentences.WINDOW + 5)
    assert [len(piece) for _, piece in sentences.windows(text)] == [sentences.WINDOW, sentences.WINDOW, 5]


def test_a_short_paragraph_is_split_as_one_piece():
    text = "Mr. Smith arrived. He spoke at length! Did anyone listen?"
    assert [s.text for s in sentences.split(text, 0, "en")] == [
        "Mr. Smith arrived.", "He spoke at length!", "Did anyone listen?"]
