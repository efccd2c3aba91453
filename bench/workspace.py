"""A data directory per corpus: a SQLite store with the records and a built index snapshot,
laid out exactly as ``gka-match seed && gka-match build`` would, so a server can be started on it.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from gka_match.config import Settings, load_settings
from gka_match.data.store import Store
from gka_match.index.engine import Engine

from .corpus import Corpus


@dataclass
class Dataset:
    n_docs: int
    data_dir: Path
    settings: Settings
    store: Store
    engine: Engine
    load_seconds: float
    build_seconds: float


def settings_for(data_dir: Path, model_dir: Path) -> Settings:
    base = load_settings()
    return base.model_copy(update={
        "data_dir": data_dir, "database_url": f"sqlite:///{data_dir / 'gka.sqlite3'}",
        "model_dir": model_dir, "index_dir": data_dir / "index", "api_key": None, "cors_origins": []})


def bulk_load(store: Store, corpus: Corpus) -> None:
    """Every record, bundled and synthetic, through ``Store.write`` (one transaction)."""
    store.write([*corpus.catalogue, *corpus.synthetic], corpus.agendas)


def make_dataset(root: Path, corpus: Corpus, embedder, model_dir: Path) -> Dataset:
    """Store + ``Engine.build`` (timed) in ``root/n<N>``."""
    data_dir = root / f"n{corpus.n_docs}"
    data_dir.mkdir(parents=True, exist_ok=False)
    settings = settings_for(data_dir, model_dir)
    t0 = time.perf_counter()
    store = Store(settings.database_url)
    bulk_load(store, corpus)
    load_seconds = time.perf_counter() - t0
    engine = Engine(settings.index_dir, store, embedder, model_dir=settings.model_dir)
    t0 = time.perf_counter()
    engine.build()
    build_seconds = time.perf_counter() - t0
    if len(engine.docs) != corpus.n_docs:
        raise RuntimeError(f"expected {corpus.n_docs} documents, the engine has {len(engine.docs)}")
    return Dataset(corpus.n_docs, data_dir, settings, store, engine, load_seconds, build_seconds)
