"""What retrieval hands to scoring: the candidate documents of one query with their raw evidence.

The candidates are the union of the dense top-N and the lexical top-N, both inside the filter
mask. Every candidate gets its exact cosine (also when only BM25 found it) and its BM25 score
(0 when no term matches), so scoring never has to guess a missing value.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .documents import SearchDoc


@dataclass
class Candidates:
    docs: list[SearchDoc]
    cos: np.ndarray | None  # cosine to the query; None in lexical mode
    bm25: np.ndarray | None  # BM25 score; None in dense mode
    coverage: np.ndarray | None  # idf-weighted share of the query's tokens in the document
    dense_rank: np.ndarray  # 1-based rank in the dense list, 0 when absent
    lexical_rank: np.ndarray  # 1-based rank in the lexical list, 0 when absent
    query_tokens: list[str]
    known_share: float  # share of the query's content words that the corpus knows
    centroid_cos: float = 0.0  # cosine of the query to the corpus centroid
    specificity: float = 0.0  # highest idf of a query token the corpus has, over ln(N + 1)
    n_words: int = 0  # content words in the query
    query_vec: np.ndarray | None = None  # the query's embedding; None in lexical mode

    def __len__(self) -> int:
        return len(self.docs)

    @classmethod
    def empty(cls) -> "Candidates":
        none = np.zeros(0, dtype=np.int64)
        return cls([], None, None, None, none, none, [], 0.0)


__all__ = ["Candidates"]
