"""Paragraph classifier: features, actor masking, training determinism and the shipped artifact."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from rhetorscope.classify.actors import PLACEHOLDER, mask_actors
from rhetorscope.classify.features import normalise, tokenize
from rhetorscope.classify.model import ParagraphModel, load_model, shipped_artifact
from rhetorscope.classify.neutrality import flip_rate, swap_actors, swap_set
from rhetorscope.classify.semeval import Paragraph
from rhetorscope.techniques import TECHNIQUES

SAMPLES = [
    Paragraph("1", "3", "The so-called experts have lied again, spreading outrageous and shameful propaganda.",
              "en", title="Experts lie"),
    Paragraph("1", "5", "Russia said on Tuesday that the talks with NATO would resume next week.", "en"),
    Paragraph("2", "3", "Путин заявил, что США ведут гибридную войну против России и лгут всему миру.", "ru"),
    Paragraph("3", "3", "Rosja oskarża NATO o kłamstwa, a Putin mówi o wielkim zagrożeniu.", "pl"),
    Paragraph("4", "3", "Die Regierung in Berlin hat am Montag neue Zahlen veröffentlicht.", "de"),
]


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


def test_swapped_paragraphs_normalise_to_the_same_text() -> None:
    swapped = swap_actors("Путина критикуют в НАТО, а Россия молчит.", "ru")
    assert swapped == "Байдена критикуют в ОДКБ, а Америка молчит."
    assert normalise(swapped, "ru") == normalise("Путина критикуют в НАТО, а Россия молчит.", "ru")
    assert swap_actors("Nothing to swap here.", "en") is None


def test_tokens_cover_every_namespace_and_context() -> None:
    tokens = tokenize(Paragraph("1", "3", "Shameful lies!", "en", title="Big news", prev_text="Earlier",
                                position=1))
    assert {t[0] for t in tokens} == {"w", "c", "x", "m"}
    assert tokens["w|shameful lies"] == 1 and tokens["c|lies"] == 1
    assert "x|earlier" in tokens and "m|exclaim=True" in tokens and "m|lang=en" in tokens


def _tiny_corpus() -> list[Paragraph]:
    loaded = ["a shameful disgraceful betrayal", "outrageous shameful lies", "disgraceful outrageous plot"]
    neutral = ["the committee met on monday", "figures were published today", "the meeting lasted an hour"]
    out = []
    for a in range(12):
        for i, text in enumerate(loaded + neutral):
            labels = ("Loaded_Language",) if i < 3 else ()
            out.append(Paragraph(str(a), str(i + 1), f"{text} {a}", "en", labels=labels, position=i))
    return out


def test_training_is_deterministic_and_learns(tmp_path: Path) -> None:
    from rhetorscope.classify.train import Dataset, TrainConfig, cross_validate, fit_final

    def run(out: Path) -> tuple[ParagraphModel, float]:
        ds = Dataset(_tiny_corpus(), TrainConfig(seed=3, folds=3, min_df=1), lambda s, n: None)
        cv = cross_validate(ds, lambda s, n: None)
        model = fit_final(ds, cv.threshold, lambda s, n: None, {"version": "test"})
        model.save(out)
        return ParagraphModel.load(out), cv.mean_micro_f1

    (m1, f1a), (_m2, f1b) = run(tmp_path / "a.npz"), run(tmp_path / "b.npz")
    assert f1a == f1b and f1a > 0.9
    assert (tmp_path / "a.npz").read_bytes() == (tmp_path / "b.npz").read_bytes()
    pred = m1.predict([Paragraph("x", "1", "a shameful outrageous betrayal", "en", position=2)], evidence=3)[0]
    assert pred.labels == ("Loaded_Language",)
    assert any("shameful" in e or "outrageous" in e for e in pred.evidence["Loaded_Language"])


def test_shipped_artifact_loads_fast_and_is_small() -> None:
    path = shipped_artifact()
    assert path.is_file(), "the paragraph model must ship inside the package"
    assert path.stat().st_size <= 35 * 1024 * 1024
    load_model.cache_clear()
    start = time.process_time()
    model = load_model()
    assert time.process_time() - start < 0.75  # CPU time; budget 0.5 s, slack for a slower CI core
    assert model.labels == list(TECHNIQUES)


def test_shipped_model_predicts_known_ids_fast_and_finds_loaded_language() -> None:
    model = load_model()
    predictions = model.predict(SAMPLES * 40)
    assert all(set(p.labels) <= set(TECHNIQUES) for p in predictions)
    assert "Loaded_Language" in predictions[0].labels or "Name_Calling-Labeling" in predictions[0].labels
    start = time.process_time()
    model.predict(SAMPLES * 60)
    assert 300 / (time.process_time() - start) >= 300  # paragraphs per CPU-second on one core


def test_shipped_model_ignores_who_is_named() -> None:
    pairs = swap_set(SAMPLES)
    assert len(pairs) == 3
    report = flip_rate(load_model(), pairs)
    assert report.flips == 0
