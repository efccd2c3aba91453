"""The query encoder: concurrent queries are batched, yet every caller gets its own vector."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from gka_match.index.embedder import Embedder, QueryBatcher
from gka_match.runtime import open_embedder

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
    return open_embedder()


def test_concurrent_queries_get_the_same_vectors_as_one_at_a_time(embedder):
    alone = {q: embedder._encode(["query: " + q], 1)[0] for q in QUERIES}
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
