"""The search query language, parsed once and rendered for FTS5 or PostgreSQL.

    sanctions europe        both words (AND is implied; `sanctions AND europe` is the same)
    "special operation"     the exact words in a row (no stemming inside quotes)
    nato OR alliance        either (OR binds tighter than AND: `a b OR c` is `a AND (b OR c)`)
    (nato OR alliance) war  parentheses group
    sovereign*              any word starting with `sovereign`
    -ukraine  NOT ukraine   exclude (also `-"a phrase"`, `NOT (a OR b)`)

A bare word matches its inflected forms: it is stemmed (`rhetorscope.store.tokens`)
in every language of its script and matched against the paragraphs' stems,
and it also matches its own folded form. Quoted words and prefixes match folded
forms only. Case, `ё`/`е` and Latin diacritics are folded everywhere. Operators
are upper case; `and`, `or`, `not` are words. Punctuation inside a bare term
splits it into a phrase (`U.S.` is `"u s"`). What cannot be searched is refused
with an explanation: unbalanced quotes or parentheses, an operator without its
terms, a query of exclusions only, or one with no words at all (only
punctuation, symbols, emoji or control characters).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

from rhetorscope.errors import InputError
from rhetorscope.store.tokens import FORM_MARK, WORD, fold, lexeme, query_stems

_TOKEN = re.compile(r'"([^"]*)"(\*?)|([()])|(\S+?)(?=[()"\s]|$)')
_HINT = 'write words, "exact phrases", a OR b, a AND b, NOT a or -a, (groups), prefix* (see docs/corpus.md)'
_OPERATORS = frozenset({"AND", "OR", "NOT"})


@dataclass(frozen=True)
class Word:
    """A bare word: its stems (any of them matches) and its folded form.

    It matches a paragraph word with one of these stems, or whose form is its
    own or one of its stems (the index leaves out stems equal to their form).
    """

    form: str
    stems: tuple[str, ...]

    @property
    def forms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys((self.form, *self.stems)))


@dataclass(frozen=True)
class Phrase:
    """Folded words in a row (one or more), the last one a prefix when `prefix`."""

    words: tuple[str, ...]
    prefix: bool = False


@dataclass(frozen=True)
class Not:
    node: Node


@dataclass(frozen=True)
class And:
    nodes: tuple[Node, ...]


@dataclass(frozen=True)
class Or:
    nodes: tuple[Node, ...]


Node = Word | Phrase | Not | And | Or


@dataclass(frozen=True)
class Query:
    """A parsed query; `root` is None for the empty query (filters only)."""

    root: Node | None

    @property
    def empty(self) -> bool:
        return self.root is None

    def positive_terms(self) -> list[Word | Phrase]:
        """The terms a match may contain (not under NOT), for highlighting."""
        out: list[Word | Phrase] = []

        def walk(node: Node) -> None:
            if isinstance(node, Word | Phrase):
                out.append(node)
            elif isinstance(node, And | Or):
                for child in node.nodes:
                    walk(child)

        if self.root is not None:
            walk(self.root)
        return out


def _term(raw: str, *, quoted: bool, prefix: bool) -> Word | Phrase | None:
    words = tuple(fold(w) for w in WORD.findall(raw))
    if not words:
        return None
    if quoted or prefix or len(words) > 1:
        return Phrase(words, prefix)
    original = WORD.findall(raw)[0]
    return Word(words[0], query_stems(original))


class _Parser:
    def __init__(self, query: str) -> None:
        self.query = query
        self.tokens: list[tuple[str, Any]] = []
        for m in _TOKEN.finditer(query):
            if m.group(1) is not None:
                self.tokens.append(("term", _term(m.group(1), quoted=True, prefix=bool(m.group(2)))))
            elif m.group(3):
                self.tokens.append((m.group(3), None))
            else:
                self._bare(m.group(4), attached=query[m.end():m.end() + 1] in ('"', "("))
        self.pos = 0

    def _bare(self, bare: str, *, attached: bool) -> None:
        """An operator, or a term with its leading minus signs; a minus just before a quote or '(' excludes it."""
        if bare in _OPERATORS:
            self.tokens.append((bare, None))
            return
        stripped = bare.lstrip("-")
        if (stripped and bare != stripped) or (not stripped and attached):
            self.tokens.append(("NOT", None))
        if stripped:
            self.tokens.append(("term", _term(stripped, quoted=False, prefix=stripped.endswith("*"))))

    def error(self, message: str) -> InputError:
        return InputError(f"{message} in the query {self.query!r}", _HINT)

    def peek(self) -> str | None:
        return self.tokens[self.pos][0] if self.pos < len(self.tokens) else None

    def parse(self) -> Node | None:
        node = self.conjunction()
        if self.peek() == ")":
            raise self.error("unmatched ')'")
        return node

    def conjunction(self) -> Node | None:
        nodes: list[Node] = []
        while self.peek() not in (None, ")"):
            if self.peek() == "AND":
                self.pos += 1
                if not nodes or self.peek() in (None, ")", "AND", "OR"):
                    raise self.error("AND needs a term on each side")
                continue
            node = self.disjunction()
            if node is not None:
                nodes.append(node)
        if not nodes:
            return None
        if all(isinstance(n, Not) for n in nodes):
            raise self.error("a query needs at least one word that is not excluded")
        return nodes[0] if len(nodes) == 1 else And(tuple(nodes))

    def disjunction(self) -> Node | None:
        if self.peek() == "OR":
            raise self.error("OR needs a term on each side")
        nodes = [self.unary()]
        while self.peek() == "OR":
            self.pos += 1
            if self.peek() in (None, ")", "AND", "OR"):
                raise self.error("OR needs a term on each side")
            nodes.append(self.unary())
        kept = [n for n in nodes if n is not None]
        if len(kept) > 1 and any(isinstance(n, Not) for n in kept):
            raise self.error("an excluded term cannot be one of the alternatives of OR")
        if not kept:
            return None
        return kept[0] if len(kept) == 1 else Or(tuple(kept))

    def unary(self) -> Node | None:
        kind = self.peek()
        if kind == "NOT":
            self.pos += 1
            if self.peek() in (None, ")", "AND", "OR"):
                raise self.error("NOT needs a term after it")
            if self.peek() == "NOT":
                raise self.error("NOT twice")
            inner = self.unary()
            return Not(inner) if inner is not None else None
        if kind == "(":
            self.pos += 1
            inner = self.conjunction()
            if self.peek() != ")":
                raise self.error("unmatched '('")
            self.pos += 1
            return inner
        if kind == "term":
            node: Word | Phrase | None = self.tokens[self.pos][1]
            self.pos += 1
            return node
        raise self.error(f"unexpected {kind}")


def parse(query: str) -> Query:
    """Parse the user's query; raises InputError with a hint on what cannot be searched."""
    if query.count('"') % 2:
        raise InputError(f"unbalanced quote in the query {query!r}", _HINT)
    root = _Parser(query).parse()
    if root is None and query.strip():
        raise InputError(f"the query {query!r} has no words to search for (only punctuation, symbols or "
                         "control characters)", _HINT)
    return Query(root)


def to_fts5(query: Query) -> str:
    """An FTS5 MATCH expression over the `stems` and `forms` columns; every token is quoted."""

    def quoted(words: tuple[str, ...]) -> str:
        return '"' + " ".join(words) + '"'

    def render(node: Node) -> str:
        if isinstance(node, Word):
            stems = " OR ".join(quoted((s,)) for s in node.stems)
            forms = " OR ".join(quoted((f,)) for f in node.forms)
            return f"(stems : ({stems}) OR forms : ({forms}))"
        if isinstance(node, Phrase):
            return f"forms : {quoted(node.words)}" + ("*" if node.prefix else "")
        if isinstance(node, Or):
            return "(" + " OR ".join(render(n) for n in node.nodes) + ")"
        if isinstance(node, And):
            positive = [render(n) for n in node.nodes if not isinstance(n, Not)]
            expr = "(" + " AND ".join(positive) + ")"
            for n in node.nodes:
                if isinstance(n, Not):
                    expr = f"({expr} NOT {render(n.node)})"
            return expr
        raise AssertionError(f"NOT outside AND: {node}")  # the parser allows none

    assert query.root is not None
    return render(query.root)


def to_tsquery(query: Query) -> str:
    """A PostgreSQL tsquery (cast, not parsed by a text-search configuration) with the same meaning."""

    def render(node: Node) -> str:
        if isinstance(node, Word):
            alternatives = [*(lexeme(s) for s in node.stems), *(lexeme(FORM_MARK + f) for f in node.forms)]
            return "(" + " | ".join(alternatives) + ")"
        if isinstance(node, Phrase):
            parts = [lexeme(FORM_MARK + w) for w in node.words]
            if node.prefix:
                parts[-1] += ":*"
            return "(" + " <-> ".join(parts) + ")"
        if isinstance(node, Or):
            return "(" + " | ".join(render(n) for n in node.nodes) + ")"
        if isinstance(node, And):
            return "(" + " & ".join(render(n) for n in node.nodes) + ")"
        return "!" + render(node.node)

    assert query.root is not None
    return render(query.root)


def like_pattern(value: str) -> str:
    """`%value%` for LIKE with `\\` as the escape character: `_` and `%` in a name are themselves."""
    escaped = value.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def window_clauses(params: dict[str, Any], *, source: str | None, since: dt.date | None, until: dt.date | None,
                   sources_alias: str = "src") -> list[str]:
    """SQL conditions for the source and date window that search, repeats and trends all filter on.

    Documents are `d`, sources `sources_alias`; bound values are added to `params`.
    """
    clauses = []
    if source:
        clauses.append(f"LOWER({sources_alias}.name) LIKE :source ESCAPE '\\'")
        params["source"] = like_pattern(source)
    if since:
        clauses.append("d.date >= :since")
        params["since"] = since
    if until:
        clauses.append("d.date <= :until")
        params["until"] = until
    return clauses
