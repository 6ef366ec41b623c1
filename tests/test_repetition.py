"""Repeated passages inside one document: near-verbatim matches, merged runs, and what must not match."""

from __future__ import annotations

from rhetorscope import analyze


def repetitions(text: str):
    return [f for f in analyze(text).findings if f.kind == "repetition"]


def test_near_verbatim_sentence_with_an_edit_is_found():
    text = ("Our ideas on every matter in global politics will never align with theirs. Talks went on.\n"
            "Nothing changed in the region for a long time.\n"
            "Our ideas on every single matter in global politics will never align with theirs.")
    (rep,) = repetitions(text)
    assert rep.segment_id == "s3" and rep.related[0].segment_id == "s1"
    assert 0.6 <= rep.confidence < 1.0


def test_consecutive_sentences_merge_into_one_passage():
    quote = ("The sanctions have never reached their goals in any country. "
             "They hurt first of all those who impose them on others. "
             "Everyone in the business community understands it very well.")
    text = f"{quote}\nA different paragraph about the weather in the capital today.\nAs I said: {quote}"
    (rep,) = repetitions(text)
    assert rep.text.endswith("understands it very well.")
    assert rep.text.startswith("As I said: The sanctions") or rep.text.startswith("The sanctions")
    assert "3 sentence(s)" in rep.evidence[0]


def test_unrelated_and_short_sentences_do_not_match():
    text = ("This is our position.\nThe minister met his counterpart in Cairo on Monday morning.\n"
            "This is our position.\nThe delegation visited an exhibition about the history of the embassy.")
    assert repetitions(text) == []
