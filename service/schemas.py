"""Response models shared by the HTTP API and the CLI's ``--json`` output."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

from gka_match.index.engine import SearchResult


class RunnerOut(BaseModel):
    gemeente: str
    agenda_id: str
    intervention_id: str
    naam: str


class ReasonOut(BaseModel):
    sentence: str = Field(description="one Dutch sentence")
    shared_terms: list[str]
    matched_fields: list[str]
    dense_similarity: Optional[float]
    lexical_score: Optional[float]
    matching_themas: list[str]
    matching_doelgroep: list[str]


class SearchHit(BaseModel):
    id: str = Field(description="catalogue intervention id or agenda intervention id")
    name: str
    kind: Literal["catalogue", "agenda"]
    gemeente: Optional[str] = Field(description="null for catalogue items")
    provincie: Optional[str]
    agenda_id: Optional[str]
    score: float
    rank: int
    summary: str
    themas: list[str]
    doelgroep: list[str]
    setting: list[str]
    leeftijd_van: Optional[int]
    leeftijd_tot: Optional[int]
    erkenningsniveau: str
    catalogus_id: Optional[str]
    website: Optional[str]
    contactpersoon: Optional[str]
    illustratief: bool
    dense_rank: Optional[int]
    lexical_rank: Optional[int]
    reason: ReasonOut
    gemeenten: list[RunnerOut] = Field(
        default_factory=list, description="for catalogue programmes: the agendas that apply it"
    )
    grouped: list[str] = Field(default_factory=list, description="agenda item ids folded into this result")

    @classmethod
    def from_result(cls, result: SearchResult, rank: int) -> "SearchHit":
        d, r = result.doc, result.reason
        return cls(
            id=d.doc_id, name=d.name, kind=d.kind, gemeente=d.gemeente, provincie=d.provincie,
            agenda_id=d.record_id if d.kind == "agenda" else None,
            score=round(result.score, 6), rank=rank, summary=d.summary, themas=d.themas,
            doelgroep=d.doelgroep, setting=d.setting, leeftijd_van=d.leeftijd_van,
            leeftijd_tot=d.leeftijd_tot, erkenningsniveau=d.erkenningsniveau,
            catalogus_id=d.catalogus_id, website=d.website, contactpersoon=d.contactpersoon,
            illustratief=d.illustratief, dense_rank=result.dense_rank, lexical_rank=result.lexical_rank,
            reason=ReasonOut(
                sentence=r.sentence, shared_terms=r.shared_terms, matched_fields=r.matched_fields,
                dense_similarity=r.dense_similarity, lexical_score=r.lexical_score,
                matching_themas=r.matching_themas, matching_doelgroep=r.matching_doelgroep,
            ),
            gemeenten=[RunnerOut(**vars(x)) for x in result.runners],
            grouped=[g.doc_id for g in result.grouped],
        )


class SearchResponse(BaseModel):
    results: list[SearchHit]
