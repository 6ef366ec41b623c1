"""Issue 14 item 4 and issue 13 item 11: one query language, tokenised and matched alike on SQLite and PostgreSQL.

Every test runs on both backends over the same generated corpus, and the
expected counts are literal: equal numbers on both are what the tests assert.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest

from rhetorscope.errors import InputError
from rhetorscope.store import SearchFilters, Store
from rhetorscope.store import search as search_module
from test_ingest import run
from test_store import _pg_schema_url, analysed

POSTS = [
    ("ru-news", "Президент Украины встретился с министром России, сообщает агентство."),
    ("ru-news", "Украина и Россия продолжили переговоры в Стамбуле в четверг."),
    ("ru-news", "Министр заявил, что Запад врёт о ситуации на границе с Украиной."),
    ("ru-news", "Он врет, сказал депутат, и это не в первый раз на этой неделе."),
    ("pl-news", "Wojna na Ukrainie trwa już trzeci rok, podkreślił minister."),
    ("pl-news", "Po wojnie kraj będzie potrzebował pomocy, a koszty wojny rosną."),
    ("en-news", "The U.S. imposed new sanctions after the summit in Geneva last week."),
    ("en-news", "Officials said the sanction was a naïve attempt to change policy."),
    ("en-news", "Since 9/11 the alliance has changed its security doctrine many times."),
    ("fr-news", "Le ministre a déclaré que la sécurité européenne est menacée par la guerre."),
    ("a_b", "Underscore source: a short statement about the weather in the capital."),
    ("ab", "Plain source: another short statement about the weather in the capital."),
]


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    def fill(store: Store) -> Store:
        for n, (source, text) in enumerate(POSTS, 1):
            store.add(analysed(text, source=source, external_id=str(n)))
        return store

    if request.param == "sqlite":
        with Store.open(tmp_path_factory.mktemp("search") / "c.sqlite") as store:
            yield fill(store)
        return
    for url in _pg_schema_url():
        with Store.open(url) as store:
            yield fill(store)


def ids(store: Store, query: str, filters: SearchFilters | None = None) -> set[int]:
    return {int(h.external_id or 0) for h in store.search(query, filters, limit=100).hits}


@pytest.mark.parametrize(("query", "expected"), [
    ("Украины AND России", {1, 2}),              # AND is an operator, not a word; Россия is a form of России
    ("Украины России", {1, 2}),
    ('"Украины" "России"', {1}),
    ("Украина", {1, 2, 3}),                      # inflected forms: Украины, Украиной
    ("Украин*", {1, 2, 3}),
    ('"Украина"', {2}),                          # quotes: that form only
    ("врет", {3, 4}),                            # ё folds to е
    ('"врёт"', {3, 4}),
    ("Украина NOT Россия", {3}),
    ("Украина -Россия", {3}),
    ("(Украина OR wojna) -переговоры", {1, 3, 5, 6}),
    ("wojna", {5, 6}),                           # Polish stems: wojnie, wojny
    ("sanctions", {7, 8}),
    ('"sanctions"', {7}),
    ("U.S.", {7}),
    ("9/11", {9}),
    ("naïve", {8}),
    ("naive", {8}),
    ("securite", {9, 10}),                       # French sécurité, and English security: the same stem
    ('"securite"', {10}),
    ("sécurité européenne", {10}),
    ("Geneva OR Стамбуле", {2, 7}),
    ("weather -(underscore)", {12}),
])
def test_the_query_language_matches_alike_on_both_backends(corpus: Store, query: str, expected: set[int]) -> None:
    assert ids(corpus, query) == expected
    assert corpus.search(query).total == len(expected)


def test_postgresql_ranks_and_counts_the_first_matches_up_to_its_cap_and_says_so(
        corpus: Store, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    """Issue 17 item 5: past `PG_SEARCH_CAP` matches (with the filters) PostgreSQL ranks the first ones stored."""
    import datetime as dt

    monkeypatch.setattr(search_module, "PG_SEARCH_CAP", 2)
    found = corpus.search("Украина", facets=True)  # posts 1, 2 and 3
    dated = corpus.search("Украина", SearchFilters(since=dt.date(2024, 1, 1)), facets=True)
    late = corpus.search("Украина", SearchFilters(since=dt.date(2025, 1, 1)))
    past = corpus.search("Украина", offset=2)
    filtered = corpus.search("Украина OR wojna OR sanctions", SearchFilters(source="pl-news"))  # 5, 6 after 1-3
    if corpus.dialect == "sqlite":  # its full-text index ranks and counts every match
        assert [(r.total, r.complete, r.facets["source"]) for r in (found, dated)] == [(3, True, {"ru-news": 3})] * 2
        assert (late.total, past.total, len(past.hits)) == (0, 3, 1)
    else:
        assert [(r.total, r.complete, {h.external_id for h in r.hits}, r.facets["source"])
                for r in (found, dated)] == [(2, False, {"1", "2"}, {"ru-news": 2})] * 2
        assert (past.total, past.hits, past.complete) == (2, [], False)
        code, out, _ = run(capsys, monkeypatch, "search", "Украина", "--db", corpus.url, "--format", "json")
        assert code == 0 and (json.loads(out)["total"], json.loads(out)["complete"]) == (2, False)
        code, out, _ = run(capsys, monkeypatch, "search", "Украина", "--db", corpus.url)
        assert " ".join(out.split()).startswith("at least 2 matching paragraphs, showing 1–2 (ranked among the first 2")
    assert (late.total, late.undated, late.hits, late.complete) == (0, 0, [], True)
    assert ({h.external_id for h in filtered.hits}, filtered.total, filtered.complete) == ({"5", "6"}, 2, True)
    assert [(r.total, r.complete) for r in (corpus.search("wojna"), corpus.search("Geneva"))] == [(2, True),
                                                                                                  (1, True)]


def test_matched_forms_are_highlighted(corpus: Store) -> None:
    (hit,) = [h for h in corpus.search("врет").hits if h.external_id == "3"]
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["врёт"]
    (hit,) = corpus.search('"new sanctions" Geneva').hits
    assert [hit.snippet[a:b] for a, b in hit.highlights] == ["new", "sanctions", "Geneva"]
    marked = {h.external_id: [h.snippet[a:b] for a, b in h.highlights] for h in corpus.search("Украина").hits}
    assert marked == {"1": ["Украины"], "2": ["Украина"], "3": ["Украиной"]}


@pytest.mark.parametrize("query", ["*", "(", "%", "\U0001f1f7\U0001f1fa", "\u202e", "\x00", "-", "()"])
def test_queries_without_words_are_refused(corpus: Store, query: str) -> None:
    with pytest.raises(InputError):
        corpus.search(query)


def test_source_filter_is_a_substring_not_a_pattern(corpus: Store) -> None:
    assert ids(corpus, "", SearchFilters(source="_")) == {11}
    assert ids(corpus, "weather", SearchFilters(source="%")) == set()
    assert ids(corpus, "weather", SearchFilters(source="ab")) == {12}


def test_a_leading_minus_word_is_part_of_the_query(tmp_path, capsys, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    db = tmp_path / "c.sqlite"
    with Store.open(db) as store:
        for n, (source, text) in enumerate(POSTS, 1):
            store.add(analysed(text, source=source, external_id=str(n)))
    code, out, err = run(capsys, monkeypatch, "search", "-Россия", "Украина", "--db", str(db), "--format", "csv")
    assert code == 0, err
    assert len(out.splitlines()) == 2  # the header and post 3
