"""A deterministic stand-in for the language model: hashed character n-grams.

It satisfies the same :class:`~gka_match.index.embedder.Encoder` interface as the ONNX and
sentence-transformers encoders, so the whole engine, search core and service run on it without
loading 465 MB of weights. It exists for the fast test tier (``make test-fast``); it knows no
meaning, only spelling, and is never chosen by the settings.
"""

from __future__ import annotations

import hashlib

import numpy as np

from .text import fold

NGRAMS = (3, 4, 5)


class HashEncoder:
    """Normalised counts of the hashed 3- to 5-grams of each word (with word boundaries)."""

    runtime = "hash"
    precision = "fp32"
    prompts = {"query": "query: ", "document": "passage: "}

    def __init__(self, dim: int = 256) -> None:
        self.dim = dim

    def _bucket(self, gram: str) -> int:
        return int.from_bytes(hashlib.blake2b(gram.encode(), digest_size=4).digest(), "little") % self.dim

    def encode(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for prompt in self.prompts.values():
                text = text.removeprefix(prompt)
            for word in fold(text).split():
                padded = f"<{word}>"
                for n in NGRAMS:
                    for i in range(max(len(padded) - n + 1, 1)):
                        out[row, self._bucket(padded[i: i + n])] += 1.0
        norms = np.linalg.norm(out, axis=1, keepdims=True)
        return out / np.where(norms > 0, norms, 1.0)


__all__ = ["HashEncoder"]
