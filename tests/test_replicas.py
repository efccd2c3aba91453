"""Scale-out on one shared PostgreSQL store: replicas and worker processes stay in step.

Two live servers (each its own process, model, in-memory indexes and data dir) share one
PostgreSQL database seeded with the bundled data. A write through one becomes searchable in the
other without a rebuild or restart; a replica that was down catches up from the change log when
it starts; ``serve --workers 2`` builds a missing index once and answers from both workers.
"""

from __future__ import annotations

import http.client
import json
import os
import shutil
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil
import pytest

from gka_match.data.models import CatalogueIntervention
from gka_match.data.store import Store

from .conftest import ROOT, TEST_API_KEY, LiveServer, data_env, free_port

pytest_plugins = ["tests.conftest_pg"]
pytestmark = [pytest.mark.postgres, pytest.mark.slow]

# A correctness bound (the change arrives, without a restart), not a speed target: how soon it
# arrives is measured by `python -m bench.workers` (README, Replicas).
VISIBLE_DEADLINE_S = 15.0
WRITE_HEADERS = {"X-API-Key": TEST_API_KEY}


def new_intervention(rid: str, naam: str, woord: str) -> dict:
    """A valid catalogue record with a made-up word that nothing else in the data contains."""
    from gka_match.data.bundled import load_bundled

    base = load_bundled()[0][0].model_dump(mode="json")
    rec = {**base, "id": rid, "naam": naam, "aliassen": [],
           "korte_omschrijving": f"Testinterventie rond {woord}: kinderen lezen samen met hun ouders."}
    return CatalogueIntervention.model_validate(rec).model_dump(mode="json")


def found(server_url: str, query: str, rid: str, client: httpx.Client | None = None) -> bool:
    get = client.get if client else httpx.get
    r = get(f"{server_url}/search", params={"q": query, "k": 5, "mode": "lexical", "floor": 0}, timeout=10)
    assert r.status_code == 200, r.text
    return rid in [h["id"] for h in r.json()["results"]]


def wait_visible(server_url: str, query: str, rid: str, limit_s: float = VISIBLE_DEADLINE_S) -> None:
    """Wait until ``rid`` shows up in the server's search (polling every 20 ms)."""
    t0 = time.monotonic()
    while time.monotonic() - t0 < limit_s:
        if found(server_url, query, rid):
            return
        time.sleep(0.02)
    raise AssertionError(f"{rid} did not appear in {server_url}/search within {limit_s} s")


def replica_dir(seeded_dir: Path, target: Path, store_version: int) -> Path:
    """A data dir with a copy of the session's index (built from the bundled data on SQLite).

    The PostgreSQL store was seeded with the same bundled data, so the copy reflects the store
    at ``store_version``; its manifest says so (the index must never claim a newer version than
    the store, or the replica rebuilds). Later writes are replayed by sync."""
    shutil.copytree(seeded_dir / "index", target / "index")
    current = target / "index" / (target / "index" / "CURRENT").read_text().strip()
    manifest = json.loads((current / "manifest.json").read_text())
    manifest["data_version"] = store_version
    (current / "manifest.json").write_text(json.dumps(manifest, indent=1))
    return target


@pytest.fixture(scope="module")
def shared_store(pg_cluster, model_dir, tmp_path_factory) -> tuple[str, int]:
    """One PostgreSQL database for the module, seeded with `gka-match seed` (the real CLI)."""
    name, url = pg_cluster.create_database("replicas")
    env = data_env(tmp_path_factory.mktemp("seed-pg"), model_dir, GKA_DATABASE_URL=url)
    proc = subprocess.run([str(ROOT / ".venv/bin/gka-match"), "seed"], env=env, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    store = Store(url)
    version, counts = store.data_version(), store.counts()
    store.close()
    assert counts["interventions"] > 100 and counts["agendas"] > 10
    yield url, version
    pg_cluster.drop_database(name)


class Replicas:
    def __init__(self, url: str, dirs: dict[str, Path], logs: Path, model_dir: Path):
        self.url, self.dirs, self.logs, self.model_dir = url, dirs, logs, model_dir
        self.servers: dict[str, LiveServer] = {}
        self.starts = {name: 0 for name in dirs}

    def start(self, *names: str) -> None:
        def one(name: str) -> LiveServer:
            self.starts[name] += 1
            # Two replicas share this host's cores: one torch thread each, as `serve --workers`
            # does for its workers (unlimited, they oversubscribe the CPU and embed ~4x slower).
            return LiveServer(self.dirs[name], self.model_dir, self.logs / f"{name}{self.starts[name]}.log",
                              GKA_DATABASE_URL=self.url, GKA_API_KEY=TEST_API_KEY,
                              OMP_NUM_THREADS=str(max(1, (os.cpu_count() or 2) // 2)))

        with ThreadPoolExecutor(len(names)) as pool:
            for name, srv in zip(names, pool.map(one, names)):
                self.servers[name] = srv

    def stop(self, name: str) -> None:
        self.servers.pop(name).stop()

    def log(self, name: str) -> str:
        return self.servers[name].log_path.read_text(errors="replace")

    def __getitem__(self, name: str) -> LiveServer:
        return self.servers[name]


@pytest.fixture(scope="module")
def replicas(shared_store, seeded_dir, model_dir, tmp_path_factory):
    url, version = shared_store
    root = tmp_path_factory.mktemp("replicas")
    dirs = {name: replica_dir(seeded_dir, root / name, version) for name in ("a", "b")}
    group = Replicas(url, dirs, root, model_dir)
    group.start("a", "b")
    yield group
    for name in list(group.servers):
        group.stop(name)


def test_a_write_through_one_replica_is_searchable_in_the_other(replicas):
    a, b = replicas["a"], replicas["b"]
    assert httpx.get(a.url + "/health").json()["data_version"] == httpx.get(b.url + "/health").json()["data_version"]
    rec = new_intervention("cat-replica-zwaluwstaart", "Zwaluwstaart leesclub", "zwaluwstaartlezen")
    r = httpx.post(a.url + "/interventions", json=rec, headers=WRITE_HEADERS, timeout=30)
    assert r.status_code == 201, r.text
    wait_visible(b.url, "zwaluwstaartlezen", rec["id"])

    # and the other way round: a change and a delete through B reach A
    changed = {**rec, "naam": "IJsvogel leesclub",
               "korte_omschrijving": "Nu over ijsvogelverhalen: kinderen lezen samen met hun ouders."}
    r = httpx.put(f"{b.url}/interventions/{rec['id']}", json=changed, headers=WRITE_HEADERS, timeout=30)
    assert r.status_code == 200, r.text
    wait_visible(a.url, "ijsvogelverhalen", rec["id"])
    hits = httpx.get(a.url + "/search", params={"q": "ijsvogelverhalen", "k": 1, "mode": "lexical", "floor": 0}).json()["results"]
    assert hits[0]["name"] == "IJsvogel leesclub", "A must serve the changed record, not the old one"
    assert httpx.delete(f"{b.url}/interventions/{rec['id']}", headers=WRITE_HEADERS, timeout=30).status_code == 204
    t0 = time.monotonic()
    while found(a.url, "ijsvogelverhalen", rec["id"]):
        assert time.monotonic() - t0 < VISIBLE_DEADLINE_S, "the delete did not reach A in time"
        time.sleep(0.02)

    health_a, health_b = (httpx.get(s.url + "/health").json() for s in (a, b))
    assert health_a["data_version"] == health_b["data_version"]
    assert health_a["documents"] == health_b["documents"]
    for name in ("a", "b"):
        assert "opnieuw opgebouwd" not in replicas.log(name), f"replica {name} rebuilt its index"


def test_a_replica_that_was_down_catches_up_when_it_starts(replicas):
    replicas.stop("b")
    a = replicas["a"]
    first = new_intervention("cat-replica-kolibrie", "Kolibrie voorleesuur", "kolibrievoorlezen")
    second = new_intervention("cat-replica-pelikaan", "Pelikaan taalspel", "pelikaantaalspel")
    for rec in (first, second):
        r = httpx.post(a.url + "/interventions", json=rec, headers=WRITE_HEADERS, timeout=30)
        assert r.status_code == 201, r.text
    replicas.start("b")
    b = replicas["b"]
    assert found(b.url, "kolibrievoorlezen", first["id"])
    assert found(b.url, "pelikaantaalspel", second["id"])
    assert httpx.get(b.url + "/health").json()["data_version"] == httpx.get(a.url + "/health").json()["data_version"]
    assert "opnieuw opgebouwd" not in replicas.log("b"), "the restarted replica rebuilt instead of replaying the log"


# ---- serve --workers ---------------------------------------------------------------------------
def _worker_pids(parent: psutil.Process) -> list[int]:
    """uvicorn's worker processes (not multiprocessing's resource tracker, nor the exited
    index-preparing child)."""
    pids = []
    for child in parent.children():
        try:
            cmdline = " ".join(child.cmdline())
            if child.status() != psutil.STATUS_ZOMBIE and "spawn_main" in cmdline and "resource_tracker" not in cmdline:
                pids.append(child.pid)
        except psutil.Error:  # exited meanwhile
            continue
    return pids


def _connections_per_worker(port: int, pids: list[int], attempts: int = 120) -> dict[int, http.client.HTTPConnection]:
    """Open keep-alive connections until each worker holds one; {worker pid: connection}."""
    by_worker: dict[int, http.client.HTTPConnection] = {}
    spare = []
    for _ in range(attempts):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        conn.request("GET", "/health")
        response = conn.getresponse()
        assert response.status == 200
        response.read()
        local_port = conn.sock.getsockname()[1]
        owner = next((pid for pid in pids for c in psutil.Process(pid).net_connections("tcp")
                      if c.raddr and c.raddr.port == local_port and c.laddr.port == port), None)
        if owner is not None and owner not in by_worker:
            by_worker[owner] = conn
        else:
            spare.append(conn)
        if len(by_worker) == len(pids):
            break
    for conn in spare:
        conn.close()
    return by_worker


def _get(conn: http.client.HTTPConnection, path: str) -> dict:
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read()
    assert response.status == 200, body
    return json.loads(body)


def test_serve_with_two_workers_builds_once_and_answers_from_both(pg_cluster, model_dir, tmp_path):
    # A small store (3 records), so that building the missing index is quick; no index on disk.
    name, url = pg_cluster.create_database()
    store = Store(url)
    records = [new_intervention(f"cat-worker-{w}", f"Werker {w} programma", w)
               for w in ("merelzang", "spreeuwdans", "vinkenslag")]
    store.write([CatalogueIntervention.model_validate(r) for r in records])
    store.close()
    port = free_port()
    log_path = tmp_path / "workers.log"
    env = data_env(tmp_path / "data", model_dir, GKA_DATABASE_URL=url, GKA_API_KEY=TEST_API_KEY)
    with open(log_path, "w") as log:
        proc = subprocess.Popen([str(ROOT / ".venv/bin/gka-match"), "serve", "--workers", "2", "--port", str(port)],
                                env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        parent = psutil.Process(proc.pid)
        deadline = time.monotonic() + 240
        while True:
            assert proc.poll() is None, log_path.read_text()
            assert time.monotonic() < deadline, "serve --workers 2 did not start:\n" + log_path.read_text()
            pids = _worker_pids(parent)
            try:
                if len(pids) == 2 and httpx.get(base + "/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        # both workers are up once both answer; connections are spread by the kernel
        deadline = time.monotonic() + 120
        while True:
            pids = _worker_pids(parent)
            conns = _connections_per_worker(port, pids)
            if len(conns) == 2 or time.monotonic() > deadline:
                break
            time.sleep(1)
        assert sorted(conns) == sorted(pids), f"could not reach both workers {pids}: {sorted(conns)}"

        for conn in conns.values():
            health = _get(conn, "/health")
            assert health["interventions"] == 3 and health["documents"] == 3
            hits = _get(conn, "/search?q=spreeuwdans&k=3&mode=lexical&floor=0")["results"]
            assert hits and hits[0]["id"] == "cat-worker-spreeuwdans"

        # a write through one worker is searchable through the other
        writer, reader = list(conns.values())
        rec = new_intervention("cat-worker-grutto", "Grutto groepsles", "gruttogroepsles")
        writer.request("POST", "/interventions", body=json.dumps(rec),
                       headers={**WRITE_HEADERS, "Content-Type": "application/json"})
        response = writer.getresponse()
        assert response.status == 201, response.read()
        response.read()
        t0 = time.monotonic()
        query = "/search?q=gruttogroepsles&k=3&mode=lexical&floor=0"
        while not any(h["id"] == rec["id"] for h in _get(reader, query)["results"]):
            assert time.monotonic() - t0 < VISIBLE_DEADLINE_S, "the other worker did not see the write"
            time.sleep(0.02)
        for conn in conns.values():
            conn.close()

        text = log_path.read_text()
        assert text.count("De index wordt opnieuw opgebouwd") == 1, "build once, before the workers start:\n" + text
    finally:
        proc.terminate()
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
        pg_cluster.drop_database(name)
