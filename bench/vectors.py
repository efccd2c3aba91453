"""Document embeddings for the large corpora without running the model on every document.

Encoding 50,000 documents with multilingual-e5-small on two cores takes over an hour, so the
10k and 50k indexes get *derived* vectors: a synthetic document's vector is the weighted mean of
the real vectors of the documents its sentences came from, plus small seeded Gaussian noise,
re-normalised. Real documents keep their real vectors. The index, the search code and the query
encoder are the real ones; only the document vectors of synthetic records are approximations.
Encoding throughput is measured separately, on a corpus that really is encoded.

``BenchEmbedder`` stands in for ``index.embedder.Embedder`` (same name, dimension and fingerprint,
so a snapshot it builds is opened by a normal server process): ``encode_documents`` looks texts up
in a table and encodes only what is missing, timing that part; queries always go to the model.
"""

from __future__ import annotations

import time

import numpy as np

from gka_match.index.documents import catalogue_doc

from .corpus import Corpus

NOISE_NORM = 0.25  # length of the noise added to a unit vector before re-normalising


class BenchEmbedder:
    def __init__(self, real, table: dict[str, np.ndarray] | None = None):
        self.real = real
        self.name, self.dim, self.fingerprint = real.name, real.dim, real.fingerprint
        self.runtime, self.precision = real.runtime, real.precision
        self.table: dict[str, np.ndarray] = dict(table or {})
        self.encoded = 0
        self.looked_up = 0
        self.encode_seconds = 0.0

    # the Embedder interface the engine uses
    def encode_documents(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        missing = [i for i, t in enumerate(texts) if t not in self.table]
        if missing:
            t0 = time.perf_counter()
            vecs = self.real.encode_documents([texts[i] for i in missing], batch_size=batch_size, progress=progress)
            self.encode_seconds += time.perf_counter() - t0
            self.encoded += len(missing)
            for i, v in zip(missing, vecs):
                out[i] = v
        missing_set = set(missing)
        for i, t in enumerate(texts):
            if i not in missing_set:
                out[i] = self.table[t]
        self.looked_up += len(texts) - len(missing)
        return out

    def encode_query(self, text: str) -> np.ndarray:
        return self.real.encode_query(text)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        return self.real.encode_queries(texts)

    def warm_up(self) -> None:
        self.real.warm_up()

    def clear_cache(self) -> None:
        """Forget cached query embeddings (warm_up clears the cache after one encode)."""
        self.real.warm_up()


def engine_vectors(engine) -> dict[str, np.ndarray]:
    """doc_id -> stored vector, for every document of a built engine."""
    vecs = matrix(engine)
    return {d.doc_id: vecs[i] for i, d in enumerate(engine.docs)}


def matrix(engine) -> np.ndarray:
    """The engine's document vectors in document order (rows follow ``engine.docs``)."""
    return np.ascontiguousarray(engine.vectors.reconstruct(list(engine.int_ids)), dtype=np.float32)


def derived_table(corpus: Corpus, real_by_doc: dict[str, np.ndarray], real_docs) -> dict[str, np.ndarray]:
    """dense_text -> vector for every document of ``corpus``: real vectors for documents that
    have one, derived vectors for the synthetic records that do not."""
    table = {d.dense_text: real_by_doc[d.doc_id] for d in real_docs if d.doc_id in real_by_doc}
    dim = len(next(iter(real_by_doc.values())))
    for n, rec in enumerate(corpus.synthetic):
        text = catalogue_doc(rec).dense_text
        if rec.id in real_by_doc:  # it was really encoded (the 1k corpus)
            table[text] = real_by_doc[rec.id]
            continue
        v = np.zeros(dim, dtype=np.float64)
        for doc_id, w in corpus.sources[rec.id]:
            v += w * real_by_doc[doc_id]
        v /= np.linalg.norm(v)
        rng = np.random.default_rng(n)
        noise = rng.standard_normal(dim)
        v += NOISE_NORM * noise / np.linalg.norm(noise)
        table[text] = (v / np.linalg.norm(v)).astype(np.float32)
    return table
