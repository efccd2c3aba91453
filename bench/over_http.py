"""Over HTTP: a real ``gka-match serve`` process on a loopback port (as tests/conftest.py's
LiveServer), its cold start, search latency, throughput under concurrent clients, single-record
updates through the API and its peak memory. Traffic goes to 127.0.0.1 only, and every loop is
bounded in count and in time."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from .stats import summary_ms

API_KEY = "bench-key-0123456789"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve_command(port: int) -> list[str]:
    script = Path(sys.executable).with_name("gka-match")
    if script.exists():
        return [str(script), "serve", "--host", "127.0.0.1", "--port", str(port)]
    return [sys.executable, "-m", "gka_match.cli", "serve", "--host", "127.0.0.1", "--port", str(port)]


class Server:
    """Start timing begins just before the process is spawned. Two moments: the first /health
    200 (the index is open, lexical search answers) and the first /health that reports the
    model loaded (every mode answers at full speed)."""

    def __init__(self, data_dir: Path, model_dir: Path, log_path: Path, timeout_s: float = 300,
                 extra_env: dict[str, str] | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        env = {k: v for k, v in os.environ.items() if not k.startswith("GKA_")}
        env.update(GKA_DATA_DIR=str(data_dir), GKA_MODEL_DIR=str(model_dir), GKA_API_KEY=API_KEY,
                   HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
        env.update(extra_env or {})
        self._log = open(log_path, "w")
        self.log_path = log_path
        self.answering_seconds: float | None = None
        t0 = time.perf_counter()
        self.proc = subprocess.Popen(_serve_command(self.port), env=env, stdout=self._log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout_s
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log_path.read_text()[-3000:]}")
            try:
                health = httpx.get(self.url + "/health", timeout=2)
                if health.status_code == 200:  # the service answers only with its model loaded
                    self.answering_seconds = time.perf_counter() - t0
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"server not ready after {timeout_s}s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.05)
        self.ready_seconds = time.perf_counter() - t0

    def memory(self) -> dict:
        """Current and peak resident memory of the server process (Linux /proc, else psutil)."""
        out = {}
        try:
            status = Path(f"/proc/{self.proc.pid}/status").read_text()
            for line in status.splitlines():
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key = "rss_mb" if line.startswith("VmRSS") else "peak_rss_mb"
                    out[key] = round(int(line.split()[1]) / 1024, 1)
        except OSError:
            import psutil

            out["rss_mb"] = round(psutil.Process(self.proc.pid).memory_info().rss / 2**20, 1)
        return out

    def stop(self, timeout_s: float = 60) -> float | None:
        """SIGTERM (the server saves a snapshot on shutdown), then SIGKILL if it takes too long.
        Returns the shutdown time."""
        if self.proc.poll() is not None:
            self._log.close()
            return None
        t0 = time.perf_counter()
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=10)
        self._log.close()
        return time.perf_counter() - t0


def search_latency(url: str, queries: list[str], mode: str, budget_s: float) -> dict:
    """Sequential GET /search on one keep-alive connection, distinct queries."""
    times, errors = [], 0
    start = time.perf_counter()
    with httpx.Client(base_url=url, timeout=60) as client:
        for i, q in enumerate(queries):
            t0 = time.perf_counter()
            r = client.get("/search", params={"q": q, "mode": mode, "k": 10})
            times.append(time.perf_counter() - t0)
            errors += r.status_code != 200
            if i >= 4 and time.perf_counter() - start > budget_s:
                break
    return {**summary_ms(times), "errors": errors}


async def _load(url: str, queries: list[str], clients: int, max_requests: int, max_seconds: float) -> dict:
    """``clients`` concurrent workers sending GET /search (hybrid) until ``max_requests`` were
    sent or ``max_seconds`` passed."""
    it = iter(queries)
    sent = 0
    times: list[float] = []
    errors = 0
    status: dict[int, int] = {}
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(base_url=url, timeout=120, limits=limits) as client:
        start = time.perf_counter()
        deadline = start + max_seconds

        async def worker() -> None:
            nonlocal sent, errors
            while sent < max_requests and time.perf_counter() < deadline:
                q = next(it, None)
                if q is None:
                    return
                sent += 1
                t0 = time.perf_counter()
                try:
                    r = await client.get("/search", params={"q": q, "mode": "hybrid", "k": 10})
                    status[r.status_code] = status.get(r.status_code, 0) + 1
                    errors += r.status_code != 200
                except httpx.HTTPError:
                    errors += 1
                times.append(time.perf_counter() - t0)

        await asyncio.gather(*(worker() for _ in range(clients)))
        elapsed = time.perf_counter() - start
    ok = len(times) - errors
    return {"clients": clients, "requests": len(times), "errors": errors, "status": status,
            "seconds": round(elapsed, 2), "req_per_s": round(ok / elapsed, 1) if elapsed else 0.0,
            "latency": summary_ms(times)}


def throughput(url: str, queries: list[str], clients: int, max_requests: int, max_seconds: float) -> dict:
    return asyncio.run(_load(url, queries, clients, max_requests, max_seconds))


def update_latency(url: str, record_ids: list[str], budget_s: float) -> dict:
    """PUT /interventions/{id} with a changed goal: store write + engine sync + response."""
    times, errors = [], 0
    start = time.perf_counter()
    with httpx.Client(base_url=url, timeout=120, headers={"X-API-Key": API_KEY}) as client:
        for n, rid in enumerate(record_ids):
            rec = client.get(f"/interventions/{rid}").json()
            rec.pop("gemeenten", None)
            rec["doel"] = f"{rec['doel']} Bijgewerkt via HTTP voor de benchmark ({n}, {time.time():.0f})."
            t0 = time.perf_counter()
            r = client.put(f"/interventions/{rid}", json=rec)
            times.append(time.perf_counter() - t0)
            errors += r.status_code != 200
            if n >= 1 and time.perf_counter() - start > budget_s:
                break
    return {**summary_ms(times), "errors": errors}
