"""Similar agendas, a comparison of two, and the gaps of one against its peers."""

from __future__ import annotations

from typing import Any, Iterable

from sklearn.neighbors import NearestNeighbors

from gka_match.data.vocab import DOELGROEPEN, THEMAS, erkenning_rank

from .records import (
    AgendaProfile,
    Comparison,
    Gap,
    GapPeer,
    GapReport,
    SentencePair,
    SharedIntervention,
    SimilarAgenda,
    ThemeOverlap,
)
from .space import AgendaSpace, agenda_space


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
    pairs = space.equivalence.match_items(a.items, b.items)
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
        covered = {j for _, j in space.equivalence.relations(target.items, profile.items)[0]}
        covered_programmes |= {profile.items[j].catalogus_id for j in covered if profile.items[j].catalogus_id}
        for j, item in enumerate(profile.items):
            if j in covered or (item.catalogus_id and item.catalogus_id in own_programmes):
                continue
            group = next((g for g in groups if item.catalogus_id and g["catalogus_id"] == item.catalogus_id), None)
            if group is None:
                group = next((g for g in groups if space.equivalence.relations([item], g["items"])[0]), None)
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
