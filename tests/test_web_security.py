"""One test per security rule of the web app, against a real server with a token and small limits."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from rhetorscope.web import Settings, create_app, security
from rhetorscope.web.security import PAGE_CSP, REPORT_CSP
from test_web_server import REFERENCE, fixture_corpus, running_server

TOKEN = "s3cret-token"
LIMIT = 256 * 1024
HOSTILE = ('Statement <script>alert("t")</script> by "><img src=x onerror=alert(1)>\n\n'
           'The minister said: <script>document.cookie</script> and "><svg onload=alert(2)>. '
           "It was a long statement with several sentences. Another sentence follows here.")
AUTH = {"authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, int]]]:
    db = tmp_path_factory.mktemp("web-security") / "corpus.sqlite"
    ids = fixture_corpus(db)
    settings = Settings(db=str(db), workers=1, queue=0, token=TOKEN, max_body_bytes=LIMIT)
    with running_server(settings) as url:
        yield url, ids


@pytest.fixture(scope="module")
def client(server: tuple[str, dict[str, int]]) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=server[0], timeout=60) as http:
        yield http


def _assert_inert(html: str) -> None:
    """No markup from the document survives: no script, img or svg element and no event handler attribute."""
    assert "<script>alert" not in html and "<script>document" not in html
    assert "<img src=x" not in html and "<svg onload" not in html
    assert not re.search(r"<[^>]+\son\w+\s*=", html)
    assert "&lt;script&gt;" in html


def test_hostile_text_is_shown_as_text_in_the_page_and_the_downloaded_report(client: httpx.Client) -> None:
    posted = client.post("/analyze", data={"text": HOSTILE, "token": TOKEN})
    assert posted.status_code == 303
    page = client.get(posted.headers["location"])
    assert page.status_code == 200
    _assert_inert(page.text)
    report = client.get(posted.headers["location"] + "/report.html")
    assert report.headers["content-disposition"].startswith("attachment")
    assert report.headers["content-security-policy"] == REPORT_CSP
    _assert_inert(report.text)
    analysis = client.get(posted.headers["location"] + "/analysis.json").json()
    assert '<script>alert("t")</script>' in analysis["document"]["text"]  # the JSON keeps the text as it is


def test_request_body_over_the_limit_is_refused_with_413(client: httpx.Client) -> None:
    big = "word " * (LIMIT // 5 + 10)
    declared = client.post("/api/v1/analyze", json={"text": big}, headers=AUTH)
    assert declared.status_code == 413 and "limit" in declared.json()["detail"]
    for _ in range(30):  # a client still sending gets the 413, not a connection reset (often, before the drain)
        assert client.post("/api/v1/analyze", json={"text": big * 12}, headers=AUTH).status_code == 413

    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit must hold while the body streams
        yield b'{"text": "'
        for _ in range(LIMIT // 4096 + 2):
            yield b"x" * 4096
        yield b'"}'

    streamed = client.post("/api/v1/analyze", content=chunks(),
                           headers={**AUTH, "content-type": "application/json"})
    assert streamed.status_code == 413
    form = client.post("/analyze", files={"file": ("big.txt", big.encode())}, data={"token": TOKEN})
    assert form.status_code == 413
    assert client.post("/api/v1/analyze", json={"text": "Small enough. Two sentences."}, headers=AUTH).is_success


def test_a_burst_beyond_the_pool_is_answered_429(server: tuple[str, dict[str, int]]) -> None:
    """workers=1, queue=0: while one document is analysed, the others are refused at once, not queued."""
    text = REFERENCE.read_text(encoding="utf-8")
    body = {"text": "\n\n".join(f"{text}\n\nPart {i}." for i in range(12))[: LIMIT - 1000]}

    async def burst() -> list[httpx.Response]:
        async with httpx.AsyncClient(base_url=server[0], timeout=120, headers=AUTH) as http:
            return list(await asyncio.gather(*(http.post("/api/v1/analyze", json=body) for _ in range(6))))

    responses = asyncio.run(burst())
    statuses = sorted(r.status_code for r in responses)
    assert set(statuses) == {200, 429}, statuses
    refused = next(r for r in responses if r.status_code == 429)
    assert refused.headers["retry-after"] == "1" and "busy" in refused.json()["detail"]
    assert httpx.get(f"{server[0]}/api/v1/health").json()["analyses_in_progress"] == 0


def test_token_is_required_to_start_work_and_compared_in_constant_time(client: httpx.Client,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    body = {"text": "A short statement. It has two sentences."}
    missing = client.post("/api/v1/analyze", json=body)
    assert missing.status_code == 401 and missing.headers["www-authenticate"] == "Bearer"
    assert client.post("/api/v1/analyze", json=body, headers={"authorization": "Bearer wrong"}).status_code == 401
    assert client.post("/api/v1/analyze", json=body, headers=AUTH).status_code == 200
    page = client.post("/analyze", data={"text": body["text"], "token": "wrong"})
    assert page.status_code == 401 and "access token" in page.text and body["text"] in page.text
    assert client.get("/api/v1/search", params={"q": "west"}).status_code == 200  # reading needs no token

    calls = []
    monkeypatch.setattr(security.hmac, "compare_digest", lambda a, b: calls.append((a, b)) or a == b)
    assert security.token_matches(TOKEN, TOKEN) and not security.token_matches(TOKEN, "nope")
    assert calls == [(TOKEN.encode(), TOKEN.encode()), (b"nope", TOKEN.encode())]
    assert security.token_matches(None, None)


@pytest.mark.parametrize("path", ["/", "/corpus?q=sanctions", "/trends", "/repeats", "/documents/{reference}",
                                  "/no-such-page", "/corpus?q=%22unbalanced"])
def test_pages_carry_the_csp_and_no_inline_script(client: httpx.Client, server: tuple[str, dict[str, int]],
                                                  path: str) -> None:
    response = client.get(path.format(**server[1]))
    assert response.headers["content-security-policy"] == PAGE_CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["x-frame-options"] == "DENY"
    scripts = re.findall(r"<script\b[^>]*>", response.text)
    assert scripts and all(" src=" in tag for tag in scripts)
    assert not re.search(r"<[^>]+\son\w+\s*=", response.text)
    assert "'unsafe-inline'" not in PAGE_CSP.split("script-src")[1].split(";")[0]


def test_docs_page_allows_only_its_own_inline_script_by_hash(client: httpx.Client) -> None:
    csp = client.get("/docs").headers["content-security-policy"]
    script_src = csp.split("script-src")[1].split(";")[0]
    assert "'sha256-" in script_src and "unsafe-inline" not in script_src


def test_a_foreign_host_header_is_refused(client: httpx.Client) -> None:
    """DNS rebinding: a page on evil.example resolving to 127.0.0.1 must not reach the app."""
    assert client.get("/api/v1/health", headers={"host": "evil.example"}).status_code == 400
    assert client.get("/api/v1/health", headers={"host": "localhost:8000"}).status_code == 200


def test_errors_never_show_a_stack_trace(tmp_path: Path) -> None:
    app = create_app(Settings(db=str(tmp_path / "c.sqlite"), workers=1, queue=0, create_db=True))

    def boom() -> None:
        raise RuntimeError("secret internal detail /etc/passwd")

    app.add_api_route("/api/v1/boom", boom)
    app.add_api_route("/boom", boom)
    with running_server(Settings(), app=app) as url:
        api = httpx.get(f"{url}/api/v1/boom")
        page = httpx.get(f"{url}/boom")
    assert api.status_code == 500 and api.json() == {"detail": "internal error",
                                                     "hint": "the server log has the details"}
    assert page.status_code == 500 and "internal error" in page.text
    for text in (api.text, page.text):
        assert "secret" not in text and "Traceback" not in text and "RuntimeError" not in text
