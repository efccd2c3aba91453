"""The matching engine: documents from the store, a dense and a lexical index, fused ranking.

Index lifecycle
- ``build`` reads the store, embeds every document and writes a *snapshot* directory, then
  swaps the ``CURRENT`` pointer atomically (``os.replace``). A crash mid-build leaves the previous
  snapshot serving; half-written snapshots are never pointed to and are cleaned up later.
- ``sync`` applies the store's change log since the snapshot's data version: only changed records
  are re-embedded and re-analysed (no full rebuild).
- ``open`` loads the current snapshot, verifies checksums, model and data version, rebuilds when
  the snapshot is missing, corrupt or built with another model (saying why), then syncs.
"""

from __future__ import annotations

import logging
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator, Literal

import numpy as np

from gka_match.data.store import Store

from .documents import SearchDoc, agenda_doc, build_documents, catalogue_doc, lexical_text
from .embedder import Embedder
from .embedding_cache import EmbeddingCache
from .filters import Filters
from .lexical import LexicalIndex
from .candidates import Candidates
from .query_terms import expand_abbreviations
from .snapshot import IndexProblem, read_snapshot, write_snapshot
from .text import analyze, base_stem, split_compound, stem, vocabulary_stems, words
from .vector import VectorIndex

log = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "lexical"]
MODES: tuple[str, ...] = ("hybrid", "dense", "lexical")


@dataclass
class Runner:
    """A municipality whose agenda applies a programme ("wie doet dit al?")."""

    gemeente: str
    agenda_id: str
    intervention_id: str
    naam: str  # the local name of the intervention
    contactpersoon: str | None = None
    website: str | None = None
    illustratief: bool = False

    @classmethod
    def of(cls, doc: SearchDoc) -> "Runner":
        return cls(doc.gemeente or "", doc.record_id, doc.doc_id, doc.name, doc.contactpersoon, doc.website,
                   doc.illustratief)


class Engine:
    """The indexes over one store: built, saved as atomic snapshots, reloaded and kept in sync.

    ``index_dir`` holds the snapshots and the document-embedding cache; ``model_dir`` (default:
    ``index_dir``) holds what depends on the model only, such as the background query vectors.
    """

    def __init__(self, index_dir: Path, store: Store, embedder: Embedder, model_dir: Path | None = None):
        self.store = store
        self.embedder = embedder
        self.index_dir = Path(index_dir)
        self.model_dir = Path(model_dir) if model_dir is not None else self.index_dir
        self.docs: list[SearchDoc] = []
        self.int_ids: list[int] = []
        self.lexical = LexicalIndex.from_tokens([], frozenset())
        self.vectors = VectorIndex(embedder.dim)
        self.data_version = 0
        self.next_id = 1
        self.snapshot: str | None = None
        self._lock = threading.RLock()  # readers and the apply step of an update
        self._sync_lock = threading.RLock()  # one sync, build or load at a time
        self._pos: dict[int, int] = {}
        self._by_doc_id: dict[str, SearchDoc] = {}
        self._saved_version: int | None = None
        self._runners: dict[str, list[Runner]] = {}
        self._gemeenten: dict[str, str] = {}
        self._field_stems: dict[str, dict[str, frozenset[str]]] = {}
        self._cache = EmbeddingCache(self.index_dir / "embeddings.sqlite", embedder.fingerprint, embedder.dim)

    def _embed(self, docs: list[SearchDoc], progress: bool = False) -> np.ndarray:
        return self._cache.encode(
            [d.dense_text for d in docs], lambda texts: self.embedder.encode_documents(texts, progress=progress)
        )

    # ---- opening ------------------------------------------------------------------------
    @classmethod
    def open(cls, index_dir: Path, store: Store, embedder: Embedder,
             say: Callable[[str], None] = log.warning, progress: bool = False,
             model_dir: Path | None = None) -> "Engine":
        engine = cls(index_dir, store, embedder, model_dir)
        try:
            engine.load()
        except IndexProblem as problem:
            say(f"{problem} De index wordt opnieuw opgebouwd uit de store.")
            engine.build(progress=progress)
        engine.sync()
        return engine

    def load(self) -> None:
        snap = read_snapshot(self.index_dir, self.embedder, self.store.data_version())
        with self._sync_lock, self._lock:
            self.docs, self.int_ids, self.vectors, self.lexical = snap.docs, snap.int_ids, snap.vectors, snap.lexical
            self.data_version = snap.data_version
            self._saved_version = self.data_version
            self.next_id = snap.next_id
            self.snapshot = snap.name
            self._refresh_maps()

    # ---- building -----------------------------------------------------------------------
    def build(self, progress: bool = False) -> None:
        """Full rebuild from the store into a new snapshot, swapped in atomically."""
        version = self.store.data_version()  # read first: later writes are replayed by sync()
        docs = build_documents(self.store.list_interventions(), self.store.list_agendas())
        t0 = time.perf_counter()
        vectors = VectorIndex(self.embedder.dim)
        int_ids = list(range(1, len(docs) + 1))
        if docs:
            vectors.add(np.asarray(int_ids), self._embed(docs, progress=progress))
        lexical = LexicalIndex.from_texts([lexical_text(d) for d in docs])
        log.info("embedded and analysed %d documents in %.1fs", len(docs), time.perf_counter() - t0)
        with self._sync_lock, self._lock:
            self.docs, self.int_ids, self.vectors, self.lexical = docs, int_ids, vectors, lexical
            self.data_version, self.next_id = version, len(docs) + 1
            self._refresh_maps()
        self.save()

    def save(self) -> Path:
        """Write the in-memory index as a new snapshot and point CURRENT at it atomically."""
        with self._lock:
            final = write_snapshot(self.index_dir, self.embedder, self.docs, self.int_ids, self.vectors, self.lexical,
                                   self.data_version, self.next_id, keep=self.snapshot)
            self.snapshot = final.name
            self._saved_version = self.data_version
            return final

    def save_if_changed(self) -> None:
        """Persist the applied changes (at shutdown): a new snapshot only if there are any."""
        if self._saved_version != self.data_version:
            self.save()

    # ---- incremental updates ------------------------------------------------------------
    def sync(self) -> int:
        """Apply store changes since our data version; returns the number of changed records.

        Changed documents are embedded before the read lock is taken, so searches keep running
        during an update; ``_sync_lock`` keeps syncs (and builds and loads) one at a time.
        """
        with self._sync_lock:
            changes = self.store.changes_since(self.data_version)
            if not changes:
                return 0
            kinds = {(c.kind, c.record_id) for c in changes}
            remove, new_docs = self._changed_documents(
                {rid for kind, rid in kinds if kind == "intervention"},
                {rid for kind, rid in kinds if kind == "agenda"},
            )
            vectors = self._embed(new_docs)
            with self._lock:
                self._replace(remove, new_docs, vectors)
                self.data_version = changes[-1].seq
            return len(kinds)

    def _changed_documents(self, catalogue_ids: set[str], agenda_ids: set[str]) -> tuple[list[int], list[SearchDoc]]:
        """Positions to drop and documents to add for these changed records."""
        # Agenda items inherit name and erkenning from the programme they apply.
        agenda_ids = agenda_ids | {
            d.record_id for d in self.docs if d.kind == "agenda" and d.catalogus_id in catalogue_ids
        }
        remove = [
            i for i, d in enumerate(self.docs)
            if (d.kind == "catalogue" and d.record_id in catalogue_ids)
            or (d.kind == "agenda" and d.record_id in agenda_ids)
        ]
        new_docs: list[SearchDoc] = []
        programmes = {}
        for rid in sorted(catalogue_ids):
            rec = self.store.get_intervention(rid)
            if rec:
                new_docs.append(catalogue_doc(rec))
        for rid in sorted(agenda_ids):
            agenda = self.store.get_agenda(rid)
            if agenda is None:
                continue
            for item in agenda.interventies:
                cid = item.catalogus_id
                if cid and cid not in programmes:
                    programmes[cid] = self.store.get_intervention(cid)
                new_docs.append(agenda_doc(agenda, item, programmes.get(cid) if cid else None))
        return remove, new_docs

    def _replace(self, remove_positions: list[int], new_docs: list[SearchDoc], vectors: np.ndarray) -> None:
        drop = set(remove_positions)
        self.vectors.remove([self.int_ids[i] for i in remove_positions])
        keep = [i for i in range(len(self.docs)) if i not in drop]
        self.docs = [self.docs[i] for i in keep]
        self.int_ids = [self.int_ids[i] for i in keep]
        new_ids = list(range(self.next_id, self.next_id + len(new_docs)))
        self.next_id += len(new_docs)
        if new_docs:
            self.vectors.add(np.asarray(new_ids), vectors)
        self.lexical.replace(remove_positions, [lexical_text(d) for d in new_docs])
        self.docs += new_docs
        self.int_ids += new_ids
        self._refresh_maps()

    def _refresh_maps(self) -> None:
        self._pos = {int_id: i for i, int_id in enumerate(self.int_ids)}
        self._by_doc_id = {d.doc_id: d for d in self.docs}
        runners: dict[str, list[Runner]] = {}
        gemeenten: dict[str, str] = {}
        for d in self.docs:
            if d.kind == "agenda" and d.gemeente:
                gemeenten[d.gemeente.lower()] = d.gemeente
                if d.catalogus_id:
                    runners.setdefault(d.catalogus_id, []).append(Runner.of(d))
        for lst in runners.values():
            lst.sort(key=lambda r: r.gemeente)
        self._runners, self._gemeenten = runners, gemeenten
        self._field_stems = {}  # filled lazily by reasons; documents may have changed

    # ---- queries ------------------------------------------------------------------------
    @contextmanager
    def consistent_view(self) -> Iterator["Engine"]:
        """Hold off syncs while a caller reads docs, ids and vectors together."""
        with self._lock:
            yield self

    def stored_vectors(self, doc_ids: list[str]) -> dict[str, np.ndarray]:
        """The indexed vectors of these documents (ids not indexed yet are left out), for analyses
        that compare documents without embedding them again."""
        with self._lock:
            known = {d.doc_id: n for n, d in enumerate(self.docs)}
            wanted = [d for d in dict.fromkeys(doc_ids) if d in known]
            vectors = self.vectors.reconstruct([self.int_ids[known[d]] for d in wanted])
        return dict(zip(wanted, vectors))

    def gemeenten(self) -> list[str]:
        return sorted(self._gemeenten.values())

    def runners(self, catalogus_id: str) -> list[Runner]:
        return list(self._runners.get(catalogus_id, []))

    def doc(self, doc_id: str) -> SearchDoc | None:
        return self._by_doc_id.get(doc_id)

    def unknown_gemeenten(self, filters: Filters) -> list[str]:
        return [g for g in filters.gemeente if g.lower() not in self._gemeenten]

    def retrieve(self, query: str, mode: Mode = "hybrid", filters: Filters | None = None,
                 n: int = 100) -> Candidates:
        """The candidates of ``query`` inside ``filters``: dense top ``n`` ∪ lexical top ``n``."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}")
        expanded = expand_abbreviations(query)
        # Encode outside the lock: the model releases the GIL, so queries run in parallel.
        query_vec = self.embedder.encode_query(expanded) if mode != "lexical" else None
        with self._lock:
            return self._retrieve(expanded, query_vec, mode, filters or Filters(), n)

    def _retrieve(self, expanded: str, query_vec: np.ndarray | None, mode: Mode, filters: Filters,
                  n_cand: int) -> Candidates:
        n = len(self.docs)
        mask = None if filters.is_empty() else filters.mask(self.docs)
        if n == 0 or (mask is not None and not mask.any()):
            return Candidates.empty()
        n_cand = min(n, n_cand)
        tokens = self.lexical.analyze_query(expanded)
        dense: dict[int, float] = {}
        if mode != "lexical":
            allowed = None if mask is None else np.asarray(self.int_ids, dtype=np.int64)[mask]
            ids, sims = self.vectors.search(query_vec, n_cand, allowed)
            dense = {self._pos[int(i)]: float(s) for i, s in zip(ids, sims)}
        lexical: list[int] = []
        scores = None
        if mode != "dense":
            scores = self.lexical.scores(tokens)
            if mask is not None:
                scores = np.where(mask, scores, 0.0)
            top = np.argpartition(-scores, n_cand - 1)[:n_cand] if n > n_cand else np.arange(n)
            top = top[np.argsort(-scores[top], kind="stable")]
            lexical = [int(p) for p in top[scores[top] > 0]]
        positions = list(dict.fromkeys([*dense, *lexical]))
        cos = None
        if query_vec is not None:
            missing = [p for p in positions if p not in dense]
            if missing:  # exact cosines for what only BM25 found: a search restricted to them
                ids, sims = self.vectors.search(query_vec, len(missing), np.asarray([self.int_ids[p] for p in missing]))
                dense_extra = {self._pos[int(i)]: float(s) for i, s in zip(ids, sims)}
            else:
                dense_extra = {}
            cos = np.asarray([dense.get(p, dense_extra.get(p, 0.0)) for p in positions], dtype=np.float32)
        pos = np.asarray(positions, dtype=np.int64)
        dense_rank = {p: r for r, p in enumerate(dense, start=1)}
        lexical_rank = {p: r for r, p in enumerate(lexical, start=1)}
        content = words(expanded)
        stems = vocabulary_stems(self.lexical.vocabulary)
        known = sum(1 for w in content if stem(w) in stems or base_stem(w, stems) or split_compound(w, self.lexical.vocabulary))
        return Candidates(
            docs=[self.docs[p] for p in positions], cos=cos,
            bm25=None if scores is None else scores[pos].astype(np.float32),
            coverage=None if scores is None else self.lexical.coverage(tokens, pos),
            dense_rank=np.asarray([dense_rank.get(p, 0) for p in positions], dtype=np.int64),
            lexical_rank=np.asarray([lexical_rank.get(p, 0) for p in positions], dtype=np.int64),
            query_tokens=tokens, known_share=known / len(content) if content else 0.0,
            centroid_cos=0.0 if query_vec is None else float(self.vectors.centroid() @ query_vec),
            specificity=self.lexical.specificity(tokens), n_words=len(content), query_vec=query_vec,
        )

    def doc_stems(self, doc: SearchDoc) -> dict[str, frozenset[str]]:
        """The stemmed tokens of each field of ``doc`` (what reasons compare the query with)."""
        stems = self._field_stems.get(doc.doc_id)
        if stems is None:
            stems = self._field_stems[doc.doc_id] = {
                name: frozenset(analyze(text, self.lexical.vocabulary)) for name, text in doc.fields.items()
            }
        return stems

    def df_share(self, token: str) -> float:
        """The share of documents that contain a stemmed token."""
        return self.lexical.df_share(token)
