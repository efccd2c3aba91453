"""Index snapshots on disk: written into a temporary directory, fsynced, renamed, and only then
pointed to by ``CURRENT`` (``os.replace``), so a crash never leaves a half-written index serving.

Reading checks everything that would make a snapshot unusable (format, model, runtime, weights,
checksums, data version) and raises :class:`IndexProblem` saying which; the engine rebuilds then.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

from .documents import SearchDoc
from .embedder import Embedder
from .lexical import FILE_NAME as LEXICAL_FILE
from .lexical import LexicalIndex
from .vector import VectorIndex

FORMAT_VERSION = 5  # 2: lexical counts in lexical.npz; 3: float16 vectors; 4: Dutch word forms, aliases in docs;
# 5: separable verbs joined ("uit te vallen")
SNAPSHOT_FILES = ("docs.jsonl", "vectors.faiss", LEXICAL_FILE)


class IndexProblem(RuntimeError):
    """The index on disk cannot be used as it is; the message says why."""


@dataclass
class Snapshot:
    """One snapshot as read from disk."""

    name: str
    docs: list[SearchDoc]
    int_ids: list[int]
    vectors: VectorIndex
    lexical: LexicalIndex
    data_version: int
    next_id: int


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _current_dir(index_dir: Path) -> Path:
    pointer = index_dir / "CURRENT"
    if not pointer.exists():
        raise IndexProblem(f"Er staat geen index in {index_dir}.")
    return index_dir / pointer.read_text().strip()


def _check_manifest(manifest: dict, snap: Path, embedder: Embedder, store_version: int) -> None:
    if manifest.get("format") != FORMAT_VERSION:
        raise IndexProblem(f"De index in {snap.name} heeft een ouder formaat.")
    if manifest.get("model") != embedder.name:
        raise IndexProblem(
            f"De index is gebouwd met model {manifest.get('model')!r}, maar GKA_MODEL is "
            f"{embedder.name!r}; vectoren van twee modellen worden nooit gemengd."
        )
    built = (manifest.get("runtime"), manifest.get("precision"))
    if built != (embedder.runtime, embedder.precision):
        raise IndexProblem(
            f"De index is berekend met runtime {built[0] or 'torch'} ({built[1] or 'fp32'}), dit "
            f"proces rekent met {embedder.runtime} ({embedder.precision}); vectoren die op twee "
            "manieren zijn gemaakt, worden nooit gemengd."
        )
    if manifest.get("fingerprint") != embedder.fingerprint:
        raise IndexProblem(
            f"De index is gebouwd met andere gewichten voor model {embedder.name!r} "
            "(de vingerafdruk verschilt); vectoren van twee modellen worden nooit gemengd."
        )
    for name in SNAPSHOT_FILES:
        path = snap / name
        if not path.exists():
            raise IndexProblem(f"Indexbestand {name} ontbreekt in {snap.name}.")
        if sha256_file(path) != manifest["sha256"].get(name):
            raise IndexProblem(f"Indexbestand {name} in {snap.name} is beschadigd (de controlesom klopt niet).")
    if manifest["data_version"] > store_version:
        raise IndexProblem(
            f"De index is nieuwer (dataversie {manifest['data_version']}) dan de store "
            f"({store_version}): de store is vervangen of teruggezet."
        )


def read_snapshot(index_dir: Path, embedder: Embedder, store_version: int) -> Snapshot:
    """The current snapshot, checked against the embedder and the store's data version."""
    snap = _current_dir(index_dir)
    manifest_path = snap / "manifest.json"
    if not manifest_path.exists():
        raise IndexProblem(f"De index-snapshot {snap.name} heeft geen manifest (onvolledig of beschadigd).")
    try:
        manifest = json.loads(manifest_path.read_text())
    except json.JSONDecodeError as exc:
        raise IndexProblem(f"Het indexmanifest in {snap.name} is beschadigd ({exc}).") from exc
    _check_manifest(manifest, snap, embedder, store_version)
    with (snap / "docs.jsonl").open(encoding="utf-8") as f:
        rows = [json.loads(line) for line in f]
    docs = [SearchDoc.from_dict(r["doc"]) for r in rows]
    int_ids = [int(r["int_id"]) for r in rows]
    vectors = VectorIndex.load(snap)
    try:
        lexical = LexicalIndex.load(snap)
    except ValueError as exc:
        raise IndexProblem(f"De trefwoordindex in {snap.name} is beschadigd ({exc}).") from exc
    if len(vectors) != len(docs) or len(lexical) != len(docs):
        raise IndexProblem(f"De indexbestanden in {snap.name} noemen een verschillend aantal documenten.")
    return Snapshot(snap.name, docs, int_ids, vectors, lexical, manifest["data_version"], manifest["next_id"])


@contextmanager
def _build_lock(index_dir: Path) -> Iterator[None]:
    """One writer per index dir, across processes (replicas on one host, CLI beside the server)."""
    index_dir.mkdir(parents=True, exist_ok=True)
    with open(index_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def write_snapshot(index_dir: Path, embedder: Embedder, docs: list[SearchDoc], int_ids: list[int],
                   vectors: VectorIndex, lexical: LexicalIndex, data_version: int, next_id: int,
                   keep: str | None = None) -> Path:
    """Write a new snapshot, point CURRENT at it atomically, and remove older ones except ``keep``
    (the snapshot a reader may still be loading)."""
    with _build_lock(index_dir):
        name = f"snap-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{data_version}-{time.monotonic_ns() % 10**6}"
        tmp = index_dir / f".tmp-{name}"
        tmp.mkdir(parents=True)
        with (tmp / "docs.jsonl").open("w", encoding="utf-8") as f:
            for doc, int_id in zip(docs, int_ids):
                f.write(json.dumps({"int_id": int_id, "doc": doc.to_dict()}, ensure_ascii=False) + "\n")
        vectors.save(tmp)
        lexical.save(tmp)
        manifest = {
            "format": FORMAT_VERSION,
            "model": embedder.name,
            "fingerprint": embedder.fingerprint,
            "runtime": embedder.runtime,
            "precision": embedder.precision,
            "dim": embedder.dim,
            "data_version": data_version,
            "next_id": next_id,
            "n_docs": len(docs),
            "created": time.time(),
            "sha256": {n: sha256_file(tmp / n) for n in SNAPSHOT_FILES},
        }
        (tmp / "manifest.json").write_text(json.dumps(manifest, indent=1))
        for path in tmp.iterdir():
            with path.open("rb") as f:
                os.fsync(f.fileno())
        final = index_dir / name
        tmp.rename(final)
        pointer_tmp = index_dir / f".CURRENT-{os.getpid()}"
        pointer_tmp.write_text(name)
        os.replace(pointer_tmp, index_dir / "CURRENT")
        _cleanup(index_dir, keep={name, keep})
        return final


def _cleanup(index_dir: Path, keep: set[str | None]) -> None:
    for path in index_dir.iterdir():
        if path.is_dir() and path.name not in keep and (
            path.name.startswith("snap-") or path.name.startswith(".tmp-")
        ):
            shutil.rmtree(path, ignore_errors=True)


__all__ = ["FORMAT_VERSION", "SNAPSHOT_FILES", "IndexProblem", "Snapshot", "read_snapshot", "sha256_file",
           "write_snapshot"]
