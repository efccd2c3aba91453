"""Fusion of the dense and lexical rankings, and the reason each result matched.

Two fusions (``GKA_FUSION``):

- ``rrf``: reciprocal rank fusion, score(d) = w_dense / (k + rank_dense(d)) + w_lex / (k + rank_lex(d)),
  ranks from 1, k = ``GKA_RRF_K`` (default 60, the constant of Cormack et al. 2009); a document
  missing from a list gets nothing from it.
- ``zscore`` (default): each list's scores are standardised over its own candidates and mixed,
  w_dense * z_dense + (1 - w_dense) * z_lex; a document missing from a list gets that list's lowest z.

Why not plain RRF: it throws the score *margins* away. For a paraphrased query BM25 often has no
real hit, only weak matches on common words, and RRF still gives its rank 1 as much credit as
the dense list's confident rank 1. Standardised scores keep the shape: a flat BM25 list
contributes little, a standout BM25 hit (a programme name, a rare term) contributes a lot.
The dense weight was chosen by 5-fold cross-validation on the dev set (README, "Match quality").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from gka_match.data.vocab import ERKENNINGSNIVEAUS

from .documents import SearchDoc
from .query_terms import QuerySignals
from .text import analyze, stem, words


def field_stems(doc: SearchDoc, vocabulary: frozenset[str]) -> dict[str, frozenset[str]]:
    """The stemmed tokens of each field of ``doc`` (what :func:`explain` compares against)."""
    return {name: frozenset(analyze(text, vocabulary)) for name, text in doc.fields.items()}


def rrf(rankings: list[tuple[np.ndarray, float]], k: int) -> dict[int, float]:
    """Fuse ranked position lists ``(positions_best_first, weight)`` into scores per position."""
    fused: dict[int, float] = {}
    for positions, weight in rankings:
        for rank, pos in enumerate(positions, start=1):
            fused[int(pos)] = fused.get(int(pos), 0.0) + weight / (k + rank)
    return fused


def zscore_fuse(lists: list[tuple[dict[int, float], float]]) -> dict[int, float]:
    """Mix standardised scores of ``(scores_by_position, weight)`` lists over their union."""
    fused: dict[int, float] = {}
    standardised = []
    for scores, weight in lists:
        if len(scores) < 2:
            standardised.append(({p: 0.0 for p in scores}, 0.0, weight))
            continue
        values = np.fromiter(scores.values(), dtype=np.float64)
        mean, std = values.mean(), values.std()
        z = {p: (v - mean) / std if std > 1e-9 else 0.0 for p, v in scores.items()}
        standardised.append((z, min(z.values()), weight))
    for z, _, _ in standardised:
        for p in z:
            fused[p] = 0.0
    for z, floor, weight in standardised:
        for p in fused:
            fused[p] += weight * z.get(p, floor)
    return fused


def erkenning_boost(doc: SearchDoc, boost: float) -> float:
    """Multiplier for stronger evidence: 1 + boost * (level / strongest level); off at boost 0."""
    if boost <= 0:
        return 1.0
    return 1.0 + boost * doc.erkenning_rank / (len(ERKENNINGSNIVEAUS) - 1)


@dataclass
class Reason:
    shared_terms: list[str] = field(default_factory=list)
    matched_fields: list[str] = field(default_factory=list)
    dense_similarity: float | None = None
    lexical_score: float | None = None
    matching_themas: list[str] = field(default_factory=list)
    matching_doelgroep: list[str] = field(default_factory=list)
    erkenning: str = "onbekend"
    sentence: str = ""


FIELD_LABELS = {
    "naam": "naam", "aliassen": "naam", "doel": "doel", "omschrijving": "omschrijving",
    "doelgroep": "doelgroep", "themas": "thema's", "werkzame_elementen": "werkzame elementen",
    "uitdaging": "uitdaging van de agenda",
}


def explain(
    query: str, doc: SearchDoc, signals: QuerySignals, dense_sim: float | None,
    lexical_score: float | None, field_stems: dict[str, frozenset[str]],
) -> Reason:
    """Why ``doc`` matched ``query``: shared stemmed terms, the fields they are in, similarity,
    overlapping themes and target groups — as data and as one Dutch sentence."""
    query_words = words(query)
    by_stem: dict[str, str] = {}
    for w in query_words:
        by_stem.setdefault(stem(w), w)
    shared: list[str] = []
    fields: list[str] = []
    for name, doc_stems in field_stems.items():
        hits = [w for s, w in by_stem.items() if s in doc_stems]
        if hits:
            label = FIELD_LABELS.get(name, name)
            if label not in fields:
                fields.append(label)
            shared += [h for h in hits if h not in shared]
    themas = [t for t in signals.themas if t in doc.themas]
    doelgroep: list[str] = []
    span = doc.age_span()
    if signals.ages and span and span[0] <= signals.ages[1] and signals.ages[0] <= span[1]:
        lo, hi = max(span[0], signals.ages[0]), min(span[1], signals.ages[1])
        doelgroep.append(f"{lo} jaar" if lo == hi else f"{lo}-{hi} jaar")
    if signals.ouders and "ouders" in doc.doelgroep:
        doelgroep.append("ouders")
    if signals.professionals and "leerkrachten/professionals" in doc.doelgroep:
        doelgroep.append("leerkrachten/professionals")
    reason = Reason(
        shared_terms=shared[:8], matched_fields=fields,
        dense_similarity=None if dense_sim is None else round(float(dense_sim), 4),
        lexical_score=None if lexical_score is None else round(float(lexical_score), 3),
        matching_themas=themas, matching_doelgroep=doelgroep, erkenning=doc.erkenningsniveau,
    )
    reason.sentence = dutch_sentence(reason)
    return reason


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


def dutch_sentence(r: Reason) -> str:
    parts: list[str] = []
    if r.shared_terms:
        quoted = [f"'{t}'" for t in r.shared_terms[:5]]
        parts.append(f"deelt de woorden {_join(quoted)} met uw vraag (in {_join(r.matched_fields)})")
    if r.dense_similarity is not None and r.dense_similarity >= 0.80:
        parts.append(f"lijkt inhoudelijk sterk op uw beschrijving (gelijkenis {r.dense_similarity:.2f})")
    elif r.dense_similarity is not None:
        parts.append(f"lijkt inhoudelijk op uw beschrijving (gelijkenis {r.dense_similarity:.2f})")
    if r.matching_themas:
        parts.append(f"past bij het thema {_join(r.matching_themas)}")
    if r.matching_doelgroep:
        parts.append(f"is gericht op dezelfde doelgroep ({_join(r.matching_doelgroep)})")
    if r.erkenning not in ("onbekend", "niet erkend"):
        parts.append(f"is erkend als '{r.erkenning}'")
    if not parts:
        return "Past bij uw vraag."
    return "Deze interventie " + _join(parts) + "."
