"""The dense index: normalised embeddings in a faiss ``IndexIDMap`` over exhaustive inner product.

Exhaustive search is chosen by measurement: it needs no training, so single-record updates are
plain ``add_with_ids`` / ``remove_ids``, and the scan stays well under the query encoder's cost.
The vectors are stored as float16 (``IndexScalarQuantizer`` with ``QT_fp16``): the scan is bound
by memory bandwidth, and at 50k documents half the bytes made it 4.8 ms instead of 8-11 ms for
float32 on this machine, with the same top 10 on random unit vectors (recall@10 1.000) and half
the memory.

One query is scanned by one thread (``omp_set_num_threads(1)``, process-wide): the cores are
shared with ONNX Runtime's threads and with other requests, and OpenMP's hand-off cost more than
the split saved — 20.5 → 15.5 ms per uncached hybrid search on the bundled corpus (87 dev
queries, 3 runs, 2 cores).
"""

from __future__ import annotations

from pathlib import Path

import faiss
import numpy as np

faiss.omp_set_num_threads(1)


class VectorIndex:
    """Also keeps the sum of its vectors: the corpus centroid tells how close a query is to what
    the corpus is about at all (a scoring feature, see ``scoring``)."""

    def __init__(self, dim: int, index: faiss.Index | None = None):
        self.dim = dim
        self.index = index if index is not None else faiss.IndexIDMap(
            faiss.IndexScalarQuantizer(dim, faiss.ScalarQuantizer.QT_fp16, faiss.METRIC_INNER_PRODUCT)
        )
        self._sum = np.zeros(dim, dtype=np.float64)
        codes = faiss.downcast_index(self.index.index)
        for start in range(0, len(self), 10_000):  # chunked: no full float32 copy at 50k documents
            self._sum += codes.reconstruct_n(start, min(10_000, len(self) - start)).sum(axis=0)

    def __len__(self) -> int:
        return int(self.index.ntotal)

    def add(self, ids: np.ndarray, vectors: np.ndarray) -> None:
        if len(ids):
            self.index.add_with_ids(np.ascontiguousarray(vectors, dtype=np.float32), ids.astype(np.int64))
            self._sum += np.asarray(vectors, dtype=np.float64).sum(axis=0)

    def remove(self, ids: list[int]) -> None:
        if ids:
            self._sum -= self.reconstruct(ids).astype(np.float64).sum(axis=0)
            self.index.remove_ids(np.asarray(ids, dtype=np.int64))

    def centroid(self) -> np.ndarray:
        """The normalised mean vector (zeros for an empty index)."""
        norm = float(np.linalg.norm(self._sum))
        return (self._sum / norm).astype(np.float32) if norm > 0 else np.zeros(self.dim, np.float32)

    def search(self, query: np.ndarray, n: int, allowed: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Top ``n`` (ids, similarities); ``allowed`` restricts the search to those ids."""
        if len(self) == 0 or n <= 0:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        params = None
        if allowed is not None:
            if len(allowed) == 0:
                return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
            params = faiss.SearchParameters(sel=faiss.IDSelectorBatch(allowed.astype(np.int64)))
        n = min(n, len(self))
        sims, ids = self.index.search(query.reshape(1, -1).astype(np.float32), n, params=params)
        keep = ids[0] >= 0
        return ids[0][keep], sims[0][keep]

    def reconstruct(self, ids: list[int]) -> np.ndarray:
        """Stored vectors by id (used by analyses that compare documents)."""
        if not ids:
            return np.empty((0, self.dim), np.float32)
        codes = faiss.downcast_index(self.index.index)
        id_map = faiss.vector_to_array(self.index.id_map)
        order = np.argsort(id_map)
        pos = order[np.searchsorted(id_map, ids, sorter=order)]
        return np.vstack([codes.reconstruct(int(p)) for p in pos])

    def save(self, directory: Path) -> list[Path]:
        path = directory / "vectors.faiss"
        faiss.write_index(self.index, str(path))
        return [path]

    @classmethod
    def load(cls, directory: Path) -> "VectorIndex":
        index = faiss.read_index(str(directory / "vectors.faiss"))
        return cls(index.d, index)
