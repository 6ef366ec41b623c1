"""Talking-point propagation: a planted repost chain, stored shuffled, comes back in the order it was posted."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from planted import CHAIN, repost_chain
from rhetorscope.schema import published
from rhetorscope.store import Store
from test_ingest import run


@pytest.fixture(scope="module")
def chain_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = tmp_path_factory.mktemp("propagation") / "corpus.sqlite"
    repost_chain(db)
    return db


def cluster_of_chain(store: Store) -> int:
    page = store.repeats(min_count=len(CHAIN))
    assert page.total == 1
    return page.clusters[0].id


def test_the_chain_is_ordered_and_classified(chain_db: Path) -> None:
    with Store.open(chain_db, readonly=True) as store:
        spread = store.propagation(cluster_of_chain(store))
    assert [(s.source, s.posted_at.isoformat()) for s in spread.occurrences] == [(c[0], c[1]) for c in CHAIN]
    assert [s.kind for s in spread.occurrences] == ["first", "forward", "rewording", "copy", "rewording"]
    assert spread.first.source == "origin-channel" and spread.first.delay_seconds == 0
    assert [s.source for s in spread.sources] == ["origin-channel", "relay-one", "relay-two", "relay-three"]
    assert [s.delay_seconds for s in spread.sources] == [0, 40 * 60, 4 * 3600, 23 * 3600]
    assert spread.sources[1].occurrences == 2 and spread.sources[1].forwards == 1
    assert spread.occurrences[1].forwarded_from == "origin-channel"
    assert (spread.forwards, spread.copies, spread.rewordings, spread.undated) == (1, 1, 2, 0)


def test_repeats_show_cli(chain_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    with Store.open(chain_db, readonly=True) as store:
        cluster = cluster_of_chain(store)
    chart = tmp_path / "timeline.svg"
    code, out, err = run(capsys, monkeypatch, "repeats", "show", str(cluster), "--format", "json", "--chart",
                         str(chart), "--db", str(chain_db))
    assert code == 0, err
    data = json.loads(out)
    pytest.importorskip("jsonschema").validate(data, published("propagation.schema.json"))
    assert data["schema_version"] == "1.0" and data["first"]["source"] == "origin-channel"
    assert chart.read_text().lstrip().startswith("<?xml")
    code, out, _ = run(capsys, monkeypatch, "repeats", "show", str(cluster), "--db", str(chain_db))
    assert code == 0 and "first posted by origin-channel" in out and "40 min" in out
    code, out, _ = run(capsys, monkeypatch, "repeats", "--format", "json", "--db", str(chain_db))
    assert code == 0 and json.loads(out)["total"] == 1  # the listing still works beside `show`
    code, _, err = run(capsys, monkeypatch, "repeats", "show", "999999", "--db", str(chain_db))
    assert code == 2 and "no repeat cluster 999999" in err and "Traceback" not in err
