"""Wiring: build the store, the embedder and the engine from the settings.

The CLI, the service and the notebooks all start here, so they share one way of opening things.
"""

from __future__ import annotations

import logging
from typing import Callable

from gka_match.config import Settings, load_settings
from gka_match.data.bundled import load_bundled
from gka_match.data.store import Store, WriteSummary
from gka_match.index.embedder import Embedder, choose_model
from gka_match.index.engine import Engine

log = logging.getLogger("gka_match")


def open_store(settings: Settings | None = None) -> Store:
    settings = settings or load_settings()
    return Store(settings.database_url)


def seed_bundled(store: Store) -> WriteSummary:
    """Import the bundled catalogue and agendas (idempotent: unchanged records are skipped)."""
    catalogue, agendas, issues = load_bundled()
    if issues:
        raise RuntimeError("bundled data is invalid:\n" + "\n".join(map(str, issues[:20])))
    return store.write(catalogue, agendas)


def open_embedder(settings: Settings | None = None) -> Embedder:
    """The configured model, loaded (ONNX Runtime for the prepared default model: ~1 s)."""
    settings = settings or load_settings()
    return Embedder(choose_model(settings.model, settings.model_dir, settings.runtime, settings.precision,
                                 settings.threads, settings.allow_download))


def open_engine(
    settings: Settings | None = None,
    store: Store | None = None,
    say: Callable[[str], None] = log.warning,
    progress: bool = False,
    seed_if_empty: bool = True,
) -> Engine:
    """Open the engine over the store; an empty store is seeded with the bundled data first."""
    settings = settings or load_settings()
    store = store or open_store(settings)
    if seed_if_empty and store.counts()["interventions"] == 0:
        say(f"De store is leeg; de meegeleverde data worden geïmporteerd: {seed_bundled(store)}.")
    return Engine.open(settings.index_dir, store, open_embedder(settings), say=say, progress=progress, model_dir=settings.model_dir)


def open_searcher(engine: Engine, settings: Settings | None = None, ranker=None):
    """The search core over ``engine`` with the packaged, calibrated ranker."""
    from gka_match.index.scoring import Ranker
    from gka_match.index.search import Searcher

    settings = settings or load_settings()
    return Searcher(engine, ranker or Ranker.load(), settings.max_query_chars, settings.match_floor)


def open_foreign_corpus(settings: Settings | None = None, embedder: Embedder | None = None) -> Engine:
    """The foreign evaluation corpus (``data/eval/foreign``) in its own store and index under
    ``$GKA_DATA_DIR/eval-foreign``: built once, reused while the files and the model stay the same."""
    from gka_match.data.jsonl import jsonl_lines
    from gka_match.data.models import CatalogueIntervention
    from gka_match.index.evaluation import FOREIGN_DIR

    settings = settings or load_settings()
    work = settings.data_dir / "eval-foreign"
    local = settings.model_copy(update={"database_url": f"sqlite:///{work / 'store.sqlite3'}", "index_dir": work / "index"})
    store = Store(local.database_url)
    text = (FOREIGN_DIR / "interventions.jsonl").read_text(encoding="utf-8")
    records = [CatalogueIntervention.model_validate(raw) for _, raw, error in jsonl_lines(text) if not error]
    stale = {r.id for r in store.list_interventions()} - {r.id for r in records}
    store.write(records)
    for record_id in sorted(stale):
        store.delete("intervention", record_id)
    return Engine.open(local.index_dir, store, embedder or open_embedder(settings), say=log.info, model_dir=local.model_dir)
