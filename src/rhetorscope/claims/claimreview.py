"""Read fact-check collections: schema.org ClaimReview as publishers ship it, and CheckThat! TSV.

ClaimReview arrives as a JSON array, JSON Lines, a `DataFeed` (`dataFeedElement[].item`, the
Google fact-check feed), a JSON-LD `@graph`, or `<script type="application/ld+json">` blocks in the
HTML of a fact-check article. Every object whose `@type` is (or includes) `ClaimReview` is read,
wherever it is nested. A record without a usable claim text is skipped, and the reason is kept so
the import can report it; a field of the wrong type is dropped, not guessed at. The TSV format is
`id<TAB>claim<TAB>title` with a header line, as in CheckThat! 2020.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rhetorscope.errors import InputError

_SPACE_RE = re.compile(r"\s+")
_DATE_RE = re.compile(r"(\d{4})-(\d{2})-(\d{2})")
_LD_JSON_RE = re.compile(r"<script[^>]*type\s*=\s*[\"']application/ld\+json[\"'][^>]*>(.*?)</script>",
                         re.IGNORECASE | re.DOTALL)


@dataclass(frozen=True)
class FactCheck:
    """One checked claim, as stored: the claim, the verdict, who checked it, where and when."""

    claim: str
    title: str | None = None
    rating: str | None = None
    reviewer: str | None = None
    url: str | None = None
    claimant: str | None = None
    claim_date: dt.date | None = None
    review_date: dt.date | None = None
    language: str | None = None

    @property
    def key(self) -> str:
        """Identity for idempotent import: the same claim checked at the same URL is one record."""
        basis = f"{_SPACE_RE.sub(' ', self.claim).strip().lower()}\x00{self.url or ''}\x00{self.title or ''}"
        return hashlib.sha1(basis.encode("utf-8")).hexdigest()[:20]


@dataclass
class Parsed:
    """What a file gave: the records, and every record skipped with where and why."""

    records: list[FactCheck] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)


def _text(value: Any) -> str | None:
    """A non-empty string, or the `name` of an object (`author: {"name": ...}`), else None."""
    if isinstance(value, list):
        names = [t for t in (_text(v) for v in value) if t]
        return ", ".join(names) or None
    if isinstance(value, dict):
        return _text(value.get("name"))
    if isinstance(value, str):
        value = _SPACE_RE.sub(" ", value).strip()
        return value or None
    return None


def _date(value: Any) -> dt.date | None:
    if not isinstance(value, str):
        return None
    m = _DATE_RE.match(value.strip())
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def _language(value: Any) -> str | None:
    """`inLanguage` as an ISO 639-1 code when it is one (`"en"`, `"en-US"`, `{"alternateName": "en"}`)."""
    if isinstance(value, dict):
        value = value.get("alternateName") or value.get("name")
    if isinstance(value, str) and re.fullmatch(r"[A-Za-z]{2}(?:[-_][A-Za-z]{2,4})?", value.strip()):
        return value.strip()[:2].lower()
    return None


def _rating(value: Any) -> str | None:
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, dict):
        return _text(value)
    name = _text(value.get("alternateName")) or _text(value.get("name"))
    if name:
        return name
    score, best = value.get("ratingValue"), value.get("bestRating")
    if isinstance(score, int | float | str) and str(score).strip():
        return f"{score}/{best}" if isinstance(best, int | float | str) and str(best).strip() else str(score)
    return None


def _is_claim_review(obj: dict[str, Any]) -> bool:
    kind = obj.get("@type")
    kinds = kind if isinstance(kind, list) else [kind]
    return any(isinstance(k, str) and k.rsplit("/", 1)[-1] == "ClaimReview" for k in kinds)


def _claim_reviews(node: Any) -> Iterator[dict[str, Any]]:
    """Every ClaimReview object inside a JSON value (lists, `@graph`, DataFeed items, anything nested)."""
    if isinstance(node, list):
        for item in node:
            yield from _claim_reviews(item)
    elif isinstance(node, dict):
        if _is_claim_review(node):
            yield node
            return
        for value in node.values():
            if isinstance(value, dict | list):
                yield from _claim_reviews(value)


def from_claim_review(obj: dict[str, Any]) -> FactCheck | str:
    """A `FactCheck`, or the reason the record cannot be one."""
    item = obj.get("itemReviewed") if isinstance(obj.get("itemReviewed"), dict) else {}
    claim = _text(obj.get("claimReviewed")) or _text(item.get("text")) or _text(item.get("name"))
    if claim is None:
        given = obj.get("claimReviewed")
        return f"claimReviewed is {type(given).__name__}, not text" if given is not None else "no claimReviewed text"
    url = obj.get("url") if isinstance(obj.get("url"), str) else None
    return FactCheck(
        claim=claim,
        title=_text(obj.get("headline")) or _text(obj.get("name")),
        rating=_rating(obj.get("reviewRating")),
        reviewer=_text(obj.get("author")) or _text(obj.get("publisher")),
        url=url.strip() if url else None,
        claimant=_text(item.get("author")),
        claim_date=_date(item.get("datePublished")),
        review_date=_date(obj.get("datePublished")),
        language=_language(obj.get("inLanguage")) or _language(item.get("inLanguage")),
    )


def _collect(node: Any, where: str, parsed: Parsed) -> int:
    n = 0
    for i, obj in enumerate(_claim_reviews(node)):
        n += 1
        record = from_claim_review(obj)
        if isinstance(record, str):
            parsed.skipped.append((f"{where} record {i + 1}", record))
        else:
            parsed.records.append(record)
    return n


def parse_text(text: str, name: str) -> Parsed:
    """Parse one file's text; the format is told by its content (HTML, JSON, JSON Lines, TSV)."""
    parsed = Parsed()
    head = text.lstrip()[:2048].lower()
    if head.startswith(("<!doctype", "<html", "<head", "<meta", "<script", "<?xml")) or "<html" in head:
        blocks = _LD_JSON_RE.findall(text)
        if not blocks:
            raise InputError(f"{name}: an HTML page without JSON-LD",
                             'a fact-check article carries its ClaimReview in <script type="application/ld+json">')
        for n, block in enumerate(blocks, start=1):
            try:
                node = json.loads(block)
            except json.JSONDecodeError:
                parsed.skipped.append((f"{name} JSON-LD block {n}", "not valid JSON"))
                continue
            _collect(node, f"{name} JSON-LD block {n}", parsed)
    elif head.startswith(("[", "{")):
        try:
            node = json.loads(text)
        except json.JSONDecodeError as exc:
            _json_lines(text, name, parsed)
            if not parsed.records:
                raise InputError(f"{name}: not valid JSON ({exc.msg}, line {exc.lineno})") from None
        else:
            _collect(node, name, parsed)
    elif "\t" in text.split("\n", 1)[0]:
        _tsv(text, name, parsed)
    else:
        raise InputError(f"{name}: neither ClaimReview JSON, JSON Lines, HTML nor an id<TAB>claim<TAB>title file")
    if not parsed.records and not parsed.skipped:
        raise InputError(f"{name}: no ClaimReview records found")
    return parsed


def _json_lines(text: str, name: str, parsed: Parsed) -> None:
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            node = json.loads(line)
        except json.JSONDecodeError:
            parsed.skipped.append((f"{name}:{n}", "not valid JSON"))
            continue
        if _collect(node, f"{name}:{n}", parsed) == 0:
            parsed.skipped.append((f"{name}:{n}", "no ClaimReview object"))


def _tsv(text: str, name: str, parsed: Parsed) -> None:
    from rhetorscope.claims.clef import parse_vclaims

    for n, (_, claim, title) in parse_vclaims(text, name):
        claim = _SPACE_RE.sub(" ", claim).strip()
        if not claim:
            parsed.skipped.append((f"{name}:{n}", "empty claim"))
            continue
        parsed.records.append(FactCheck(claim=claim, title=_SPACE_RE.sub(" ", title).strip() or None))


def parse_file(path: Path) -> Parsed:
    """Read and parse one collection file; errors are one line naming the file."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a folder, expected a file") from None
    from rhetorscope.readers.encoding import decode

    text, _ = decode(data, name=str(path))
    return parse_text(text, str(path))
