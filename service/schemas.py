"""The JSON view of the search core's answer, shared by the HTTP API and the CLI's ``--json``."""

from __future__ import annotations

from typing import Literal, Optional

from pydantic import BaseModel, Field

from gka_match.index.engine import Runner
from gka_match.index.search import Result, SearchAnswer


class RunnerOut(BaseModel):
    """A municipality that applies the programme, with its local name and contact."""

    gemeente: str
    agenda_id: str
    intervention_id: str
    naam: str = Field(description="the intervention's name in that agenda")
    contactpersoon: Optional[str] = None
    website: Optional[str] = None
    illustratief: bool = Field(False, description="true when this agenda item is invented demonstration data")

    @classmethod
    def of(cls, runner: Runner) -> "RunnerOut":
        return cls(**vars(runner))


class ReasonOut(BaseModel):
    points: list[str] = Field(description="short Dutch points: matched concepts, doelgroep, erkenning, municipalities")
    sentence: str = Field(description="the points as one Dutch text")
    concepts: list[str] = Field(description="the user's own words that the option matches")
    matched_fields: list[str]
    doelgroep_fit: Literal["past", "past niet", "onbekend"]
    dense_similarity: Optional[float] = Field(description="cosine to the query (numbers stay out of the Dutch text)")
    lexical_score: Optional[float] = Field(description="BM25 score")


class SearchHit(BaseModel):
    id: str = Field(description="catalogue intervention id or agenda intervention id")
    name: str
    kind: Literal["catalogue", "agenda"]
    gemeente: Optional[str] = Field(description="null for catalogue items")
    provincie: Optional[str]
    agenda_id: Optional[str]
    score: float = Field(description="calibrated probability that this option fits the question")
    match: Literal["sterk", "redelijk", "zwak"] = Field(description="the match strength shown to users")
    rank: int
    summary: str
    themas: list[str]
    doelgroep: list[str]
    setting: list[str]
    leeftijd_van: Optional[int]
    leeftijd_tot: Optional[int]
    erkenningsniveau: str
    erkenning_databank: Optional[str]
    erkenning_datum: Optional[str]
    werkzame_elementen: list[str]
    land: Optional[str] = Field(description="Nederland or Vlaanderen (catalogue programmes)")
    catalogus_id: Optional[str]
    website: Optional[str]
    contactpersoon: Optional[str]
    bron: str
    illustratief: bool
    dense_rank: Optional[int]
    lexical_rank: Optional[int]
    reason: ReasonOut
    gemeenten: list[RunnerOut] = Field(default_factory=list, description="the municipalities that apply this option")
    grouped: list[str] = Field(default_factory=list, description="ids of the documents folded into this option")

    @classmethod
    def from_result(cls, result: Result) -> "SearchHit":
        d, r = result.lead, result.reason
        return cls(
            id=d.doc_id, name=d.name, kind=d.kind, gemeente=d.gemeente, provincie=d.provincie,
            agenda_id=d.record_id if d.kind == "agenda" else None,
            score=round(result.confidence, 4), match=result.strength, rank=result.rank, summary=d.summary,
            themas=d.themas, doelgroep=d.doelgroep, setting=d.setting, leeftijd_van=d.leeftijd_van,
            leeftijd_tot=d.leeftijd_tot, erkenningsniveau=d.erkenningsniveau,
            erkenning_databank=d.extra.get("erkenning_databank"), erkenning_datum=d.extra.get("erkenning_datum"),
            werkzame_elementen=d.extra.get("werkzame_elementen", []), land=d.extra.get("land"),
            catalogus_id=d.catalogus_id, website=d.website, contactpersoon=d.contactpersoon,
            bron=d.extra.get("bron", ""), illustratief=d.illustratief,
            dense_rank=result.dense_rank, lexical_rank=result.lexical_rank,
            reason=ReasonOut(
                points=r.points, sentence=r.sentence, concepts=r.concepts, matched_fields=r.fields,
                doelgroep_fit=r.doelgroep_fit, dense_similarity=result.dense_similarity,
                lexical_score=result.lexical_score,
            ),
            gemeenten=[RunnerOut.of(x) for x in result.runners],
            grouped=[m.doc_id for m in result.members if m.doc_id != d.doc_id],
        )


class Understood(BaseModel):
    ages: Optional[tuple[int, int]] = Field(description="the ages the question names, in years")
    age_terms: list[str] = Field(description="the words they were read from")
    themas: list[str]


class SearchResponse(BaseModel):
    results: list[SearchHit]
    no_good_match: bool = Field(description="true when nothing fits well; `advice` says how to rephrase")
    advice: str
    hidden: int = Field(description="options below the match floor, not shown")
    floor: float
    understood: Understood

    @classmethod
    def from_answer(cls, answer: SearchAnswer) -> "SearchResponse":
        s = answer.signals
        return cls(
            results=[SearchHit.from_result(r) for r in answer.results], no_good_match=answer.no_good_match,
            advice=answer.advice, hidden=answer.hidden, floor=round(answer.floor, 4),
            understood=Understood(ages=s.ages, age_terms=s.age_terms, themas=s.themas),
        )
