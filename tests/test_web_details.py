"""HTTP details: headers on 500s, IPv6 loopback Host headers, HEAD, cross-site form posts, reads that never write."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rhetorscope.pipeline import default_pipeline
from rhetorscope.readers.base import RawDocument
from rhetorscope.store import Store
from rhetorscope.web import Settings, create_app
from test_web_server import TALKING_POINT, running_server


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three posts sharing a talking point, added without clustering (as the Python API leaves them)."""
    db = tmp_path_factory.mktemp("details") / "c.sqlite"
    with Store.open(db) as store:
        for n in range(3):
            raw = RawDocument(text=f"{TALKING_POINT}\n\nPost {n} adds a sentence of its own, number {n}.",
                              input_format="text", source=f"channel-{n}", external_id=str(n))
            store.add(default_pipeline()(raw))
    return db


@pytest.fixture(scope="module")
def app_and_url(corpus: Path) -> Iterator[str]:
    app = create_app(Settings(db=str(corpus), workers=1, queue=2))

    def boom() -> None:
        raise RuntimeError("internal detail")

    app.add_api_route("/api/v1/boom", boom)
    with running_server(Settings(), app=app) as url:
        yield url


def test_a_500_carries_the_security_headers(app_and_url: str) -> None:
    answer = httpx.get(f"{app_and_url}/api/v1/boom")
    assert answer.status_code == 500
    for header in ("content-security-policy", "x-content-type-options", "x-frame-options"):
        assert header in answer.headers


@pytest.mark.parametrize("host", ["[::1]:8000", "[::1]", "127.0.0.1:8000", "localhost"])
def test_loopback_host_headers_are_accepted_ipv6_included(app_and_url: str, host: str) -> None:
    assert httpx.get(f"{app_and_url}/api/v1/health", headers={"host": host}).status_code == 200


@pytest.mark.parametrize("host", ["evil.example", "evil.example:8000", "[::2]:8000", "[::1"])
def test_other_host_headers_are_refused(app_and_url: str, host: str) -> None:
    assert httpx.get(f"{app_and_url}/api/v1/health", headers={"host": host}).status_code == 400


@pytest.mark.parametrize("path", ["/", "/api/v1/health", "/corpus", "/static/report.css"])
def test_head_answers_like_get_without_a_body(app_and_url: str, path: str) -> None:
    get = httpx.get(f"{app_and_url}{path}")
    head = httpx.head(f"{app_and_url}{path}")
    assert head.status_code == get.status_code == 200
    assert head.content == b"" and head.headers["content-type"] == get.headers["content-type"]


@pytest.mark.parametrize("headers", [{"origin": "http://evil.example"}, {"sec-fetch-site": "cross-site"},
                                     {"origin": "null"}])
def test_a_cross_site_form_post_is_refused(app_and_url: str, headers: dict[str, str]) -> None:
    answer = httpx.post(f"{app_and_url}/analyze", data={"text": TALKING_POINT}, headers=headers)
    assert answer.status_code == 403 and "another site" in answer.text


@pytest.mark.parametrize("sec_fetch_site", [{"sec-fetch-site": "same-origin"}, {}])
def test_a_same_origin_form_post_is_analysed(app_and_url: str, sec_fetch_site: dict[str, str]) -> None:
    answer = httpx.post(f"{app_and_url}/analyze", data={"text": TALKING_POINT},
                        headers={"origin": app_and_url, **sec_fetch_site})
    assert answer.status_code == 303


def test_pages_ask_for_a_same_origin_referrer_policy(app_and_url: str) -> None:
    # under no-referrer a browser posts the app's own form with "Origin: null", which is refused
    assert httpx.get(f"{app_and_url}/").headers["referrer-policy"] == "same-origin"


def test_reading_repeats_writes_nothing(app_and_url: str, corpus: Path) -> None:
    def clustered() -> int:
        with sqlite3.connect(corpus) as conn:
            return int(conn.execute("SELECT COUNT(*) FROM passages WHERE cluster_id IS NOT NULL").fetchone()[0])

    assert clustered() == 0
    assert httpx.get(f"{app_and_url}/repeats").status_code == 200
    assert httpx.get(f"{app_and_url}/api/v1/repeats").status_code == 200
    assert clustered() == 0


def test_a_deeply_nested_upload_is_refused_and_the_connection_stays_usable(app_and_url: str) -> None:
    deep = b'{"messages": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with httpx.Client(base_url=app_and_url, timeout=60) as client:
        answer = client.post("/api/v1/analyze", files={"file": ("result.json", deep)})
        assert answer.status_code == 400 and "nested too deeply" in answer.json()["detail"]
        nested_body = client.post("/api/v1/analyze", content=b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}",
                                  headers={"content-type": "application/json"})
        assert nested_body.status_code == 422
        assert client.get("/api/v1/health").status_code == 200
