"""Property-based API tests: schemathesis generates requests from the OpenAPI schema against a real server.

Every operation gets `EXAMPLES` generated cases, valid and invalid (well over 200 in
all); no answer may be a 5xx, and every answer to a valid request must match the
schema. The schema is taken from the app itself, so the cases are known at
collection time; they are sent to the live server over loopback.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import positive_data_acceptance

from rhetorscope.web import Settings, create_app
from test_web_server import fixture_corpus, running_server

EXAMPLES = 40
TOKEN = "schemathesis-token"
SCHEMA = schemathesis.openapi.from_dict(create_app(Settings()).openapi())
OPERATIONS = {op.label: op for op in (result.ok() for result in SCHEMA.get_all_operations())}
generated: list[str] = []


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = tmp_path_factory.mktemp("web-schemathesis") / "corpus.sqlite"
    fixture_corpus(db)
    with running_server(Settings(db=str(db), workers=1, queue=16, token=TOKEN)) as url:
        yield url


@pytest.mark.parametrize("label", sorted(OPERATIONS))
def test_operation_never_fails_and_keeps_its_schema(label: str, base_url: str) -> None:
    operation = OPERATIONS[label]
    cases = st.one_of(st.tuples(st.just(True), operation.as_strategy(GenerationMode.POSITIVE)),
                      st.tuples(st.just(False), operation.as_strategy(GenerationMode.NEGATIVE)))

    @given(cases)
    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def check(generated_case: tuple[bool, schemathesis.Case]) -> None:
        valid, case = generated_case
        generated.append(label)
        response = case.call(base_url=base_url, timeout=60, headers={"authorization": f"Bearer {TOKEN}"})
        assert response.status_code < 500, f"{label}: {response.status_code} {response.text[:300]}"
        if valid:
            # A search query or a document can be schema-valid and still unusable ('"unbalanced', a
            # binary file): that is a documented 400, not a failure.
            case.validate_response(response, excluded_checks=[positive_data_acceptance],
                                   headers={"authorization": f"Bearer {TOKEN}"})

    check()


def test_enough_cases_were_generated() -> None:
    """Runs after the generated tests (pytest keeps file order); guards against a silently shrunk run."""
    assert len(generated) >= 200, f"only {len(generated)} cases"
    assert set(generated) == set(OPERATIONS)
