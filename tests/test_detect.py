"""The sentence technique model end to end on a generated span corpus, with a small hashing encoder.

Real components throughout (dataset reader, masking, cues, network training, artifact, pipeline
component); only the encoder is a deterministic stand-in, so the test runs in seconds.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("sklearn")

from rhetorscope.detect.component import SentenceTechniqueComponent
from rhetorscope.detect.corpus import SEGMENTATIONS, carries, read_dataset, segments
from rhetorscope.detect.corpus import Span as GoldSpan
from rhetorscope.detect.features import layout
from rhetorscope.detect.model import SentenceModel
from rhetorscope.detect.train import TrainConfig, cross_validate, fit_final, prepare
from rhetorscope.encoder import CachedEncoder
from rhetorscope.masking import PLACEHOLDER
from rhetorscope.pipeline import Pipeline
from rhetorscope.readers.base import RawDocument

TEMPLATES = {
    "Appeal_to_Authority": "As the experts say, the {n} plan is sound.",
    "False_Dilemma-No_Choice": "Either we accept the {n} deal or we lose everything.",
    "Name_Calling-Labeling": "These {n} traitors and criminals run the ministry.",
}
NEUTRAL = ["The committee met on {n} Tuesday.", "Rain is expected in the {n} region.",
           "The report has {n} pages.", "Trains run every {n} minutes."]


class HashEncoder:
    """Bag of per-word random vectors (seeded by the word's hash): deterministic and dependency-free."""

    name = "hash-test-encoder"
    dim = 32

    def encode(self, texts: Sequence[str], kind: str = "passage") -> np.ndarray:
        rows = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, t in enumerate(texts):
            for w in t.lower().split():
                seed = int.from_bytes(hashlib.sha256(w.strip(".,").encode()).digest()[:4], "little")
                rows[i] += np.random.default_rng(seed).normal(size=self.dim)
        return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-6)


def _write_corpus(root: Path, n_articles: int = 30) -> None:
    rng = np.random.default_rng(0)
    base = root / "en"
    (base / "train-articles").mkdir(parents=True)
    (base / "train-labels-spans").mkdir()
    techniques = list(TEMPLATES)
    for a in range(n_articles):
        lines, spans, at = [f"Title number {a}"], [], len(f"Title number {a}") + 1
        for _ in range(4):
            sentences = []
            for _ in range(rng.integers(1, 4)):
                word = f"w{rng.integers(0, 50)}"
                if rng.random() < 0.4:
                    t = techniques[rng.integers(0, len(techniques))]
                    sentences.append((TEMPLATES[t].format(n=word), t))
                else:
                    sentences.append((NEUTRAL[rng.integers(0, len(NEUTRAL))].format(n=word), None))
            line = " ".join(s for s, _ in sentences)
            cursor = at
            for s, t in sentences:
                if t:
                    spans.append(f"{a}\t{t}\t{cursor}\t{cursor + len(s) - 1}")
                cursor += len(s) + 1
            lines.append(line)
            at += len(line) + 1
        (base / "train-articles" / f"article{a}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        (base / "train-labels-spans" / f"article{a}-labels.txt").write_text("\n".join(spans) + "\n",
                                                                            encoding="utf-8")


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> tuple[tuple[SentenceModel, SentenceModel], tuple, Path]:
    root = tmp_path_factory.mktemp("spans")
    _write_corpus(root)
    articles = read_dataset(root, ("en",))
    cache_path = root / "cache.npz"
    embed = CachedEncoder(HashEncoder(), cache_path)
    prep = prepare(articles, embed)
    embed.save()
    cfg = TrainConfig(seed=3, folds=3, hidden=16, epochs=40, batch=64, learning_rate=5e-3)
    cvs = cross_validate(prep, cfg)
    models = fit_final(prep, cfg, *cvs, {"encoder": HashEncoder.name, "config": vars(cfg)})
    return models, cvs, root


def test_labels_follow_the_start_or_half_rule() -> None:
    span = GoldSpan("Doubt", 10, 30)
    assert carries(span, 5, 15)
    assert carries(span, 12, 28)
    assert not carries(span, 25, 60)
    assert not carries(span, 30, 40)


def test_three_segmentations_cover_the_same_sentences(trained: tuple) -> None:
    _, _, root = trained
    art = read_dataset(root, ("en",))[0]
    body = {i for i, u in enumerate(art.units) if u.line > 0}
    for how in SEGMENTATIONS:
        covered = [i for _, _, idx in segments(art, how) for i in idx]
        assert sorted(covered) == sorted(body)


def test_cross_validation_learns_the_techniques_in_every_segmentation(trained: tuple) -> None:
    _, cvs, _ = trained
    for cv in cvs:
        for how in SEGMENTATIONS:
            assert cv.mean(how) > 0.8, (how, cv.by_segmentation[how])


def test_artifact_round_trips_and_training_is_deterministic(trained: tuple, tmp_path: Path) -> None:
    (model, fast), cvs, root = trained
    assert fast.network is None and not fast.needs_encoder and model.needs_encoder
    texts = ["These w1 traitors lie.", "Trains run every w2 minutes."]
    for m in (model, fast):
        path = tmp_path / "sentences.npz"
        m.save(path)
        again = SentenceModel.load(path)
        width = layout(HashEncoder.dim)["lang"].stop
        rows = np.random.default_rng(1).normal(size=(2, width)).astype(np.float32) if m.network else None
        np.testing.assert_allclose(again.proba(rows, texts), m.proba(rows, texts), atol=2e-3)
        assert again.version == m.version and again.blend == m.blend
    articles = read_dataset(root, ("en",))
    prep = prepare(articles, CachedEncoder(HashEncoder(), root / "cache.npz"))
    again = fit_final(prep, TrainConfig(**model.meta["config"]), *cvs, {})
    assert np.array_equal(again[0].network[2], model.network[2])
    assert np.array_equal(again[1].lexical.coef, fast.lexical.coef)


def _analyse(model: SentenceModel, text: str) -> list:
    from rhetorscope.language import LanguageComponent
    from rhetorscope.sentences import SentenceComponent
    from rhetorscope.structure import RepairComponent, StructureComponent

    pipeline = Pipeline([RepairComponent(), StructureComponent(), LanguageComponent(), SentenceComponent(),
                         SentenceTechniqueComponent(model=lambda: model, encoder=HashEncoder,
                                                    fast=model.network is None)])
    return pipeline(RawDocument(text=text, input_format="text")).findings


@pytest.mark.parametrize("tier", [0, 1])
def test_a_sentence_gets_the_same_technique_on_its_own_line_and_inside_a_paragraph(trained: tuple,
                                                                                   tier: int) -> None:
    model = trained[0][tier]
    sentences = ["Georgia's ministry published its annual review of the budget today.",
                 "Either we accept the w7 deal or we lose everything.",
                 "These w3 traitors and criminals run the ministry.",
                 "Trains run every w9 minutes."]
    title = "A review of the week in the region\n\n"
    one_per_line = _analyse(model, title + "\n\n".join(sentences))
    paragraph = _analyse(model, title + " ".join(sentences))
    found_lines = {f.technique for f in one_per_line}
    assert {"False_Dilemma-No_Choice", "Name_Calling-Labeling"} <= found_lines
    assert {f.technique for f in paragraph} == found_lines
    assert len(paragraph) == len({f.technique for f in paragraph})


def test_evidence_quotes_real_words_and_names_the_tier(trained: tuple) -> None:
    model = trained[0][0]
    findings = _analyse(model, "Weekly notes\n\nAs the experts say, Aliyev's w2 plan is sound. "
                               "Either we accept the w5 deal or we lose everything.")
    assert findings
    for f in findings:
        assert f.tier == "accurate" and f.source.startswith("sentences ")
        assert all(PLACEHOLDER not in e for e in f.evidence)
        assert any("encoder" in e for e in f.evidence)
        assert any(e.startswith("words: ") for e in f.evidence)
    cues = [e for f in findings for e in f.evidence if e.startswith("cue ")]
    assert any('"either we accept the w5 deal or"' in e.lower() for e in cues)


SAMPLES = [
    ("en", "The so-called experts have lied again, spreading outrageous and shameful propaganda."),
    ("en", "Russia said on Tuesday that the talks with NATO would resume next week."),
    ("ru", "Путин заявил, что США ведут гибридную войну против России и лгут всему миру."),
    ("pl", "Rosja oskarża NATO o kłamstwa, a Putin mówi o wielkim zagrożeniu."),
    ("de", "Die Regierung in Berlin hat am Montag neue Zahlen veröffentlicht."),
]


def _shipped(fast: bool) -> SentenceModel:
    from rhetorscope.detect.model import load_model, shipped_artifact

    assert shipped_artifact(fast).is_file(), "the sentence models must ship inside the package"
    return load_model(fast=fast)


def test_shipped_artifacts_are_small_and_load_fast() -> None:
    import time

    from rhetorscope.detect.model import load_model, shipped_artifact

    assert shipped_artifact().stat().st_size + shipped_artifact(True).stat().st_size <= 20 * 1024 * 1024
    load_model.cache_clear()
    start = time.process_time()
    accurate, fast = load_model(), load_model(fast=True)
    assert time.process_time() - start < 1.5
    assert accurate.labels == fast.labels and accurate.needs_encoder and not fast.needs_encoder


def test_shipped_fast_tier_finds_loaded_language_and_keeps_its_speed() -> None:
    import time

    from rhetorscope.detect.predict import predict_articles

    model = _shipped(fast=True)
    labels = predict_articles(model, None, [(lang, [text]) for lang, text in SAMPLES])
    assert {"Loaded_Language", "Name_Calling-Labeling", "Doubt"} & set(labels[0][0])
    paragraphs = [(lang, [text] * 10) for lang, text in SAMPLES * 6]
    start = time.process_time()
    predict_articles(model, None, paragraphs)
    assert 300 / (time.process_time() - start) >= 300  # paragraphs per CPU-second on one core


@pytest.mark.parametrize("fast", [True, False])
def test_shipped_models_ignore_who_is_named(fast: bool) -> None:
    from rhetorscope.detect.neutrality import swap
    from rhetorscope.detect.predict import predict_articles
    from rhetorscope.encoder import load_encoder

    model = _shipped(fast)
    encoder = None if fast else load_encoder()
    for which in ("listed", "unlisted"):
        texts = [(lang, [text]) for lang, text in SAMPLES]
        swapped = [(lang, [swap(text, lang, which)]) for lang, text in SAMPLES]
        assert predict_articles(model, encoder, texts) == predict_articles(model, encoder, swapped)
    unlisted = [("en", ["Georgia accuses India of lying about the talks."]),
                ("en", ["India accuses Georgia of lying about the talks."])]
    first, second = predict_articles(model, encoder, unlisted)
    assert first == second


def test_flip_rate_counts_labels_that_move_when_names_are_swapped(trained: tuple) -> None:
    from rhetorscope.detect.corpus import read_article
    from rhetorscope.detect.neutrality import flip_rate

    (model, fast), _, root = trained
    path = root / "named.txt"
    path.write_text("Weekly notes\nEither Georgia accepts the w1 deal or we lose everything. Trains run every w2 "
                    "minutes.\nThese w3 traitors and criminals run the ministry in India.\n", encoding="utf-8")
    article = read_article(path, None, "en")
    for m in (model, fast):
        report = flip_rate(m, [article], "unlisted", HashEncoder())
        assert report.articles == 1 and report.labels >= 2 and report.changed == 0


def test_a_document_over_the_encoder_budget_gets_the_fast_tier_and_says_so(reference_path: Path,
                                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Over `RHETORSCOPE_ENCODER_MAX_CHARS` the technique stage runs the fast tier and the claim stage scores only
    the sentences its words and cues rank highest, within the budget; the models line and the findings say so."""
    from rhetorscope.pipeline import default_pipeline
    from rhetorscope.readers import read_path

    (raw,) = read_path(reference_path)
    monkeypatch.setenv("RHETORSCOPE_ENCODER_MAX_CHARS", "1500")
    bounded = default_pipeline()(raw)
    monkeypatch.delenv("RHETORSCOPE_ENCODER_MAX_CHARS")
    full = default_pipeline()(raw)

    assert "longer than the encoder reads (1,500 characters" in bounded.models["sentences-model"]
    assert "longer than the encoder reads (1,500 characters" in bounded.models["claims"]
    assert "(accurate)" in full.models["sentences-model"] and "encoder" not in full.models["claims"]
    techniques = [f for f in bounded.findings if f.source.startswith("sentences")]
    assert techniques and {f.tier for f in techniques} == {"fast"}
    sentences = [s for seg in bounded.document.segments for s in seg.sentences]
    scored = [s for s in sentences if s.checkworthiness is not None]
    assert 0 < len(scored) < len(sentences) and sum(len(s.text) for s in scored) <= 1500
    claims = {f.text for f in bounded.findings if f.kind == "claim"}
    assert claims <= {s.text for s in scored}


def test_averaged_networks_ship_as_one_network() -> None:
    """The mean logit of several networks is the logit of one network with their hidden layers side by side."""
    from rhetorscope.detect.train import _fit_one, fit_network

    rng = np.random.default_rng(0)
    rows = rng.normal(size=(120, 8)).astype(np.float32)
    y = (rows[:, :3] > 0.3).astype(np.uint8)
    cfg = TrainConfig(seed=5, hidden=6, epochs=5, batch=32, networks=3)
    merged = SentenceModel(np.zeros((1, 3)), ["a", "b", "c"], {}, network=fit_network(rows, y, cfg))
    singles = [SentenceModel(np.zeros((1, 3)), ["a", "b", "c"], {}, network=_fit_one(rows, y, cfg, 5 + k))
               for k in range(3)]
    assert merged.network[0].shape == (8, 18)
    mean = np.mean([m.network_logits(rows) for m in singles], axis=0)
    np.testing.assert_allclose(merged.network_logits(rows), mean, atol=1e-5)


def test_calibration_learns_what_a_score_is_worth_by_segment_length() -> None:
    """Segments whose best score understates how often they are right (longer ones more so) get
    confidences that match the share right, per length; the order of scores is kept."""
    from rhetorscope.detect.train import LABELS, Segmented, fit_calibration, fold_thresholds, reliability

    rng = np.random.default_rng(7)
    n = 6000
    sizes = rng.choice([1, 4], size=n)
    score = rng.uniform(0.02, 0.6, size=(n, len(LABELS))).astype(np.float32)
    lift = np.where(sizes == 4, 1.0, 0.3)[:, None]
    truth = 1 / (1 + (1 - score) / score * np.exp(-lift))
    gold = (rng.uniform(size=score.shape) < truth).astype(np.uint8)
    table = Segmented("given", np.array(["en"] * n), gold, score, np.arange(n) % 3, sizes)
    cal = fit_calibration([table])
    for size, lift in ((1, 0.3), (4, 1.0)):
        got = cal(np.full((1, len(LABELS)), 0.3, np.float32), np.array([size]), ["en"])[0]
        np.testing.assert_allclose(got, 1 / (1 + 0.7 / 0.3 * np.exp(-lift)), atol=0.05)
    grid = np.linspace(0.05, 0.55, 6, dtype=np.float32)[:, None].repeat(len(LABELS), axis=1)
    assert (np.diff(cal(grid, np.ones(6), ["en"] * 6), axis=0) > 0).all()
    (en,) = [r for r in reliability([table], fold_thresholds([table], 3)) if r.lang == "en"]
    assert en.ece < 0.05 and sum(b[2] for b in en.bins) > 0


def test_findings_carry_calibrated_confidences(trained: tuple, tmp_path: Path) -> None:
    (model, fast), cvs, _ = trained
    for m, cv in zip((model, fast), cvs, strict=True):
        assert m.calibration is not None and cv.reliability
        m.save(tmp_path / "m.npz")
        again = SentenceModel.load(tmp_path / "m.npz")
        np.testing.assert_array_equal(again.calibration.weights, m.calibration.weights)
        score = np.full(len(m.labels), 0.3, np.float32)
        np.testing.assert_allclose(m.confidence(score, 2, "en"), m.calibration(score[None], np.array([2]), ["en"])[0])
    bare = SentenceModel(model.thresholds, model.labels, {}, lexical=fast.lexical)
    np.testing.assert_allclose(bare.confidence(np.full(len(bare.labels), 0.3), 3, "en"), 0.3)
