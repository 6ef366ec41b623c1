"""`spans predict` / `spans score` / `train spans` on a generated six-language corpus in the SemEval-2023 layout."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rhetorscope.cli import app
from rhetorscope.errors import RhetorscopeError
from rhetorscope.spans.fragments import load
from rhetorscope.techniques import TECHNIQUES

LL, DOUBT = "Loaded_Language", "Doubt"
LINES = {
    "en": ("They spread {w} lies about the plan.", "Is this really true?", "The meeting is on Monday.",
           ("vile", "rotten", "shameful", "disgusting")),
    "fr": ("Ils répandent des mensonges {w} sur le plan.", "Est-ce vraiment vrai ?", "La réunion est lundi.",
           ("ignobles", "honteux", "abjects", "odieux")),
    "ge": ("Sie verbreiten {w} Lügen über den Plan.", "Ist das wirklich wahr?", "Das Treffen ist am Montag.",
           ("widerliche", "schändliche", "üble", "niederträchtige")),
    "it": ("Diffondono {w} bugie sul piano.", "È davvero vero?", "La riunione è lunedì.",
           ("vili", "vergognose", "schifose", "ignobili")),
    "po": ("Szerzą {w} kłamstwa o planie.", "Czy to naprawdę prawda?", "Spotkanie jest w poniedziałek.",
           ("podłe", "haniebne", "ohydne", "nikczemne")),
    "ru": ("Они распространяют {w} слухи о плане.", "Разве это правда?", "Встреча в понедельник.",
           ("гнусные", "позорные", "мерзкие", "подлые")),
}


def _corpus(root, per_language: int = 10):
    for folder, (loaded, doubt, neutral, words) in LINES.items():
        arts, labels = root / folder / "train-articles", root / folder / "train-labels-spans"
        arts.mkdir(parents=True)
        labels.mkdir()
        for k in range(per_language):
            w = words[k % len(words)]
            body = [loaded.format(w=w), doubt, neutral]
            text = f"Title {k}\n" + "\n".join(body) + "\n"
            aid = f"{k + 1}"
            (arts / f"article{aid}.txt").write_text(text, encoding="utf-8")
            start = text.index(w)
            rows = [f"{aid}\t{LL}\t{start}\t{start + len(w)}", f"{aid}\t{DOUBT}\t{text.index(doubt)}\t"
                    f"{text.index(doubt) + len(doubt)}"]
            (labels / f"article{aid}-labels.txt").write_text("\n".join(rows) + "\n", encoding="utf-8")
    return root


def test_train_spans_is_deterministic_and_writes_a_card(tmp_path):
    pytest.importorskip("sklearn")
    data = _corpus(tmp_path / "data")
    runner = CliRunner()
    versions = []
    for n in (1, 2):
        out = tmp_path / f"model{n}"
        result = runner.invoke(app, ["train", "spans", "--data", str(data), "--out", str(out)])
        assert result.exit_code == 0, result.output
        assert "ru  span F1" in result.output
        card = (out / "MODEL_CARD.md").read_text(encoding="utf-8")
        assert "| pl |" in card and "word threshold" in card
        model = load(out / "fragments.npz")
        assert model.languages == {"en", "fr", "de", "it", "pl", "ru"} and model.labels == list(TECHNIQUES)
        versions.append(model.version)
    assert versions[0] == versions[1]


def test_spans_predict_and_score_in_every_language(tmp_path):
    data = _corpus(tmp_path / "data", per_language=2)
    runner = CliRunner()
    for folder in LINES:
        out = tmp_path / f"{folder}.txt"
        args = ["spans", "predict", "--articles", str(data / folder / "train-articles"), "--out", str(out), "--fast"]
        result = runner.invoke(app, args + (["--lang", folder] if folder in ("po", "ge") else []))
        assert result.exit_code == 0, result.output
        for line in out.read_text(encoding="utf-8").splitlines():
            aid, technique, start, end = line.split("\t")
            assert aid in ("1", "2") and technique in TECHNIQUES and 0 <= int(start) < int(end)
        scored = runner.invoke(app, ["spans", "score", "--pred", str(out), "--gold", str(data / folder)])
        assert scored.exit_code == 0, scored.output
        assert "span identification" in scored.output and "technique-aware" in scored.output


def test_spans_predict_refuses_an_unknown_language(tmp_path):
    data = _corpus(tmp_path / "data", per_language=1)
    result = CliRunner().invoke(app, ["spans", "predict", "--articles", str(data / "en" / "train-articles"),
                                      "--out", str(tmp_path / "p.txt"), "--lang", "xx"])
    assert isinstance(result.exception, RhetorscopeError) and "unknown --lang" in str(result.exception)
    assert not (tmp_path / "p.txt").exists()
