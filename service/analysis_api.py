"""HTTP API for agenda analyses: similar agendas, comparisons, gaps and clusters.

The app includes this router before the main API router, so the fixed paths
``/agendas/compare`` and ``/agendas/clusters`` are matched before ``/agendas/{agenda_id}``.
An agenda may be named by id (``agenda-venray``) or gemeente (``Venray``, any case); an unknown
one is a 404 whose message lists close names.
"""

from __future__ import annotations

from typing import Optional

from fastapi import APIRouter, Depends, HTTPException, Query
from pydantic import BaseModel, Field

from gka_match.index import analysis
from gka_match.index.engine import Engine

from .deps import get_engine

router = APIRouter(tags=["analyses"])


class AgendaRef(BaseModel):
    agenda_id: str
    gemeente: str
    provincie: str


class InterventionRefOut(BaseModel):
    id: str
    naam: str
    gemeente: str
    agenda_id: str
    catalogus_id: Optional[str]
    programma: Optional[str] = Field(description="name of the catalogue programme it applies")
    erkenningsniveau: str
    themas: list[str]
    catalogus_via_naam: bool = Field(False, description="catalogus_id inferred from the name (not set in the agenda)")
    illustratief: bool = Field(False, description="invented demonstration data, not from a source")


class SharedInterventionOut(BaseModel):
    a: InterventionRefOut
    b: InterventionRefOut
    relatie: str = Field(description="'zelfde programma', 'zelfde programma (lokale naam)', 'zelfde naam' "
                                     "or 'vergelijkbaar'")
    similarity: float = Field(description="cosine of the two interventions' vectors")
    catalogus_id: Optional[str]
    programma: Optional[str]


class SentencePairOut(BaseModel):
    a: str
    b: str
    similarity: float


class Components(BaseModel):
    uitdaging: float = Field(description="cosine of the (centred) challenge embeddings")
    interventies: float = Field(description="cosine of the (centred) mean intervention vectors")
    themas: float = Field(description="cosine of the theme profiles")
    doelgroepen: float = Field(description="cosine of the doelgroep profiles")


class SimilarAgendaOut(BaseModel):
    agenda_id: str
    gemeente: str
    provincie: str
    score: float = Field(description="weighted sum of the components, in [-1, 1]")
    rank: int
    components: Components
    shared_themas: list[str]
    shared_interventions: list[SharedInterventionOut]
    similar_sentences: list[SentencePairOut]
    reason: str = Field(description="one Dutch sentence")
    illustratief: bool = Field(description="the agenda's own text is invented demonstration data")
    illustratieve_interventies: int = Field(description="how many of its interventions are invented")


class SimilarResponse(BaseModel):
    agenda: AgendaRef
    weights: dict[str, float]
    results: list[SimilarAgendaOut]


class OverlapOut(BaseModel):
    shared: list[str]
    only_a: list[str]
    only_b: list[str]
    jaccard: float


class ComparisonOut(BaseModel):
    a: AgendaRef
    b: AgendaRef
    score: float
    components: Components
    shared: list[SharedInterventionOut]
    only_in_a: list[InterventionRefOut]
    only_in_b: list[InterventionRefOut]
    themas: OverlapOut
    doelgroepen: OverlapOut
    similar_sentences: list[SentencePairOut]


class GapPeerOut(BaseModel):
    gemeente: str
    agenda_id: str
    intervention_id: str
    naam: str
    similarity: float
    illustratief: bool = Field(description="this peer's intervention is invented demonstration data")


class GapOut(BaseModel):
    rank: int
    naam: str
    catalogus_id: Optional[str]
    programma: Optional[str]
    erkenningsniveau: str
    themas: list[str]
    score: float = Field(description="similarity-weighted share of the peers that use it, 0-1")
    n_peers: int
    peers: list[GapPeerOut]
    illustratief: bool = Field(description="every peer intervention behind this gap is invented")


class PeerOut(BaseModel):
    agenda_id: str
    gemeente: str
    score: float


class GapsResponse(BaseModel):
    agenda: AgendaRef
    peers: list[PeerOut]
    gaps: list[GapOut]


class ClusterOut(BaseModel):
    cluster: int
    label: str
    size: int
    gemeenten: list[str]
    agenda_ids: list[str]
    terms: list[str] = Field(description="top TF-IDF terms of the members' challenge texts")
    themas: list[str]


class ClusterMember(BaseModel):
    agenda_id: str
    gemeente: str
    provincie: str
    cluster: int
    x: float = Field(description="first PCA component of the agenda vector")
    y: float = Field(description="second PCA component")


class ClustersResponse(BaseModel):
    n_clusters: int
    silhouette: Optional[float]
    clusters: list[ClusterOut]
    agendas: list[ClusterMember]


def _resolve(engine: Engine, ref: str, param: str = "agenda") -> analysis.AgendaProfile:
    try:
        return analysis.resolve_agenda(engine, ref)
    except analysis.UnknownAgenda as exc:
        raise HTTPException(404, f"{param}: {exc} GET /agendas geeft alle agenda's.") from exc


def _ref(p: analysis.AgendaProfile) -> AgendaRef:
    return AgendaRef(agenda_id=p.id, gemeente=p.gemeente, provincie=p.provincie)


@router.get("/agendas/compare", response_model=ComparisonOut)
def compare(
    a: str = Query(..., description="agenda id or gemeente"),
    b: str = Query(..., description="agenda id or gemeente"),
    engine: Engine = Depends(get_engine),
) -> ComparisonOut:
    """Shared interventions (same programme, also under a local name, or equivalent by
    similarity), the interventions only one of the two has, and the theme overlap."""
    pa, pb = _resolve(engine, a, "a"), _resolve(engine, b, "b")
    if pa.id == pb.id:
        raise HTTPException(422, f"b: '{b}' is dezelfde agenda als a; kies twee verschillende agenda's om te vergelijken")
    return ComparisonOut.model_validate(analysis.compare_agendas(engine, pa.id, pb.id).to_dict())


@router.get("/agendas/clusters", response_model=ClustersResponse)
def clusters(
    n: Optional[int] = Query(None, ge=1, le=100, description="number of clusters (default: best silhouette)"),
    engine: Engine = Depends(get_engine),
) -> ClustersResponse:
    """Groups of similar agendas, each labelled by its top terms and themes, with a 2-D map."""
    try:
        report = analysis.clusters(engine, n_clusters=n)
    except ValueError as exc:
        raise HTTPException(422, f"n: {exc}") from exc
    xy = {p["agenda_id"]: p for p in analysis.projection_2d(engine)}
    return ClustersResponse(
        n_clusters=report.n_clusters, silhouette=report.silhouette,
        clusters=[ClusterOut.model_validate(c, from_attributes=True) for c in report.clusters],
        agendas=[ClusterMember(**a, x=xy[a["agenda_id"]]["x"], y=xy[a["agenda_id"]]["y"])
                 for a in report.assignments],
    )


@router.get("/agendas/{agenda_id}/similar", response_model=SimilarResponse)
def similar(
    agenda_id: str,
    k: int = Query(5, ge=1, le=100, description="how many agendas"),
    engine: Engine = Depends(get_engine),
) -> SimilarResponse:
    """The agendas most similar to this one, with score components and reasons."""
    target = _resolve(engine, agenda_id)
    results = analysis.similar_agendas(engine, target.id, k=k)
    return SimilarResponse(agenda=_ref(target), weights=dict(analysis.WEIGHTS),
                           results=[SimilarAgendaOut.model_validate(r.to_dict()) for r in results])


@router.get("/agendas/{agenda_id}/gaps", response_model=GapsResponse)
def gaps(
    agenda_id: str,
    k: int = Query(10, ge=1, le=100, description="how many gaps"),
    peers: int = Query(5, ge=1, le=100, description="how many similar agendas to compare with"),
    engine: Engine = Depends(get_engine),
) -> GapsResponse:
    """Interventions that the most similar agendas use and this one does not."""
    target = _resolve(engine, agenda_id)
    report = analysis.gaps(engine, target.id, k_peers=peers, k=k)
    return GapsResponse(agenda=_ref(target), peers=[PeerOut(**p) for p in report.peers],
                        gaps=[GapOut.model_validate(g.to_dict()) for g in report.gaps])
