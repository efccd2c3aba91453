"""JSON API: health, search, and reads/writes of interventions and agendas.

Writes go to the store and the engine syncs from the store's change log at once, so search
results change without a restart (and other replicas follow within a second).
"""

from __future__ import annotations

from typing import Annotated, Literal, Optional

from fastapi import APIRouter, Depends, HTTPException, Query, Response
from pydantic import BaseModel, Field

from gka_match.config import Settings
from gka_match.data.models import Agenda, CatalogueIntervention, Provincie, Thema
from gka_match.data.store import AlreadyExists, NotFound, Store
from gka_match.index.engine import Engine
from gka_match.index.search import SearchError, SearchRequest, Searcher

from .deps import get_engine, get_searcher, get_settings, get_store, require_api_key
from .schemas import RunnerOut, SearchResponse

router = APIRouter()


class Health(BaseModel):
    status: Literal["ok"]
    documents: int
    interventions: int
    agendas: int
    data_version: int
    model: str
    runtime: Literal["onnx", "torch", "hash"] = Field(
        description="what embeds queries: ONNX Runtime, sentence-transformers (torch), or the test tier's hashed n-grams")
    precision: Literal["fp32", "int8"]
    model_loaded: bool = Field(
        True, description="always true: the service answers only once its model is loaded (kept for older clients)"
    )
    writes_enabled: bool


class InterventionDetail(CatalogueIntervention):
    gemeenten: list[RunnerOut] = Field(default_factory=list, description="agendas that apply this programme")


class Page(BaseModel):
    total: int
    offset: int
    limit: int


class InterventionList(Page):
    items: list[CatalogueIntervention]


class AgendaList(Page):
    items: list[Agenda]


def run_search(req: SearchRequest, searcher: Searcher) -> SearchResponse:
    """The one search path of every HTTP view: the core's answer as JSON, its refusals as 422."""
    try:
        return SearchResponse.from_answer(searcher.search(req))
    except SearchError as exc:
        raise HTTPException(422, str(exc)) from exc


@router.get("/health", response_model=Health, tags=["service"])
def health(engine: Engine = Depends(get_engine), settings: Settings = Depends(get_settings)) -> Health:
    counts = engine.store.counts()
    return Health(
        status="ok", documents=len(engine.docs), interventions=counts["interventions"],
        agendas=counts["agendas"], data_version=engine.data_version, model=engine.embedder.name,
        runtime=engine.embedder.runtime, precision=engine.embedder.precision, writes_enabled=bool(settings.api_key),
    )


@router.get("/search", response_model=SearchResponse, tags=["search"])
def search_get(req: Annotated[SearchRequest, Query()], searcher: Searcher = Depends(get_searcher)) -> SearchResponse:
    """The same fields as ``POST /search``, as query parameters (lists repeat: ``thema=a&thema=b``);
    an unknown parameter is refused, so a typo never looks like a filter that was applied."""
    return run_search(req, searcher)


@router.post("/search", response_model=SearchResponse, tags=["search"])
def search_post(req: SearchRequest, searcher: Searcher = Depends(get_searcher)) -> SearchResponse:
    return run_search(req, searcher)


# ---- interventions ---------------------------------------------------------------------------
@router.get("/interventions", response_model=InterventionList, tags=["interventions"])
def list_interventions(
    offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000),
    thema: Optional[Thema] = None, store: Store = Depends(get_store),
) -> InterventionList:
    items = [i for i in store.list_interventions() if thema is None or thema in i.themas]
    return InterventionList(total=len(items), offset=offset, limit=limit, items=items[offset: offset + limit])


@router.get("/interventions/{intervention_id}", response_model=InterventionDetail, tags=["interventions"])
def get_intervention(intervention_id: str, store: Store = Depends(get_store),
                     engine: Engine = Depends(get_engine)) -> InterventionDetail:
    rec = store.get_intervention(intervention_id)
    if rec is None:
        raise NotFound(f"geen interventie met id '{intervention_id}'; GET /interventions geeft ze allemaal")
    return InterventionDetail(
        **rec.model_dump(), gemeenten=[RunnerOut.of(r) for r in engine.runners(intervention_id)]
    )


def _check_path_id(path_id: str, body_id: str) -> None:
    if path_id != body_id:
        raise HTTPException(422, f"id: de id in de body ('{body_id}') verschilt van die in de URL ('{path_id}').")


def _create(rec: CatalogueIntervention | Agenda, store: Store, engine: Engine, label: str, collection: str):
    """A create, never an overwrite: of concurrent creates of one id exactly one wins, the rest get 409."""
    try:
        store.create(rec)
    except AlreadyExists:
        raise HTTPException(409, f"{label} '{rec.id}' bestaat al; wijzig haar met PUT /{collection}/{rec.id}.")
    engine.sync()
    return rec


@router.post("/interventions", response_model=CatalogueIntervention, status_code=201, tags=["interventions"],
             dependencies=[Depends(require_api_key)])
def create_intervention(rec: CatalogueIntervention, store: Store = Depends(get_store),
                        engine: Engine = Depends(get_engine)) -> CatalogueIntervention:
    return _create(rec, store, engine, "interventie", "interventions")


@router.put("/interventions/{intervention_id}", response_model=CatalogueIntervention, tags=["interventions"],
            dependencies=[Depends(require_api_key)])
def put_intervention(intervention_id: str, rec: CatalogueIntervention, store: Store = Depends(get_store),
                     engine: Engine = Depends(get_engine)) -> CatalogueIntervention:
    _check_path_id(intervention_id, rec.id)
    store.write(interventions=[rec])
    engine.sync()
    return rec


@router.delete("/interventions/{intervention_id}", status_code=204, tags=["interventions"],
               dependencies=[Depends(require_api_key)])
def delete_intervention(intervention_id: str, store: Store = Depends(get_store),
                        engine: Engine = Depends(get_engine)) -> Response:
    store.delete("intervention", intervention_id)
    engine.sync()
    return Response(status_code=204)


# ---- agendas ---------------------------------------------------------------------------------
@router.get("/agendas", response_model=AgendaList, tags=["agendas"])
def list_agendas(
    offset: int = Query(0, ge=0), limit: int = Query(100, ge=1, le=1000),
    provincie: Optional[Provincie] = None, store: Store = Depends(get_store),
) -> AgendaList:
    items = [a for a in store.list_agendas() if provincie is None or a.provincie == provincie]
    return AgendaList(total=len(items), offset=offset, limit=limit, items=items[offset: offset + limit])


@router.get("/agendas/{agenda_id}", response_model=Agenda, tags=["agendas"])
def get_agenda(agenda_id: str, store: Store = Depends(get_store)) -> Agenda:
    rec = store.find_agenda(agenda_id)
    if rec is None:
        raise NotFound(f"geen agenda met id of gemeente '{agenda_id}'; GET /agendas geeft ze allemaal")
    return rec


@router.post("/agendas", response_model=Agenda, status_code=201, tags=["agendas"],
             dependencies=[Depends(require_api_key)])
def create_agenda(rec: Agenda, store: Store = Depends(get_store), engine: Engine = Depends(get_engine)) -> Agenda:
    return _create(rec, store, engine, "agenda", "agendas")


@router.put("/agendas/{agenda_id}", response_model=Agenda, tags=["agendas"], dependencies=[Depends(require_api_key)])
def put_agenda(agenda_id: str, rec: Agenda, store: Store = Depends(get_store),
               engine: Engine = Depends(get_engine)) -> Agenda:
    _check_path_id(agenda_id, rec.id)
    store.write(agendas=[rec])
    engine.sync()
    return rec


@router.delete("/agendas/{agenda_id}", status_code=204, tags=["agendas"], dependencies=[Depends(require_api_key)])
def delete_agenda(agenda_id: str, store: Store = Depends(get_store), engine: Engine = Depends(get_engine)) -> Response:
    store.delete("agenda", agenda_id)
    engine.sync()
    return Response(status_code=204)
