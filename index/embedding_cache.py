"""A disk cache of document embeddings keyed by (model fingerprint, text).

Encoding is by far the most expensive step of a build (e5-small on two cores embeds ~10
documents of ~180 tokens per second), so a rebuild after a crash, a corrupt file or a changed
fusion setting re-encodes only texts it has not seen. The cache is derived data: deleting it
only costs time. Keys include the model fingerprint, so two models never share vectors.
"""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path
from typing import Callable

import numpy as np


class EmbeddingCache:
    def __init__(self, path: Path, fingerprint: str, dim: int):
        path.parent.mkdir(parents=True, exist_ok=True)
        self.fingerprint, self.dim = fingerprint, dim
        self._db = sqlite3.connect(str(path), timeout=30, check_same_thread=False)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vec BLOB NOT NULL)")
        self._db.commit()

    def _key(self, text: str) -> str:
        return hashlib.sha256(f"{self.fingerprint}\0{text}".encode()).hexdigest()

    def encode(self, texts: list[str], encoder: Callable[[list[str]], np.ndarray]) -> np.ndarray:
        """Vectors for ``texts``; only the misses go through ``encoder`` (and are stored)."""
        keys = [self._key(t) for t in texts]
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(keys), 500):
            chunk = keys[start: start + 500]
            rows = self._db.execute(
                f"SELECT key, vec FROM vectors WHERE key IN ({','.join('?' * len(chunk))})", chunk
            ).fetchall()
            found.update({k: np.frombuffer(v, dtype=np.float32) for k, v in rows})
        missing = [i for i, k in enumerate(keys) if k not in found]
        if missing:
            fresh = encoder([texts[i] for i in missing])
            with self._db:
                self._db.executemany(
                    "INSERT OR REPLACE INTO vectors (key, vec) VALUES (?, ?)",
                    [(keys[i], fresh[j].astype(np.float32).tobytes()) for j, i in enumerate(missing)],
                )
            found.update({keys[i]: fresh[j] for j, i in enumerate(missing)})
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        for i, k in enumerate(keys):
            out[i] = found[k]
        return out
