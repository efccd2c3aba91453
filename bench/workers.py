"""Throughput of ``gka-match serve --workers N`` on one host: 1 vs 2 worker processes.

    .venv/bin/python -m bench.workers --data-dir DIR [--workers 1 2] [--requests 200] [--threads 10]

DIR is a data dir with a seeded store and a built index (``gka-match seed && gka-match build``);
it is copied to a temp dir first, so the run leaves it alone. For each N the script starts
``gka-match serve --workers N`` on a free loopback port, warms every worker up, then sends a
bounded load: ``--requests`` GET /search requests (the dev-set queries, each made unique so the
query cache does not answer) from ``--threads`` threads, one fresh connection per request so the
kernel spreads them over the workers. It prints one Markdown row per N: requests/s, p50 and p95
latency, errors, and the resident memory of the worker processes. Only 127.0.0.1 is contacted.

It also measures how soon a write is searchable: the time from sending a new intervention to
the first search answer containing its made-up word, counted once 20 further fresh-connection
searches in a row find it too (with N workers the kernel spreads those over all of them). With
N=1 the writer answers itself, which is the baseline for the cross-worker case.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def dev_queries() -> list[str]:
    queries = []
    for path in sorted((ROOT / "data" / "eval").glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                q = json.loads(line).get("q")
                if isinstance(q, str) and q.strip():
                    queries.append(q.strip())
    return queries or ["Veel kinderen in onze wijk beginnen groep 3 met een taalachterstand"]


API_KEY = "bench-workers-key"


def start(data_dir: Path, model_dir: Path, workers: int, log_path: Path, timeout_s: float = 400):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("GKA_")}
    env.update(GKA_DATA_DIR=str(data_dir), GKA_MODEL_DIR=str(model_dir), GKA_API_KEY=API_KEY)
    if os.environ.get("GKA_DATABASE_URL"):
        env["GKA_DATABASE_URL"] = os.environ["GKA_DATABASE_URL"]
    log = open(log_path, "w")
    t0 = time.monotonic()
    proc = subprocess.Popen([str(ROOT / ".venv/bin/gka-match"), "serve", "--workers", str(workers),
                             "--port", str(port)], env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    parent = psutil.Process(proc.pid)
    while time.monotonic() - t0 < timeout_s:
        if proc.poll() is not None:
            raise RuntimeError(f"serve exited:\n{log_path.read_text()}")
        try:
            if httpx.get(url + "/health", timeout=2).status_code == 200 and (
                workers == 1 or len(_workers(parent)) == workers
            ):
                return proc, url, time.monotonic() - t0
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.terminate()
    raise RuntimeError(f"serve did not become healthy in {timeout_s} s:\n{log_path.read_text()}")


def _workers(parent: psutil.Process) -> list[psutil.Process]:
    kids = [c for c in parent.children() if "resource_tracker" not in " ".join(c.cmdline())]
    return kids or [parent]


def load(url: str, queries: list[str], requests: int, threads: int, tag: str) -> tuple[float, list[float], int]:
    def one(i: int) -> float | None:
        q = f"{queries[i % len(queries)]} ({tag} {i})"  # unique text: no query-cache hits
        t = time.perf_counter()
        try:
            r = httpx.get(url + "/search", params={"q": q, "k": 10}, timeout=120)
        except httpx.HTTPError:
            return None
        return time.perf_counter() - t if r.status_code == 200 else None

    t0 = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        results = list(pool.map(one, range(requests)))
    wall = time.perf_counter() - t0
    ok = [r for r in results if r is not None]
    return wall, ok, len(results) - len(ok)


def write_visible_after(url: str, tag: str, streak: int = 20, limit_s: float = 30.0) -> float:
    """Seconds from sending a POST /interventions to the first search answer that contains it,
    counted only when the next ``streak`` fresh-connection searches (every worker) find it too."""
    from gka_match.data.bundled import load_bundled

    word = f"benchschrijf{tag}woord"
    base = load_bundled()[0][0].model_dump(mode="json")
    rec = {**base, "id": f"cat-bench-{tag}", "naam": f"Bench {tag}", "aliassen": [],
           "korte_omschrijving": f"Meting rond {word}."}
    t0 = time.perf_counter()
    httpx.post(url + "/interventions", json=rec, headers={"X-API-Key": API_KEY}, timeout=60).raise_for_status()
    seen, first = 0, 0.0
    while seen < streak:
        if time.perf_counter() - t0 > limit_s:
            raise RuntimeError(f"the write was not searchable everywhere within {limit_s} s")
        hits = httpx.get(url + "/search", params={"q": word, "k": 3, "mode": "lexical", "floor": 0},
                         timeout=30).json()["results"]
        if not any(h["id"] == rec["id"] for h in hits):
            seen = 0
            continue
        first = first if seen else time.perf_counter() - t0  # the streak that lasts starts here
        seen += 1
    return first


def pct(values: list[float], p: float) -> float:
    return statistics.quantiles(values, n=100)[int(p) - 1] if len(values) > 1 else values[0]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m bench.workers", description=__doc__.splitlines()[0])
    ap.add_argument("--data-dir", required=True, type=Path, help="seeded data dir with a built index")
    ap.add_argument("--model-dir", type=Path, default=Path(os.environ.get("GKA_MODEL_DIR", ROOT / "var/models")))
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--threads", type=int, default=10)
    args = ap.parse_args(argv)
    if not (args.data_dir / "index" / "CURRENT").exists():
        ap.error(f"{args.data_dir} has no built index; run `gka-match seed && gka-match build` with GKA_DATA_DIR set")
    if not 1 <= args.requests <= 5000 or not 1 <= args.threads <= 64:
        ap.error("--requests must be 1..5000 and --threads 1..64")
    queries = dev_queries()
    rows = []
    with tempfile.TemporaryDirectory(prefix="gka-bench-workers-") as tmp:
        for n in args.workers:
            data = Path(tmp) / f"data-{n}"
            shutil.copytree(args.data_dir, data, ignore=shutil.ignore_patterns("models", "snap-*.tmp"))
            proc, url, startup = start(data, args.model_dir, n, Path(tmp) / f"serve-{n}.log")
            try:
                load(url, queries, 10 * n, min(args.threads, 2 * n), f"warm{n}")  # every worker warm
                wall, ok, errors = load(url, queries, args.requests, args.threads, f"w{n}")
                rss = sum(p.memory_info().rss for p in _workers(psutil.Process(proc.pid))) / 2**20
                visible = statistics.median(write_visible_after(url, f"{n}x{i}") for i in range(5))
            finally:
                proc.terminate()
                try:
                    proc.wait(60)
                except subprocess.TimeoutExpired:
                    proc.kill()
            rows.append((n, len(ok) / wall, 1000 * statistics.median(ok), 1000 * pct(ok, 95), errors, rss, startup,
                         1000 * visible))
            print(f"workers={n}: {rows[-1][1]:.1f} req/s, p50 {rows[-1][2]:.0f} ms", file=sys.stderr, flush=True)
    cpu = os.cpu_count()
    print(f"\n{args.requests} GET /search (hybrid, k=10) from {args.threads} threads, loopback, {cpu} CPUs\n")
    print("| workers | requests/s | p50 ms | p95 ms | errors | RSS of workers MB | start-up s | write searchable ms |")
    print("| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for n, rps, p50, p95, errors, rss, startup, visible in rows:
        print(f"| {n} | {rps:.1f} | {p50:.0f} | {p95:.0f} | {errors} | {rss:.0f} | {startup:.0f} | {visible:.0f} |")
    if rows[0][0] == 1 and len(rows) > 1:
        print(f"\nA write searchable in every worker: {rows[-1][7] / max(rows[0][7], 1e-3):.1f}x the time a single "
              "process needs to answer with its own write (median of 5 writes each).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
