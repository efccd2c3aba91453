"""Shared fixtures: a prepared model, a seeded store with a built index, and live servers.

The expensive parts (model conversion, embedding the bundled data) happen once per session;
each test that writes gets its own copy of the seeded data directory.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_API_KEY = "test-key-0123456789"


@pytest.fixture(scope="session")
def model_dir() -> Path:
    """The converted default model and its ONNX export; `make test` prepares both in var/models
    beforehand (fp32 and int8), so this only checks that they are there."""
    from gka_match.index.embedder import prepare_default_model
    from gka_match.index.onnx_export import export_model

    path = Path(os.environ.get("GKA_TEST_MODEL_DIR", ROOT / "var" / "models"))
    os.environ["GKA_MODEL_DIR"] = str(path)
    folder, _ = prepare_default_model(path)
    export_model(folder, ("fp32", "int8"))
    return path


def data_env(data_dir: Path, model_dir: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GKA_")}
    env.update(GKA_DATA_DIR=str(data_dir), GKA_MODEL_DIR=str(model_dir), **extra)
    return env


@pytest.fixture(scope="session")
def seeded_dir(tmp_path_factory, model_dir) -> Path:
    """A data dir with the bundled data imported and the index built (made once)."""
    data_dir = tmp_path_factory.mktemp("seeded")
    env = data_env(data_dir, model_dir)
    for args in (["seed"], ["build"]):
        subprocess.run([str(ROOT / ".venv/bin/gka-match"), *args], env=env, check=True,
                       capture_output=True, text=True)
    return data_dir


@pytest.fixture
def data_dir(seeded_dir, tmp_path) -> Path:
    """A private copy of the seeded data dir, for tests that write."""
    target = tmp_path / "data"
    shutil.copytree(seeded_dir, target, ignore=shutil.ignore_patterns("models"))
    return target


@pytest.fixture
def settings_env(data_dir, model_dir, monkeypatch):
    """Point the in-process settings at the private data dir."""
    monkeypatch.setenv("GKA_DATA_DIR", str(data_dir))
    monkeypatch.setenv("GKA_MODEL_DIR", str(model_dir))
    return data_dir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`gka-match serve` in its own process on a free loopback port: real HTTP; ready once
    /health answers (the service answers only with its model loaded)."""

    def __init__(self, data_dir: Path, model_dir: Path, log_path: Path, **env: str):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = log_path
        self._log = open(log_path, "w")
        self.proc = subprocess.Popen(
            [str(ROOT / ".venv/bin/gka-match"), "serve", "--port", str(self.port)],
            env=data_env(data_dir, model_dir, **env), stdout=self._log, stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"server exited early:\n{log_path.read_text()}")
            try:
                health = httpx.get(self.url + "/health", timeout=2)
                if health.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"server did not become healthy:\n{log_path.read_text()}")

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        self._log.close()


@pytest.fixture(scope="session")
def server(seeded_dir, model_dir, tmp_path_factory):
    """A read-mostly server shared by the session (writes enabled with TEST_API_KEY)."""
    data = tmp_path_factory.mktemp("server-data")
    shutil.copytree(seeded_dir, data, dirs_exist_ok=True)
    srv = LiveServer(data, model_dir, tmp_path_factory.mktemp("logs") / "server.log", GKA_API_KEY=TEST_API_KEY)
    yield srv
    srv.stop()


@pytest.fixture
def private_server(data_dir, model_dir, tmp_path):
    """A server on a private data copy; for tests that write or that need other settings."""
    servers = []

    def start(**env: str) -> LiveServer:
        srv = LiveServer(data_dir, model_dir, tmp_path / f"server{len(servers)}.log", **env)
        servers.append(srv)
        return srv

    yield start
    for srv in servers:
        srv.stop()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where tests leave artefacts (screenshots) for people to look at."""
    path = ROOT / "test-output"
    path.mkdir(exist_ok=True)
    return path


# ---- the fast tier: the bundled data on a hashed n-gram encoder, in-process ------------------------
@pytest.fixture(scope="session")
def hash_engine(tmp_path_factory):
    """The bundled data indexed with :class:`HashEncoder` (no model weights): the real store,
    engine, search core and service, in ~10 s. For tests of behaviour, not of match quality."""

    from gka_match.config import load_settings
    from gka_match.data.store import Store
    from gka_match.index.embedder import Embedder, ModelChoice
    from gka_match.index.engine import Engine
    from gka_match.index.hash_encoder import HashEncoder
    from gka_match.runtime import seed_bundled

    root = tmp_path_factory.mktemp("hash-engine")
    settings = load_settings().model_copy(update={
        "data_dir": root, "database_url": f"sqlite:///{root / 'gka.sqlite3'}", "model": "hash-ngrams",
        "model_dir": root / "models", "index_dir": root / "index", "api_key": TEST_API_KEY})
    settings.model_dir.mkdir()
    store = Store(settings.database_url)
    seed_bundled(store)
    embedder = Embedder(ModelChoice("hash-ngrams", "hash-ngrams", "hash", "fp32"), encoder=HashEncoder())
    engine = Engine.open(settings.index_dir, store, embedder, say=lambda _: None, model_dir=settings.model_dir)
    return settings, engine


@pytest.fixture(scope="session")
def fast_client(hash_engine):
    """An in-process HTTP client (Starlette's TestClient) over the app on ``hash_engine``."""
    from fastapi.testclient import TestClient

    from gka_match.service.app import create_app

    settings, engine = hash_engine
    with TestClient(create_app(settings, engine)) as client:
        yield client
