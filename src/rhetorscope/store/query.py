"""The search query language, parsed once and rendered for FTS5 or PostgreSQL.

    sanctions europe        both words (AND is implied)
    "special operation"     the exact phrase
    nato OR alliance        either word (OR binds tighter than the implied AND)
    sovereign*              any word starting with `sovereign`
    -ukraine  -"a phrase"   exclude

Everything is matched case-insensitively word by word; punctuation inside a
term splits it into a phrase (`U.S.` is the phrase `u s`). Unbalanced quotes
and a query of exclusions only are refused with an explanation.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from rhetorscope.errors import InputError

_TOKEN = re.compile(r'(-?)"([^"]*)"|(\S+)')
_WORD = re.compile(r"\w+")
_HINT = 'write words, "exact phrases", a OR b, prefix*, -excluded (see docs/corpus.md)'


@dataclass(frozen=True)
class Term:
    """A word or a phrase (several words in a row), optionally a prefix in its last word."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Query:
    """AND of groups, each an OR of terms; minus the excluded terms."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.groups


def parse(query: str) -> Query:
    """Parse the user's query; raises InputError with a hint on what cannot be searched."""
    if query.count('"') % 2:
        raise InputError(f"unbalanced quote in the query {query!r}", _HINT)
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    pending_or = False
    for match in _TOKEN.finditer(query):
        negative, phrase, bare = match.group(1), match.group(2), match.group(3)
        if bare == "OR":
            if not groups:
                raise InputError("a query cannot start with OR", _HINT)
            pending_or = True
            continue
        if bare is not None and bare.startswith("-") and len(bare) > 1:
            negative, bare = "-", bare[1:]
        raw = phrase if phrase is not None else bare
        prefix = phrase is None and raw.endswith("*")
        words = tuple(w.lower() for w in _WORD.findall(raw))
        if not words:
            continue
        term = Term(words, prefix)
        if negative:
            excluded.append(term)
        elif pending_or:
            groups[-1].append(term)
        else:
            groups.append([term])
        pending_or = False
    if excluded and not groups:
        raise InputError("a query needs at least one word that is not excluded", _HINT)
    return Query(tuple(tuple(g) for g in groups), tuple(excluded))


def to_fts5(query: Query) -> str:
    """An FTS5 MATCH expression; every word is quoted, so no user text is read as FTS5 syntax."""

    def term(t: Term) -> str:
        return '"' + " ".join(t.words) + '"' + ("*" if t.prefix else "")

    def group(g: tuple[Term, ...]) -> str:
        return term(g[0]) if len(g) == 1 else "(" + " OR ".join(term(x) for x in g) + ")"

    expr = " AND ".join(group(g) for g in query.groups)
    for t in query.excluded:
        expr = f"({expr}) NOT {term(t)}"
    return expr


def to_tsquery(query: Query) -> str:
    """A PostgreSQL `to_tsquery('simple', …)` expression with the same meaning."""

    def lexeme(word: str, prefix: bool) -> str:
        return "'" + word.replace("'", "''") + "'" + (":*" if prefix else "")

    def term(t: Term) -> str:
        parts = [lexeme(w, t.prefix and i == len(t.words) - 1) for i, w in enumerate(t.words)]
        return parts[0] if len(parts) == 1 else "(" + " <-> ".join(parts) + ")"

    expr = " & ".join("(" + " | ".join(term(x) for x in g) + ")" for g in query.groups)
    return expr + "".join(f" & !{term(t)}" for t in query.excluded)


def window_clauses(params: dict[str, Any], *, source: str | None, since: dt.date | None, until: dt.date | None,
                   sources_alias: str = "src") -> list[str]:
    """SQL conditions for the source and date window that search, repeats and trends all filter on.

    Documents are `d`, sources `sources_alias`; bound values are added to `params`.
    """
    clauses = []
    if source:
        clauses.append(f"LOWER({sources_alias}.name) LIKE :source")
        params["source"] = f"%{source.lower()}%"
    if since:
        clauses.append("d.date >= :since")
        params["since"] = since
    if until:
        clauses.append("d.date <= :until")
        params["until"] = until
    return clauses
