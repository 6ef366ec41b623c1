"""The sentence re-scorer: exported text model, marginal shift, artifact round trip, CV wiring."""

from __future__ import annotations

import math

import numpy as np
import pytest

from rhetorscope.spans.features import featurize
from rhetorscope.spans.model import SpanModel, default_model_dir
from rhetorscope.spans.ptc import Article, LabeledSpan
from rhetorscope.spans.rescore import (
    SentenceRescorer,
    TextModel,
    fit_combiner,
    fit_text_model,
    sentence_documents,
    sentence_labels,
    sentence_units,
    shift_marginals,
)
from rhetorscope.spans.train import cross_validate, fit_text, prepare

LL = "Loaded_Language"
CHARGED = ["The vile traitors lied again.", "Those corrupt crooks betrayed us!", "A shameful, evil plan."]
CALM = ["The report came out on Monday.", "Officials met in the capital.", "The vote is due next week."]


def _articles(n: int = 12) -> list[Article]:
    articles = []
    for i in range(n):
        text = f"{CHARGED[i % 3]} {CALM[i % 3]}\n{CALM[(i + 1) % 3]} Day {i}."
        word = CHARGED[i % 3].split()[1].strip(",")
        start = text.index(word)
        articles.append(Article(str(i), text, [LabeledSpan(start, start + len(word), LL),
                                               LabeledSpan(0, len(CHARGED[i % 3]), "Doubt")]))
    return articles


def test_sentence_terms_come_from_the_token_features():
    sequences = featurize("Vile lies. Calm day")
    assert sentence_units(sequences) == [(0, 0, 3), (0, 3, 5)]
    first, second = sentence_documents(sequences)
    assert "w=vile" in first and "bg+=vile|lies" in first and "w=calm" not in first
    assert all(term.startswith(("w=", "cl=", "lx=", "bg+=")) for term in first + second)
    assert sentence_labels(sequences, [LabeledSpan(0, 4, LL)]) == [1, 0]


def test_text_model_scores_as_scikit_learn_does():
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression

    documents = [sentence_documents(featurize(s))[0] for s in CHARGED + CALM] * 2
    labels = [1, 1, 1, 0, 0, 0] * 2
    model = fit_text_model(documents, labels)
    vectorizer = TfidfVectorizer(analyzer=lambda d: d, min_df=2, sublinear_tf=True)
    reference = LogisticRegression(max_iter=3000).fit(vectorizer.fit_transform(documents), labels)
    unseen = [sentence_documents(featurize(s))[0] for s in ("The vile report lied.", "Nothing known here")]
    expected = reference.predict_proba(vectorizer.transform(unseen))[:, 1]
    assert np.allclose(model.probabilities(unseen), expected, atol=1e-9)
    assert model.probabilities([[]])[0] == pytest.approx(1 / (1 + math.exp(-model.intercept)))


def _marginals(sequences, values):
    flat = iter(values)
    return {LL: [[next(flat) for _ in s.starts] for s in sequences]}


def test_shift_moves_each_sentence_towards_its_probability():
    sequences = featurize("Vile lies. Calm day")
    marginals = _marginals(sequences, [0.2, 0.4, 0.1, 0.3, 0.05])
    assert shift_marginals(sequences, marginals, np.array([0.9, 0.01]), 0.0)[LL][0] == pytest.approx(
        marginals[LL][0])
    full = shift_marginals(sequences, marginals, np.array([0.9, 0.01]), 1.0)[LL][0]
    assert max(full[:3]) == pytest.approx(0.9) and max(full[3:]) == pytest.approx(0.01)
    assert full[1] > full[0] > full[2]  # the CRF still decides which tokens: order inside a sentence is kept
    half = shift_marginals(sequences, marginals, np.array([0.9, 0.01]), 0.5)[LL][0]
    assert 0.4 < half[1] < 0.9 and 0.01 < half[3] < 0.3


def test_rescorer_round_trip(tmp_path):
    text = TextModel({"w=vile": (1.5, 2.0), "w=calm": (1.2, -1.0)}, -0.5)
    rescorer = SentenceRescorer(text, np.array([0.5, 0.2, 0.7, 1.0, 0.1, -0.3, 0.2]), -1.0)
    rescorer.save(tmp_path / "sentences.npz")
    loaded = SentenceRescorer.load(tmp_path / "sentences.npz")
    assert loaded.text.terms == text.terms and loaded.shift == rescorer.shift
    sequences = featurize("Vile lies. Calm day")
    layers = [{"labels": [LL]}] * 3
    marginals = _marginals(sequences, [0.2, 0.4, 0.1, 0.3, 0.05])
    rescored, probabilities = loaded.rescore(sequences, marginals, layers)
    expected, expected_probabilities = rescorer.rescore(sequences, marginals, layers)
    assert rescored == expected and probabilities.tolist() == expected_probabilities.tolist()
    assert len(probabilities) == 2 and rescored != marginals
    assert loaded.rescore([], {LL: []}, layers)[0] == {LL: []}


def test_cross_validation_fits_and_applies_the_combiner():
    examples = prepare(_articles())
    result = cross_validate(examples, [], 3, 0, lambda step, n: None)
    coef, intercept = result.combiner
    assert coef.shape == (7,) and np.isfinite(coef).all() and math.isfinite(intercept)
    assert result.scores.span_identification.f1 > 0.3
    assert cross_validate(examples, [], 3, 0, lambda step, n: None).scores == result.scores
    text = fit_text(examples)
    charged, calm = text.probabilities(sentence_documents(featurize("The vile traitors lied. Officials met.")))
    assert charged > calm
    assert fit_combiner(np.array([[0.0] * 7, [1.0] * 7] * 3), [0, 1] * 3)[0].shape == (7,)


def test_shipped_artifact_rescores():
    model = SpanModel.load(default_model_dir())
    assert model.rescorer is not None and model.rescorer.text.terms
    sequences = model.featurize("Disgraceful: the corrupt, lying elites betrayed our great nation! It rained.")
    crf = model.crf_marginals(sequences)
    rescored = model.sequence_marginals(sequences)
    assert rescored.keys() == crf.keys() and rescored != crf
    spans = model.predict("Disgraceful: the corrupt, lying elites betrayed our great nation!", explain=True)
    assert all(s.evidence[-1].startswith("whole sentence: ") for s in spans)
