"""Dutch web pages for the agenda analyses: "Vergelijkbare gemeenten" and "Vergelijk agenda's".

Server-rendered with the same Jinja2 environment, base template and security headers as
``service/web.py`` (no JavaScript; plain GET forms, so every page has a shareable URL). The
numbers come from ``gka_match.index.analysis``, the same code as the CLI and the JSON API.

    GET /vergelijkbaar?gemeente=Venray        similar agendas, with reasons and gaps
    GET /vergelijk?a=Schiedam&b=Venray        two agendas side by side
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from gka_match.index import analysis
from gka_match.index.engine import Engine

from .deps import get_engine
from .web_templates import render as render_page

router = APIRouter(include_in_schema=False)

K_VERGELIJKBAAR = 5
K_GATEN = 8
RELATIE_LABELS = {
    "zelfde programma": "Zelfde programma",
    "zelfde programma (lokale naam)": "Zelfde programma, andere naam",
    "zelfde naam": "Zelfde aanpak",
    "vergelijkbaar": "Vergelijkbare aanpak",
}


def _render(request: Request, name: str, context: dict[str, Any], status_code: int = 200) -> Response:
    return render_page(request, name, {"relatie_labels": RELATIE_LABELS, **context}, status_code)


def _param(request: Request, name: str) -> str:
    values = [" ".join(v.split()) for v in request.query_params.getlist(name)]
    return next((v for v in reversed(values) if v), "")


def _lookup(engine: Engine, value: str, label: str, errors: list[str]) -> analysis.AgendaProfile | None:
    if not value:
        return None
    try:
        return analysis.resolve_agenda(engine, value)
    except analysis.UnknownAgenda as exc:
        hint = f" Bedoelt u {' of '.join(f'‘{s}’' for s in exc.suggestions[:3])}?" if exc.suggestions else ""
        errors.append(f"Van de gemeente ‘{value[:60]}’ ({label}) hebben we geen GKA-agenda.{hint} "
                      "Kies een gemeente uit de lijst.")
        return None


@router.get("/vergelijkbaar", response_class=HTMLResponse)
def vergelijkbaar_page(request: Request, engine: Engine = Depends(get_engine)) -> Response:
    """Vergelijkbare gemeenten: the agendas most like the chosen one, and what they do that it does not."""
    gemeente = _param(request, "gemeente")
    errors: list[str] = []
    target = _lookup(engine, gemeente, "gemeente", errors)
    context: dict[str, Any] = {"gemeenten": engine.gemeenten(), "gekozen": target.gemeente if target else gemeente,
                               "target": target, "errors": errors, "results": None, "gaten": None}
    if errors:
        return _render(request, "vergelijkbaar.html", context, status_code=404)
    if target is not None:
        context["results"] = analysis.similar_agendas(engine, target.id, k=K_VERGELIJKBAAR)
        context["gaten"] = analysis.gaps(engine, target.id, k_peers=K_VERGELIJKBAAR, k=K_GATEN)
    return _render(request, "vergelijkbaar.html", context)


@router.get("/vergelijk", response_class=HTMLResponse)
def vergelijk_page(request: Request, engine: Engine = Depends(get_engine)) -> Response:
    """Vergelijk agenda's: shared and own interventions and themes of two agendas."""
    a_value, b_value = _param(request, "a"), _param(request, "b")
    errors: list[str] = []
    pa = _lookup(engine, a_value, "eerste gemeente", errors)
    pb = _lookup(engine, b_value, "tweede gemeente", errors)
    context: dict[str, Any] = {
        "gemeenten": engine.gemeenten(), "a": pa.gemeente if pa else a_value, "b": pb.gemeente if pb else b_value,
        "errors": errors, "cmp": None,
    }
    if errors:
        return _render(request, "vergelijk.html", context, status_code=404)
    if pa and pb and pa.id == pb.id:
        context["errors"] = ["Kies twee verschillende gemeenten om te vergelijken."]
        return _render(request, "vergelijk.html", context, status_code=422)
    if bool(pa) != bool(pb):
        context["errors"] = ["Kies ook de " + ("tweede" if pa else "eerste") + " gemeente."]
        return _render(request, "vergelijk.html", context, status_code=422)
    if pa and pb:
        context["cmp"] = analysis.compare_agendas(engine, pa.id, pb.id)
    return _render(request, "vergelijk.html", context)
