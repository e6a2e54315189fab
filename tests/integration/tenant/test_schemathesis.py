"""schemathesis (PyPI) generates requests, valid and invalid, for every operation the tenant serves.

The operations are those of tests/fixtures/openapi/c8y-oas-10.18-subset.json, which holds exactly
the tenant's ``endpoint_list()``. Generation is derandomized (a fixed seed) and bounded per
operation so the run stays within seconds. Every answer must be a documented kind of answer: never
a 5xx or a dropped connection, and every 4xx carries Cumulocity's error body
(``{"error": "<domain>/<kind>", "message": ...}``). The tenant is a private one: generated requests
change passwords, delete users and options.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import Case, GenerationMode

from c8ylink.tenant.background import BackgroundTenant

from .conftest import SPEC_FILE

pytestmark = pytest.mark.integration

EXAMPLES_PER_OPERATION = 4


@pytest.fixture(scope="module")
def private_tenant(start_tenant: Callable[..., BackgroundTenant]) -> Iterator[BackgroundTenant]:
    with start_tenant() as running:
        yield running


@pytest.fixture(scope="module")
def session(private_tenant: BackgroundTenant) -> Iterator[requests.Session]:
    http = requests.Session()
    http.trust_env = False
    http.verify = str(private_tenant.info.ca_file)
    http.auth = (f"{private_tenant.info.tenant}/admin", private_tenant.info.admin.password)
    yield http
    http.close()


def _problem(case: Case, response: requests.Response | None, error: Exception | None) -> str | None:
    body = "" if case.body is None or type(case.body).__name__ == "NotSet" else repr(case.body)[:120]
    label = f"{case.method} {case.formatted_path} {case.query or ''} {case.media_type or ''} {body}"
    if error is not None:
        return f"{label}: {type(error).__name__}: {error}"
    assert response is not None
    if response.status_code >= 500:
        return f"{label}: {response.status_code} {response.text[:200]}"
    if response.status_code >= 400 and case.method.upper() != "HEAD":
        try:
            body: Any = json.loads(response.content)
        except ValueError:
            return f"{label}: {response.status_code} without a JSON error body: {response.text[:200]!r}"
        if not (isinstance(body, dict) and "/" in str(body.get("error", "")) and "message" in body):
            return f"{label}: {response.status_code} error body {body!r}"
    return None


def _exercise(
    schema: Any, mode: GenerationMode, base_url: str, http: requests.Session
) -> tuple[int, list[str]]:
    problems: list[str] = []
    sent = 0
    for result in schema.get_all_operations():
        operation = result.ok()
        if mode == GenerationMode.NEGATIVE and not (operation.query or operation.body or operation.headers):
            continue  # path parameters are free strings: nothing in them can be invalid

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            derandomize=True,
            deadline=None,
            database=None,
            phases=[Phase.explicit, Phase.generate],
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(generation_mode=mode))
        def send(case: Case) -> None:
            nonlocal sent
            sent += 1
            response: requests.Response | None = None
            error: Exception | None = None
            try:
                response = case.call(
                    base_url=base_url, session=http, verify=http.verify, timeout=10, allow_redirects=False
                )
            except requests.RequestException as exc:
                error = exc
            problem = _problem(case, response, error)
            if problem is not None and problem not in problems:
                problems.append(problem)

        with contextlib.suppress(Unsatisfiable):  # nothing invalid can be generated for this operation
            send()
    return sent, problems


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_generated_requests_answer_as_cumulocity(
    private_tenant: BackgroundTenant, session: requests.Session, mode: GenerationMode
) -> None:
    raw = json.loads(SPEC_FILE.read_text(encoding="utf-8"))
    schema = schemathesis.openapi.from_dict(raw)
    sent, problems = _exercise(schema, mode, private_tenant.info.https_url, session)
    assert sent > 100
    assert not problems, f"{len(problems)} problems:\n" + "\n".join(problems[:40])
