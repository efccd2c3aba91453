"""Deterministic Dutch chat over the engine: no language model, only rules and the search engine.

A conversation is a :class:`ChatSession`: the current challenge text, the filters in force and
the last results. Every user turn is read by :func:`parse_turn` into one intent:

- ``challenge``: a (new) description of the local challenge; starts a fresh search. Only the
  filters the turn states explicitly ("alleen in Limburg", "bewezen effectief") are kept.
- ``refine``: a short turn with only filter words ("alleen voor peuters", "en in Limburg?");
  updates the filters and searches the same challenge again.
- ``filters``: filter words before any challenge: remembered for the first challenge.
- ``reset``: "zonder filters", "opnieuw" (and "nieuw gesprek" to forget the challenge too).
- ``detail``: "vertel meer over de tweede", "nummer 3", or a result's name.
- ``runners``: "welke gemeenten doen dit al?" for the current results.
- ``help``: greetings, thanks, questions about the chat itself.

Reading Dutch lives in ``index.chat_turns`` and ``index.chat_filters``; the Dutch wording of the
replies in ``service.chat_text``; :class:`~gka_match.service.chat_sessions.ChatManager` keeps the
sessions.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from typing import Any, Protocol

from gka_match.index.chat_turns import Intent, Turn, parse_turn
from gka_match.index.documents import SearchDoc
from gka_match.index.engine import Runner
from gka_match.index.filters import Filters
from gka_match.index.reasons import Reason, municipality_labels
from gka_match.index.search import Result, SearchAnswer, SearchRequest
from gka_match.index.text import fold

from .chat_text import HELP, HOW_TO, STRENGTH, TIP, describe_filters, describe_updates, join_dutch, quote, where

RESULTS_SHOWN = 5
SEARCH_MODE = "hybrid"


def apply_updates(filters: Filters, updates: dict[str, Any]) -> Filters:
    return Filters(**{**filters.model_dump(), **updates})


# ---- the session ------------------------------------------------------------------------------
class EngineLike(Protocol):
    """What the chat needs: the search core's answer and look-ups in the index (``ChatIndex``)."""

    docs: list[SearchDoc]

    def answer(self, request: SearchRequest) -> SearchAnswer: ...

    def gemeenten(self) -> list[str]: ...

    def runners(self, catalogus_id: str) -> list[Runner]: ...

    def doc(self, doc_id: str) -> SearchDoc | None: ...


class ChatIndex:
    """The search core and its engine, as the chat uses them."""

    def __init__(self, searcher):
        self._searcher, self._engine = searcher, searcher.engine

    @property
    def docs(self) -> list[SearchDoc]:
        return self._engine.docs

    def answer(self, request: SearchRequest) -> SearchAnswer:
        return self._searcher.search(request)

    def gemeenten(self) -> list[str]:
        return self._engine.gemeenten()

    def runners(self, catalogus_id: str) -> list[Runner]:
        return self._engine.runners(catalogus_id)

    def doc(self, doc_id: str) -> SearchDoc | None:
        return self._engine.doc(doc_id)


@dataclass
class RunnersOf:
    """The municipalities that run one result (for "welke gemeenten doen dit al?")."""

    doc: SearchDoc
    runners: list[Runner]


@dataclass
class ChatReply:
    intent: Intent
    answer: str
    filters: Filters
    results: list[Result]
    challenge: str | None
    detail: Result | None = None
    runners: list[RunnersOf] = field(default_factory=list)


def _runner_of(doc: SearchDoc) -> Runner:
    return Runner.of(doc)


class ChatSession:
    """One conversation: the challenge, the filters in force and the last results."""

    def __init__(self) -> None:
        self.challenge: str | None = None
        self.filters = Filters()
        self.results: list[Result] = []
        self.advice = ""  # why the last search found nothing that fits well
        self._stale = False  # results do not yet reflect challenge + filters
        self.lock = threading.RLock()

    def copy(self) -> "ChatSession":
        other = ChatSession()
        with self.lock:
            other.challenge, other.filters = self.challenge, self.filters.model_copy(deep=True)
            other.results, other._stale = list(self.results), self._stale
        return other

    # -- state ----------------------------------------------------------------------------
    def current_results(self, engine: EngineLike) -> list[Result]:
        """The results of the challenge under the filters; searched only when they are needed."""
        if self._stale:
            self.results, self.advice = [], ""
            if self.challenge:
                answer = engine.answer(SearchRequest(q=self.challenge, k=RESULTS_SHOWN, mode=SEARCH_MODE,
                                                     **self.filters.model_dump()))
                self.results, self.advice = answer.results, answer.advice
            self._stale = False
        return self.results

    def _set(self, challenge: str | None, filters: Filters) -> None:
        self.challenge, self.filters, self._stale = challenge, filters, True
        if challenge is None:
            self.results = []

    # -- a turn ---------------------------------------------------------------------------
    def handle(self, message: str, engine: EngineLike, render: bool = True) -> ChatReply | None:
        """Apply one user turn; with ``render=False`` (replaying history) only the state changes
        and no search runs unless a later turn needs its results."""
        with self.lock:
            turn = parse_turn(
                message, gemeenten=engine.gemeenten(),
                result_names=lambda: [r.lead.name for r in self.current_results(engine)],
                has_challenge=self.challenge is not None,
            )
            return getattr(self, f"_on_{turn.intent}")(turn, engine, render)

    def _reply(self, turn: Turn, engine: EngineLike, answer: str, **extra) -> ChatReply:
        return ChatReply(turn.intent, answer, self.filters, self.current_results(engine), self.challenge, **extra)

    def _on_challenge(self, turn: Turn, engine: EngineLike, render: bool) -> ChatReply | None:
        # Filters stated before the first challenge count for it; later challenges start clean.
        base = self.filters if self.challenge is None else Filters()
        self._set(turn.text, apply_updates(base, turn.updates))
        if not render:
            return None
        head = f"Passende interventies bij {quote(turn.text)}."
        return self._reply(turn, engine, self._list(engine, head, tip=True))

    def _on_refine(self, turn: Turn, engine: EngineLike, render: bool) -> ChatReply | None:
        self._set(self.challenge, apply_updates(self.filters, turn.updates))
        if not render:
            return None
        head = f"Aangepast: {describe_updates(turn.updates)}."
        return self._reply(turn, engine, self._list(engine, head))

    def _on_filters(self, turn: Turn, engine: EngineLike, render: bool) -> ChatReply | None:
        self._set(None, apply_updates(self.filters, turn.updates))
        if not render:
            return None
        return self._reply(turn, engine, (
            f"Ik onthoud deze filters: {describe_filters(self.filters)}. Beschrijf nu de uitdaging, "
            "bijvoorbeeld: \"Wij zien veel taalachterstand bij peuters in Zuidoost\"."
        ))

    def _on_reset(self, turn: Turn, engine: EngineLike, render: bool) -> ChatReply | None:
        challenge = None if turn.new_conversation else self.challenge
        self._set(challenge, apply_updates(Filters(), turn.updates))
        if not render:
            return None
        if challenge is None:
            return self._reply(turn, engine, "Alles is gewist. " + HOW_TO)
        head = "Alle filters zijn gewist" + (
            f"; nieuw: {describe_updates(turn.updates)}." if turn.updates else "."
        )
        return self._reply(turn, engine, self._list(engine, head))

    def _on_help(self, turn: Turn, engine: EngineLike, render: bool) -> ChatReply | None:
        if not render:
            return None
        thanks = re.match(r"^\W*(bedankt|dank|thanks)", fold(turn.text))
        return self._reply(turn, engine, ("Graag gedaan. " if thanks else "") + HELP)

    def _on_detail(self, turn: Turn, engine: EngineLike, render: bool) -> ChatReply | None:
        if not render:
            return None
        results = self.current_results(engine)
        if turn.name_query is not None:
            found = _find_by_name(engine, turn.name_query)
            if found is None:
                return self._reply(turn, engine, (
                    f"Ik ken geen interventie met de naam {quote(turn.name_query, 60)}. Noem het nummer uit "
                    "de lijst (\"vertel meer over de tweede\") of de naam zoals die in de lijst staat."
                ))
            result = Result(rank=0, lead=found, confidence=0.0, strength="zwak",
                            reason=Reason(points=["Op naam opgevraagd."]), runners=_runners(found, engine),
                            members=[found], dense_rank=None, lexical_rank=None, dense_similarity=None,
                            lexical_score=None)
            return self._reply(turn, engine, self._detail_text(result, engine, None), detail=result)
        if not results:
            msg = ("Er zijn nog geen resultaten; beschrijf eerst de uitdaging." if self.challenge is None
                   else "Er zijn geen resultaten met de huidige filters; zeg \"zonder filters\" om ze te wissen.")
            return self._reply(turn, engine, msg)
        n = len(results) if turn.ref == -1 else turn.ref
        if n is None or not 1 <= n <= len(results):
            return self._reply(turn, engine, (
                f"Er is geen resultaat nummer {turn.ref}; kies een nummer van 1 tot en met {len(results)}."
            ))
        return self._reply(turn, engine, self._detail_text(results[n - 1], engine, n), detail=results[n - 1])

    def _on_runners(self, turn: Turn, engine: EngineLike, render: bool) -> ChatReply | None:
        if not render:
            return None
        results = self.current_results(engine)
        if not results:
            return self._reply(turn, engine, "Er zijn nog geen resultaten; beschrijf eerst de uitdaging.")
        groups = [RunnersOf(r.lead, r.runners or _runners(r.lead, engine)) for r in results]
        lines = ["Gemeenten die dit al doen (bij de huidige resultaten):"]
        for i, g in enumerate(groups, start=1):
            d = g.doc
            if d.kind == "agenda":
                others = municipality_labels(sorted(
                    (x.gemeente, x.illustratief) for x in g.runners if x.gemeente != d.gemeente))
                programme = d.extra.get("programma")
                line = (f"{i}. {d.name}{' [illustratief]' if d.illustratief else ''}: {d.gemeente} "
                        f"(GKA-agenda{', provincie ' + d.provincie if d.provincie else ''})")
                if programme:
                    line += f"; past het programma {programme} toe" + (
                        f", dat ook {join_dutch(others)} gebruik{'t' if len(others) == 1 else 'en'}." if others else "."
                    )
                else:
                    line += "."
            else:
                gem = municipality_labels(sorted((x.gemeente, x.illustratief) for x in g.runners))
                line = (f"{i}. {d.name} (programma): " + (join_dutch(gem) + "." if gem else
                        "nog geen gemeente met een GKA-agenda in de data."))
            lines.append(line)
        return self._reply(turn, engine, "\n".join(lines), runners=groups)

    # -- text -----------------------------------------------------------------------------
    def _list(self, engine: EngineLike, head: str, tip: bool = False) -> str:
        results = self.current_results(engine)
        lines = [head, f"Filters: {describe_filters(self.filters)}."]
        if not results:
            if self.filters.is_empty():
                lines.append(self.advice or "Ik vind niets dat goed bij uw vraag past.")
            else:
                lines.append(f"Met deze filters vind ik niets dat goed past bij {quote(self.challenge or '', 60)}. "
                             "Ik laat geen andere onderwerpen zien; zeg \"zonder filters\" om de filters te wissen, "
                             "of kies een ander filter.")
            return "\n".join(lines)
        for i, r in enumerate(results, start=1):
            d = r.lead
            mark = " [illustratief]" if d.illustratief else ""
            lines.append(f"{i}. {d.name}{mark} ({where(d)}; {STRENGTH[r.strength]}). {r.reason.sentence}")
        if tip:
            lines.append(TIP)
        return "\n".join(lines)

    def _detail_text(self, result: Result, engine: EngineLike, n: int | None) -> str:
        d = engine.doc(result.lead.doc_id) or result.lead
        head = f"{n}. {d.name}" if n else d.name
        if d.kind == "agenda":
            head += f" — uit de GKA-agenda van {d.gemeente}" + (f" ({d.provincie})" if d.provincie else "")
        else:
            head += " — programma uit de catalogus"
        lines = [head]
        omschrijving = d.fields.get("omschrijving") or d.summary
        if omschrijving:
            lines.append(f"Omschrijving: {omschrijving}")
        if d.fields.get("doel"):
            lines.append(f"Doel: {d.fields['doel']}")
        bands = ", ".join(d.doelgroep)
        described = d.fields.get("doelgroep", "").removesuffix(bands).strip().rstrip(",.;").strip()
        span = d.age_span()
        groups = bands + (f"; leeftijd {span[0]}-{span[1]} jaar" if span and d.leeftijd_van is not None else "")
        lines.append(f"Doelgroep: {described} ({groups})" if described else f"Doelgroep: {groups}")
        programme = engine.doc(d.catalogus_id) if d.kind == "agenda" and d.catalogus_id else None
        source = programme or d
        erkenning = f"Erkenning: {d.erkenningsniveau}"
        bank, datum = source.extra.get("erkenning_databank"), source.extra.get("erkenning_datum")
        if bank or datum:
            erkenning += " (" + ", ".join(x for x in (bank and f"databank {bank}", datum and f"datum {datum}") if x)
            erkenning += ")"
        if programme:
            erkenning += f", via het programma {programme.name}"
        lines.append(erkenning)
        elementen = source.extra.get("werkzame_elementen") or []
        if elementen:
            lines.append("Werkzame elementen: " + "; ".join(elementen))
        if d.kind == "agenda":
            if d.extra.get("locatie"):
                lines.append(f"Locatie: {d.extra['locatie']}")
            if d.extra.get("betrokken_partijen"):
                lines.append("Betrokken partijen: " + ", ".join(d.extra["betrokken_partijen"]))
        website = d.website or (programme.website if programme else None)
        if website:
            lines.append(f"Website: {website}")
        if d.contactpersoon:
            lines.append(f"Contactpersoon: {d.contactpersoon}")
        gem = municipality_labels(sorted((r.gemeente, r.illustratief) for r in _runners(d, engine)))
        lines.append("Gemeenten die dit doen: "
                     + (join_dutch(gem) if gem else "nog geen gemeente met een GKA-agenda in de data") + ".")
        if d.illustratief:
            lines.append("Let op: dit is een illustratief voorbeeld, geen echte interventie.")
        return "\n".join(lines)


def _runners(doc: SearchDoc, engine: EngineLike) -> list[Runner]:
    """Who runs ``doc``: a programme's agendas; an agenda item's own gemeente and the other
    agendas applying the same programme."""
    if doc.kind == "catalogue":
        return engine.runners(doc.record_id)
    runners = [_runner_of(doc)]
    if doc.catalogus_id:
        runners += [r for r in engine.runners(doc.catalogus_id) if r.intervention_id != doc.doc_id]
    return runners


def _find_by_name(engine: EngineLike, name: str) -> SearchDoc | None:
    """A document whose name is ``name`` (or contains it); catalogue programmes first."""
    wanted = fold(name).strip()
    docs = sorted(engine.docs, key=lambda d: (d.kind != "catalogue", d.name))
    for test in (lambda n: n == wanted, lambda n: wanted in n and len(wanted) >= 4):
        for d in docs:
            if test(fold(d.name)):
                return d
    return None
