"""Compare technique profiles between groups of the corpus (sources, speakers, languages, months, forwards).

The unit is the paragraph of an analysed document: a group's rate for a
technique is the share of its paragraphs with at least one finding of it (a
paragraph with three spans of one technique counts once, as in `trends`), also
given per 1,000 paragraphs, with a Wilson 95 % interval. Categories are rates
of "any technique of the category".

Which differences are real (see `rhetorscope.stats` for the formulas):

1. Groups with fewer than `min_paragraphs` paragraphs are *small*: listed with
   their (wide) intervals, left out of every test.
2. Per technique (and category), one test of homogeneity over the other groups:
   Pearson's chi-square of the groups × (with, without) table, or Fisher's
   exact test when there are two groups and an expected count is under 5.
3. The p-values of all rows form one family, corrected with Benjamini–Hochberg
   (false discovery rate `alpha`, default 0.05): a row is significant when its
   q-value is under `alpha`.
4. Effect size: Cramér's V of the table (phi for two groups), and for two
   groups the difference of shares (second minus first) and their ratio.
5. With more than two groups, a significant row says which groups differ: each
   group against all the others pooled (2 × 2, chi-square or Fisher), Holm-corrected
   within the row.

`--split-date D` replaces the groups by *before D* and *from D on* (documents
without a date are left out and counted), usually for one group (`group=`).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Date, text

from rhetorscope import stats
from rhetorscope.errors import InputError
from rhetorscope.store.query import window_clauses
from rhetorscope.store.records import SEGMENT_LANGUAGE
from rhetorscope.store.search import forwarded_from_sql

COMPARE_SCHEMA_VERSION = "1.0"
DIMENSIONS = ("source", "speaker", "language", "month", "forwarded_from")
#: What a paragraph without a value is grouped as, per dimension (month: undated paragraphs are left out instead).
_NONE_LABEL = {"source": "(no source)", "speaker": "(no speaker)", "language": "(unknown)",
               "forwarded_from": "(not forwarded)"}
MIN_PARAGRAPHS = 30
ALPHA = 0.05


class Rate(BaseModel):
    """One group's rate of one technique or category."""

    paragraphs: int = Field(description="paragraphs of the group with the technique")
    share: float = Field(description="paragraphs with it / the group's paragraphs")
    per_1000: float = Field(description="share × 1,000: paragraphs with it per 1,000 paragraphs")
    low: float = Field(description="Wilson 95 % interval of the share, lower end")
    high: float = Field(description="Wilson 95 % interval of the share, upper end")


class GroupProfile(BaseModel):
    """One group: its size and its rate of every row compared."""

    name: str
    paragraphs: int
    documents: int
    small: bool = Field(description="fewer paragraphs than min_paragraphs: shown, not tested")
    rates: dict[str, Rate] = Field(description="technique or category id -> rate")


class GroupDifference(BaseModel):
    """A group whose rate differs from the rest (post-hoc test of a significant row)."""

    group: str
    direction: Literal["higher", "lower"]
    share: float
    rest_share: float = Field(description="share in all the other tested groups pooled")
    p_value: float
    p_adjusted: float = Field(description="Holm-adjusted within the row")


class RowTest(BaseModel):
    """The test of one technique or category across the tested groups."""

    name: str = Field(description="technique or category id")
    level: Literal["technique", "category"]
    test: Literal["chi-square", "fisher", "none"] = Field(description="none: fewer than two groups to test")
    statistic: float | None = Field(description="chi-square statistic (null for Fisher's test)")
    p_value: float
    q_value: float = Field(description="Benjamini–Hochberg adjusted over all rows")
    significant: bool = Field(description="q_value < alpha")
    cramers_v: float = Field(description="effect size, 0 (none) to 1")
    difference: float | None = Field(description="two groups: second share minus first (in share units)")
    ratio: float | None = Field(description="two groups: second share / first share (null when the first is 0)")
    differing: list[GroupDifference] = Field(default_factory=list,
                                             description="significant rows: the groups that differ from the rest")


#: The columns of `Comparison.rows()`, i.e. of `compare --format csv`.
ROW_COLUMNS = ("group", "group_paragraphs", "small", "level", "name", "paragraphs", "share", "per_1000", "low", "high",
               "test", "p_value", "q_value", "significant", "cramers_v", "differs")


class Comparison(BaseModel):
    """`rhetorscope compare` output (JSON schema version `schema_version`)."""

    schema_version: str = COMPARE_SCHEMA_VERSION
    by: str = Field(description="source, speaker, language, month or forwarded_from; 'split_date' with a split")
    group: str | None = Field(None, description="only this group of `by` (with split_date: the group split)")
    split_date: dt.date | None = None
    since: dt.date | None = None
    until: dt.date | None = None
    min_confidence: float = 0.0
    min_paragraphs: int = MIN_PARAGRAPHS
    alpha: float = ALPHA
    correction: str = "benjamini-hochberg"
    groups: list[GroupProfile]
    tests: list[RowTest]
    undated_left_out: int = Field(0, description="paragraphs of undated documents left out (month, split_date)")

    def rows(self) -> list[dict[str, Any]]:
        """One flat row per group and technique/category (`ROW_COLUMNS`), for CSV and data frames."""
        tests = {t.name: t for t in self.tests}
        out = []
        for g in self.groups:
            for name, rate in g.rates.items():
                t = tests[name]
                differs = {d.group: d.direction for d in t.differing}.get(g.name, "")
                out.append(dict(zip(ROW_COLUMNS, (
                    g.name, g.paragraphs, g.small, t.level, name, rate.paragraphs, rate.share, rate.per_1000,
                    rate.low, rate.high, t.test, t.p_value, t.q_value, t.significant, t.cramers_v, differs),
                    strict=True)))
        return out

    def to_frame(self) -> Any:
        """`rows()` as a pandas DataFrame (the `notebook` extra)."""
        from rhetorscope.frames import frame

        return frame(self.rows(), ROW_COLUMNS)

def compare(conn: Connection, *, by: str, techniques: Sequence[str] = (), since: dt.date | None = None,
            until: dt.date | None = None, min_confidence: float = 0.0, split_date: dt.date | None = None,
            group: str | None = None, min_paragraphs: int = MIN_PARAGRAPHS, alpha: float = ALPHA) -> Comparison:
    """Profiles per group and the tests between them; see the module docstring for the method."""
    if by not in DIMENSIONS:
        raise InputError(f"cannot compare by '{by}'", f"use one of: {', '.join(DIMENSIONS)}")
    segments, undated = _segments(conn, by, since, until, split_date, group)
    findings = _findings(conn, since, until, min_confidence, techniques)
    by_group: dict[str, set[tuple[int, str]]] = defaultdict(set)
    for key, name in segments.items():
        by_group[name].add(key)
    names = sorted(by_group, key=lambda g: (-len(by_group[g]), g)) if split_date is None else \
        [g for g in ("before", "after") if g in by_group]
    rows = _rows(findings, segments, techniques)
    groups = [_profile(name, by_group[name], rows, min_paragraphs) for name in names]
    tests = _tests(groups, rows, alpha)
    return Comparison(by="split_date" if split_date else by, group=group, split_date=split_date, since=since,
                      until=until, min_confidence=min_confidence, min_paragraphs=min_paragraphs, alpha=alpha,
                      groups=groups, tests=tests, undated_left_out=undated)


def _segments(conn: Connection, by: str, since: dt.date | None, until: dt.date | None,
              split_date: dt.date | None, group: str | None) -> tuple[dict[tuple[int, str], str], int]:
    """Every paragraph of the analysed documents in the window, mapped to its group; and the undated left out."""
    params: dict[str, Any] = {}
    where = ["d.analyzed", *window_clauses(params, source=None, since=since, until=until)]
    value = {"source": "src.name", "speaker": "s.speaker", "language": SEGMENT_LANGUAGE,
             "month": "d.date", "forwarded_from": forwarded_from_sql(conn.dialect.name)}[by]
    rows = conn.execute(text(
        f"SELECT s.document_id, s.key, {value}, d.date FROM segments s JOIN documents d ON d.id = s.document_id "
        f"JOIN sources src ON src.id = d.source_id WHERE {' AND '.join(where)}").columns(date=Date), params)
    out: dict[tuple[int, str], str] = {}
    undated = 0
    for document_id, key, raw, date in rows:
        if by == "month":
            name = raw.strftime("%Y-%m") if isinstance(raw, dt.date) else (str(raw)[:7] if raw else None)
        else:
            name = str(raw) if raw not in (None, "") else _NONE_LABEL[by]
        if group is not None and name != group:
            continue
        if split_date is not None or by == "month":
            if date is None:
                undated += 1
                continue
            if split_date is not None:
                name = "before" if date < split_date else "after"
        out[(document_id, key)] = name  # type: ignore[assignment]
    return out, undated


def _findings(conn: Connection, since: dt.date | None, until: dt.date | None, min_confidence: float,
              techniques: Sequence[str]) -> set[tuple[int, str, str, str]]:
    """(document, paragraph, technique, category) of every technique finding that counts."""
    params: dict[str, Any] = {"min_confidence": min_confidence}
    where = ["d.analyzed", "fi.technique IS NOT NULL", "fi.confidence >= :min_confidence",
             *window_clauses(params, source=None, since=since, until=until)]
    rows = conn.execute(text(
        "SELECT DISTINCT fi.document_id, fi.segment_key, fi.technique, fi.category FROM findings fi "
        f"JOIN documents d ON d.id = fi.document_id WHERE {' AND '.join(where)}"), params)
    wanted = set(techniques)
    return {tuple(r) for r in rows if not wanted or r[2] in wanted}  # type: ignore[misc]


def _rows(findings: set[tuple[int, str, str, str]], segments: dict[tuple[int, str], str],
          techniques: Sequence[str]) -> dict[tuple[str, str], set[tuple[int, str]]]:
    """(level, id) -> the paragraphs that have it; categories only when no technique was named."""
    rows: dict[tuple[str, str], set[tuple[int, str]]] = defaultdict(set)
    for document_id, key, technique, category in findings:
        if (document_id, key) not in segments:
            continue
        rows[("technique", technique)].add((document_id, key))
        if category and not techniques:
            rows[("category", category)].add((document_id, key))
    for technique in techniques:
        rows.setdefault(("technique", technique), set())
    return dict(sorted(rows.items(), key=lambda item: (item[0][0] != "technique", -len(item[1]), item[0][1])))


def _rate(hits: int, n: int) -> Rate:
    low, high = stats.wilson(hits, n)
    share = hits / n if n else 0.0
    return Rate(paragraphs=hits, share=round(share, 6), per_1000=round(1000 * share, 3), low=round(low, 6),
                high=round(high, 6))


def _profile(name: str, paragraphs: set[tuple[int, str]], rows: dict[tuple[str, str], set[tuple[int, str]]],
             min_paragraphs: int) -> GroupProfile:
    n = len(paragraphs)
    return GroupProfile(name=name, paragraphs=n, documents=len({d for d, _ in paragraphs}), small=n < min_paragraphs,
                        rates={row: _rate(len(members & paragraphs), n) for (_, row), members in rows.items()})


def _tests(groups: list[GroupProfile], rows: dict[tuple[str, str], set[tuple[int, str]]],
           alpha: float) -> list[RowTest]:
    """One test per row over the groups that are not small, BH across rows, post-hoc where significant."""
    tested = [g for g in groups if not g.small]
    raw: list[dict[str, Any]] = []
    for level, name in rows:
        hits = [g.rates[name].paragraphs for g in tested]
        sizes = [g.paragraphs for g in tested]
        raw.append({"name": name, "level": level, **_omnibus(hits, sizes)})
    q_values = stats.benjamini_hochberg([r["p_value"] for r in raw])
    out = []
    for r, q in zip(raw, q_values, strict=True):
        significant = r["test"] != "none" and q < alpha
        differing = _post_hoc(tested, r["name"], alpha, r["p_value"]) if significant else []
        out.append(RowTest(**r, q_value=round(q, 8), significant=significant, differing=differing))
    return out


def _omnibus(hits: list[int], sizes: list[int]) -> dict[str, Any]:
    """The row's test, effect size and (for two groups) difference and ratio."""
    if len(hits) < 2:
        return {"test": "none", "statistic": None, "p_value": 1.0, "cramers_v": 0.0, "difference": None,
                "ratio": None}
    statistic, p, smallest = stats.chi_square(hits, sizes)
    test = "chi-square"
    difference = ratio = None
    if len(hits) == 2:
        first, second = hits[0] / sizes[0], hits[1] / sizes[1]
        difference, ratio = round(second - first, 6), (round(second / first, 4) if first else None)
        if smallest < stats.MIN_EXPECTED and sum(hits):
            p, test = stats.fisher_exact(hits[0], sizes[0] - hits[0], hits[1], sizes[1] - hits[1]), "fisher"
    return {"test": test, "statistic": round(statistic, 6) if test == "chi-square" else None,
            "p_value": round(p, 10), "cramers_v": round(stats.cramers_v(statistic, sum(sizes)), 6),
            "difference": difference, "ratio": ratio}


def _post_hoc(tested: list[GroupProfile], name: str, alpha: float, p_two: float) -> list[GroupDifference]:
    """Which groups differ: the higher of two, or each group against the others pooled (Holm within the row)."""
    entries = []
    total_hits = sum(g.rates[name].paragraphs for g in tested)
    total_n = sum(g.paragraphs for g in tested)
    for g in tested:
        hits, n = g.rates[name].paragraphs, g.paragraphs
        rest_hits, rest_n = total_hits - hits, total_n - n
        p = p_two if len(tested) == 2 else stats.two_by_two(hits, n, rest_hits, rest_n)[0]
        entries.append((g.name, hits / n, rest_hits / rest_n, p))
    adjusted = [e[3] for e in entries] if len(tested) == 2 else stats.holm([e[3] for e in entries])
    out = [GroupDifference(group=group, direction="higher" if share > rest else "lower", share=round(share, 6),
                           rest_share=round(rest, 6), p_value=round(p, 10), p_adjusted=round(adj, 10))
           for (group, share, rest, p), adj in zip(entries, adjusted, strict=True) if adj < alpha]
    return [d for d in out if len(tested) > 2 or d.direction == "higher"]
