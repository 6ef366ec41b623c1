"""SemEval-2023 subtask 3 file handling and the official scorer."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from rhetorscope.cli import app
from rhetorscope.detect.semeval import (
    read_dataset,
    read_labels,
    read_template,
    resolve_language,
    score,
    write_predictions,
)
from rhetorscope.errors import RhetorscopeError


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_score_matches_hand_computed_micro_and_macro() -> None:
    gold = {("1", "1"): ("Doubt", "Loaded_Language"), ("1", "2"): (), ("2", "1"): ("Slogans",)}
    pred = {("1", "1"): ("Doubt",), ("1", "2"): ("Loaded_Language",)}
    s = score(gold, pred)
    # tp=1 (Doubt), fp=1 (Loaded_Language on 1/2), fn=2 (Loaded_Language on 1/1, Slogans)
    assert s.micro_f1 == pytest.approx(2 / (2 + 1 + 2))
    assert s.per_label["Doubt"] == 1.0 and s.per_label["Slogans"] == 0.0
    assert s.macro_f1 == pytest.approx(1.0 / 23)


def test_prediction_file_round_trip_and_empty_labels(tmp_path: Path) -> None:
    out = tmp_path / "pred.txt"
    n = write_predictions(out, [("7", "1", ()), ("7", "3", ("Doubt", "Repetition"))])
    assert n == 2
    assert out.read_text(encoding="utf-8") == "7\t1\t\n7\t3\tDoubt,Repetition\n"
    assert read_labels(out) == {("7", "1"): (), ("7", "3"): ("Doubt", "Repetition")}


def test_unknown_technique_is_an_error(tmp_path: Path) -> None:
    bad = _write(tmp_path / "bad.txt", ["1\t1\tSmears"])
    with pytest.raises(RhetorscopeError, match="unknown technique"):
        read_labels(bad)


def test_template_links_title_and_neighbours(tmp_path: Path) -> None:
    tpl = _write(tmp_path / "x.template", ["5\t1\tHeadline", "5\t3\tFirst.", "5\t5\tSecond.", "6\t1\tOther"])
    paragraphs = read_template(tpl, "en")
    second = paragraphs[1]
    assert (second.title, second.prev_text, second.next_text, second.position) == (
        "Headline", "Headline", "Second.", 1)
    assert paragraphs[3].title == "Other" and paragraphs[3].prev_text == ""


def test_language_flag_accepts_task_and_iso_codes(tmp_path: Path) -> None:
    assert resolve_language(tmp_path / "t", "ge") == "de"
    assert resolve_language(tmp_path / "t", "pl") == "pl"
    with pytest.raises(RhetorscopeError):
        resolve_language(tmp_path / "t", "es")


def test_score_command(tmp_path: Path) -> None:
    gold = _write(tmp_path / "gold.txt", ["1\t1\tDoubt", "1\t2\t"])
    pred = _write(tmp_path / "pred.txt", ["1\t1\tDoubt", "1\t2\tSlogans"])
    result = CliRunner().invoke(app, ["semeval", "score", "--pred", str(pred), "--gold", str(gold)])
    assert result.exit_code == 0, result.output
    assert "micro-F1=0.66667" in result.output


def test_shared_train_split_joins_as_documented(shared_datasets: Path) -> None:
    data = read_dataset(shared_datasets / "semeval2023-task3", langs=("en", "ru"))
    en = [p for p in data if p.lang == "en"]
    assert len(en) == 9498
    assert {p.lang for p in data} == {"en", "ru"}
    assert any(p.labels for p in en) and all(p.title for p in en)


def test_language_is_detected_from_a_shared_template(shared_datasets: Path) -> None:
    tpl = shared_datasets / "semeval2023-task3" / "po" / "train-labels-subtask-3.template"
    assert resolve_language(tpl, None) == "pl"


def test_predict_command_writes_one_line_per_paragraph(tmp_path: Path) -> None:
    tpl = _write(tmp_path / "t.template", [
        "9\t1\tMinister answers critics",
        "9\t3\tThese so-called experts spread shameful, outrageous lies and vile propaganda.",
        "9\t5\tThe meeting is on Tuesday.",
    ])
    out = tmp_path / "pred.txt"
    result = CliRunner().invoke(app, ["semeval", "predict", "--template", str(tpl), "--out", str(out),
                                      "--lang", "en"])
    assert result.exit_code == 0, result.output
    predicted = read_labels(out)
    assert list(predicted) == [("9", "1"), ("9", "3"), ("9", "5")]
    assert predicted[("9", "3")]
