"""The CheckThat! file formats (CLEF 2019 task 1, CLEF 2020 task 2) and their official metrics.

Check-worthiness: a debate is `line_number<TAB>speaker<TAB>text[<TAB>label]`, a prediction
`line_number<TAB>score`; MAP over debates is the ranking metric. Claim retrieval: queries
`tweet_id<TAB>text` and verified claims `vclaim_id<TAB>vclaim<TAB>title`, each with a header line
(fields may be CSV-quoted); qrels and runs are TREC files; MAP@5 ranks systems. Readers raise
`InputError` naming the file and line, never a traceback.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rhetorscope.errors import InputError


@dataclass(frozen=True)
class DebateLine:
    """One sentence of a debate or speech, with its gold label when the file has one."""

    line_number: int
    speaker: str
    text: str
    label: int | None = None


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a file") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: not UTF-8 text") from None


def read_debate(path: Path) -> list[DebateLine]:
    """A CLEF-2019 debate file; the label column is optional."""
    lines: list[DebateLine] = []
    for n, raw in enumerate(_read_text(path).splitlines(), start=1):
        if not raw.strip():
            continue
        cols = raw.split("\t")
        if len(cols) < 3:
            raise InputError(f"{path}:{n}: expected line_number<TAB>speaker<TAB>text, got {len(cols)} column(s)")
        try:
            number = int(cols[0])
            label = int(cols[3]) if len(cols) > 3 and cols[3].strip() else None
        except ValueError:
            raise InputError(f"{path}:{n}: line number and label must be integers") from None
        lines.append(DebateLine(number, cols[1], cols[2], label))
    if not lines:
        raise InputError(f"{path}: no sentences")
    return lines


def read_debates(folder: Path) -> dict[str, list[DebateLine]]:
    """Every `*.tsv` debate of a CheckThat! 2019 folder (or its `training/` subfolder), by file stem."""
    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder", "give the checkthat2019-task1 folder")
    files = sorted(folder.glob("*.tsv")) or sorted((folder / "training").glob("*.tsv"))
    if not files:
        raise InputError(f"{folder}: no *.tsv debate files", "give the checkthat2019-task1 folder")
    return {f.stem: read_debate(f) for f in files}


def write_scores(path: Path, rows: Iterable[tuple[int, float]]) -> int:
    """`line_number<TAB>score` lines; returns how many were written."""
    out = [f"{n}\t{s:.6f}" for n, s in rows]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")
    return len(out)


def read_scores(path: Path) -> dict[int, float]:
    """A prediction file `line_number<TAB>score`."""
    scores: dict[int, float] = {}
    for n, raw in enumerate(_read_text(path).splitlines(), start=1):
        if not raw.strip():
            continue
        cols = raw.split("\t")
        try:
            scores[int(cols[0])] = float(cols[1])
        except (ValueError, IndexError):
            raise InputError(f"{path}:{n}: expected line_number<TAB>score") from None
    return scores


def _tsv_rows(text: str, name: str, width: int, what: str) -> list[tuple[int, list[str]]]:
    """Rows after the header line, with their line numbers; fields may be CSV-quoted across lines."""
    reader = csv.reader(io.StringIO(text), delimiter="\t")
    out: list[tuple[int, list[str]]] = []
    try:
        for row in reader:
            if reader.line_num == 1 or not any(c.strip() for c in row):
                continue
            if len(row) < width:
                raise InputError(f"{name}:{reader.line_num}: expected {what}")
            out.append((reader.line_num, row))
    except csv.Error as exc:
        raise InputError(f"{name}:{reader.line_num}: {exc}") from None
    return out


def read_queries(path: Path) -> list[tuple[str, str]]:
    """CheckThat! 2020 queries `tweet_id<TAB>text` (header line first)."""
    return [(r[0].strip(), r[1]) for _, r in _tsv_rows(_read_text(path), str(path), 2, "tweet_id<TAB>text")]


def parse_vclaims(text: str, name: str) -> list[tuple[int, tuple[str, str, str]]]:
    """`vclaim_id<TAB>vclaim<TAB>title` rows (header line first) with their line numbers; title optional."""
    rows = _tsv_rows(text, name, 2, "vclaim_id<TAB>vclaim<TAB>title")
    return [(n, (r[0].strip(), r[1], r[2] if len(r) > 2 else "")) for n, r in rows]


def read_vclaims(path: Path) -> list[tuple[str, str, str]]:
    """CheckThat! 2020 verified claims `vclaim_id<TAB>vclaim<TAB>title` (header line first)."""
    return [row for _, row in parse_vclaims(_read_text(path), str(path))]


def read_qrels(path: Path) -> dict[str, set[str]]:
    """TREC qrels `query<TAB>0<TAB>doc<TAB>relevance`: the relevant documents per query."""
    rel: dict[str, set[str]] = {}
    for n, raw in enumerate(_read_text(path).splitlines(), start=1):
        cols = raw.split()
        if not cols:
            continue
        if len(cols) < 4:
            raise InputError(f"{path}:{n}: expected query 0 doc relevance")
        if cols[3] != "0":
            rel.setdefault(cols[0], set()).add(cols[2])
    return rel


def read_run(path: Path) -> dict[str, list[str]]:
    """A TREC run: documents per query in rank order (by the rank column, then by score)."""
    ranked: dict[str, list[tuple[int, float, str]]] = {}
    for n, raw in enumerate(_read_text(path).splitlines(), start=1):
        cols = raw.split()
        if not cols:
            continue
        try:
            ranked.setdefault(cols[0], []).append((int(cols[3]), -float(cols[4]), cols[2]))
        except (ValueError, IndexError):
            raise InputError(f"{path}:{n}: expected query Q0 doc rank score tag") from None
    return {q: [d for *_, d in sorted(rows)] for q, rows in ranked.items()}


def write_run(path: Path, run: Mapping[str, Sequence[tuple[str, float]]], tag: str) -> int:
    """Write a TREC run; returns the number of lines."""
    lines = [f"{q}\tQ0\t{doc}\t{rank}\t{score:.6f}\t{tag}"
             for q, docs in run.items() for rank, (doc, score) in enumerate(docs, start=1)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return len(lines)


# --- metrics -------------------------------------------------------------------------------------


def average_precision(ranked_labels: Sequence[int], n_relevant: int | None = None, k: int | None = None) -> float:
    """AP of a ranked 0/1 list; at cut-off `k` the CheckThat! 2020 way (normalised by min(R, k))."""
    total = sum(ranked_labels) if n_relevant is None else n_relevant
    if total == 0:
        return 0.0
    hits, acc = 0, 0.0
    for i, rel in enumerate(ranked_labels[:k] if k else ranked_labels, start=1):
        if rel:
            hits += 1
            acc += hits / i
    return acc / (min(total, k) if k else total)


@dataclass(frozen=True)
class RankScores:
    """Check-worthiness metrics of one debate (or their mean over debates)."""

    avg_precision: float
    r_precision: float
    p_at: dict[int, float]


CUTOFFS = (1, 3, 5, 10, 20)


def rank_scores(labels: Sequence[int], scores: Sequence[float]) -> RankScores:
    """Rank a debate's sentences by score (ties by line order) and compute the task-1 metrics."""
    order = sorted(range(len(scores)), key=lambda i: (-scores[i], i))
    ranked = [labels[i] for i in order]
    n_rel = sum(ranked)
    r_prec = sum(ranked[:n_rel]) / n_rel if n_rel else 0.0
    return RankScores(average_precision(ranked), r_prec, {k: sum(ranked[:k]) / k for k in CUTOFFS})


def mean_scores(per_debate: Sequence[RankScores]) -> RankScores:
    """Mean over debates, the official aggregate."""
    n = max(len(per_debate), 1)
    return RankScores(sum(s.avg_precision for s in per_debate) / n,
                      sum(s.r_precision for s in per_debate) / n,
                      {k: sum(s.p_at[k] for s in per_debate) / n for k in CUTOFFS})


def retrieval_scores(run: Mapping[str, Sequence[str]], qrels: Mapping[str, set[str]]) -> dict[str, float]:
    """MAP@1/3/5/10 and MRR over the queries of `qrels` (a query missing from the run scores 0)."""
    out: dict[str, float] = {}
    queries = sorted(qrels)
    n = max(len(queries), 1)
    for k in (1, 3, 5, 10):
        out[f"MAP@{k}"] = sum(average_precision([int(d in qrels[q]) for d in run.get(q, [])],
                                                len(qrels[q]), k) for q in queries) / n
    rr = 0.0
    for q in queries:
        for i, d in enumerate(run.get(q, []), start=1):
            if d in qrels[q]:
                rr += 1 / i
                break
    out["MRR"] = rr / n
    return out
