"""200 concurrent clients mixing searches and writes on one live server, then consistency checks.

Bounded: 200 threads, one or two requests each, all against a loopback ``private_server`` with
writes enabled. Afterwards every written record must be readable and findable by search, and
``/health`` must agree with the store (record counts, data version, document count).
"""

from __future__ import annotations

import sqlite3
import string
import threading
from concurrent.futures import ThreadPoolExecutor

import httpx
import pytest

from .conftest import TEST_API_KEY

N_CLIENTS = 200
WRITER_EVERY = 4  # every 4th client writes (50 writers), the others search
TIMEOUT_S = 300
pytestmark = pytest.mark.slow

SEARCHES = [
    ("taalachterstand bij peuters", "hybrid"),
    ("ouders betrekken bij school", "hybrid"),
    ("schoolverzuim in het voortgezet onderwijs", "hybrid"),
    ("voorlezen thuis", "lexical"),
    ("zomerschool", "lexical"),
    ("armoede sport meedoen", "lexical"),
    ("overgang basisschool middelbare school", "lexical"),
    ("kansengelijkheid nieuwkomers taal", "dense"),
]


def token(i: int) -> str:
    """A made-up word that occurs in exactly one record: 'gelijkq' + letters of i."""
    letters = string.ascii_lowercase
    return "gelijkq" + letters[i // 26 % 26] + letters[i % 26] + "x"


def record(i: int, version: int = 1) -> dict:
    return {
        "id": f"test-gelijktijdig-{i:03d}",
        "naam": f"Gelijktijdigheidstest {token(i)}",
        "korte_omschrijving": f"Testinterventie {i} voor de gelijktijdigheidstest, versie {version}.",
        "doel": f"Nagaan dat gelijktijdig schrijven en zoeken niets kwijtraakt (versie {version}).",
        "doelgroep": ["4-12 jaar"],
        "themas": ["taal en lezen"],
        "setting": ["basisschool"],
        "bron": "test",
        "illustratief": True,
    }


def store_state(data_dir) -> dict:
    with sqlite3.connect(data_dir / "gka.sqlite3", timeout=30) as db:
        return {
            "interventions": db.execute("SELECT COUNT(*) FROM interventions").fetchone()[0],
            "agendas": db.execute("SELECT COUNT(*) FROM agendas").fetchone()[0],
            "data_version": db.execute("SELECT COALESCE(MAX(seq), 0) FROM changes").fetchone()[0],
        }


def test_200_concurrent_clients_searching_and_writing(private_server, data_dir):
    srv = private_server(GKA_API_KEY=TEST_API_KEY)
    before = httpx.get(srv.url + "/health", timeout=30).json()
    start = threading.Barrier(N_CLIENTS, timeout=120)
    writers = [i for i in range(N_CLIENTS) if i % WRITER_EVERY == 0]

    def client(i: int) -> list[str]:
        errors: list[str] = []
        with httpx.Client(base_url=srv.url, timeout=TIMEOUT_S, headers={"X-API-Key": TEST_API_KEY}) as c:
            start.wait()
            try:
                if i in writers:
                    r = c.post("/interventions", json=record(i))
                    if r.status_code != 201:
                        errors.append(f"client {i}: POST {r.status_code} {r.text[:200]}")
                    elif i % (2 * WRITER_EVERY) == 0:  # half the writers change their record again
                        r = c.put(f"/interventions/{record(i)['id']}", json=record(i, version=2))
                        if r.status_code != 200:
                            errors.append(f"client {i}: PUT {r.status_code} {r.text[:200]}")
                else:
                    q, mode = SEARCHES[i % len(SEARCHES)]
                    r = c.get("/search", params={"q": q, "mode": mode, "k": 10, "floor": 0})
                    if r.status_code != 200:
                        errors.append(f"client {i}: search {r.status_code} {r.text[:200]}")
                    elif not r.json()["results"]:
                        errors.append(f"client {i}: search '{q}' ({mode}) found nothing")
            except httpx.HTTPError as exc:
                errors.append(f"client {i}: {exc!r}")
        return errors

    with ThreadPoolExecutor(max_workers=N_CLIENTS) as pool:
        futures = [pool.submit(client, i) for i in range(N_CLIENTS)]
        errors = [e for f in futures for e in f.result(timeout=TIMEOUT_S + 180)]
    assert not errors, "\n".join(errors[:20])

    with httpx.Client(base_url=srv.url, timeout=60) as c:
        for i in writers:
            rec = record(i, version=2 if i % (2 * WRITER_EVERY) == 0 else 1)
            got = c.get(f"/interventions/{rec['id']}")
            assert got.status_code == 200, (rec["id"], got.status_code)
            assert got.json()["doel"] == rec["doel"], rec["id"]
            hits = c.get("/search", params={"q": token(i), "mode": "lexical", "k": 3, "floor": 0}).json()["results"]
            assert hits and hits[0]["id"] == rec["id"], (rec["id"], [h["id"] for h in hits])
            assert hits[0]["summary"] == rec["korte_omschrijving"]
        health = c.get("/health").json()

    state = store_state(data_dir)
    assert health["interventions"] == state["interventions"] == before["interventions"] + len(writers)
    assert health["agendas"] == state["agendas"] == before["agendas"]
    assert health["data_version"] == state["data_version"]
    assert health["documents"] == before["documents"] + len(writers)
