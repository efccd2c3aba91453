"""BM25 over the Dutch-analysed document texts (bm25s), persisted beside the vector index.

Analysed tokens are kept per document, so an incremental update re-analyses only the changed
documents and re-weights the (cheap) sparse matrix; the expensive text analysis is never redone.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import bm25s
import numpy as np

from .text import analyze, words

log = logging.getLogger(__name__)
logging.getLogger("bm25s").setLevel(logging.WARNING)  # it logs every (re)index at DEBUG


class LexicalIndex:
    def __init__(self, tokens: list[list[str]], vocabulary: frozenset[str]):
        self.tokens = tokens
        self.vocabulary = vocabulary  # corpus words, for the compound splitter
        self._bm25: bm25s.BM25 | None = None
        self._reindex()

    @classmethod
    def from_texts(cls, texts: list[str]) -> "LexicalIndex":
        vocabulary = frozenset(w for t in texts for w in words(t))
        return cls([analyze(t, vocabulary) for t in texts], vocabulary)

    def _reindex(self) -> None:
        self._bm25 = None
        if not self.tokens:
            return
        bm25 = bm25s.BM25(k1=1.2, b=0.75)
        # bm25s needs at least one token per document; an empty text gets a placeholder.
        bm25.index([t or ["\u2205"] for t in self.tokens], show_progress=False)
        self._bm25 = bm25

    def analyze_query(self, text: str) -> list[str]:
        return analyze(text, self.vocabulary)

    def scores(self, query_tokens: list[str]) -> np.ndarray:
        """BM25 score of every document (0 where nothing matches)."""
        n = len(self.tokens)
        if self._bm25 is None or not query_tokens:
            return np.zeros(n, dtype=np.float32)
        known = [t for t in query_tokens if t in self._bm25.vocab_dict]
        if not known:
            return np.zeros(n, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    # ---- incremental maintenance --------------------------------------------------------
    def replace(self, remove_positions: list[int], new_texts: list[str]) -> None:
        """Drop documents at ``remove_positions`` and append ``new_texts`` (order preserved)."""
        drop = set(remove_positions)
        self.tokens = [t for i, t in enumerate(self.tokens) if i not in drop]
        self.vocabulary = self.vocabulary.union(w for text in new_texts for w in words(text))
        self.tokens += [analyze(t, self.vocabulary) for t in new_texts]
        self._reindex()

    # ---- persistence -------------------------------------------------------------------
    def save(self, directory: Path) -> list[Path]:
        path = directory / "lexical.json"
        path.write_text(json.dumps({"tokens": self.tokens, "vocabulary": sorted(self.vocabulary)}))
        return [path]

    @classmethod
    def load(cls, directory: Path) -> "LexicalIndex":
        raw = json.loads((directory / "lexical.json").read_text())
        return cls(raw["tokens"], frozenset(raw["vocabulary"]))
