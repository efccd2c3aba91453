"""Analyses over agendas: similar municipalities, comparisons, gaps, clusters and a 2-D map.

Pure functions over an :class:`~gka_match.index.engine.Engine` and the store's records; the
maths is scikit-learn's (cosine similarity, nearest neighbours, clustering, PCA, TF-IDF) and
pandas is only used for tabular output (``*_frame`` functions, CSV/XLSX exports).

Agenda representation
---------------------
Every agenda becomes one vector, the concatenation of four unit-length blocks, each scaled by
the square root of its weight (``WEIGHTS``):

============== ====== =====================================================================
block          weight what
============== ====== =====================================================================
``uitdaging``  0.40   embedding of *Aanleiding en uitdagingen* (the engine's embedder, with
                      the document/passage prompt)
``interventies`` 0.30 mean of the stored vectors of the agenda's interventions
``themas``     0.20   multi-hot of the THEMAS its interventions carry
``doelgroepen`` 0.10  multi-hot of the DOELGROEPEN its interventions carry
============== ====== =====================================================================

Because each block has unit length, the cosine of two agenda vectors is exactly the weighted
sum of the four block cosines, so a score can be explained block by block (``components``).
The two embedding blocks are first mean-centred over all agendas: e5 embeddings of any two
Dutch education texts have a cosine of about 0.85, and centring removes that shared direction
so the blocks separate a health agenda from a language agenda (measured on the bundled data:
without centring, Sittard-Geleen's nearest agendas are Veendam and Heerlen with Maastricht
fifth; with it, Heerlen, Maastricht and Kerkrade). Scores therefore lie in [-1, 1]; 0 is an
average pair.

Equivalent interventions
------------------------
An agenda intervention without ``catalogus_id`` whose name (with or without the municipality's
name) equals a catalogue programme's name or alias is treated as applying that programme
(``catalogus_via_naam``). Two agenda interventions are then related as

* ``zelfde programma``: they apply the same catalogue programme;
* ``zelfde programma (lokale naam)``: one's name mentions the name or an alias of the programme
  the other applies (a local name for a known programme, "Taalcafé voor ouders" ~ Taalhuis);
* ``zelfde naam``: the same name apart from the municipality, and a cosine of at least
  ``NAMED_COSINE`` ("Thuiszitterstafel Apeldoorn" ~ "Thuiszitterstafel Enschede");
* ``vergelijkbaar``: their stored vectors have a cosine of at least ``EQUIVALENT_COSINE``
  (0.95), or of at least ``NAMED_COSINE`` (0.92) with names that look alike (character n-gram
  TF-IDF cosine at least ``NAME_SIMILARITY``);

never when both apply two *different* programmes. Tuned on the bundled data, where items
applying the same programme have a median cosine of 0.94 and unrelated pairs 0.85, but two
different VVE programmes still reach 0.94, hence the high bar and the name evidence. Pairs are
made one-to-one by maximum total strength (scipy's assignment solver).

Challenge texts and their sentences are embedded once per text and model
(``<index dir>/analysis-embeddings.sqlite``); the agenda space is rebuilt when the engine's data
version changes, re-embedding only texts that changed.
"""

from __future__ import annotations

import copy
import difflib
import re
import sqlite3
import threading
import weakref
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.cluster import AgglomerativeClustering
from sklearn.decomposition import PCA
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.metrics import silhouette_score
from sklearn.metrics.pairwise import cosine_similarity
from sklearn.neighbors import NearestNeighbors
from sklearn.preprocessing import StandardScaler, normalize

from gka_match.data.models import Agenda, CatalogueIntervention
from gka_match.data.models import agenda_id as agenda_id_of
from gka_match.data.vocab import DOELGROEPEN, THEMAS, erkenning_rank

from .embedding_cache import EmbeddingCache
from .text import STOPWORDS, fold

# Block weights of the agenda vector (see the module docstring); they sum to 1.
WEIGHTS: dict[str, float] = {"uitdaging": 0.40, "interventies": 0.30, "themas": 0.20, "doelgroepen": 0.10}
EQUIVALENT_COSINE = 0.95
NAMED_COSINE = 0.92
NAME_SIMILARITY = 0.5
MAX_SENTENCE_PAIRS = 3
CACHE_FILENAME = "analysis-embeddings.sqlite"

_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[\"'‘“(]?[A-Z0-9À-Ý'])")


class UnknownAgenda(LookupError):
    """No agenda matches the given id or gemeente; ``suggestions`` holds close names."""

    def __init__(self, ref: str, suggestions: list[str], known: list[str] | None = None):
        self.ref, self.suggestions, self.known = ref, suggestions, sorted(known or [])
        hint = f" Did you mean: {', '.join(suggestions)}?" if suggestions else ""
        super().__init__(f"no agenda for '{ref}' (gemeente or agenda id).{hint}")


# ---- records of the analysis ------------------------------------------------------------------
@dataclass
class Item:
    """One agenda intervention as the analyses see it."""

    id: str
    naam: str
    agenda_id: str
    gemeente: str
    catalogus_id: str | None  # the programme it applies, or whose name it carries exactly
    programma: str | None
    erkenningsniveau: str
    themas: list[str]
    doelgroep: list[str]
    linked: bool  # True when catalogus_id comes from the record, False when inferred from the name
    illustratief: bool  # invented demonstration data: every view marks it
    vector: np.ndarray = field(repr=False)

    def ref(self) -> "InterventionRef":
        return InterventionRef(
            id=self.id, naam=self.naam, gemeente=self.gemeente, agenda_id=self.agenda_id,
            catalogus_id=self.catalogus_id, programma=self.programma,
            erkenningsniveau=self.erkenningsniveau, themas=list(self.themas),
            catalogus_via_naam=bool(self.catalogus_id and not self.linked), illustratief=self.illustratief,
        )


@dataclass
class AgendaProfile:
    id: str
    gemeente: str
    provincie: str
    challenge: str
    items: list[Item]
    themas: list[str]
    doelgroepen: list[str]
    illustratief: bool = False  # the agenda's own text is invented

    @property
    def invented_items(self) -> int:
        return sum(1 for i in self.items if i.illustratief)


@dataclass
class InterventionRef:
    id: str
    naam: str
    gemeente: str
    agenda_id: str
    catalogus_id: str | None
    programma: str | None
    erkenningsniveau: str
    themas: list[str]
    catalogus_via_naam: bool = False  # catalogus_id inferred from the name, not set in the record
    illustratief: bool = False


@dataclass
class SentencePair:
    a: str
    b: str
    similarity: float


@dataclass
class SharedIntervention:
    a: InterventionRef
    b: InterventionRef
    relatie: str  # "zelfde programma" | "zelfde programma (lokale naam)" | "zelfde naam" | "vergelijkbaar"
    similarity: float
    catalogus_id: str | None
    programma: str | None


@dataclass
class SimilarAgenda:
    agenda_id: str
    gemeente: str
    provincie: str
    score: float
    rank: int
    components: dict[str, float]
    shared_themas: list[str]
    shared_interventions: list[SharedIntervention]
    similar_sentences: list[SentencePair]
    reason: str
    illustratief: bool = False  # the agenda's own text is invented
    illustratieve_interventies: int = 0  # how many of its interventions are invented

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class ThemeOverlap:
    shared: list[str]
    only_a: list[str]
    only_b: list[str]
    jaccard: float


@dataclass
class Comparison:
    a: dict[str, str]
    b: dict[str, str]
    score: float
    components: dict[str, float]
    shared: list[SharedIntervention]
    only_in_a: list[InterventionRef]
    only_in_b: list[InterventionRef]
    themas: ThemeOverlap
    doelgroepen: ThemeOverlap
    similar_sentences: list[SentencePair]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GapPeer:
    gemeente: str
    agenda_id: str
    intervention_id: str
    naam: str
    similarity: float
    illustratief: bool = False


@dataclass
class Gap:
    naam: str
    catalogus_id: str | None
    programma: str | None
    erkenningsniveau: str
    themas: list[str]
    score: float  # similarity-weighted share of the peers that use it, in [0, 1]
    n_peers: int
    peers: list[GapPeer]
    rank: int = 0
    illustratief: bool = False  # every peer item behind it is invented

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class GapReport:
    agenda_id: str
    gemeente: str
    peers: list[dict[str, Any]]
    gaps: list[Gap]

    def to_dict(self) -> dict:
        return asdict(self)


@dataclass
class Cluster:
    cluster: int
    label: str
    size: int
    gemeenten: list[str]
    agenda_ids: list[str]
    terms: list[str]
    themas: list[str]


@dataclass
class ClusterReport:
    n_clusters: int
    silhouette: float | None
    clusters: list[Cluster]
    assignments: list[dict[str, Any]]  # {agenda_id, gemeente, provincie, cluster}

    def to_dict(self) -> dict:
        return asdict(self)


# ---- embeddings cache -----------------------------------------------------------------------
class _EmbeddingCache:
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


# ---- the agenda space (one per engine and data version) -------------------------------------
def _norm_name(text: str) -> str:
    return " ".join(re.findall(r"[0-9a-z]+", fold(text)))


def _strip_gemeente(naam: str, gemeente: str) -> str:
    """The normalised name without the municipality's name, which says nothing about the programme."""
    name = _norm_name(naam)
    for part in _norm_name(gemeente).split():
        name = re.sub(rf"(?<![0-9a-z]){re.escape(part)}(?![0-9a-z])", " ", name)
    return " ".join(name.split()) or _norm_name(naam)


def _contains_phrase(haystack: str, needle: str) -> bool:
    return len(needle) >= 4 and re.search(rf"(?<![0-9a-z]){re.escape(needle)}(?![0-9a-z])", haystack) is not None


class AgendaSpace:
    """All agendas as vectors, with everything the analyses need; built from one engine state."""

    def __init__(self, engine, cache: _EmbeddingCache):
        self.engine = engine
        self.cache = cache
        with engine.consistent_view():  # the engine may be syncing meanwhile
            self.data_version = engine.data_version
            docs = list(engine.docs)
            int_ids = list(engine.int_ids)
            positions = {d.doc_id: i for i, d in enumerate(docs)}
            agendas: list[Agenda] = engine.store.list_agendas()
            catalogue: list[CatalogueIntervention] = engine.store.list_interventions()
            wanted = [d.doc_id for d in docs if d.kind == "catalogue"]
            for a in agendas:
                wanted += [i.id for i in a.interventies if i.id in positions]
            vecs = engine.vectors.reconstruct([int_ids[positions[w]] for w in wanted])
        vec_of = dict(zip(wanted, vecs))
        self.catalogue = {c.id: c for c in catalogue}
        self.programme_vectors = {cid: vec_of[cid] for cid in self.catalogue if cid in vec_of}
        # names and aliases of every programme, normalised, for local-name matching
        self.programme_names: dict[str, list[str]] = {
            c.id: sorted({_norm_name(n) for n in [c.naam, *c.aliassen]} - {""}, key=len, reverse=True)
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
                    cid = exact.get(_norm_name(it.naam)) or exact.get(_strip_gemeente(it.naam, a.gemeente))
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
        self._memo: dict[tuple, Any] = {}
        # Item-by-item cosine of the stored vectors and of the names (character n-gram TF-IDF),
        # computed once: every comparison below reads from these two matrices.
        self.items: list[Item] = [i for p in self.profiles for i in p.items]
        self._item_pos = {id(i): n for n, i in enumerate(self.items)}
        if self.items:
            names = TfidfVectorizer(analyzer="char_wb", ngram_range=(3, 5)).fit_transform(
                [self._stripped_name(i) for i in self.items])
            self.item_cos = cosine_similarity(np.vstack([i.vector for i in self.items]))
            self.name_sim = cosine_similarity(names)
        else:
            self.item_cos = self.name_sim = np.zeros((0, 0))

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
            idx = next((i for i, p in enumerate(self.profiles) if _norm_name(p.gemeente) == _norm_name(key)), None)
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

    @staticmethod
    def _stripped_name(item: Item) -> str:
        return _strip_gemeente(item.naam, item.gemeente)

    def _mentions_programme(self, item: Item, programme_id: str | None) -> bool:
        if not programme_id:
            return False
        name = _norm_name(item.naam)
        return any(_contains_phrase(name, n) for n in self.programme_names.get(programme_id, []))

    def relation(self, x: Item, y: Item, cos: float, name_sim: float) -> tuple[str, float] | None:
        """How two agenda interventions relate, with a strength for the assignment; None if not."""
        if x.catalogus_id and x.catalogus_id == y.catalogus_id:
            return "zelfde programma", 3.0 + cos
        if x.catalogus_id and y.catalogus_id and x.linked and y.linked:
            return None  # two different programmes, however alike their descriptions
        if (not y.linked and self._mentions_programme(y, x.catalogus_id)) or (
            not x.linked and self._mentions_programme(x, y.catalogus_id)
        ):
            return "zelfde programma (lokale naam)", 2.0 + cos
        if cos >= NAMED_COSINE and name_sim >= 0.99:
            return "zelfde naam", 1.0 + cos
        if cos >= EQUIVALENT_COSINE or (cos >= NAMED_COSINE and name_sim >= NAME_SIMILARITY):
            return "vergelijkbaar", cos
        return None

    def relations(self, xs: list[Item], ys: list[Item]) -> tuple[dict[tuple[int, int], str], np.ndarray, np.ndarray]:
        """Every related pair (i, j) -> relation, with the strength and cosine matrices."""
        if not xs or not ys:
            empty = np.zeros((len(xs), len(ys)))
            return {}, empty, empty
        rows = [self._item_pos[id(x)] for x in xs]
        cols = [self._item_pos[id(y)] for y in ys]
        cos = self.item_cos[np.ix_(rows, cols)]
        name_sim = self.name_sim[np.ix_(rows, cols)]
        strength = np.zeros_like(cos)
        relations: dict[tuple[int, int], str] = {}
        for i, x in enumerate(xs):
            for j, y in enumerate(ys):
                rel = self.relation(x, y, float(cos[i, j]), float(name_sim[i, j]))
                if rel:
                    relations[(i, j)], strength[i, j] = rel
        return relations, strength, cos

    def match_items(self, xs: list[Item], ys: list[Item]) -> list[tuple[int, int, str, float]]:
        """One-to-one pairs of equivalent interventions (index in xs, index in ys, relation, cosine),
        chosen by maximum total strength (the assignment problem, scipy's Hungarian solver)."""
        relations, strength, cos = self.relations(xs, ys)
        if not relations:
            return []
        rows, cols = linear_sum_assignment(-strength)
        return [(int(i), int(j), relations[(i, j)], round(float(cos[i, j]), 4))
                for i, j in zip(rows, cols) if (i, j) in relations]


_SPACES: "weakref.WeakKeyDictionary[Any, AgendaSpace]" = weakref.WeakKeyDictionary()
_CACHES: "weakref.WeakKeyDictionary[Any, _EmbeddingCache]" = weakref.WeakKeyDictionary()
_SPACE_LOCK = threading.Lock()


def agenda_space(engine) -> AgendaSpace:
    """The agenda space for the engine's current data version (built once per version)."""
    with _SPACE_LOCK:
        space = _SPACES.get(engine)
        if space is not None and space.data_version == engine.data_version:
            return space
        cache = _CACHES.get(engine)
        if cache is None:
            directory = getattr(getattr(engine, "settings", None), "index_dir", None)
            cache = _CACHES[engine] = _EmbeddingCache(engine.embedder, Path(directory) if directory else None)
        space = _SPACES[engine] = AgendaSpace(engine, cache)
        return space


def split_sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE_END.split(text.strip()) if len(s.strip()) >= 3]


def resolve_agenda(engine, ref: str) -> AgendaProfile:
    """An agenda by id or gemeente name (case-insensitive); raises :class:`UnknownAgenda`."""
    return agenda_space(engine).resolve(ref)


# ---- public analyses --------------------------------------------------------------------------
def _overlap(a: Iterable[str], b: Iterable[str], order: Iterable[str]) -> ThemeOverlap:
    sa, sb = set(a), set(b)
    ordered = list(order)
    union = sa | sb
    return ThemeOverlap(
        shared=[t for t in ordered if t in sa & sb], only_a=[t for t in ordered if t in sa - sb],
        only_b=[t for t in ordered if t in sb - sa],
        jaccard=round(len(sa & sb) / len(union), 4) if union else 0.0,
    )


def _shared(space: AgendaSpace, a: AgendaProfile, b: AgendaProfile) -> tuple[list[SharedIntervention], set[int], set[int]]:
    pairs = space.match_items(a.items, b.items)
    shared = []
    for i, j, rel, cos in pairs:
        x, y = a.items[i], b.items[j]
        cid = (x.catalogus_id or y.catalogus_id) if rel.startswith("zelfde programma") else None
        prog = space.catalogue.get(cid) if cid else None
        shared.append(SharedIntervention(x.ref(), y.ref(), rel, cos, cid, prog.naam if prog else None))
    order = {"zelfde programma": 0, "zelfde programma (lokale naam)": 1, "zelfde naam": 2, "vergelijkbaar": 3}
    shared.sort(key=lambda s: (order[s.relatie], -s.similarity))
    return shared, {p[0] for p in pairs}, {p[1] for p in pairs}


def _reason(shared_themas: list[str], shared: list[SharedIntervention], sentences: list[SentencePair],
            components: dict[str, float]) -> str:
    parts = []
    if shared_themas:
        parts.append("gedeelde thema's: " + ", ".join(shared_themas))
    if shared:
        parts.append("gedeelde interventies: " + ", ".join(
            s.programma or (s.a.naam if s.relatie == "zelfde naam" else f"{s.a.naam} ≈ {s.b.naam}") for s in shared))
    if components.get("uitdaging", 0) > 0.2 and sentences:
        parts.append(f"vergelijkbare uitdaging (\"{_short(sentences[0].b)}\")")
    return ("; ".join(parts) or "lijkt in de opbouw van de agenda") + "."


def _short(text: str, n: int = 90) -> str:
    return text if len(text) <= n else text[: n - 1].rsplit(" ", 1)[0] + "…"


def similar_agendas(engine, agenda_id_or_gemeente: str, k: int = 5, with_sentences: bool = True) -> list[SimilarAgenda]:
    """The ``k`` agendas nearest to the given one (cosine of the agenda vectors), with reasons."""
    space = agenda_space(engine)
    target = space.resolve(agenda_id_or_gemeente)
    n = len(space.profiles)
    if n < 2 or k < 1:
        return []
    nn = NearestNeighbors(metric="cosine", algorithm="brute").fit(space.matrix)
    dist, idx = nn.kneighbors(space.matrix[space.index(target)][None, :], n_neighbors=n)
    ranked = [(int(j), 1.0 - float(d)) for j, d in zip(idx[0], dist[0]) if int(j) != space.index(target)]
    ranked.sort(key=lambda t: (-round(t[1], 9), space.profiles[t[0]].gemeente))
    out = []
    for rank, (j, score) in enumerate(ranked[:k], start=1):
        other = space.profiles[j]
        comps = space.components(target, other)
        shared_themas = [t for t in target.themas if t in other.themas]
        shared, _, _ = _shared(space, target, other)
        sentences = space.similar_sentences(target, other) if with_sentences else []
        out.append(SimilarAgenda(
            agenda_id=other.id, gemeente=other.gemeente, provincie=other.provincie, score=round(score, 4),
            rank=rank, components=comps, shared_themas=shared_themas, shared_interventions=shared,
            similar_sentences=sentences, reason=_reason(shared_themas, shared, sentences, comps),
            illustratief=other.illustratief, illustratieve_interventies=other.invented_items,
        ))
    return out


def compare_agendas(engine, a: str, b: str) -> Comparison:
    """Shared and unique interventions and themes of two agendas (ids or gemeente names)."""
    space = agenda_space(engine)
    pa, pb = space.resolve(a), space.resolve(b)
    shared, used_a, used_b = _shared(space, pa, pb)
    return Comparison(
        a={"agenda_id": pa.id, "gemeente": pa.gemeente, "provincie": pa.provincie, "illustratief": pa.illustratief},
        b={"agenda_id": pb.id, "gemeente": pb.gemeente, "provincie": pb.provincie, "illustratief": pb.illustratief},
        score=round(space.score(pa, pb), 4), components=space.components(pa, pb), shared=shared,
        only_in_a=[it.ref() for i, it in enumerate(pa.items) if i not in used_a],
        only_in_b=[it.ref() for j, it in enumerate(pb.items) if j not in used_b],
        themas=_overlap(pa.themas, pb.themas, THEMAS),
        doelgroepen=_overlap(pa.doelgroepen, pb.doelgroepen, DOELGROEPEN),
        similar_sentences=space.similar_sentences(pa, pb) if pa.id != pb.id else [],
    )


def gaps(engine, agenda: str, k_peers: int = 5, k: int | None = None) -> GapReport:
    """Interventions the ``k_peers`` most similar agendas use and this one does not.

    Peer items are grouped by the catalogue programme they apply (or whose name they carry);
    other items join a group when they are equivalent to one of its items. A group's score is
    the similarity-weighted share of peers using it: sum of the using peers' similarity over
    the sum of all peers' similarity (negative similarities count as 0).
    """
    space = agenda_space(engine)
    target = space.resolve(agenda)
    peers = similar_agendas(engine, target.id, k=k_peers, with_sentences=False)
    weights = {p.agenda_id: max(p.score, 0.0) for p in peers}
    total = sum(weights.values()) or 1.0
    own_programmes = {i.catalogus_id for i in target.items if i.catalogus_id}
    covered_programmes: set[str] = set()  # programmes a peer runs as something this agenda has
    groups: list[dict[str, Any]] = []
    for peer in peers:
        profile = space.profiles[space.by_id[peer.agenda_id]]
        covered = {j for _, j in space.relations(target.items, profile.items)[0]}
        covered_programmes |= {profile.items[j].catalogus_id for j in covered if profile.items[j].catalogus_id}
        for j, item in enumerate(profile.items):
            if j in covered or (item.catalogus_id and item.catalogus_id in own_programmes):
                continue
            group = next((g for g in groups if item.catalogus_id and g["catalogus_id"] == item.catalogus_id), None)
            if group is None:
                group = next((g for g in groups if space.relations([item], g["items"])[0]), None)
            if group is None:
                group = {"catalogus_id": item.catalogus_id, "items": [], "peers": []}
                groups.append(group)
            if not group["catalogus_id"] and item.catalogus_id:
                group["catalogus_id"] = item.catalogus_id
            group["items"].append(item)
            group["peers"].append(GapPeer(peer.gemeente, peer.agenda_id, item.id, item.naam, peer.score,
                                          item.illustratief))
    out: list[Gap] = []
    for g in groups:
        if g["catalogus_id"] and g["catalogus_id"] in own_programmes | covered_programmes:
            continue
        prog = space.catalogue.get(g["catalogus_id"]) if g["catalogus_id"] else None
        peer_ids = {p.agenda_id for p in g["peers"]}
        themas = [t for t in THEMAS if any(t in i.themas for i in g["items"])]
        out.append(Gap(
            naam=prog.naam if prog else g["items"][0].naam, catalogus_id=g["catalogus_id"],
            programma=prog.naam if prog else None,
            erkenningsniveau=prog.erkenningsniveau if prog else "onbekend", themas=themas,
            score=round(sum(weights[p] for p in peer_ids) / total, 4), n_peers=len(peer_ids),
            peers=sorted(g["peers"], key=lambda p: -p.similarity),
            illustratief=all(i.illustratief for i in g["items"]),
        ))
    out.sort(key=lambda x: (-x.score, -erkenning_rank(x.erkenningsniveau), x.naam.lower()))
    out = out[:k] if k else out
    for rank, gap in enumerate(out, start=1):
        gap.rank = rank
    return GapReport(
        agenda_id=target.id, gemeente=target.gemeente,
        peers=[{"agenda_id": p.agenda_id, "gemeente": p.gemeente, "score": p.score} for p in peers], gaps=out,
    )


# Words frequent in challenge texts that say nothing about the kind of challenge.
_GENERIC_TERMS = {"gemeente", "relatief", "deel", "aantal", "vaak", "andere", "elders", "groot", "grote",
                  "willen", "daarom", "blijven", "komen", "zitten", "hoger", "lager", "lagere", "stad", "soms"}


def _tfidf_stopwords(space: AgendaSpace) -> list[str]:
    extra = set(_GENERIC_TERMS)
    for p in space.profiles:  # municipality names say where, not what
        extra |= set(re.findall(r"[0-9a-zà-ÿ]+", fold(p.gemeente)))
    return sorted(set(STOPWORDS) | extra)


def clusters(engine, n_clusters: int | None = None, max_clusters: int = 10) -> ClusterReport:
    """Agglomerative clustering (cosine, average linkage) of the agenda vectors.

    Without ``n_clusters`` the number with the best silhouette score between 2 and
    ``max_clusters`` is taken. Each cluster is labelled by the top TF-IDF terms of its members'
    challenge texts (terms in at least two agendas) and its most frequent themes.
    """
    space = agenda_space(engine)
    n = len(space.profiles)
    if n == 0:
        return ClusterReport(0, None, [], [])
    if n_clusters is not None and not 1 <= n_clusters <= n:
        raise ValueError(f"n_clusters must be between 1 and {n}")
    key = ("clusters", n_clusters, max_clusters)
    if key not in space._memo:
        space._memo[key] = _clusters(space, n_clusters, max_clusters)
    return copy.deepcopy(space._memo[key])


def _clusters(space: AgendaSpace, n_clusters: int | None, max_clusters: int) -> ClusterReport:
    n = len(space.profiles)
    silhouette = None
    if n < 3:
        labels = np.zeros(n, dtype=int)
    elif n_clusters is None:
        best = None
        for c in range(2, min(max_clusters, n - 1) + 1):
            lab = AgglomerativeClustering(n_clusters=c, metric="cosine", linkage="average").fit_predict(space.matrix)
            s = float(silhouette_score(space.matrix, lab, metric="cosine"))
            if best is None or s > best[0] + 1e-9:
                best = (s, lab)
        silhouette, labels = round(best[0], 4), best[1]
    elif n_clusters == 1:
        labels = np.zeros(n, dtype=int)
    else:
        labels = AgglomerativeClustering(n_clusters=n_clusters, metric="cosine", linkage="average").fit_predict(space.matrix)
        if 1 < n_clusters < n:
            silhouette = round(float(silhouette_score(space.matrix, labels, metric="cosine")), 4)
    # renumber clusters by size (largest first), then by first member, for stable output
    order = sorted(set(labels.tolist()), key=lambda c: (-int((labels == c).sum()), int(np.argmax(labels == c))))
    relabel = {c: i for i, c in enumerate(order)}
    labels = np.array([relabel[c] for c in labels.tolist()])
    texts = [p.challenge for p in space.profiles]
    vectorizer = TfidfVectorizer(
        stop_words=_tfidf_stopwords(space), token_pattern=r"(?u)\b[^\W\d_]{3,}\b", sublinear_tf=True,
        min_df=2 if n >= 4 else 1, max_df=0.5 if n >= 4 else 1.0, preprocessor=fold,
    )
    try:
        tfidf = vectorizer.fit_transform(texts)
        vocab = vectorizer.get_feature_names_out()
    except ValueError:  # no terms left
        tfidf, vocab = None, np.array([])
    out = []
    for c in range(len(order)):
        members = [i for i in range(n) if labels[i] == c]
        terms: list[str] = []
        if tfidf is not None and len(vocab):
            weights = np.asarray(tfidf[members].mean(axis=0)).ravel()
            terms = [str(vocab[t]) for t in np.argsort(-weights, kind="stable")[:5] if weights[t] > 0]
        counts = Counter(t for i in members for it in space.profiles[i].items for t in it.themas)
        themas = [t for t, _ in sorted(counts.items(), key=lambda kv: (-kv[1], THEMAS.index(kv[0])))[:3]]
        out.append(Cluster(
            cluster=c, label=", ".join(terms[:3]) + (f" · {themas[0]}" if themas else ""), size=len(members),
            gemeenten=[space.profiles[i].gemeente for i in members],
            agenda_ids=[space.profiles[i].id for i in members], terms=terms, themas=themas,
        ))
    assignments = [{"agenda_id": p.id, "gemeente": p.gemeente, "provincie": p.provincie, "cluster": int(labels[i])}
                   for i, p in enumerate(space.profiles)]
    return ClusterReport(len(order), silhouette, out, assignments)


def projection_2d(engine) -> list[dict[str, Any]]:
    """x, y per agenda: PCA of the agenda vectors onto two components (deterministic)."""
    space = agenda_space(engine)
    n = len(space.profiles)
    if n == 0:
        return []
    if n < 3:
        xy = np.zeros((n, 2))
        if n == 2:
            xy[:, 0] = [-0.5, 0.5]
    else:
        xy = PCA(n_components=2, svd_solver="full").fit_transform(space.matrix)
    return [{"agenda_id": p.id, "gemeente": p.gemeente, "provincie": p.provincie,
             "x": round(float(xy[i, 0]), 5), "y": round(float(xy[i, 1]), 5)}
            for i, p in enumerate(space.profiles)]


def similarity_matrix(engine):
    """Agenda-by-agenda similarity (cosine of the agenda vectors) as a pandas DataFrame."""
    import pandas as pd

    space = agenda_space(engine)
    names = [p.gemeente for p in space.profiles]
    return pd.DataFrame(cosine_similarity(space.matrix), index=names, columns=names)


# ---- tables (pandas) -------------------------------------------------------------------------
def similar_frame(results: list[SimilarAgenda]):
    import pandas as pd

    return pd.DataFrame([{
        "rank": r.rank, "gemeente": r.gemeente, "agenda_id": r.agenda_id, "provincie": r.provincie,
        "score": r.score, **{f"score_{k}": v for k, v in r.components.items()},
        "gedeelde_themas": "; ".join(r.shared_themas),
        "gedeelde_interventies": "; ".join(
            f"{s.a.naam} = {s.b.naam} ({s.relatie})" for s in r.shared_interventions),
        "reden": r.reason, "illustratief": r.illustratief, "illustratieve_interventies": r.illustratieve_interventies,
    } for r in results], columns=["rank", "gemeente", "agenda_id", "provincie", "score",
                                  *[f"score_{k}" for k in WEIGHTS], "gedeelde_themas",
                                  "gedeelde_interventies", "reden", "illustratief", "illustratieve_interventies"])


def comparison_frame(cmp: Comparison):
    import pandas as pd

    ga, gb = cmp.a["gemeente"], cmp.b["gemeente"]
    rows = []
    for s in cmp.shared:
        rows.append({"onderdeel": "interventie", "status": "gedeeld", "naam_a": s.a.naam, "naam_b": s.b.naam,
                     "relatie": s.relatie, "catalogus_id": s.catalogus_id, "programma": s.programma,
                     "similarity": s.similarity, "illustratief": s.a.illustratief or s.b.illustratief})
    for ref, status, col in [*[(r, f"alleen {ga}", "naam_a") for r in cmp.only_in_a],
                             *[(r, f"alleen {gb}", "naam_b") for r in cmp.only_in_b]]:
        rows.append({"onderdeel": "interventie", "status": status, col: ref.naam, "catalogus_id": ref.catalogus_id,
                     "programma": ref.programma, "illustratief": ref.illustratief})
    for label, overlap in (("thema", cmp.themas), ("doelgroep", cmp.doelgroepen)):
        for t in overlap.shared:
            rows.append({"onderdeel": label, "status": "gedeeld", "naam_a": t, "naam_b": t})
        for t in overlap.only_a:
            rows.append({"onderdeel": label, "status": f"alleen {ga}", "naam_a": t})
        for t in overlap.only_b:
            rows.append({"onderdeel": label, "status": f"alleen {gb}", "naam_b": t})
    frame = pd.DataFrame(rows, columns=["onderdeel", "status", "naam_a", "naam_b", "relatie", "catalogus_id",
                                        "programma", "similarity", "illustratief"])
    frame["illustratief"] = frame["illustratief"].fillna(False).astype(bool)
    return frame


def gaps_frame(report: GapReport):
    import pandas as pd

    return pd.DataFrame([{
        "rank": g.rank, "naam": g.naam, "catalogus_id": g.catalogus_id, "erkenningsniveau": g.erkenningsniveau,
        "score": g.score, "n_peers": g.n_peers, "themas": "; ".join(g.themas),
        "gemeenten": "; ".join(f"{p.gemeente} ({p.naam}{', illustratief' if p.illustratief else ''})" for p in g.peers),
        "illustratief": g.illustratief,
    } for g in report.gaps], columns=["rank", "naam", "catalogus_id", "erkenningsniveau", "score", "n_peers",
                                      "themas", "gemeenten", "illustratief"])


def clusters_frame(report: ClusterReport, projection: list[dict[str, Any]] | None = None):
    import pandas as pd

    by_cluster = {c.cluster: c for c in report.clusters}
    xy = {p["agenda_id"]: p for p in projection or []}
    rows = []
    for a in report.assignments:
        c = by_cluster[a["cluster"]]
        row = {**a, "label": c.label, "termen": "; ".join(c.terms), "themas": "; ".join(c.themas)}
        if xy:
            row.update(x=xy[a["agenda_id"]]["x"], y=xy[a["agenda_id"]]["y"])
        rows.append(row)
    return pd.DataFrame(rows)


def write_table(frame, path: Path | str, fmt: str | None = None) -> Path:
    """Write a DataFrame as CSV (UTF-8) or XLSX (openpyxl); the format follows ``fmt`` or the suffix."""
    path = Path(path)
    fmt = (fmt or path.suffix.lstrip(".") or "csv").lower()
    if fmt == "csv":
        frame.to_csv(path, index=False)
    elif fmt == "xlsx":
        frame.to_excel(path, index=False, engine="openpyxl")
    else:
        raise ValueError(f"unknown table format '{fmt}'; use csv or xlsx")
    return path


__all__ = [
    "WEIGHTS", "EQUIVALENT_COSINE", "UnknownAgenda", "AgendaSpace", "agenda_space", "resolve_agenda",
    "similar_agendas", "compare_agendas", "gaps", "clusters", "projection_2d", "similarity_matrix",
    "similar_frame", "comparison_frame", "gaps_frame", "clusters_frame", "write_table", "split_sentences",
]
