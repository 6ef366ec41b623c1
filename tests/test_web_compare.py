"""Compare, propagation and downloads over HTTP: a real server on 127.0.0.1 over planted corpora."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from planted import CHAIN, repost_chain, two_source_corpus
from rhetorscope.store import Store
from rhetorscope.store.compare import Comparison
from rhetorscope.store.propagation import Propagation
from rhetorscope.web import Settings
from test_web_server import running_server


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, int]:
    """The two planted sources and the repost chain in one database; returns it and the chain's cluster id."""
    db = tmp_path_factory.mktemp("web-compare") / "corpus.sqlite"
    two_source_corpus(db, small_source=False)
    repost_chain(db)
    with Store.open(db, readonly=True) as store:
        cluster = store.repeats(min_count=len(CHAIN)).clusters[0].id
    return db, cluster


@pytest.fixture(scope="module")
def client(corpus: tuple[Path, int]) -> Iterator[httpx.Client]:
    # no analyze workers: these tests only read the corpus
    with running_server(Settings(db=str(corpus[0]), workers=0, queue=0)) as url, \
            httpx.Client(base_url=url, timeout=60) as http:
        yield http


def test_compare_api_finds_the_planted_differences(client: httpx.Client) -> None:
    answer = client.get("/api/v1/compare", params={"by": "source"})
    assert answer.status_code == 200
    result = Comparison.model_validate(answer.json())
    assert {t.name for t in result.tests if t.significant and t.level == "technique"} == {"Name_Calling-Labeling",
                                                                                          "Doubt"}
    chain_sources = {g.name for g in result.groups if g.small}
    assert chain_sources == {c[0] for c in CHAIN}  # two or four paragraphs each: shown, not tested
    only = client.get("/api/v1/compare", params=[("techniques", "Doubt"), ("techniques", "Flag_Waving")]).json()
    assert [t["name"] for t in only["tests"]] == ["Doubt", "Flag_Waving"]
    assert client.get("/api/v1/compare", params={"by": "weather"}).status_code == 422
    assert client.get("/api/v1/compare", params={"split_date": "March"}).status_code == 422


def test_propagation_api_and_page(client: httpx.Client, corpus: tuple[Path, int]) -> None:
    spread = Propagation.model_validate(client.get(f"/api/v1/repeats/{corpus[1]}").json())
    assert [s.source for s in spread.sources] == ["origin-channel", "relay-one", "relay-two", "relay-three"]
    assert client.get("/api/v1/repeats/987654").status_code == 404
    page = client.get(f"/repeats/{corpus[1]}")
    assert page.status_code == 200 and "origin-channel" in page.text and "40 min" in page.text
    chart = client.get(f"/repeats/{corpus[1]}/timeline.svg")
    assert chart.headers["content-type"] == "image/svg+xml" and b"<svg" in chart.content


def test_downloads_answer_the_whole_result(client: httpx.Client) -> None:
    answer = client.get("/compare/download.csv", params={"by": "source"})
    assert answer.headers["content-disposition"] == 'attachment; filename="compare.csv"'
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert {r["group"] for r in rows} >= {"channel-a", "channel-b"}
    assert Comparison.model_validate_json(client.get("/compare/download.json").content).groups
    search = client.get("/corpus/download.json", params={"q": "sanctions"}).json()
    assert search["total"] == len(search["hits"]) == len(CHAIN)
    occurrences = list(csv.DictReader(io.StringIO(client.get("/repeats/download.csv",
                                                             params={"min_count": 5}).text)))
    assert len(occurrences) == len(CHAIN) and occurrences[0]["cluster"]
    trends = client.get("/trends/download.csv", params={"group": "category"}).text.splitlines()
    assert trends[0] == "period,category,count,per_1000_words,words" and len(trends) > 1
    page = client.get("/compare", params={"by": "source"}).text
    assert 'href="/compare/download.csv?by=source"' in page and "small, not tested" in page
    assert client.get("/compare/chart.svg", params={"by": "month"}).content.lstrip().startswith(b"<?xml")
