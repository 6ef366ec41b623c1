"""`compare`: the statistics against references, and planted rates found exactly (no more, no fewer)."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import pytest

from planted import RATES, two_source_corpus
from rhetorscope import stats
from rhetorscope.schema import corpus_schemas, published
from rhetorscope.store import Store
from rhetorscope.store.compare import Comparison
from test_ingest import run


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("compare") / "corpus.sqlite"
    two_source_corpus(db)
    return db


def test_wilson_interval_matches_the_formula_at_the_edges() -> None:
    low, high = stats.wilson(0, 10)
    assert low == 0.0 and math.isclose(high, 0.27753, abs_tol=1e-5)
    low, high = stats.wilson(10, 10)
    assert math.isclose(low, 0.72247, abs_tol=1e-5) and high == 1.0
    low, high = stats.wilson(30, 100)
    assert math.isclose(low, 0.21895, abs_tol=1e-5) and math.isclose(high, 0.39585, abs_tol=1e-5)  # statsmodels: wilson
    assert stats.wilson(0, 0) == (0.0, 1.0)


def test_tests_and_corrections_match_scipy() -> None:
    scipy_stats = pytest.importorskip("scipy.stats")
    for x, df in ((0.5, 1), (3.84, 1), (12.0, 3), (40.0, 5), (150.0, 22), (0.01, 4)):
        assert math.isclose(stats.chi2_sf(x, df), scipy_stats.chi2.sf(x, df), rel_tol=1e-9, abs_tol=1e-14)
    for table in ((3, 1, 1, 3), (8, 2, 1, 5), (0, 10, 4, 6), (20, 180, 40, 160)):
        expected = scipy_stats.fisher_exact([[table[0], table[1]], [table[2], table[3]]]).pvalue
        assert math.isclose(stats.fisher_exact(*table), expected, rel_tol=1e-9)
    statistic, p, _ = stats.chi_square([30, 10, 20], [100, 100, 100])
    reference = scipy_stats.chi2_contingency([[30, 70], [10, 90], [20, 80]], correction=False)
    assert math.isclose(statistic, reference.statistic) and math.isclose(p, reference.pvalue)
    p_values = [0.01, 0.04, 0.03, 0.005, 0.5]
    # statsmodels.stats.multitest.multipletests(p, method="fdr_bh" / "holm")
    assert [round(q, 6) for q in stats.benjamini_hochberg(p_values)] == [0.025, 0.05, 0.05, 0.025, 0.5]
    assert [round(q, 6) for q in stats.holm(p_values)] == [0.04, 0.09, 0.09, 0.025, 0.5]


def test_compare_finds_the_planted_differences_and_no_others(corpus: Path) -> None:
    with Store.open(corpus, readonly=True) as store:
        result = store.compare(by="source")
    names = [g.name for g in result.groups]
    assert names == ["channel-a", "channel-b", "tiny-blog"]
    tiny = result.groups[2]
    assert tiny.small and tiny.paragraphs == 10 and not any(g.small for g in result.groups[:2])
    significant = {t.name: t for t in result.tests if t.significant and t.level == "technique"}
    assert set(significant) == {"Name_Calling-Labeling", "Doubt"}
    assert [d.group for d in significant["Name_Calling-Labeling"].differing] == ["channel-a"]
    assert [d.group for d in significant["Doubt"].differing] == ["channel-b"]
    # both planted techniques are attacks on reputation: only that category may differ
    assert {t.name for t in result.tests if t.significant and t.level == "category"} <= {"attack_on_reputation"}
    for group in result.groups[:2]:
        for technique, rate in RATES[group.name].items():
            measured = group.rates[technique]
            assert measured.low <= rate <= measured.high, (group.name, technique, measured)
            assert measured.per_1000 == pytest.approx(1000 * measured.share)
    name_calling = significant["Name_Calling-Labeling"]
    assert name_calling.difference is not None and name_calling.difference < -0.1 and name_calling.cramers_v > 0.2


def test_split_date_and_filters(corpus: Path) -> None:
    with Store.open(corpus, readonly=True) as store:
        split = store.compare(by="source", group="channel-a", split_date=dt.date(2024, 3, 1))
        only = store.compare(by="source", techniques=["Doubt"], min_confidence=0.9)
    assert [g.name for g in split.groups] == ["before", "after"] and split.by == "split_date"
    assert sum(g.paragraphs for g in split.groups) == 600
    assert not any(t.significant for t in split.tests)  # the rates were planted constant over time
    assert [t.name for t in only.tests] == ["Doubt"] and only.groups[0].rates["Doubt"].paragraphs == 0


def test_cli_formats_and_errors(corpus: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                monkeypatch: pytest.MonkeyPatch) -> None:
    def compare(*args: str) -> tuple[int, str, str]:
        return run(capsys, monkeypatch, "compare", *args, "--db", str(corpus))

    code, out, _ = compare("--by", "source", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert data["schema_version"] == "1.0" and Comparison.model_validate(data).groups[0].name == "channel-a"
    jsonschema = pytest.importorskip("jsonschema")
    jsonschema.validate(data, published("compare.schema.json"))

    header, *rows = compare("--by", "source", "--format", "csv")[1].splitlines()
    assert header.startswith("group,group_paragraphs,small,level,name") and len(rows) > 20

    code, out, err = compare("--by", "source")
    assert code == 0 and "Name calling" in out and "(small)" in out and "Benjamini" in err

    for suffix in ("png", "svg"):
        chart = tmp_path / f"profile.{suffix}"
        assert compare("--format", suffix, "--out", str(chart))[0] == 0
        assert chart.stat().st_size > 5000
    assert chart.read_text().lstrip().startswith("<?xml")

    for bad in (["--by", "weather"], ["--split-date", "March"], ["--techniques", "Nonsense"], ["--format", "png"]):
        code, out, err = compare(*bad)
        assert code == 2, (bad, err)
        assert "Traceback" not in err and len(err.strip().splitlines()) <= 6, err


def test_published_corpus_schemas_are_generated_from_the_types() -> None:
    for name, schema in corpus_schemas().items():
        assert published(name) == json.loads(json.dumps(schema)), f"regenerate {name}: python -m rhetorscope.schema"



def test_postgresql_gives_the_same_comparison_and_spread(corpus: Path) -> None:
    """The SQL is portable: the same planted corpora give the same answers on PostgreSQL (skipped without one)."""
    from planted import repost_chain
    from test_store import _pg_schema_url

    for url in _pg_schema_url():
        two_source_corpus(url)
        with Store.open(url) as pg, Store.open(corpus, readonly=True) as sqlite:
            assert pg.compare(by="source") == sqlite.compare(by="source")
            assert pg.compare(by="month") == sqlite.compare(by="month")
    for url in _pg_schema_url():
        repost_chain(url)
        with Store.open(url) as pg:
            spread = pg.propagation(pg.repeats(min_count=5).clusters[0].id)
        assert [s.source for s in spread.sources] == ["origin-channel", "relay-one", "relay-two", "relay-three"]
        assert [s.kind for s in spread.occurrences] == ["first", "forward", "rewording", "copy", "rewording"]
