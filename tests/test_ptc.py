"""PTC file formats and the SemEval-2020 span metrics, checked against hand-computed numbers."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from rhetorscope.cli import app
from rhetorscope.errors import RhetorscopeError
from rhetorscope.spans.ptc import (
    PTC_LABELS,
    LabeledSpan,
    parse_span_lines,
    read_gold_dir,
    read_span_dataset,
    read_span_file,
    score_spans,
    write_span_file,
)

LL, NC, DOUBT = "Loaded_Language", "Name_Calling,Labeling", "Doubt"


def test_partial_overlap_single_pair():
    scores = score_spans({"1": [LabeledSpan(5, 15, LL)]}, {"1": [LabeledSpan(0, 10, LL)]})
    for prf in (scores.span_identification, scores.technique):
        assert (prf.precision, prf.recall, prf.f1) == (0.5, 0.5, 0.5)


def test_merging_and_technique_matching():
    gold = {"1": [LabeledSpan(0, 10, LL), LabeledSpan(20, 40, DOUBT)]}
    pred = {"1": [LabeledSpan(0, 10, NC), LabeledSpan(25, 30, DOUBT), LabeledSpan(28, 35, DOUBT)]}
    scores = score_spans(pred, gold)
    # technique ignored: pred merges to [0,10) [25,35), both fully inside gold; gold [20,40) half covered
    si = scores.span_identification
    assert (si.precision, si.recall, si.predicted, si.gold) == (1.0, 0.75, 2, 2)
    assert si.f1 == pytest.approx(6 / 7)
    # technique-aware: only the merged Doubt span [25,35) earns credit, against 2 predicted and 2 gold spans
    tech = scores.technique
    assert (tech.precision, tech.recall) == (0.5, 0.25)
    assert tech.f1 == pytest.approx(1 / 3)
    assert scores.per_technique[DOUBT].f1 == pytest.approx(2 / 3)
    assert scores.per_technique[NC].precision == 0.0 and scores.per_technique[NC].predicted == 1
    assert scores.per_technique[LL].recall == 0.0 and scores.per_technique[LL].gold == 1


def test_one_prediction_over_two_gold_spans():
    scores = score_spans({"1": [LabeledSpan(0, 20, LL)]}, {"1": [LabeledSpan(0, 5, LL), LabeledSpan(10, 20, LL)]})
    assert scores.technique.precision == 0.75 and scores.technique.recall == 1.0
    assert scores.technique.f1 == pytest.approx(6 / 7)


def test_missing_and_unknown_articles():
    gold = {"1": [LabeledSpan(0, 10, LL)], "2": [LabeledSpan(0, 4, LL)]}
    pred = {"1": [LabeledSpan(0, 10, LL)], "3": [LabeledSpan(0, 5, LL)]}
    si = score_spans(pred, gold).span_identification
    assert (si.precision, si.recall, si.predicted, si.gold) == (1.0, 0.5, 1, 2)
    assert score_spans({}, gold).span_identification.f1 == 0.0


def test_span_file_round_trip(tmp_path):
    predictions = {"7": [LabeledSpan(3, 9, LL), LabeledSpan(0, 2, "Slogans")], "10": [LabeledSpan(1, 2, DOUBT)]}
    path = tmp_path / "pred.txt"
    assert write_span_file(path, predictions) == 3
    assert path.read_text(encoding="utf-8").splitlines()[0] == "10\tDoubt\t1\t2"
    assert read_span_file(path) == {"10": [LabeledSpan(1, 2, DOUBT)],
                                    "7": [LabeledSpan(0, 2, "Slogans"), LabeledSpan(3, 9, LL)]}


@pytest.mark.parametrize("line", ["1\tLoaded_Language\t5", "1\tNot_A_Technique\t0\t3", "1\tDoubt\t4\t4",
                                  "1\tDoubt\tx\t4"])
def test_bad_lines_are_user_errors(line):
    with pytest.raises(RhetorscopeError, match="pred:1"):
        parse_span_lines([line], "pred")


def _tiny_ptc(tmp_path):
    articles, labels = tmp_path / "train-articles", tmp_path / "train-labels"
    articles.mkdir()
    labels.mkdir()
    text = "Élan: a shameful, disgraceful lie!\nThey said it was fine.\n"
    (articles / "article42.txt").write_text(text, encoding="utf-8")
    start = text.index("shameful")
    (labels / "article42.labels").write_text(f"42\t{LL}\t{start}\t{start + 8}\n", encoding="utf-8")
    (labels / "article43.labels").write_text("", encoding="utf-8")
    return tmp_path, text


def test_readers_keep_character_offsets(tmp_path):
    folder, text = _tiny_ptc(tmp_path)
    (article,) = read_span_dataset(folder)
    span = article.spans[0]
    assert article.text == text and text[span.start:span.end] == "shameful"
    assert read_gold_dir(folder) == {"42": article.spans, "43": []}
    assert len(PTC_LABELS) == 14


def test_cli_predict_then_score(tmp_path):
    folder, text = _tiny_ptc(tmp_path)
    out = tmp_path / "pred.txt"
    runner = CliRunner()
    result = runner.invoke(app, ["ptc", "predict", "--articles", str(folder / "train-articles"), "--out", str(out)])
    assert result.exit_code == 0, result.output
    for line in out.read_text(encoding="utf-8").splitlines():
        article_id, label, start, end = line.split("\t")
        assert article_id == "42" and label in PTC_LABELS and 0 <= int(start) < int(end) <= len(text)
    scored = runner.invoke(app, ["ptc", "score", "--pred", str(out), "--gold", str(folder)])
    assert scored.exit_code == 0, scored.output
    assert "span identification" in scored.output and "technique-aware" in scored.output
