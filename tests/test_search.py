"""Issue 14 item 4 and issue 13 item 11: one query language, tokenised and matched alike on SQLite and PostgreSQL.

Every test runs on both backends over the same generated corpus, and the
expected counts are literal: equal numbers on both are what the tests assert.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator

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


def _on_backend(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
                fill: Callable[[Store], Store]) -> Iterator[Store]:
    """A corpus filled by `fill` on the fixture's backend: an SQLite file, or a fresh PostgreSQL schema."""
    if request.param == "sqlite":
        with Store.open(tmp_path_factory.mktemp("search") / "c.sqlite") as store:
            yield fill(store)
        return
    for url in _pg_schema_url():
        with Store.open(url) as store:
            yield fill(store)


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def corpus(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    def fill(store: Store) -> Store:
        for n, (source, text) in enumerate(POSTS, 1):
            store.add(analysed(text, source=source, external_id=str(n)))
        return store

    yield from _on_backend(request, tmp_path_factory, fill)


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


#: (external id, text, date or None): languages and dates around month and year ends, and undated posts.
DATED = [
    ("1", "The sanctions were discussed at the summit in Geneva.", "2023-12-31"),
    ("2", "Les sanctions ont été discutées au sommet de Genève.", "2024-01-01"),
    ("3", "The sanctions hurt the economy, the minister said in January.", "2024-01-15"),
    ("4", "Санкции обсуждались на саммите в Женеве в феврале.", "2024-02-29"),
    ("5", "The sanctions debate went on in March.", "2024-03-01"),
    ("6", "New sanctions were announced, an undated statement says.", None),
    ("7", "Die Sanktionen wurden im Jahr 2025 verlängert.", "2025-06-30"),
]


def _fill_dated(store: Store) -> Store:
    import datetime as dt

    from rhetorscope.pipeline import structure_pipeline
    from rhetorscope.readers.base import RawDocument

    for external_id, text, date in DATED:
        store.add(structure_pipeline()(RawDocument(
            text=text, input_format="telegram", source="chan", external_id=external_id,
            date=dt.date.fromisoformat(date) if date else None)))
    return store


@pytest.fixture(params=["sqlite", "postgresql"], scope="module")
def dated(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Store]:
    yield from _on_backend(request, tmp_path_factory, _fill_dated)


@pytest.mark.parametrize(("filters", "expected", "undated"), [
    ({"language": "en"}, {"1", "3", "5", "6"}, 0),
    ({"language": "FR"}, {"2"}, 0),
    ({"since": "2024-01-01"}, {"2", "3", "4", "5", "7"}, 1),
    ({"until": "2023-12-31"}, {"1"}, 1),
    ({"since": "2024-01-02", "until": "2024-02-29"}, {"3", "4"}, 1),
    ({"since": "2024-02-29", "until": "2024-03-01"}, {"4", "5"}, 1),
    ({"since": "2024-01-01", "until": "2024-12-31", "language": "en"}, {"3", "5"}, 1),
    ({"since": "2025-07-01"}, set(), 1),
    ({"since": "2024-03-01", "source": "cha"}, {"5", "7"}, 1),
])
def test_language_and_date_filters_of_a_text_query_alike_on_both_backends(
        dated: Store, filters: dict[str, str], expected: set[str], undated: int) -> None:
    """PostgreSQL matches these filters inside its index (`store/filter_terms.py`); SQLite row by row."""
    import datetime as dt

    chosen = SearchFilters(**{k: dt.date.fromisoformat(v) if k in ("since", "until") else v
                              for k, v in filters.items()})
    for query in ("sanctions", "sanctions OR санкции OR Sanktionen"):
        found = dated.search(query, chosen, limit=100, facets=True)
        assert {h.external_id for h in found.hits} == expected & _matching(query)
        assert (found.total, found.undated, found.complete) == (len(expected & _matching(query)), undated, True)
        assert sum(found.facets["source"].values()) == found.total


def _matching(query: str) -> set[str]:
    return {"1", "2", "3", "5", "6"} if query == "sanctions" else {e for e, _, _ in DATED}


def test_the_cap_counts_only_matches_that_pass_the_filters(dated: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 17: PostgreSQL's first `PG_SEARCH_CAP` matches are those passing language and date, in storage order."""
    import datetime as dt

    monkeypatch.setattr(search_module, "PG_SEARCH_CAP", 2)
    found = dated.search("sanctions OR санкции OR Sanktionen", SearchFilters(since=dt.date(2024, 1, 15)), limit=100)
    english = dated.search("sanctions", SearchFilters(language="en"), limit=100)
    if dated.dialect == "sqlite":
        assert ({h.external_id for h in found.hits}, found.total, found.complete) == ({"3", "4", "5", "7"}, 4, True)
        assert (english.total, english.complete) == (4, True)
    else:  # the first two in storage order that pass (3, 4), then the undated 6 that tells there are more
        assert ({h.external_id for h in found.hits}, found.total, found.complete) == ({"3", "4"}, 2, False)
        assert ({h.external_id for h in english.hits}, english.complete) == ({"1", "3"}, False)


@pytest.mark.parametrize("filters", [SearchFilters(since=dt.date(2024, 1, 15)), SearchFilters(source="cha"),
                                     SearchFilters()])
def test_a_filtered_postgresql_search_reads_the_index_not_the_table(dated: Store, filters: SearchFilters) -> None:
    """A date window or a source is one stretch of the table; read from its start, a common word cost 12 times more.

    On this small table the planner would read the table whatever the filters; with filters the
    capped matches must come from the full-text index, without them the planner keeps its choice.
    The matches' pages are read ahead during the search, and the setting ends with it.
    """
    from sqlalchemy import text

    from rhetorscope.store.query import parse

    if dated.dialect != "postgresql":
        pytest.skip("SQLite's full-text index is a table of its own: there is no plan to choose")
    with dated.engine.connect() as conn:
        with conn.begin():
            cte, params = search_module._capped(conn, parse("sanctions"), filters)
            plan = "\n".join(r[0] for r in conn.execute(text(f"EXPLAIN {cte} SELECT COUNT(*) FROM c"), params))
            read_ahead = conn.exec_driver_sql("SHOW effective_io_concurrency").scalar()
        after = conn.exec_driver_sql("SHOW effective_io_concurrency").scalar()
    filtered = filters != SearchFilters()
    assert ("ix_segments_tsv" in plan, "Seq Scan on segments" in plan) == (filtered, not filtered), plan
    assert (read_ahead, after) == ("64", "1")  # the matches' pages read ahead, for the search's transaction only


def test_a_date_window_is_exactly_the_union_of_its_terms() -> None:
    """Each day of 30,000 draws is in the window iff one of its paragraph's terms is among the window's."""
    import datetime as dt
    import random

    from rhetorscope.store.filter_terms import date_terms, paragraph_terms

    rng = random.Random(7)

    def day(near: dt.date | None = None) -> dt.date:
        if near is not None and rng.random() < 0.5:  # close to a bound: month and year ends
            return dt.date.fromordinal(min(max(near.toordinal() + rng.randint(-40, 40), 1), dt.date.max.toordinal()))
        return dt.date.fromordinal(rng.choice([rng.randint(1, dt.date.max.toordinal()), rng.randint(738_000, 739_000)]))

    for _ in range(1000):
        since, until = (None if rng.random() < 0.2 else day() for _ in range(2))
        terms = set(date_terms(since, until))
        assert len(terms) <= 145  # days of two partial months, then 9 units at most of each other size
        for _ in range(30):
            when = day(since or until)
            inside = (since is None or when >= since) and (until is None or when <= until)
            found = any(t.strip("'") in terms for t in paragraph_terms(None, when).split())
            assert inside == found, (since, until, when)


def test_migration_0007_gives_a_postgresql_corpus_the_terms_its_writer_gives() -> None:
    """Downgraded to 0006 (the terms stripped) and opened again, a corpus has the same index and answers."""
    import datetime as dt

    from alembic import command
    from alembic.config import Config

    from rhetorscope.store.engine import _MIGRATIONS, make_engine

    windows = [SearchFilters(language="en"), SearchFilters(since=dt.date(2024, 1, 2), until=dt.date(2024, 2, 29)),
               SearchFilters(since=dt.date(2024, 1, 1), language="ru")]

    def answers(store: Store) -> list[tuple[int, int, list[tuple[str | None, float]]]]:
        found = [store.search("sanctions OR санкции", f, limit=100) for f in windows]
        return [(r.total, r.undated, [(h.external_id, h.score) for h in r.hits]) for r in found]

    def index(store: Store) -> dict[int, str]:
        with store.engine.connect() as conn:
            return dict(conn.exec_driver_sql("SELECT id, CAST(tsv AS text) FROM segments").all())

    for url in _pg_schema_url():
        with Store.open(url) as store:
            written, before = index(_fill_dated(store)), answers(store)
        engine = make_engine(url)
        with engine.begin() as conn:
            config = Config()
            config.set_main_option("script_location", str(_MIGRATIONS))
            config.attributes["connection"] = conn
            command.downgrade(config, "0006")
            marked = "SELECT COUNT(*) FROM segments WHERE strpos(CAST(tsv AS text), '~') > 0"
            assert conn.exec_driver_sql(marked).scalar() == 0
        engine.dispose()
        with Store.open(url) as store:
            assert index(store) == written
            assert answers(store) == before
    assert [(total, undated) for total, undated, _ in before] == [(4, 0), (2, 1), (1, 0)]
