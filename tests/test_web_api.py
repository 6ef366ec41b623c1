"""The REST API over a real uvicorn server on 127.0.0.1, with httpx, against a small ingested corpus."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import jsonschema
import pytest

from rhetorscope.pipeline import default_pipeline
from rhetorscope.readers import read_bytes
from rhetorscope.schema import __file__ as schema_init
from rhetorscope.web import Settings
from test_web_server import REFERENCE, fixture_corpus, running_server

FIXTURES = Path(__file__).parent / "fixtures"
SCHEMA = json.loads((Path(schema_init).parent / "analysis.schema.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    db = tmp_path_factory.mktemp("web-api") / "corpus.sqlite"
    return db, fixture_corpus(db)


@pytest.fixture(scope="module")
def client(corpus: tuple[Path, dict[str, int]]) -> Iterator[httpx.Client]:
    with running_server(Settings(db=str(corpus[0]), workers=1, queue=8)) as url, \
            httpx.Client(base_url=url, timeout=60) as http:
        yield http


@pytest.fixture(scope="module")
def ids(corpus: tuple[Path, dict[str, int]]) -> dict[str, int]:
    return corpus[1]


def test_analyze_json_is_the_cli_schema_and_the_pipeline_result(client: httpx.Client) -> None:
    text = REFERENCE.read_text(encoding="utf-8")
    response = client.post("/api/v1/analyze", json={"text": text, "name": "interview.txt"})
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    jsonschema.validate(body, SCHEMA)
    expected = default_pipeline()(read_bytes(text.encode(), name="interview.txt")[0]).model_dump(mode="json")
    assert body == expected
    speakers = {s["speaker"] for s in body["document"]["segments"]}
    assert "Sergey Lavrov" in speakers and "Interviewer" in speakers


def test_analyze_multipart_upload_detects_encoding_and_format(client: httpx.Client) -> None:
    data = (FIXTURES / "interview_ru_cp1251.txt").read_bytes()
    response = client.post("/api/v1/analyze", files={"file": ("../../etc/interview_ru.txt", data, "text/plain")})
    assert response.status_code == 200, response.text
    meta = response.json()["document"]["metadata"]
    assert meta["encoding"] == "cp1251" and meta["language"] == "ru"
    assert meta["source"] == "interview_ru.txt"  # folders a client puts in a file name are dropped
    html = client.post("/api/v1/analyze", files={"file": ("page.html", (FIXTURES / "article.html").read_bytes())},
                       data={"format_hint": "html"})
    assert html.status_code == 200 and html.json()["document"]["metadata"]["input_format"] == "html"


@pytest.mark.parametrize(("kwargs", "status", "fragment"), [
    ({"json": {"text": ""}}, 422, "at least 1 character"),
    ({"json": {"text": "x", "format_hint": "pdf"}}, 422, "format_hint"),
    ({"json": {"txt": "hello"}}, 422, "text"),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}}, 422, "json"),
    ({"content": b"hello", "headers": {"content-type": "text/plain"}}, 415, "multipart"),
    ({"files": {"file": ("x.bin", bytes(range(256)) * 40)}}, 400, "binary"),
    ({"data": {"text": "   "}}, 422, "paste a text"),
    ({"json": {"text": "a,b\n1,2\n3,4\n", "format_hint": "csv", "text_column": "b"}}, 400, "one at a time"),
    ({"json": {"text": "El ministro de Asuntos Exteriores declaró que el diálogo debe ser equitativo y que las "
                       "sanciones nunca alcanzaron sus objetivos.", "name": "nota.txt"}},
     422, "unsupported language ('es')"),
])
def test_analyze_refuses_bad_input_with_a_reason(client: httpx.Client, kwargs: dict, status: int,
                                                 fragment: str) -> None:
    response = client.post("/api/v1/analyze", **kwargs)
    assert response.status_code == status, response.text
    assert fragment in response.text.lower()
    assert "traceback" not in response.text.lower()


def test_health_and_techniques(client: httpx.Client) -> None:
    health = client.get("/api/v1/health").json()
    assert health == {**health, "status": "ok", "store": "sqlite", "analyses_in_progress": 0}
    taxonomy = client.get("/api/v1/techniques").json()
    assert len(taxonomy["techniques"]) == 23 and len(taxonomy["categories"]) == 6
    assert {"id": "Doubt", "category": "attack_on_reputation"}.items() <= taxonomy["techniques"][19].items()


def test_documents_list_and_get(client: httpx.Client, ids: dict[str, int]) -> None:
    page = client.get("/api/v1/documents", params={"limit": 2}).json()
    assert page["total"] == 5 and len(page["documents"]) == 2
    assert [d["id"] for d in page["documents"]] == [ids["reference"], ids["beta-fr"]]  # newest first
    alpha = client.get("/api/v1/documents", params={"source": "ALPHA"}).json()
    assert {d["id"] for d in alpha["documents"]} == {ids["alpha-1"], ids["alpha-2"]}
    french = client.get("/api/v1/documents", params={"language": "fr", "since": "2025-03-01"}).json()
    assert [d["id"] for d in french["documents"]] == [ids["beta-fr"]]
    doc = client.get(f"/api/v1/documents/{ids['alpha-2']}").json()
    jsonschema.validate(doc, SCHEMA)
    assert {f["technique"] for f in doc["findings"]} >= {"Doubt", "Loaded_Language"}
    missing = client.get("/api/v1/documents/999999")
    assert missing.status_code == 404 and "no document" in missing.json()["detail"]


def test_search_with_filters_facets_and_highlights(client: httpx.Client, ids: dict[str, int]) -> None:
    result = client.get("/api/v1/search", params={"q": "sanctions"}).json()
    assert result["total"] == 4  # three English posts and the French one
    assert result["facets"]["source"] == {"channel-alpha": 2, "channel-beta": 2}
    assert result["facets"]["language"] == {"en": 3, "fr": 1}
    assert result["facets"]["technique"] == {"Loaded_Language": 4, "Doubt": 1}
    hit = result["hits"][0]
    start, end = hit["highlights"][0]
    assert hit["snippet"][start:end].lower() == "sanctions"
    narrowed = client.get("/api/v1/search", params={"q": "sanctions", "technique": "Doubt"}).json()
    assert [h["document"]["id"] for h in narrowed["hits"]] == [ids["alpha-2"]]
    assert client.get("/api/v1/search", params={"q": '"unbalanced'}).status_code == 400
    unknown = client.get("/api/v1/search", params={"technique": "Sarcasm"})
    assert unknown.status_code == 422 and "Loaded_Language" in unknown.text  # the valid ids are listed
    assert client.get("/api/v1/search", params={"q": "sanctions", "since": "", "technique": ""}).json()["total"] == 4


def test_trends_and_repeats(client: httpx.Client, ids: dict[str, int]) -> None:
    trends = client.get("/api/v1/trends", params={"by": "month"}).json()
    assert trends["periods"] == ["2025-01-01", "2025-02-01", "2025-03-01"]
    loaded = next(s for s in trends["series"] if s["name"] == "Loaded_Language")
    assert loaded["counts"] == [1, 2, 1]
    by_category = client.get("/api/v1/trends", params={"category": "attack_on_reputation"}).json()
    assert by_category["group"] == "category" and by_category["series"][0]["counts"] == [0, 1, 0]
    clusters = client.get("/api/v1/repeats", params={"min_count": 3}).json()
    talking_point = next(c for c in clusters if "sanctions have failed" in c["canonical"])
    assert talking_point["documents"] == 3
    assert {o["document_id"] for o in talking_point["occurrences"]} == {ids["alpha-1"], ids["alpha-2"], ids["beta-1"]}


def test_openapi_and_offline_docs(client: httpx.Client) -> None:
    spec = client.get("/openapi.json").json()
    paths = {p for p in spec["paths"] if p.startswith("/api/v1/")}
    assert paths == {f"/api/v1/{p}" for p in ("analyze", "health", "techniques", "documents", "documents/{document_id}",
                                              "search", "trends", "repeats", "repeats/{cluster_id}", "compare",
                                              "factchecks", "claims/match")}
    body = spec["paths"]["/api/v1/analyze"]["post"]["requestBody"]["content"]
    assert set(body) == {"application/json", "multipart/form-data"}
    docs = client.get("/docs")
    assert docs.status_code == 200 and "http" not in docs.text.replace("http-equiv", "")  # no CDN
    assert client.get("/static/docs/swagger-ui-bundle.js").status_code == 200


def test_a_forced_language_replaces_detection_and_must_be_supported(client: httpx.Client) -> None:
    spanish = ("El ministro de Asuntos Exteriores declaró que el diálogo debe ser equitativo y que las sanciones "
               "nunca alcanzaron sus objetivos.")
    forced = client.post("/api/v1/analyze", json={"text": spanish, "language": "it"})
    assert forced.status_code == 200 and forced.json()["document"]["metadata"]["language"] == "it"
    form = client.post("/api/v1/analyze", data={"text": spanish, "language": "fr"})
    assert form.status_code == 200 and form.json()["document"]["metadata"]["language"] == "fr"
    assert client.post("/api/v1/analyze", json={"text": spanish, "language": "es"}).status_code == 422
    assert client.post("/api/v1/analyze", data={"text": spanish, "language": "es"}).status_code == 422
