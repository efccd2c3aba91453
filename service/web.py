"""The Dutch web page: a search form with filters and result cards, and a page per intervention
and per agenda.

Server-rendered with Jinja2 (autoescape on) and no JavaScript; the search form is a plain GET
form to ``/`` so every result list has a shareable URL. Searching goes through
``api.run_search`` (the same code path as ``GET /search``); this module only reads and checks
the form, and turns every mistake a visitor can make into a Dutch message with a 4xx status.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any, Optional
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from gka_match.config import Settings
from gka_match.data.errors import explain
from gka_match.data.models import Agenda, CatalogueIntervention
from gka_match.data.store import Store
from gka_match.data.vocab import ERKENNINGSNIVEAUS, PROVINCIES, SETTINGS, THEMAS, erkenning_rank
from gka_match.index.engine import Engine
from gka_match.index.filters import NON_AGE_DOELGROEPEN, parse_doelgroep
from gka_match.index.reasons import age_label
from gka_match.index.search import SearchRequest, Searcher

from .api import run_search
from .deps import get_engine, get_searcher, get_settings, get_store
from .documents_api import report_params
from .schemas import SearchHit
from .web_templates import not_found, render, root_path, static_files

router = APIRouter(include_in_schema=False)

# ---- vocabulary as the form offers it ----------------------------------------------------------
SOORTEN: dict[str, str] = {"programma": "catalogue", "gemeente": "agenda"}
SOORT_LABELS: dict[str, str] = {"programma": "Programma's (catalogus)", "gemeente": "Aanpakken van gemeenten"}
DOELGROEP_OPTIES: tuple[tuple[str, str], ...] = (
    ("0-4 jaar", "0-4 jaar (baby's en peuters)"),
    ("groep 1-2", "Groep 1-2 (kleuters)"),
    ("groep 3-5", "Groep 3-5"),
    ("groep 6-8", "Groep 6-8"),
    ("4-12 jaar", "4-12 jaar (basisschool)"),
    ("12-18 jaar", "12-18 jaar (voortgezet onderwijs)"),
    ("18-23 jaar", "18-23 jaar (mbo, hbo, jongvolwassenen)"),
    ("ouders", "Ouders"),
    ("leerkrachten/professionals", "Leerkrachten en professionals"),
)
MIN_ERKENNING_OPTIES: tuple[str, ...] = tuple(
    n for n in ERKENNINGSNIVEAUS if erkenning_rank(n) >= erkenning_rank("goed onderbouwd")
)
K_OPTIES: tuple[int, ...] = (10, 20, 50)
K_MAX = 100  # SearchRequest's bound
VOORBEELDEN: tuple[str, ...] = (
    "Veel peuters in onze wijk hebben een taalachterstand en thuis wordt weinig Nederlands gesproken.",
    "Jongeren die thuiszitten of dreigen uit te vallen op het vmbo.",
    "Kinderen in armoede doen niet mee aan sport en cultuur na schooltijd.",
    "Leerlingen krijgen in groep 8 een te laag schooladvies; de overgang naar de brugklas loopt stroef.",
    "Ouders met weinig opleiding zijn nauwelijks betrokken bij het leren van hun kind.",
    "Kinderen op de basisschool bewegen weinig en eten een ongezonde lunch.",
)
# ---- the search form -----------------------------------------------------------------------------
@dataclass
class Form:
    """The search form as the visitor filled it in (also when something in it is wrong)."""

    q: str = ""
    thema: list[str] = field(default_factory=list)
    doelgroep: list[str] = field(default_factory=list)
    setting: list[str] = field(default_factory=list)
    min_erkenning: str = ""
    soort: str = ""
    provincie: list[str] = field(default_factory=list)
    gemeente: list[str] = field(default_factory=list)
    k: int = K_OPTIES[0]

    def has_filters(self) -> bool:
        return bool(self.thema or self.doelgroep or self.setting or self.min_erkenning or self.soort
                    or self.provincie or self.gemeente)

    def pairs(self) -> list[tuple[str, str]]:
        """The form as query parameters (for links that keep or drop one filter)."""
        out: list[tuple[str, str]] = [("q", self.q)] if self.q else []
        for name in ("thema", "doelgroep", "setting"):
            out += [(name, v) for v in getattr(self, name)]
        if self.min_erkenning:
            out.append(("min_erkenning", self.min_erkenning))
        if self.soort:
            out.append(("soort", self.soort))
        out += [("provincie", v) for v in self.provincie] + [("gemeente", v) for v in self.gemeente]
        if self.k != K_OPTIES[0]:
            out.append(("k", str(self.k)))
        return out


def _values(request: Request, name: str) -> list[str]:
    seen: dict[str, None] = {}
    for v in request.query_params.getlist(name):
        v = " ".join(v.split())
        if v:
            seen.setdefault(v, None)
    return list(seen)


def _one(request: Request, name: str) -> tuple[str, list[str]]:
    values = _values(request, name)
    return (values[-1] if values else ""), values


def _choice(request: Request, name: str, allowed: Collection[str], errors: list[str], one_only: str,
            unknown: str) -> str:
    """A field with at most one value from ``allowed``; a problem is added to ``errors``, "" kept."""
    value, values = _one(request, name)
    if len(values) > 1:
        errors.append(one_only)
    elif value and value not in allowed:
        errors.append(unknown.format(_quote(value)))
    else:
        return value
    return ""


def _quote(value: str, limit: int = 60) -> str:
    return f"‘{value if len(value) <= limit else value[:limit] + '…'}’"


def read_form(request: Request, settings: Settings, engine: Engine) -> tuple[Form, list[str]]:
    """Read the query string into a Form; return it with a list of Dutch error messages."""
    errors: list[str] = []
    form = Form(q=(request.query_params.get("q") or "").strip())
    if len(form.q) > settings.max_query_chars:
        errors.append(
            f"Uw beschrijving is {len(form.q):,} tekens lang; het maximum is {settings.max_query_chars:,} "
            "tekens. Maak de beschrijving korter en zoek opnieuw.".replace(",", ".")
        )

    # Values we do not know are reported and left out of the form that is shown again, so that
    # submitting it once more does not repeat the mistake.
    for v in _values(request, "thema"):
        if v in THEMAS:
            form.thema.append(v)
        else:
            errors.append(f"Het thema {_quote(v)} kennen we niet. Kies een thema uit de lijst.")

    for v in _values(request, "doelgroep"):
        try:
            label, _ = parse_doelgroep(v)
        except ValueError:
            errors.append(
                f"De doelgroep {_quote(v)} kennen we niet. Kies een leeftijd (bijvoorbeeld ‘0-4 jaar’ of "
                "‘3 jaar’), een of meer groepen van de basisschool (‘groep 1-2’ tot en met ‘groep 8’), "
                "‘ouders’ of ‘leerkrachten/professionals’."
            )
            continue
        if label not in form.doelgroep:
            form.doelgroep.append(label)

    for v in _values(request, "setting"):
        if v in SETTINGS:
            form.setting.append(v)
        else:
            errors.append(f"De setting {_quote(v)} kennen we niet. Kies een setting uit de lijst.")

    form.min_erkenning = _choice(request, "min_erkenning", ERKENNINGSNIVEAUS, errors,
                                 "Kies één minimaal erkenningsniveau.",
                                 "Het erkenningsniveau {} kennen we niet. Kies een niveau uit de lijst.")
    form.soort = _choice(request, "soort", SOORTEN, errors, "Kies bij ‘Soort’ één mogelijkheid.",
                         "De soort {} kennen we niet. Kies ‘programma’ of ‘gemeente’.")

    for v in _values(request, "provincie"):
        if v in PROVINCIES:
            form.provincie.append(v)
        else:
            errors.append(f"De provincie {_quote(v)} kennen we niet. Kies een van de twaalf provincies.")

    known = {g.lower(): g for g in engine.gemeenten()}
    for v in _values(request, "gemeente"):
        if v.lower() in known:
            form.gemeente.append(known[v.lower()])
        else:
            errors.append(f"Van de gemeente {_quote(v)} hebben we geen GKA-agenda. "
                          "Kies een gemeente uit de lijst.")

    value, values = _one(request, "k")
    if value:
        if len(values) > 1 or not value.isdigit() or not 1 <= int(value) <= K_MAX:
            errors.append(f"Het aantal resultaten moet een heel getal van 1 tot en met {K_MAX} zijn.")
        else:
            form.k = int(value)
    return form, errors


def _filter_chips(form: Form) -> list[dict[str, str]]:
    """One chip per active filter, each with the URL of the same search without it."""
    pairs = form.pairs()
    chips = []
    labels = {"thema": "Thema", "doelgroep": "Doelgroep", "setting": "Setting",
              "min_erkenning": "Minimaal", "soort": "Soort", "provincie": "Provincie", "gemeente": "Gemeente"}
    for i, (name, value) in enumerate(pairs):
        if name not in labels:
            continue
        shown = SOORT_LABELS.get(value, value) if name == "soort" else value
        rest = pairs[:i] + pairs[i + 1:]
        chips.append({"label": labels[name], "value": shown, "url": "/?" + urlencode(rest) if rest else "/"})
    return chips


@dataclass
class Card:
    hit: SearchHit
    detail_url: str
    age_span: Optional[tuple[int, int]]  # the ages reached, for data-leeftijd
    groepen: str  # the doelgroepen that are not ages (ouders, professionals)
    leeftijd: str  # the ages as the record states them ("0-4 jaar", or its own range)
    runners: list[dict[str, Any]]
    programme: Optional[dict[str, str]] = None


STRENGTH_LABELS = {"sterk": "Sterke match", "redelijk": "Redelijke match", "zwak": "Zwakke match"}


def _cards(hits: list[SearchHit], engine: Engine) -> list[Card]:
    cards = []
    for hit in hits:
        doc = engine.doc(hit.id)
        runners = [{"gemeente": r.gemeente, "url": f"/agenda/{r.agenda_id}#{r.intervention_id}", "naam": r.naam,
                    "illustratief": r.illustratief} for r in hit.gemeenten]
        programme = None
        if hit.kind == "agenda" and hit.catalogus_id:
            prog = engine.doc(hit.catalogus_id)
            if prog is not None:
                programme = {"naam": prog.name, "url": f"/interventie/{prog.doc_id}"}
        detail = f"/interventie/{hit.id}" if hit.kind == "catalogue" else f"/agenda/{hit.agenda_id}#{hit.id}"
        groepen = ", ".join(d for d in hit.doelgroep if d in NON_AGE_DOELGROEPEN)
        cards.append(Card(hit=hit, detail_url=detail, age_span=doc.age_span() if doc else None, groepen=groepen,
                          leeftijd=age_label(doc) if doc else "", runners=runners, programme=programme))
    return cards


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
def search_page(request: Request, engine: Engine = Depends(get_engine), searcher: Searcher = Depends(get_searcher),
                settings: Settings = Depends(get_settings)) -> Response:
    form, errors = read_form(request, settings, engine)
    context: dict[str, Any] = {
        "form": form, "errors": errors, "cards": None, "answer": None, "chips": _filter_chips(form),
        "max_chars": settings.max_query_chars, "themas": THEMAS, "doelgroepen": DOELGROEP_OPTIES,
        "settings_list": SETTINGS, "erkenningen": MIN_ERKENNING_OPTIES, "soorten": SOORT_LABELS,
        "provincies": PROVINCIES, "gemeenten": engine.gemeenten(), "k_opties": K_OPTIES,
        "voorbeelden": VOORBEELDEN, "strength_labels": STRENGTH_LABELS,
    }
    if errors:
        return render(request, "search.html", context, status_code=422)
    if not form.q:
        return render(request, "search.html", context)
    try:
        req = SearchRequest(
            q=form.q, k=form.k, mode="hybrid", thema=form.thema, doelgroep=form.doelgroep,
            setting=form.setting, min_erkenning=form.min_erkenning or None,
            kind=SOORTEN.get(form.soort), gemeente=form.gemeente, provincie=form.provincie,
        )
        response = run_search(req, searcher)
    except ValidationError as exc:
        bad = "; ".join(explain(e) for e in exc.errors())
        context["errors"] = [f"De zoekvraag kon niet worden gelezen ({bad}). Pas de vraag of de filters aan."]
        return render(request, "search.html", context, status_code=422)
    except HTTPException as exc:
        context["errors"] = [f"De zoekopdracht kon niet worden uitgevoerd ({exc.detail}). Pas de vraag of de "
                             "filters aan en probeer het opnieuw."]
        return render(request, "search.html", context, status_code=exc.status_code)
    context["cards"] = _cards(response.results, engine)
    context["answer"] = response
    context["report_params"] = report_params(req.q, req.filters()) if response.results else []
    return render(request, "search.html", context)


# ---- detail pages --------------------------------------------------------------------------------
@router.get("/interventie/{intervention_id:path}", response_class=HTMLResponse)
def intervention_page(intervention_id: str, request: Request, store: Store = Depends(get_store),
                      engine: Engine = Depends(get_engine)) -> Response:
    rec: CatalogueIntervention | None = store.get_intervention(intervention_id)
    if rec is None:
        doc = engine.doc(intervention_id)
        if doc is not None and doc.kind == "agenda":
            # An agenda intervention lives within its agenda: show it there.
            return RedirectResponse(f"{root_path(request)}/agenda/{doc.record_id}#{doc.doc_id}", status_code=303)
        return not_found(request, f"We kennen geen interventie met de code {_quote(intervention_id)}. "
                                   "Misschien is ze verwijderd of is de link niet compleet.")
    runners = engine.runners(rec.id)
    return render(request, "intervention.html", {"rec": rec, "runners": runners})


@router.get("/agenda/{agenda_id:path}", response_class=HTMLResponse)
def agenda_page(agenda_id: str, request: Request, store: Store = Depends(get_store)) -> Response:
    agenda: Agenda | None = store.find_agenda(agenda_id)
    if agenda is None:
        return not_found(request, f"We kennen geen GKA-agenda met de code {_quote(agenda_id)}. "
                                   "Misschien is ze verwijderd of is de link niet compleet.")
    programmes: dict[str, CatalogueIntervention] = {}
    for item in agenda.interventies:
        if item.catalogus_id and item.catalogus_id not in programmes:
            prog = store.get_intervention(item.catalogus_id)
            if prog is not None:
                programmes[item.catalogus_id] = prog
    return render(request, "agenda.html", {"agenda": agenda, "programmes": programmes})


# ---- static files --------------------------------------------------------------------------------
@router.get("/static/{path:path}", name="static")
async def static_file(path: str, request: Request) -> Response:
    """The stylesheet and icon; StaticFiles does the path checks, ETags and 304s."""
    return await static_files.get_response(path, request.scope)
