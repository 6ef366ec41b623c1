"""SemEval-2023 Task 3 subtask 3 files: templates, gold labels, prediction files and the official scorer.

Pure Python on purpose: the `semeval score` command and the tests need no
numerical stack. The scorer follows the task's definition (micro-F1 over the
23 labels across all paragraphs of the gold file, macro-F1 as the mean of the
per-label F1 scores), so numbers printed here compare with the published ones.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from rhetorscope.errors import RhetorscopeError
from rhetorscope.techniques import TECHNIQUES

SEMEVAL_LANGS: tuple[str, ...] = ("en", "fr", "ge", "it", "po", "ru")
"""Language folder names as the task spells them (ge = German, po = Polish)."""

SEMEVAL_TO_ISO: dict[str, str] = {"en": "en", "fr": "fr", "ge": "de", "it": "it", "po": "pl", "ru": "ru"}
ISO_TO_SEMEVAL: dict[str, str] = {iso: code for code, iso in SEMEVAL_TO_ISO.items()}

TEMPLATE_NAME = "train-labels-subtask-3.template"
LABELS_NAME = "train-labels-subtask-3.txt"

Key = tuple[str, str]
"""(article_id, paragraph_no) as written in the files."""


@dataclass
class Paragraph:
    """One template line, with its gold labels when known and its place in the article."""

    article_id: str
    paragraph_no: str
    text: str
    lang: str = "en"
    labels: tuple[str, ...] = ()
    title: str = ""
    prev_text: str = ""
    next_text: str = ""
    position: int = 0

    @property
    def key(self) -> Key:
        return (self.article_id, self.paragraph_no)


def _split_line(line: str, path: Path, lineno: int) -> tuple[str, str, str]:
    parts = line.rstrip("\r\n").split("\t", 2)
    if len(parts) < 2:
        raise RhetorscopeError(f"{path}:{lineno}: expected article_id<TAB>paragraph_no<TAB>..., got {line!r}")
    return parts[0], parts[1], parts[2] if len(parts) == 3 else ""


def read_template(path: Path, lang: str = "en") -> list[Paragraph]:
    """Read a `.template` file; neighbours and the title (paragraph 1) are filled in per article."""
    paragraphs = [
        Paragraph(article_id=a, paragraph_no=n, text=t, lang=lang)
        for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if line.strip()
        for a, n, t in [_split_line(line, path, lineno)]
    ]
    link_context(paragraphs)
    return paragraphs


def link_context(paragraphs: Sequence[Paragraph]) -> None:
    """Give each paragraph its article's title and its neighbours: the classifier reads them as context."""
    by_article: dict[str, list[Paragraph]] = {}
    for p in paragraphs:
        by_article.setdefault(p.article_id, []).append(p)
    for items in by_article.values():
        items.sort(key=lambda p: int(p.paragraph_no) if p.paragraph_no.isdigit() else 0)
        title = items[0].text
        for i, p in enumerate(items):
            p.title = title
            p.position = i
            p.prev_text = items[i - 1].text if i > 0 else ""
            p.next_text = items[i + 1].text if i + 1 < len(items) else ""


def read_labels(path: Path) -> dict[Key, tuple[str, ...]]:
    """Read a gold or prediction file; unknown technique names are an error, not silently dropped."""
    labels: dict[Key, tuple[str, ...]] = {}
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip():
            continue
        article, number, field_ = _split_line(line, path, lineno)
        names = tuple(x.strip() for x in field_.split(",") if x.strip())
        unknown = [x for x in names if x not in TECHNIQUES]
        if unknown:
            raise RhetorscopeError(f"{path}:{lineno}: unknown technique(s) {', '.join(unknown)}")
        labels[(article, number)] = names
    return labels


def read_split(lang_dir: Path, lang: str | None = None) -> list[Paragraph]:
    """Join a language folder's template and labels; labelled paragraphs without text are skipped."""
    code = lang or lang_dir.name
    paragraphs = read_template(lang_dir / TEMPLATE_NAME, SEMEVAL_TO_ISO.get(code, code))
    gold = read_labels(lang_dir / LABELS_NAME)
    for p in paragraphs:
        p.labels = gold.get(p.key, ())
    return paragraphs


def read_dataset(data_dir: Path, langs: Iterable[str] = SEMEVAL_LANGS) -> list[Paragraph]:
    """All languages of the train split found under `data_dir` (the semeval2023-task3 folder)."""
    if not data_dir.is_dir():
        raise RhetorscopeError(f"dataset folder not found: {data_dir}")
    out: list[Paragraph] = []
    for code in langs:
        if (data_dir / code / TEMPLATE_NAME).is_file():
            out.extend(read_split(data_dir / code, code))
    if not out:
        raise RhetorscopeError(f"no {TEMPLATE_NAME} under {data_dir}/<lang>/")
    return out


def write_predictions(path: Path, rows: Iterable[tuple[str, str, Sequence[str]]]) -> int:
    """Write the official prediction format; returns the number of lines written."""
    n = 0
    with path.open("w", encoding="utf-8", newline="\n") as fh:
        for article, number, labels in rows:
            fh.write(f"{article}\t{number}\t{','.join(labels)}\n")
            n += 1
    return n


@dataclass(frozen=True)
class Scores:
    """Official metric values for one gold file."""

    micro_f1: float
    macro_f1: float
    paragraphs: int
    per_label: dict[str, float]


def _f1(tp: int, fp: int, fn: int) -> float:
    return 2 * tp / (2 * tp + fp + fn) if tp else 0.0


def score(gold: Mapping[Key, Sequence[str]], pred: Mapping[Key, Sequence[str]]) -> Scores:
    """Micro- and macro-F1 over the 23 labels; a gold paragraph missing from `pred` counts as empty."""
    counts = {t: [0, 0, 0] for t in TECHNIQUES}
    for key, gold_labels in gold.items():
        g, p = set(gold_labels), set(pred.get(key, ()))
        for t in g & p:
            counts[t][0] += 1
        for t in p - g:
            counts[t][1] += 1
        for t in g - p:
            counts[t][2] += 1
    tp, fp, fn = (sum(c[i] for c in counts.values()) for i in range(3))
    per_label = {t: _f1(*c) for t, c in counts.items()}
    return Scores(
        micro_f1=_f1(tp, fp, fn),
        macro_f1=sum(per_label.values()) / len(per_label),
        paragraphs=len(gold),
        per_label=per_label,
    )


def resolve_language(template: Path, lang: str | None) -> str:
    """ISO code for a template: `--lang` (task or ISO spelling), else detected from its text.

    Detection uses lingua restricted to the six task languages on the first
    paragraphs, which is unambiguous for news text of that length.
    """
    if lang:
        iso = SEMEVAL_TO_ISO.get(lang, lang)
        if iso not in ISO_TO_SEMEVAL:
            raise RhetorscopeError(f"unsupported language {lang!r}", f"use one of {', '.join(SEMEVAL_LANGS)}")
        return iso
    from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

    languages = [Language.from_iso_code_639_1(getattr(IsoCode639_1, iso.upper())) for iso in ISO_TO_SEMEVAL]
    detector = LanguageDetectorBuilder.from_languages(*languages).with_low_accuracy_mode().build()
    sample = " ".join(p.text for p in read_template(template)[:40])
    found = detector.detect_language_of(sample)
    if found is None:
        raise RhetorscopeError(f"cannot tell the language of {template}", "pass --lang")
    return found.iso_code_639_1.name.lower()
