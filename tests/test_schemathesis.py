"""Property-based fuzzing of the whole OpenAPI schema of a live server: no request may get a 5xx.

Reads (GET) go to the shared session ``server``; every other method (writes, POST /search, chat)
goes to a ``private_server`` with writes enabled, called with the right X-API-Key so the write
paths themselves are exercised. Each operation gets at most ``MAX_EXAMPLES`` generated requests,
valid and invalid ones, with a time cap per operation, so the module stays near two minutes on
two cores. Traffic goes to the loopback server only.
"""

from __future__ import annotations

import time

import httpx
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from .conftest import TEST_API_KEY

MAX_EXAMPLES = 15
SECONDS_PER_OPERATION = 12.0
pytestmark = pytest.mark.slow


def _operations(url: str):
    schema = schemathesis.openapi.from_url(url + "/openapi.json")
    ops = []
    for result in schema.get_all_operations():
        ops.append(result.ok())  # an invalid operation definition fails the test here
    return ops


def _strategy(op):
    strategies = [op.as_strategy(generation_mode=GenerationMode.POSITIVE)]
    try:
        strategies.append(op.as_strategy(generation_mode=GenerationMode.NEGATIVE))
    except Exception:  # noqa: BLE001 - some operations have nothing to make invalid
        pass
    return st.one_of(*strategies)


def _fuzz(url: str, methods: set[str], headers: dict[str, str]) -> tuple[list[str], dict[str, int]]:
    """Run every operation with ``methods``; returns (failures, requests sent per operation)."""
    failures: list[str] = []
    sent: dict[str, int] = {}
    session = requests.Session()
    for op in _operations(url):
        if op.method.upper() not in methods:
            continue
        label = f"{op.method.upper()} {op.path}"
        sent[label] = 0
        started = time.monotonic()

        @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(case=_strategy(op))
        def check(case) -> None:
            if time.monotonic() - started > SECONDS_PER_OPERATION:
                return  # time cap for this operation reached; the remaining examples are skipped
            sent[label] += 1
            try:
                response = case.call(base_url=url, session=session, headers=headers, timeout=60)
            except requests.RequestException as exc:
                failures.append(f"{label}: request failed ({exc!r}); reproduce: {case.as_curl_command()}")
                return
            if response.status_code >= 500:
                failures.append(f"{label}: {response.status_code} {response.text[:300]!r}; "
                                f"reproduce: {case.as_curl_command()}")

        check()
    return failures, sent


def _server_alive(url: str) -> None:
    assert httpx.get(url + "/health", timeout=30).status_code == 200


def test_read_operations_never_5xx(server):
    failures, sent = _fuzz(server.url, {"GET", "HEAD"}, {})
    assert sent, "the schema has no read operations"
    assert sum(sent.values()) >= len(sent), sent
    _server_alive(server.url)
    assert not failures, "\n".join(failures[:20])


def test_write_and_post_operations_never_5xx(private_server):
    srv = private_server(GKA_API_KEY=TEST_API_KEY)
    failures, sent = _fuzz(srv.url, {"POST", "PUT", "PATCH", "DELETE"}, {"X-API-Key": TEST_API_KEY})
    assert any(label.startswith("POST /interventions") for label in sent), sent
    assert any(label.startswith("PUT ") for label in sent) and any(label.startswith("DELETE ") for label in sent)
    _server_alive(srv.url)
    assert not failures, "\n".join(failures[:20])
