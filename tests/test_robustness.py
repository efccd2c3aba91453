"""Findings of probing the running service: every one answers 4xx with what to fix, never 500."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gka_match.index.search import SearchRequest

from .conftest import TEST_API_KEY


@pytest.mark.parametrize("path, body", [
    ("/search", '{"q": "taal \\ud800"}'),
    ("/chat", '{"message": "taal \\ud800"}'),
    ("/v1/chat/completions", '{"model": "gka-match", "messages": [{"role": "user", "content": "taal \\ud800"}]}'),
])
def test_a_lone_surrogate_is_a_4xx(server, path, body):
    r = httpx.post(server.url + path, content=body, headers={"Content-Type": "application/json"}, timeout=30)
    assert 400 <= r.status_code < 500, (r.status_code, r.text)
    assert r.json()


def test_unknown_get_parameters_are_refused(server):
    r = httpx.get(server.url + "/search", params={"q": "taal", "provincies": "Limburg"}, timeout=30)
    assert r.status_code == 422 and "provincies" in r.json()["detail"]


def test_vocabulary_values_in_any_case_and_strict_numbers(server):
    low = httpx.get(server.url + "/search", params={"q": "taalachterstand bij kleuters", "provincie": "limburg",
                                                    "floor": 0}, timeout=30)
    assert low.status_code == 200 and all(h["provincie"] == "Limburg" for h in low.json()["results"])
    r = httpx.post(server.url + "/search", json={"q": "taal", "k": True}, timeout=30)
    assert r.status_code == 422


def test_concurrent_creates_of_one_id_make_one_record(private_server):
    srv = private_server(GKA_API_KEY=TEST_API_KEY)
    record = {"id": "cat-race", "naam": "Race", "korte_omschrijving": "Een test.", "doel": "Testen.",
              "doelgroep": ["4-12 jaar"], "themas": ["taal en lezen"], "setting": ["basisschool"],
              "bron": "https://example.org", "illustratief": True}

    def create(_):
        return httpx.post(srv.url + "/interventions", json=record, headers={"X-API-Key": TEST_API_KEY},
                          timeout=60).status_code

    with ThreadPoolExecutor(20) as pool:
        codes = list(pool.map(create, range(20)))
    assert codes.count(201) == 1 and codes.count(409) == 19, codes


def test_head_and_offline_docs(server):
    assert httpx.head(server.url + "/", timeout=30).status_code == 200
    docs = httpx.get(server.url + "/docs", timeout=30)
    assert docs.status_code == 200 and "/docs-assets/swagger-ui-bundle.js" in docs.text and "cdn" not in docs.text
    assert httpx.get(server.url + "/docs-assets/swagger-ui-bundle.js", timeout=30).status_code == 200


def test_api_and_web_agree_on_agendas(server):
    """Every surface takes an agenda by id or by gemeente name; the same agenda twice is a 422 in
    the API as on the web; an unknown agenda is a 404 on both."""
    get = lambda path, **params: httpx.get(server.url + path, params=params or None, timeout=60)  # noqa: E731
    by_id, by_name = get("/agendas/agenda-venray"), get("/agendas/venray")
    assert by_id.status_code == by_name.status_code == 200 and by_id.json() == by_name.json()
    assert get("/agenda/Venray").status_code == 200 and "GKA-agenda Venray" in get("/agenda/Venray").text
    assert get("/agendas/Venray/document.docx").content[:2] == b"PK"
    api, web = get("/agendas/compare", a="Venray", b="agenda-venray"), get("/vergelijk", a="Venray", b="Venray")
    assert api.status_code == web.status_code == 422
    assert "dezelfde agenda" in api.json()["detail"] and "twee verschillende gemeenten" in web.text
    missing_api, missing_web = get("/agendas/atlantis"), get("/agenda/atlantis")
    assert missing_api.status_code == missing_web.status_code == 404
    assert "GET /agendas" in missing_api.json()["detail"]
    assert get("/agendas/compare", a="Venray", b="Atlantis").status_code == get("/vergelijk", a="Venray", b="Atlantis").status_code == 404


@pytest.mark.fast
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(q=st.one_of(st.text(), st.integers(), st.none(), st.lists(st.text())),
       k=st.one_of(st.integers(-10**12, 10**12), st.booleans(), st.floats(allow_nan=True), st.text()),
       mode=st.one_of(st.sampled_from(["hybrid", "dense", "lexical"]), st.text()),
       provincie=st.one_of(st.lists(st.text(max_size=20), max_size=3), st.text()))
def test_the_search_request_accepts_or_refuses_cleanly(q, k, mode, provincie):
    """Any input either validates into a request whose query is clean text, or raises a
    ValueError (pydantic's ValidationError is one) that names the field; nothing else."""
    try:
        req = SearchRequest(q=q, k=k, mode=mode, provincie=provincie)
    except ValueError as exc:
        assert str(exc)
        return
    assert req.q and req.q == req.q.strip() and 1 <= req.k <= 100
    req.q.encode("utf-8")  # always valid UTF-8
