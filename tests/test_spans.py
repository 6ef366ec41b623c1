"""Span tagger: features, decoding, training on a toy corpus, the shipped artifact and the pipeline component."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rhetorscope.model import Document, DocumentMetadata, Finding, Segment
from rhetorscope.readers.base import RawDocument
from rhetorscope.spans.component import SpanComponent
from rhetorscope.spans.features import featurize
from rhetorscope.spans.model import PredictedSpan, SpanModel, decode, default_model_dir, load_default
from rhetorscope.spans.ptc import Article, LabeledSpan, read_ptc_dataset, score_spans
from rhetorscope.spans.train import (
    CLUSTER_SIZES,
    artifact_meta,
    fit,
    folds_of,
    prepare,
    token_labels,
    train_layer,
)
from rhetorscope.work import Work

LL = "Loaded_Language"


def test_tokens_offsets_and_sentences():
    text = "Title here\n\nHe said: “Go!” Then he left. Fine"
    sequences = featurize(text)
    assert len(sequences) == 2
    body = sequences[1]
    tokens = [text[s:e] for s, e in zip(body.starts, body.ends, strict=True)]
    assert tokens == ["He", "said", ":", "“", "Go", "!", "”", "Then", "he", "left", ".", "Fine"]
    assert body.sentences == [(0, 7), (7, 11), (11, 12)]
    assert "title" in sequences[0].features[0] and "title" not in body.features[0]
    assert "inq" in body.features[4] and "inq" not in body.features[8]


def test_token_labels_prefer_the_shorter_span():
    text = "a truly evil plan"
    (sequence,) = featurize(text)
    spans = [LabeledSpan(0, 17, "Exaggeration,Minimisation"), LabeledSpan(8, 12, "Name_Calling,Labeling")]
    labels = token_labels(sequence, spans, ("Exaggeration,Minimisation", "Name_Calling,Labeling"))
    assert labels == ["Exaggeration,Minimisation"] * 2 + ["Name_Calling,Labeling", "Exaggeration,Minimisation"]
    assert token_labels(sequence, spans, (LL,)) == ["O"] * 4


def test_decode_token_runs_and_sentences():
    text = "Lies again. Calm words here."
    (sequence,) = featurize(text)
    probabilities = [0.9, 0.5, 0.0, 0.1, 0.2, 0.0, 0.0]
    runs = decode(sequence, probabilities, 0.3, LL, "token")
    assert runs == [PredictedSpan(0, 10, LL, 0.7)]
    sentences = decode(sequence, probabilities, 0.15, "Doubt", "sentence")
    assert [(s.start, s.end, s.confidence) for s in sentences] == [(0, 11, 0.9), (12, 28, 0.2)]


def test_folds_are_deterministic_and_partition():
    examples = prepare([Article(str(i), f"text {i}") for i in range(11)])
    folds = folds_of(examples, 3, seed=1)
    assert folds == folds_of(examples, 3, seed=1) != folds_of(examples, 3, seed=2)
    assert sorted(i for f in folds for i in f) == list(range(11))


def test_training_learns_a_toy_pattern():
    sentences = ["The vile traitors lied again.", "The calm report came out.", "Those vile crooks won."]
    articles = []
    for i in range(12):
        text = f"{sentences[i % 3]}\nNothing else happened on day {i}."
        start = text.find("vile")
        spans = [LabeledSpan(start, start + 4, LL)] if start >= 0 else []
        articles.append(Article(str(i), text, spans))
    examples = prepare(articles)
    models = fit(examples, lambda step, n: None)
    assert fit(examples, lambda step, n: None) == models  # same data, same bytes: the artifact is reproducible
    model = SpanModel(artifact_meta("toy", {"loaded": 0.5}), models)
    predicted = [(s.start, s.end, s.label) for s in model.predict("Some vile liars.")]
    assert (5, 9, LL) in predicted
    assert not [s for s in model.predict("A calm day.") if s.label == LL]


def test_shipped_artifact_loads_fast_and_tags():
    started = time.perf_counter()
    model = SpanModel.load(default_model_dir())
    assert time.perf_counter() - started < 1.0
    assert model.version.startswith("0.")
    assert {layer["name"] for layer in model.layers} == {"loaded", "word", "sentence"}
    assert model.clusters is not None and model.clusters.sizes == CLUSTER_SIZES
    assert model.clusters.get("corrupt")  # a word of the training texts has its e5 cluster codes
    assert sum(p.stat().st_size for p in Path(default_model_dir()).iterdir()) < 15_000_000
    text = "Disgraceful: the corrupt, lying elites betrayed our great nation and will destroy it!"
    spans = model.predict(text, explain=True)
    assert spans and all(0 <= s.start < s.end <= len(text) for s in spans)
    assert all(0.0 <= s.confidence <= 1.0 for s in spans)
    assert any(s.evidence for s in spans)
    assert spans == model.predict(text, explain=True)


class _FixedModel:
    version = "test-1"

    def predict(self, text: str, *, explain: bool = False) -> list[PredictedSpan]:
        start = text.index("vile")
        return [
            PredictedSpan(start, start + 4, LL, 0.6, ("feature w=vile (+1.00)",)),
            PredictedSpan(start - 4, len(text), "Doubt", 0.3),  # crosses into the second segment
        ]


def _work(text: str, languages: tuple[str | None, str | None]) -> Work:
    cut = text.index("\n\n")
    segments = [
        Segment(id="s1", kind="paragraph", text=text[:cut], start=0, end=cut, original_start=0,
                original_end=cut, language=languages[0]),
        Segment(id="s2", kind="paragraph", text=text[cut + 2:], start=cut + 2, end=len(text),
                original_start=cut + 2, original_end=len(text), language=languages[1]),
    ]
    document = Document(id="d", metadata=DocumentMetadata(input_format="text"), text=text, segments=segments)
    return Work(raw=RawDocument(text=text, input_format="text"), text=text, document=document)


def test_component_adds_mapped_findings_and_links_paragraph_labels():
    text = "They told a vile story.\n\nNext part."
    work = _work(text, ("en", "fr"))
    paragraph = Finding(id=work.next_finding_id(), kind="technique", technique="Loaded_Language",
                        category="manipulative_wording", segment_id="s1", start=0, end=23, text=text[:23],
                        confidence=0.8, source="paragraphs 1")
    work.findings.append(paragraph)
    SpanComponent(loader=_FixedModel)(work)
    spans = [f for f in work.findings if f.source == "spans test-1"]
    assert work.models["spans"] == "test-1"
    by_technique = {f.technique: f for f in spans}
    loaded = by_technique["Loaded_Language"]
    assert (loaded.text, loaded.segment_id, loaded.category) == ("vile", "s1", "manipulative_wording")
    assert loaded.evidence == ["PTC label: Loaded_Language", "feature w=vile (+1.00)"]
    assert [(r.relation, r.finding_id) for r in loaded.related] == [("confirms", paragraph.id)]
    assert [(r.relation, r.finding_id, r.start, r.end) for r in paragraph.related] == [
        ("confirmed_by", loaded.id, 12, 16)]
    doubt = by_technique["Doubt"]
    assert (doubt.start, doubt.end, doubt.segment_id, doubt.related) == (8, 23, "s1", [])
    assert len(spans) == 2  # the French segment gets no spans


def test_component_with_the_shipped_model():
    text = "The corrupt elites are lying to you again.\n\nThe radical thugs will destroy our nation!"
    work = _work(text, ("en", None))
    SpanComponent()(work)
    assert work.models["spans"] == load_default().version
    assert work.findings
    for finding in work.findings:
        segment = work.doc.segment(finding.segment_id)
        assert segment.start <= finding.start < finding.end <= segment.end
        assert finding.text == text[finding.start:finding.end] and finding.evidence[0].startswith("PTC label: ")


def test_ptc_data_trains_a_useful_layer(shared_datasets):
    """On real PTC data one layer trained on 80 articles finds loaded language in 20 others (F1 0.17 when written)."""
    articles = read_ptc_dataset(shared_datasets / "ptc")[:100]
    examples = prepare(articles)
    meta = artifact_meta("t", {"loaded": 0.15})
    meta["layers"] = meta["layers"][:1]
    model = SpanModel(meta, {"loaded": train_layer(examples[:80], "loaded")})
    predictions = {a.id: [s.labeled() for s in model.predict(a.text)] for a in articles[80:]}
    scores = score_spans(predictions, {a.id: a.spans for a in articles[80:]})
    assert scores.per_technique[LL].f1 > 0.12


@pytest.mark.parametrize(("feature", "words"), [
    ("w=foolish", 'the word "foolish"'),
    ("-1w=such", 'after the word "such"'),
    ("+2w=of", 'two words before the word "of"'),
    ("bg-=full|nazi", 'the words "full nazi"'),
    ("lx=emotion", "a word of the emotion lexicon"),
    ("+1lx=we", "before a word of the first-person plural (we/our) lexicon"),
    ("sx=vdn2", "a sentence with negative sentiment (strength 2) words"),
    ("s3=ish", 'a word ending in "-ish"'),
    ("p4=fool", 'a word starting with "fool-"'),
])
def test_evidence_names_features_in_words(feature, words):
    from rhetorscope.spans.model import describe_feature

    assert describe_feature(feature) == words


def test_actor_names_are_masked_so_either_side_gets_the_same_features():
    from rhetorscope.classify.actors import is_actor
    from rhetorscope.spans.model import describe_feature

    (russia,) = featurize("Russia lied again, said Putin.")
    (america,) = featurize("America lied again, said Biden.")
    assert russia.features == america.features
    assert "w=ζ" in russia.features[0] and "lx=actor" in russia.features[0]
    assert is_actor("IRAN") and is_actor("US") and not is_actor("IT")  # headlines in capitals are masked too
    assert not is_actor("USED") and not is_actor("UNDER") and is_actor("NATOs")
    assert describe_feature("-1w=ζ") == "after a named actor (country, leader, organisation or party)"
    assert describe_feature("bg+=ζ|lied") == 'the words "<actor> lied"'
