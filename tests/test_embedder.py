"""The query encoder: concurrent queries are batched, yet every caller gets its own vector."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from gka_match.config import load_settings
from gka_match.index.embedder import Embedder, QueryBatcher

QUERIES = [
    "taalachterstand bij peuters",
    "Veel jongeren in onze wijk verlaten school zonder startkwalificatie en we zoeken een aanpak",
    "armoede",
    "ouders betrekken bij het leren van hun kinderen op de basisschool",
    "huiswerkbegeleiding voor kinderen van nieuwkomers",
    "sport en bewegen na schooltijd",
]


@pytest.fixture(scope="module")
def embedder(model_dir) -> Embedder:
    return Embedder(load_settings())


def test_concurrent_queries_get_the_same_vectors_as_one_at_a_time(embedder):
    alone = {q: embedder._encode_queries([q])[0] for q in QUERIES}
    embedder.warm_up()  # empties the query cache, so every call below reaches the model
    texts = QUERIES * 4  # duplicates inside one batch are encoded once and handed to each caller
    with ThreadPoolExecutor(len(texts)) as pool:
        vectors = list(pool.map(embedder.encode_query, texts))
    for text, vec in zip(texts, vectors):
        assert vec.shape == (embedder.dim,)
        assert np.linalg.norm(vec) == pytest.approx(1.0, abs=1e-4)
        assert float(vec @ alone[text]) > 0.9999, text


def test_the_batcher_groups_waiting_queries_and_reports_errors_to_each_caller():
    entered, release = threading.Event(), threading.Event()
    batches: list[list[str]] = []

    def encode(texts: list[str]) -> np.ndarray:
        if not batches:
            entered.set()
            release.wait(5)  # hold the first pass so the others queue up behind it
        batches.append(texts)
        if "boom" in texts:
            raise RuntimeError("model failed")
        return np.asarray([[float(len(t))] for t in texts], dtype=np.float32)

    batcher = QueryBatcher(encode, max_batch=8)
    with ThreadPoolExecutor(6) as pool:
        first = pool.submit(batcher.encode, "a")
        assert entered.wait(5)
        rest = [pool.submit(batcher.encode, t) for t in ("bb", "ccc", "bb", "dddd")]
        while batcher._queue.qsize() < 4:
            threading.Event().wait(0.01)
        release.set()
        assert first.result(5)[0] == 1.0
        assert [f.result(5)[0] for f in rest] == [2.0, 3.0, 2.0, 4.0]
    assert batches == [["a"], ["bb", "ccc", "dddd"]]  # one pass for the four waiting callers

    with pytest.raises(RuntimeError, match="model failed"):
        batcher.encode("boom")
    assert batcher.encode("eee")[0] == 3.0  # the worker keeps serving after an error


def test_a_server_engine_answers_lexical_queries_while_the_model_loads(settings_env, monkeypatch):
    """Background loading: the index opens and lexical search answers before the model is there;
    hybrid search waits for it and then gives the same results as with a model loaded up front."""
    from gka_match.index.embedder import folder_dimension, resolve_model
    from gka_match.runtime import open_engine

    settings = load_settings()
    assert folder_dimension(resolve_model(settings)) == 384
    release = threading.Event()
    real_load = Embedder._load

    def held_load(self):
        assert release.wait(60), "the test never released the model"
        real_load(self)

    monkeypatch.setattr(Embedder, "_load", held_load)
    engine = open_engine(settings, background_model=True)
    assert not engine.embedder.loaded and engine.embedder.dim == 384
    lexical = engine.search("voorlezen aan peuters", k=5, mode="lexical")
    assert lexical and not engine.embedder.loaded

    with ThreadPoolExecutor(1) as pool:
        hybrid = pool.submit(engine.search, "voorlezen aan peuters", 5, "hybrid")
        assert not hybrid.done()  # waiting for the model, not failing
        release.set()
        results = hybrid.result(120)
    assert engine.embedder.loaded
    monkeypatch.undo()
    eager = open_engine(settings)
    assert [r.doc.doc_id for r in results] == [r.doc.doc_id for r in eager.search("voorlezen aan peuters", 5, "hybrid")]


def test_a_model_that_fails_to_load_in_the_background_is_reported_to_callers(settings_env, monkeypatch):
    from gka_match.index.embedder import ModelNotAvailable

    def broken_load(self):
        raise ModelNotAvailable("weights unreadable")

    monkeypatch.setattr(Embedder, "_load", broken_load)
    embedder = Embedder(load_settings(), background=True)
    with pytest.raises(ModelNotAvailable, match="weights unreadable"):
        embedder.encode_query("taal")
    assert not embedder.loaded
