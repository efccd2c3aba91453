"""The agenda space: every agenda as one vector, built once per engine and data version."""

from __future__ import annotations

import difflib
import re
import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.preprocessing import StandardScaler, normalize

from gka_match.data.models import Agenda, CatalogueIntervention
from gka_match.data.models import agenda_id as agenda_id_of
from gka_match.data.vocab import DOELGROEPEN, THEMAS

from ..embedding_cache import EmbeddingCache
from .equivalence import Equivalence, normalise_name, strip_gemeente
from .records import MAX_SENTENCE_PAIRS, WEIGHTS, AgendaProfile, Item, SentencePair, UnknownAgenda

CACHE_FILENAME = "analysis-embeddings.sqlite"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'‘“(]?[A-Z0-9À-Ý'])")


class ChallengeEmbeddings:
    """Passage embeddings of challenge texts and sentences, content-addressed.

    Backed by :class:`~gka_match.index.embedding_cache.EmbeddingCache` in
    ``<index dir>/analysis-embeddings.sqlite`` (keys: model fingerprint + text), so a CLI call or
    a notebook does not re-embed what an earlier run embedded, and a changed challenge text is
    embedded again while an unchanged one never is. Without an index dir it lives in memory.
    """

    def __init__(self, embedder, directory: Path | None):
        self.embedder = embedder
        self._lock = threading.Lock()
        self._memory: dict[str, np.ndarray] = {}
        self._disk = None
        if directory is not None:
            try:
                self._disk = EmbeddingCache(directory / CACHE_FILENAME, embedder.fingerprint, embedder.dim)
            except (OSError, sqlite3.Error):  # read-only data dir: keep the in-memory cache only
                self._disk = None

    def encode(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.empty((0, self.embedder.dim), np.float32)
        with self._lock:
            if self._disk is not None:
                return self._disk.encode(texts, self.embedder.encode_documents)
            missing = list(dict.fromkeys(t for t in texts if t not in self._memory))
            if missing:
                self._memory.update(zip(missing, self.embedder.encode_documents(missing)))
            return np.vstack([self._memory[t] for t in texts]).astype(np.float32)


class AgendaSpace:
    """All agendas as vectors, with everything the analyses need; built from one engine state."""

    def __init__(self, engine, cache: ChallengeEmbeddings):
        self.engine = engine
        self.cache = cache
        with engine.consistent_view():  # the engine may be syncing meanwhile
            self.data_version = engine.data_version
            agendas: list[Agenda] = engine.store.list_agendas()
            catalogue: list[CatalogueIntervention] = engine.store.list_interventions()
            vec_of = engine.stored_vectors([i.id for a in agendas for i in a.interventies])
        self.catalogue = {c.id: c for c in catalogue}
        # names and aliases of every programme, normalised, for local-name matching
        self.programme_names: dict[str, list[str]] = {
            c.id: sorted({normalise_name(n) for n in [c.naam, *c.aliassen]} - {""}, key=len, reverse=True)
            for c in catalogue
        }
        exact = {n: cid for cid, names in self.programme_names.items() for n in names}
        self.profiles: list[AgendaProfile] = []
        for a in agendas:
            items = []
            for it in a.interventies:
                if it.id not in vec_of:  # not indexed yet (engine behind the store)
                    continue
                cid, linked = it.catalogus_id, True
                if not cid:  # a local item that carries a programme's exact name ("X" or "X Gemeente")
                    cid = exact.get(normalise_name(it.naam)) or exact.get(strip_gemeente(it.naam, a.gemeente))
                    linked = False
                prog = self.catalogue.get(cid) if cid else None
                items.append(Item(
                    id=it.id, naam=it.naam, agenda_id=a.id, gemeente=a.gemeente, catalogus_id=cid,
                    programma=prog.naam if prog else None,
                    erkenningsniveau=prog.erkenningsniveau if prog else "onbekend",
                    themas=list(it.themas), doelgroep=list(it.doelgroep), linked=linked,
                    illustratief=it.illustratief, vector=np.asarray(vec_of[it.id], dtype=np.float32),
                ))
            if not items:
                continue
            themas = [t for t in THEMAS if any(t in i.themas for i in items)]
            doelgroepen = [g for g in DOELGROEPEN if any(g in i.doelgroep for i in items)]
            self.profiles.append(AgendaProfile(a.id, a.gemeente, a.provincie, a.aanleiding_en_uitdagingen,
                                               items, themas, doelgroepen, a.illustratief))
        self.by_id = {p.id: i for i, p in enumerate(self.profiles)}
        self.by_gemeente = {p.gemeente.lower(): i for i, p in enumerate(self.profiles)}
        self.blocks = self._blocks()
        self.matrix = np.hstack([np.sqrt(WEIGHTS[b]) * self.blocks[b] for b in WEIGHTS]) if self.profiles \
            else np.empty((0, 0), np.float32)
        self._sentences: dict[str, tuple[list[str], np.ndarray]] = {}
        self.memo: dict[tuple, Any] = {}
        self.items: list[Item] = [i for p in self.profiles for i in p.items]
        self.equivalence = Equivalence(self.items, self.programme_names)

    def _blocks(self) -> dict[str, np.ndarray]:
        n = len(self.profiles)
        if n == 0:
            return {b: np.empty((0, 1), np.float32) for b in WEIGHTS}
        challenge = self.cache.encode([p.challenge for p in self.profiles])
        interventions = normalize(np.vstack([np.mean([i.vector for i in p.items], axis=0) for p in self.profiles]))
        themas = np.array([[t in p.themas for t in THEMAS] for p in self.profiles], dtype=np.float32)
        doelgroepen = np.array([[g in p.doelgroepen for g in DOELGROEPEN] for p in self.profiles], dtype=np.float32)

        def centred(x: np.ndarray) -> np.ndarray:
            return normalize(StandardScaler(with_std=False).fit_transform(x)) if n > 1 else normalize(x)

        return {
            "uitdaging": centred(challenge),
            "interventies": centred(interventions),
            "themas": normalize(themas),
            "doelgroepen": normalize(doelgroepen),
        }

    # ---- lookup -------------------------------------------------------------------------
    def resolve(self, ref: str) -> AgendaProfile:
        key = (ref or "").strip()
        idx = self.by_id.get(key)
        if idx is None:
            idx = self.by_gemeente.get(key.lower())
        if idx is None:  # "sittard geleen", "Sittard-Geleen", "sittard-geleen" all name one agenda
            idx = self.by_id.get(agenda_id_of(key)) if key else None
        if idx is None:
            idx = next((i for i, p in enumerate(self.profiles) if normalise_name(p.gemeente) == normalise_name(key)), None)
        if idx is None:
            names = [p.gemeente for p in self.profiles]
            lowered = {n.lower(): n for n in names}
            close = difflib.get_close_matches(key.lower(), list(lowered), n=5, cutoff=0.5)
            raise UnknownAgenda(ref, [lowered[c] for c in close], names)
        return self.profiles[idx]

    def index(self, profile: AgendaProfile) -> int:
        return self.by_id[profile.id]

    # ---- similarity pieces --------------------------------------------------------------
    def components(self, a: AgendaProfile, b: AgendaProfile) -> dict[str, float]:
        i, j = self.index(a), self.index(b)
        return {blk: round(float(self.blocks[blk][i] @ self.blocks[blk][j]), 4) for blk in WEIGHTS}

    def score(self, a: AgendaProfile, b: AgendaProfile) -> float:
        i, j = self.index(a), self.index(b)
        return float(cosine_similarity(self.matrix[i:i + 1], self.matrix[j:j + 1])[0, 0])

    def sentences(self, profile: AgendaProfile) -> tuple[list[str], np.ndarray]:
        if profile.id not in self._sentences:
            sents = split_sentences(profile.challenge)
            self._sentences[profile.id] = (sents, self.cache.encode(sents))
        return self._sentences[profile.id]

    def similar_sentences(self, a: AgendaProfile, b: AgendaProfile, n: int = MAX_SENTENCE_PAIRS) -> list[SentencePair]:
        sa, va = self.sentences(a)
        sb, vb = self.sentences(b)
        if not sa or not sb:
            return []
        sims = cosine_similarity(va, vb)
        pairs, used_a, used_b = [], set(), set()
        for flat in np.argsort(-sims, axis=None, kind="stable"):
            i, j = np.unravel_index(flat, sims.shape)
            if i in used_a or j in used_b:
                continue
            pairs.append(SentencePair(sa[i], sb[j], round(float(sims[i, j]), 4)))
            used_a.add(i)
            used_b.add(j)
            if len(pairs) >= n:
                break
        return pairs


_SPACES: "weakref.WeakKeyDictionary[Any, AgendaSpace]" = weakref.WeakKeyDictionary()
_CACHES: "weakref.WeakKeyDictionary[Any, ChallengeEmbeddings]" = weakref.WeakKeyDictionary()
_SPACE_LOCK = threading.Lock()


def agenda_space(engine) -> AgendaSpace:
    """The agenda space for the engine's current data version (built once per version)."""
    with _SPACE_LOCK:
        space = _SPACES.get(engine)
        if space is not None and space.data_version == engine.data_version:
            return space
        cache = _CACHES.get(engine)
        if cache is None:
            cache = _CACHES[engine] = ChallengeEmbeddings(engine.embedder, engine.index_dir)
        space = _SPACES[engine] = AgendaSpace(engine, cache)
        return space


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if len(s.strip()) >= 3]


def resolve_agenda(engine, ref: str) -> AgendaProfile:
    """An agenda by id or gemeente name (case-insensitive); raises :class:`UnknownAgenda`."""
    return agenda_space(engine).resolve(ref)
