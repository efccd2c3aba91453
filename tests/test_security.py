"""Security checks over real HTTP: escaping of stored markup, SQL-injection strings, write keys,
body-size limit and CORS.

Servers (loopback only): the shared session ``server`` (writes enabled, no CORS origins), one
module-wide server with writes, a small body limit and one allowed CORS origin, and one read-only
server without an API key. The browser side of escaping is covered by the web tests; here the
raw HTML is checked.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
from urllib.parse import quote

import httpx
import pytest

from .conftest import TEST_API_KEY, LiveServer

ALLOWED_ORIGIN = "https://gemeente.example"
OTHER_ORIGIN = "https://evil.example"
BODY_LIMIT = 20_000
SCRIPT = "<script>alert('xss')</script>"
INJECTIONS = [
    "' OR '1'='1",
    "1; DROP TABLE interventions; --",
    "\" OR 1=1 --",
    "'; DELETE FROM changes; --",
    "x' UNION SELECT record FROM interventions --",
    "%' AND 1=0 UNION SELECT NULL, NULL --",
]
SEARCH_PARAMS = ["q", "k", "mode", "thema", "doelgroep", "setting", "min_erkenning", "kind", "gemeente",
                 "provincie", "group"]
pytestmark = pytest.mark.slow


def _start(seeded_dir, model_dir, tmp_path_factory, name: str, **env: str) -> LiveServer:
    data = tmp_path_factory.mktemp(f"{name}-data")
    shutil.copytree(seeded_dir, data, dirs_exist_ok=True)
    srv = LiveServer(data, model_dir, tmp_path_factory.mktemp("logs") / f"{name}.log", **env)
    srv.data_dir = data
    return srv


@pytest.fixture(scope="module")
def secure_server(seeded_dir, model_dir, tmp_path_factory):
    srv = _start(seeded_dir, model_dir, tmp_path_factory, "secure", GKA_API_KEY=TEST_API_KEY,
                 GKA_MAX_BODY_BYTES=str(BODY_LIMIT), GKA_CORS_ORIGINS=ALLOWED_ORIGIN)
    yield srv
    srv.stop()


@pytest.fixture(scope="module")
def readonly_server(seeded_dir, model_dir, tmp_path_factory):
    srv = _start(seeded_dir, model_dir, tmp_path_factory, "readonly")
    yield srv
    srv.stop()


def intervention(rec_id: str, naam: str, omschrijving: str = "Een korte omschrijving voor de test.") -> dict:
    return {
        "id": rec_id, "naam": naam, "korte_omschrijving": omschrijving,
        "doel": "Nagaan dat opgeslagen tekst altijd als tekst wordt getoond.",
        "doelgroep": ["4-12 jaar"], "themas": ["taal en lezen"], "setting": ["basisschool"],
        "bron": "test", "illustratief": True,
    }


def state(srv) -> dict:
    """What must not change: /health and the store's own counts and data version."""
    health = httpx.get(srv.url + "/health", timeout=60).json()
    with sqlite3.connect(srv.data_dir / "gka.sqlite3", timeout=30) as db:
        store = {
            "interventions": db.execute("SELECT COUNT(*) FROM interventions").fetchone()[0],
            "agendas": db.execute("SELECT COUNT(*) FROM agendas").fetchone()[0],
            "changes": db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0],
        }
    return {"health": {k: health[k] for k in ("documents", "interventions", "agendas", "data_version")},
            "store": store}


def write_operations(url: str) -> list[tuple[str, str]]:
    """(method, path) of every operation that declares the X-API-Key header: the write endpoints."""
    spec = httpx.get(url + "/openapi.json", timeout=30).json()
    ops = []
    for path, item in spec["paths"].items():
        for method, op in item.items():
            names = {p.get("name", "").lower() for p in op.get("parameters", []) if p.get("in") == "header"}
            if "x-api-key" in names:
                ops.append((method.upper(), path))
    return ops


def _fill(path: str, value: str = "test-id") -> str:
    out = path
    while "{" in out:
        start = out.index("{")
        out = out[:start] + value + out[out.index("}", start) + 1:]
    return out


def _send(client: httpx.Client, method: str, path: str, headers: dict | None = None) -> httpx.Response:
    body = intervention("test-beveiliging", "Beveiligingstest") if method in ("POST", "PUT", "PATCH") else None
    return client.request(method, _fill(path, "test-beveiliging"), json=body, headers=headers or {})


# ---- stored markup is escaped ---------------------------------------------------------------------
def test_script_in_a_name_is_escaped_in_html(secure_server):
    url = secure_server.url
    name = f"{SCRIPT} Voorleesproject Kwetsbaarheid"
    body = intervention("test-xss", name, omschrijving="<img src=x onerror=alert(1)> Voorlezen met ouders thuis.")
    r = httpx.post(url + "/interventions", json=body, headers={"X-API-Key": TEST_API_KEY}, timeout=120)
    assert r.status_code == 201, r.text

    raw = httpx.get(url + "/interventions/test-xss", timeout=60)
    assert raw.headers["content-type"].startswith("application/json")
    assert raw.json()["naam"] == name  # JSON carries the text as given; it is never rendered as HTML

    pages = {
        "detail": httpx.get(url + "/interventie/test-xss", timeout=60),
        "search": httpx.get(url + "/", params={"q": "Voorleesproject Kwetsbaarheid"}, timeout=120),
        "query echo": httpx.get(url + "/", params={"q": f"{SCRIPT} taal"}, timeout=120),
    }
    for what, page in pages.items():
        assert page.status_code == 200, (what, page.status_code)
        assert page.headers["content-type"].startswith("text/html")
        html = page.text
        assert "<script>alert(" not in html, what
        assert "<img src=x onerror" not in html, what
        assert "&lt;script&gt;alert(" in html, f"{what}: the name should be shown, escaped"
    assert "&lt;img src=x onerror" in pages["detail"].text
    assert "test-xss" in pages["search"].text, "the stored intervention should be among the results"


# ---- SQL injection --------------------------------------------------------------------------------
def test_sql_injection_in_search_parameters_changes_nothing(secure_server):
    url = secure_server.url
    before = state(secure_server)
    with httpx.Client(base_url=url, timeout=120) as c:
        for param in SEARCH_PARAMS:
            for payload in INJECTIONS:
                params = {"q": "taal", param: payload}
                r = c.get("/search", params=params)
                assert r.status_code < 500, (param, payload, r.status_code, r.text[:200])
                assert r.status_code == 200 or 400 <= r.status_code < 500
                if r.status_code == 200:
                    assert isinstance(r.json()["results"], list)
        # the same strings in the web page's form
        for payload in INJECTIONS[:3]:
            assert c.get("/", params={"q": payload, "gemeente": payload}).status_code < 500
    assert state(secure_server) == before


def test_sql_injection_in_path_ids_changes_nothing(secure_server):
    url = secure_server.url
    before = state(secure_server)
    key = {"X-API-Key": TEST_API_KEY}
    with httpx.Client(base_url=url, timeout=120) as c:
        for payload in INJECTIONS:
            p = quote(payload, safe="")
            for path in (f"/interventions/{p}", f"/agendas/{p}", f"/interventie/{p}", f"/agenda/{p}"):
                r = c.get(path)
                assert r.status_code in (404, 422), (path, r.status_code)
            assert c.delete(f"/interventions/{p}", headers=key).status_code in (404, 422)
            assert c.delete(f"/agendas/{p}", headers=key).status_code in (404, 422)
            r = c.put(f"/interventions/{p}", json=intervention("test-sql", "SQL-test"), headers=key)
            assert r.status_code == 422, r.status_code  # the URL's id differs from the body's
    assert state(secure_server) == before
    assert httpx.get(url + "/interventions/cat-piramide", timeout=60).status_code == 200


# ---- write access ---------------------------------------------------------------------------------
def test_write_endpoints_need_the_right_key(secure_server):
    ops = write_operations(secure_server.url)
    assert {("POST", "/interventions"), ("PUT", "/interventions/{intervention_id}"),
            ("DELETE", "/interventions/{intervention_id}"), ("POST", "/agendas"),
            ("PUT", "/agendas/{agenda_id}"), ("DELETE", "/agendas/{agenda_id}")} <= set(ops), ops
    before = state(secure_server)
    with httpx.Client(base_url=secure_server.url, timeout=120) as c:
        for method, path in ops:
            missing = _send(c, method, path)
            assert missing.status_code == 401, (method, path, missing.status_code, missing.text)
            assert "X-API-Key" in missing.json()["detail"]
            wrong = _send(c, method, path, {"X-API-Key": "not-the-key"})
            assert wrong.status_code == 403, (method, path, wrong.status_code, wrong.text)
            assert "verkeerde" in wrong.json()["detail"].lower()
    assert state(secure_server) == before


def test_read_only_server_refuses_writes_with_a_clear_message(readonly_server):
    url = readonly_server.url
    assert httpx.get(url + "/health", timeout=60).json()["writes_enabled"] is False
    ops = write_operations(url)
    assert ops
    before = state(readonly_server)
    with httpx.Client(base_url=url, timeout=120) as c:
        for method, path in ops:
            for headers in ({}, {"X-API-Key": TEST_API_KEY}):
                r = _send(c, method, path, headers)
                assert r.status_code == 403, (method, path, headers, r.status_code)
                detail = r.json()["detail"]
                assert "alleen-lezen" in detail and "GKA_API_KEY" in detail, detail
    assert state(readonly_server) == before


# ---- body size ------------------------------------------------------------------------------------
def test_request_bodies_above_the_limit_get_413(secure_server):
    url = secure_server.url
    big_search = json.dumps({"q": "taal " * (BODY_LIMIT // 4)}).encode()
    assert len(big_search) > BODY_LIMIT
    big_record = intervention("test-groot", "Te groot", omschrijving="woord " * (BODY_LIMIT // 5))
    with httpx.Client(base_url=url, timeout=120) as c:
        r = c.post("/search", content=big_search, headers={"Content-Type": "application/json"})
        assert r.status_code == 413, r.status_code
        assert str(BODY_LIMIT) in r.json()["detail"]
        r = c.post("/interventions", json=big_record, headers={"X-API-Key": TEST_API_KEY})
        assert r.status_code == 413, r.status_code
        ok = c.post("/search", json={"q": "voorlezen"})  # under the limit: served
        assert ok.status_code == 200
    assert httpx.get(url + "/interventions/test-groot", timeout=60).status_code == 404


def _chunks():
    for _ in range(10):
        yield b" " * (BODY_LIMIT // 4)


def test_streamed_body_above_the_limit_is_refused(secure_server):
    """Without Content-Length the middleware stops reading at the limit: the body never reaches
    a handler and nothing is stored."""
    before = state(secure_server)
    r = httpx.post(secure_server.url + "/interventions", content=_chunks(),
                   headers={"Content-Type": "application/json", "X-API-Key": TEST_API_KEY}, timeout=120)
    assert 400 <= r.status_code < 500, r.status_code
    assert state(secure_server) == before


def test_streamed_body_above_the_limit_gets_413(secure_server):
    r = httpx.post(secure_server.url + "/search", content=_chunks(),
                   headers={"Content-Type": "application/json"}, timeout=120)
    assert r.status_code == 413, (r.status_code, r.text[:200])


# ---- CORS -----------------------------------------------------------------------------------------
def _preflight(url: str, origin: str) -> httpx.Response:
    return httpx.options(url + "/search", headers={
        "Origin": origin, "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type"}, timeout=60)


def test_cors_is_closed_by_default(server):
    r = httpx.get(server.url + "/search", params={"q": "taal", "mode": "lexical"},
                  headers={"Origin": OTHER_ORIGIN}, timeout=60)
    assert r.status_code == 200
    assert "access-control-allow-origin" not in r.headers
    pre = _preflight(server.url, OTHER_ORIGIN)
    assert "access-control-allow-origin" not in pre.headers


def test_cors_is_open_for_a_configured_origin_only(secure_server):
    url = secure_server.url
    r = httpx.get(url + "/search", params={"q": "taal", "mode": "lexical"},
                  headers={"Origin": ALLOWED_ORIGIN}, timeout=60)
    assert r.status_code == 200
    assert r.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    pre = _preflight(url, ALLOWED_ORIGIN)
    assert pre.status_code == 200
    assert pre.headers.get("access-control-allow-origin") == ALLOWED_ORIGIN
    other = httpx.get(url + "/search", params={"q": "taal", "mode": "lexical"},
                      headers={"Origin": OTHER_ORIGIN}, timeout=60)
    assert "access-control-allow-origin" not in other.headers
    assert "access-control-allow-origin" not in _preflight(url, OTHER_ORIGIN).headers
