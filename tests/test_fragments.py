"""Fragment tagger: tokens, readable fragments, training on a toy corpus, the component, the shipped artifact."""

from __future__ import annotations

from collections import Counter
from typing import ClassVar

import numpy as np
import pytest

from rhetorscope.detect.corpus import Article, Span, Unit
from rhetorscope.masking import mask, offset_map
from rhetorscope.model import Document, DocumentMetadata, Finding, Segment, Sentence
from rhetorscope.readers.base import RawDocument
from rhetorscope.spans import fit
from rhetorscope.spans.component import SpanComponent
from rhetorscope.spans.fragments import FragmentModel, load, tidy
from rhetorscope.spans.predict import LABELS, logits_of, tag, tokenise
from rhetorscope.spans.ptc import LabeledSpan, score_spans
from rhetorscope.spans.tokens import tokenize
from rhetorscope.work import SentenceVerdict, Work

LL, NC, DOUBT = "Loaded_Language", "Name_Calling-Labeling", "Doubt"


def _tokens(text: str, lang: str = "en", counts: Counter[str] | None = None):
    return tokenize(text, mask(text, lang), lang, counts)


def test_tokens_map_masked_words_back_to_the_real_text():
    text = "Joe Biden called Vladimir Putin a “killer”."
    toks = _tokens(text)
    assert [text[t.start:t.end] for t in toks] == ["Joe Biden", "called", "Vladimir Putin", "a", "“", "killer",
                                                    "”", "."]
    assert toks[0].form == toks[2].form == "ζ" and "w=ζ" in toks[0].features
    assert "inq" in toks[5].features and "inq" not in toks[3].features
    first, last = offset_map("Ab Cd", "ζ Cd")
    assert (first[0], last[0], first[2], last[3]) == (0, 2, 3, 5)


def test_features_are_the_same_whichever_name_is_masked():
    a = _tokens("Emmanuel Macron lied again.", "en")
    b = _tokens("Olaf Scholz lied again.", "en")
    assert [t.features for t in a] == [t.features for t in b]


def test_repetition_feature_counts_the_document():
    toks = _tokens("Never again, never.", counts=Counter({"never": 3}))
    assert "rep=3" in toks[0].features


STOP = frozenset({"of", "the", "a", "our"})


@pytest.mark.parametrize(("text", "a", "b", "expected"), [
    ("the pillars of the UN", 0, 4, "pillars"),                 # function words trimmed at both edges
    ("of the", 0, 2, None),                                      # nothing but function words
    ("He said “pure lies” today", 2, 4, "“pure lies”"),          # a quote is never cut in two
    ("He said “pure lies” today", 1, 4, "said “pure lies”"),
    ("He said “pure lies” today", 3, 5, "pure lies"),           # inside the quote: left as it is
    ("Our ideas win", 0, 2, "ideas"),
    ("vile words “" + "a " * 12 + "end” here", 0, 3, "vile words"),  # a long quotation: stop short of it
    (", !", 0, 2, None),                                         # punctuation alone
])
def test_tidy_gives_readable_fragments(text, a, b, expected):
    toks = tokenize(text, text, "en")
    run = tidy(toks, a, b, STOP)
    assert (None if run is None else text[toks[run[0]].start:toks[run[1] - 1].end]) == expected


def _article(k: int) -> Article:
    """A toy article: a loaded word in one sentence, a doubt sentence, a neutral one."""
    words = ["vile", "rotten", "shameful"][k % 3]
    body = f"They spread {words} lies about the plan. Is this really true at all? The meeting is on Monday."
    text = f"Title {k}\n{body}"
    start = text.index(words)
    spans = [Span(LL, start, start + len(words) + 5), Span(DOUBT, text.index("Is this"), text.index("all?") + 4)]
    art = Article("en", str(k), text, spans)
    offset = text.index("They")
    art.lines = [(0, offset - 1), (offset, len(text))]
    for sentence in (f"They spread {words} lies about the plan.", "Is this really true at all?",
                     "The meeting is on Monday."):
        s = text.index(sentence)
        art.units.append(Unit(s, s + len(sentence), sentence, 1, frozenset()))
    return art


def test_fit_and_cross_validate_on_a_toy_corpus(monkeypatch):
    pytest.importorskip("sklearn")
    monkeypatch.setattr(fit, "FUNCTION_WORDS", 3)  # a toy vocabulary: every word would be among the top 150
    items = [tokenise(_article(k)) for k in range(30)]
    folds = np.arange(30) % 3
    cv = fit.cross_validate(items, folds, [it.holds for it in items], 3)
    scores = cv.by_language["en"]
    assert scores.technique.f1 > 0.7 and scores.span_identification.f1 > 0.7
    model = fit.fit_final(items, cv, {"version": "toy"})
    assert model.decoders[LABELS.index(DOUBT)] in ("words", "clause")
    it = items[0]
    spans = tag(model, it, it.holds, logits_of(model, it, it.holds))
    texts = {(s.label, it.article.text[s.start:s.end]) for s in spans}
    assert (LL, "vile lies") in texts or (LL, "vile") in texts
    paragraph = fit.paragraph_f1(items, cv.predictions)
    assert paragraph["en"] > 0.7


def test_artifact_round_trip(tmp_path):
    pytest.importorskip("sklearn")
    items = [tokenise(_article(k)) for k in range(6)]
    model = fit.fit(items, meta={"version": "toy-2"})
    model.save(tmp_path / "f.npz")
    again = load(tmp_path / "f.npz")
    toks = items[0].tokens[0]
    assert np.allclose(again.scores(toks), model.scores(toks), rtol=0.01, atol=0.05)
    assert again.version == "toy-2" and again.languages == {"en"} and again.labels == LABELS


def _toy_model() -> FragmentModel:
    vocab = {"w=vile": 0, "w=traitor": 1}
    weights = np.zeros((2, len(LABELS)), dtype=np.float32)
    weights[0, LABELS.index(LL)] = 6.0
    weights[1, LABELS.index(NC)] = 6.0
    return FragmentModel(list(LABELS), vocab, weights, np.full(len(LABELS), -3.0, dtype=np.float32),
                         np.full(len(LABELS), 0.5, dtype=np.float32),
                         ["clause" if t == DOUBT else "words" for t in LABELS],
                         {"en": frozenset({"a", "the"}), "ru": frozenset()}, {"version": "test-1"})


def _work(text: str, verdicts: list[tuple[int, int, dict[str, float]]]) -> Work:
    sentences = [Sentence(start=s, end=e, text=text[s:e]) for s, e, _ in verdicts]
    seg = Segment(id="s1", kind="paragraph", text=text, start=0, end=len(text), original_start=0,
                  original_end=len(text), language="en", sentences=sentences)
    doc = Document(id="d", metadata=DocumentMetadata(input_format="text", language="en"), text=text,
                   segments=[seg])
    work = Work(raw=RawDocument(text=text, input_format="text"), text=text, document=doc)
    for s, e, techniques in verdicts:
        work.verdicts.append(SentenceVerdict("s1", s, e, "en", mask(text[s:e], "en"), techniques,
                                             lambda t: [f"cue for {t}"]))
    return work


def test_component_places_only_the_techniques_the_sentence_model_passed():
    text = "He is a vile traitor. Is it true?"
    work = _work(text, [(0, 21, {LL: 0.8}), (22, 33, {DOUBT: 0.6})])
    paragraph = Finding(id=work.next_finding_id(), kind="technique", technique=LL, category="manipulative_wording",
                        segment_id="s1", start=0, end=len(text), text=text, confidence=0.8, source="sentences 2")
    work.findings.append(paragraph)
    SpanComponent(loader=_toy_model)(work)
    spans = [f for f in work.findings if f.source == "spans test-1"]
    assert {(f.technique, f.text) for f in spans} == {(LL, "vile"), (DOUBT, "Is it true")}
    loaded = next(f for f in spans if f.technique == LL)
    assert loaded.confidence == 0.8 and 'words: "vile"' in loaded.evidence[1] and loaded.evidence[-1] == (
        "cue for Loaded_Language")
    assert [(r.relation, r.finding_id) for r in loaded.related] == [("confirms", paragraph.id)]
    assert [(r.relation, r.start, r.end) for r in paragraph.related] == [("confirmed_by", 8, 12)]
    assert work.models["spans"] == "test-1 (en, ru)"


def test_component_skips_languages_without_a_model():
    text = "He is a vile traitor."
    work = _work(text, [(0, 21, {LL: 0.8})])
    work.verdicts[0].language = "fr"
    SpanComponent(loader=_toy_model)(work)
    assert not work.findings


def test_score_spans_with_the_2023_labels():
    gold = {"1": [LabeledSpan(0, 10, LL)]}
    pred = {"1": [LabeledSpan(0, 5, LL), LabeledSpan(0, 5, NC)]}
    s = score_spans(pred, gold, labels=LABELS)
    assert s.span_identification.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)
    assert s.per_technique[LL].precision == 1.0 and s.per_technique[NC].precision == 0.0


@pytest.mark.parametrize(("text", "detected", "expected"), [
    ("Слава России!", None, "ru"),              # too short to detect: the script decides
    ("Niech żyje Polska!", None, "pl"),         # Latin script: the closest supported language
    ("Vive la France !", None, "fr"),
    ("Short", "de", "de"),                      # the document's language comes first
    ("Слава Україні!", "uk", "ru"),             # an unsupported detected language: the script's model
])
def test_short_text_is_routed_by_script_and_document_language(text, detected, expected):
    from rhetorscope.language import model_language

    assert model_language(text, detected) == expected


class _Recorder:
    """A sentence model that records the language each sentence is read in."""

    labels, needs_encoder, version, lexical = list(LABELS), False, "rec", None
    langs: ClassVar[list[str]] = []

    def rows(self, inputs, encoder):  # type: ignore[no-untyped-def]
        _Recorder.langs = [s.lang for s in inputs]

    def proba(self, rows, masked, lexical=None):  # type: ignore[no-untyped-def]
        return np.zeros((len(masked), len(LABELS)))

    def threshold(self, lang):  # type: ignore[no-untyped-def]
        return np.ones(len(LABELS))

    def confidence(self, score, sentences, lang):  # type: ignore[no-untyped-def]
        return score


def test_a_short_russian_post_is_read_by_the_russian_models():
    from rhetorscope.detect.component import SentenceTechniqueComponent

    work = _work("Слава России!", [(0, 13, {})])
    work.doc.metadata.language = None
    work.doc.segments[0].language = None
    SentenceTechniqueComponent(model=_Recorder)(work)
    assert _Recorder.langs == ["ru"] and work.verdicts[-1].language == "ru"


def test_word_level_techniques_keep_the_words_decoder_when_the_metric_prefers_a_clause():
    """Partial-overlap F1 rewards any longer window that holds the word; a reader wants the word."""
    labels = fit.LABELS
    sums = np.zeros((len(fit.SETTINGS), len(labels), 4))
    sums[..., 2:] = 10.0
    sums[..., :2] = 1.0
    clause = next(k for k, (d, _) in enumerate(fit.SETTINGS) if d == "clause")
    words = [k for k, (d, _) in enumerate(fit.SETTINGS) if d == "words"][3]
    sums[clause, :, :2] = 8.0
    sums[words, :, :2] = 5.0
    chosen = dict(zip(labels, fit._choose(sums), strict=True))
    for label in labels:
        expected = fit.SETTINGS[words] if label in fit.WORD_LEVEL else fit.SETTINGS[clause]
        assert chosen[label] == expected, label
