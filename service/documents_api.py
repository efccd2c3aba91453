"""Word documents over HTTP: the advice note of a search, an agenda in the GKA template, and
the blank template. Every refusal is a 4xx that says what to fix, and then no file is sent."""

from __future__ import annotations

import io
from typing import Annotated
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Depends, HTTPException, Query
from fastapi.responses import Response
from pydantic import Field, field_validator

from gka_match.data.docx_agenda import write_agenda_docx, write_blank_template
from gka_match.data.store import Store
from gka_match.index.filters import Filters
from gka_match.index.search import SearchError, SearchRequest, Searcher

from .advice_note import MEDIA_TYPE, file_name, write_advice_note
from .deps import get_searcher, get_store

router = APIRouter(tags=["documents"])
DOCX = {200: {"content": {MEDIA_TYPE: {}}, "description": "a Word document"}}


class ReportRequest(SearchRequest):
    """The search's fields, plus the ids of the options to include (default: the top 5)."""

    k: int = Field(5, ge=1, le=20, description="how many options when no ids are given")
    ids: list[str] = Field(default_factory=list, description="document ids of the chosen options ('a,b' or repeated)")

    @field_validator("ids", mode="before")
    @classmethod
    def _split(cls, value):
        values = value if isinstance(value, list) else [value] if value else []
        return [part.strip() for v in values for part in str(v).split(",") if part.strip()]


def report_params(q: str, filters: Filters, ids: list[str] = ()) -> list[tuple[str, str]]:
    """The note's query parameters for a search (the web form carries them as hidden fields)."""
    params: list[tuple[str, str]] = [("q", q)]
    for name in ("thema", "doelgroep", "setting", "gemeente", "provincie"):
        params += [(name, v) for v in getattr(filters, name)]
    for name in ("min_erkenning", "kind"):
        if getattr(filters, name):
            params.append((name, getattr(filters, name)))
    return params + [("ids", i) for i in ids]


def report_url(q: str, filters: Filters, ids: list[str] = ()) -> str:
    """The note's address for a search (the web page and the chat link to it)."""
    return "/report.docx?" + urlencode(report_params(q, filters, ids))


def _docx(content: bytes, name: str) -> Response:
    return Response(content, media_type=MEDIA_TYPE,
                    headers={"Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}"})


@router.get("/report.docx", response_class=Response, responses=DOCX)
def advice_note(req: Annotated[ReportRequest, Query()], searcher: Searcher = Depends(get_searcher)) -> Response:
    """An advice note (Word) for the top distinct options of this search, or for the given ids."""
    try:
        results = searcher.chosen(req, req.ids) if req.ids else searcher.search(req).results
    except SearchError as exc:
        raise HTTPException(422, str(exc)) from exc
    if not results:
        raise HTTPException(422, "q: er is geen optie die goed bij deze vraag past, dus ook geen notitie; "
                                 "beschrijf de uitdaging anders of kies opties met ids")
    buffer = io.BytesIO()
    write_advice_note(req.q, req.filters(), results, searcher.engine.data_version, buffer)
    return _docx(buffer.getvalue(), file_name(req.q))


@router.get("/agendas/{agenda_id}/document.docx", response_class=Response, responses=DOCX)
def agenda_document(agenda_id: str, store: Store = Depends(get_store)) -> Response:
    """One GKA-agenda (by id or gemeente) in the template's layout; importing it back changes nothing."""
    agenda = store.find_agenda(agenda_id)
    if agenda is None:
        raise HTTPException(404, f"geen agenda met id of gemeente '{agenda_id}'; GET /agendas geeft ze allemaal")
    buffer = io.BytesIO()
    write_agenda_docx(agenda, buffer)
    return _docx(buffer.getvalue(), f"gka-agenda-{agenda.id.removeprefix('agenda-')}.docx")


@router.get("/sjabloon.docx", response_class=Response, responses=DOCX)
def blank_template() -> Response:
    """The blank GKA-agenda template, to fill in and import."""
    buffer = io.BytesIO()
    write_blank_template(buffer)
    return _docx(buffer.getvalue(), "gka-agenda-sjabloon.docx")
