"""The search core: one typed request in, one typed answer out.

Every surface (HTTP API, web page, chat, OpenAI-compatible endpoint, CLI) validates its input
into a :class:`SearchRequest` and renders the :class:`SearchAnswer`; none of them ranks,
groups, explains or judges match strength itself, so all of them behave the same.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Literal, Optional

import numpy as np
from pydantic import Field, field_validator, model_validator

from .documents import SearchDoc
from .engine import Engine, Runner
from .filters import Filters
from .options import Option, group_options
from .query_terms import QuerySignals, read_signals
from .reasons import Reason, explain
from .scoring import Ranker, background_vectors

Mode = Literal["hybrid", "dense", "lexical"]
Strength = Literal["sterk", "redelijk", "zwak"]
MAX_K = 100
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class SearchError(ValueError):
    """A request the core cannot answer as asked; ``field`` names what to change."""

    def __init__(self, field_name: str, message: str):
        super().__init__(f"{field_name}: {message}")
        self.field, self.message = field_name, message


def clean_text(value: str) -> str:
    """Text as a person typed it: no lone surrogates (they cannot be UTF-8), no control
    characters, normalised Unicode, trimmed."""
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("bevat een kapot teken (een losse UTF-16-surrogaat); stuur gewone UTF-8-tekst")
    return unicodedata.normalize("NFC", _CONTROL.sub(" ", value)).strip()


class SearchRequest(Filters):
    """The query, how many options, the mode, the filters, grouping and the strength floor."""

    q: str = Field(description="the challenge, in plain Dutch")
    k: int = Field(10, ge=1, le=MAX_K, description="how many options at most")
    mode: Mode = "hybrid"
    group: bool = Field(True, description="one result per option (false: every document on its own)")
    floor: Optional[float] = Field(
        None, ge=0.0, le=1.0,
        description="hide results below this match probability (default: the calibrated floor; 0 shows everything)",
    )

    @model_validator(mode="before")
    @classmethod
    def _known_names(cls, values: Any) -> Any:
        """A misspelt name is refused with the names there are, on GET as on POST: a filter that
        is silently ignored would leave the user believing the results are filtered."""
        if isinstance(values, dict):
            unknown = sorted(str(name) for name in set(values) - set(cls.model_fields))
            if unknown:
                raise ValueError(f"onbekende naam {', '.join(unknown)}; bekend zijn: {', '.join(cls.model_fields)}")
        return values

    @field_validator("q", mode="before")
    @classmethod
    def _q(cls, value: Any) -> str:
        if not isinstance(value, str):
            raise ValueError("moet tekst zijn")
        value = clean_text(value)
        if not value:
            raise ValueError("de vraag is leeg; beschrijf de uitdaging in een paar woorden")
        return value

    @field_validator("k", mode="before")
    @classmethod
    def _k(cls, value: Any) -> Any:
        if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
            raise ValueError("moet een heel getal van 1 tot en met 100 zijn")
        return value

    def filters(self) -> Filters:
        return Filters(**{name: getattr(self, name) for name in Filters.model_fields})


@dataclass
class Result:
    """One option as every surface shows it."""

    rank: int
    lead: SearchDoc
    confidence: float
    strength: Strength
    reason: Reason
    runners: list[Runner]
    members: list[SearchDoc]
    dense_rank: int | None
    lexical_rank: int | None
    dense_similarity: float | None
    lexical_score: float | None


@dataclass
class SearchAnswer:
    request: SearchRequest
    results: list[Result]
    signals: QuerySignals
    hidden: int = 0  # options below the floor, not shown
    floor: float = 0.0
    advice: str = ""  # Dutch: what to try when nothing fits well

    @property
    def no_good_match(self) -> bool:
        return not self.results


ADVICE_FILTERS = "Of laat een filter weg: met minder filters is er meer keus."
ADVICE_EMPTY_FILTERS = ("Er is geen interventie die aan al uw filters voldoet. Laat een filter weg "
                        "(bijvoorbeeld de provincie of de doelgroep) of zoek breder.")
ADVICE_NO_GOOD_MATCH = ("Er is geen interventie die goed bij uw vraag past. Beschrijf de uitdaging in een "
                        "paar zinnen: wat speelt er, bij welke kinderen of jongeren (leeftijd of groep) en waar "
                        "(school, wijk, thuis)? Bijvoorbeeld: 'Veel peuters in onze wijk spreken thuis weinig "
                        "Nederlands'.")


class Searcher:
    """Answers search requests over one engine with one calibrated ranker."""

    def __init__(self, engine: Engine, ranker: Ranker, max_query_chars: int = 2000, floor: float | None = None,
                 background: np.ndarray | None = None):
        self.engine, self.ranker = engine, ranker
        self.max_query_chars = max_query_chars
        self.floor = ranker.floor if floor is None else floor
        self.background = background if background is not None else background_vectors(
            engine.embedder, engine.model_dir)

    def check(self, req: SearchRequest) -> None:
        """What only the running service knows: the query limit and the known municipalities."""
        if len(req.q) > self.max_query_chars:
            raise SearchError("q", f"de vraag is {len(req.q)} tekens lang; het maximum is {self.max_query_chars}")
        unknown = self.engine.unknown_gemeenten(req.filters())
        if unknown:
            known = ", ".join(self.engine.gemeenten()[:12])
            raise SearchError("gemeente", f"geen GKA-agenda van {', '.join(unknown)}; bekend zijn bijvoorbeeld {known} "
                                          "(GET /agendas geeft ze allemaal)")

    def search(self, req: SearchRequest) -> SearchAnswer:
        self.check(req)
        filters = req.filters()
        signals = read_signals(req.q)
        floor = self.floor if req.floor is None else req.floor
        cands = self.engine.retrieve(req.q, req.mode, filters, n=max(100, 5 * req.k))
        if not len(cands):
            return SearchAnswer(req, [], signals, floor=floor, advice=ADVICE_EMPTY_FILTERS if not filters.is_empty() else ADVICE_NO_GOOD_MATCH)
        p, answerable = self.ranker.score(req.q, cands, signals, req.mode, self.background)
        order = [int(i) for i in np.argsort(-p, kind="stable")]
        options = group_options(order, cands.docs, self.engine.doc_stems, req.group)
        window = self.ranker.evidence_window
        if window > 0:  # comparable strength (same window of probability): stronger evidence first
            options.sort(key=lambda o: (-int(p[o.best] / window), -o.lead.erkenning_rank, -p[o.best]))
        gate = floor > 0 and answerable < self.ranker.query_floor  # floor 0: show everything
        shown = [] if gate else [o for o in options if p[o.best] >= floor]
        results = [self._result(rank, o, cands, p, req.q, signals) for rank, o in enumerate(shown[: req.k], start=1)]
        advice = "" if results else ADVICE_NO_GOOD_MATCH + ("" if filters.is_empty() else " " + ADVICE_FILTERS)
        return SearchAnswer(req, results, signals, hidden=len(options) - len(shown), floor=floor, advice=advice)

    def chosen(self, req: SearchRequest, ids: list[str]) -> list[Result]:
        """The options the user ticked (by a document id of each), in the order given, with the
        reasons for this query; an id that names no document is refused."""
        unknown = [i for i in ids if self.engine.doc(i) is None]
        if unknown:
            raise SearchError("ids", f"onbekende id('s): {', '.join(unknown)}")
        answer = self.search(req.model_copy(update={"k": MAX_K, "floor": 0.0}))
        by_id = {m.doc_id: r for r in answer.results for m in [r.lead, *r.members]}
        picked: list[Result] = []
        for doc_id in ids:
            result = by_id.get(doc_id)
            if result is None:  # not among this query's candidates: shown without a match strength
                doc = self.engine.doc(doc_id)
                signals = read_signals(req.q)
                option = Option(doc.doc_id, doc, 0, [doc])
                runners = self._runners(option)
                reason = explain(req.q, doc, self.engine.doc_stems(doc), self.engine.lexical.vocabulary,
                                 self.engine.df_share, signals, [(r.gemeente, r.illustratief) for r in runners])
                result = Result(0, doc, 0.0, "zwak", reason, runners, [doc], None, None, None, None)
            if all(result is not p for p in picked):
                picked.append(result)
        for rank, result in enumerate(picked, start=1):
            result.rank = rank
        return picked

    def _runners(self, option: Option) -> list[Runner]:
        if option.lead.kind == "catalogue":
            return self.engine.runners(option.lead.record_id)
        seen: dict[str, Runner] = {}
        for doc in option.gemeenten_members:
            seen.setdefault(doc.doc_id, Runner.of(doc))
        return sorted(seen.values(), key=lambda r: r.gemeente)

    def _result(self, rank: int, option: Option, cands, p: np.ndarray, query: str, signals: QuerySignals) -> Result:
        i = option.best
        runners = self._runners(option)
        reason = explain(
            query, option.lead, self.engine.doc_stems(option.lead), self.engine.lexical.vocabulary,
            self.engine.df_share, signals, [(r.gemeente, r.illustratief) for r in runners],
        )
        confidence = float(p[i])
        return Result(
            rank=rank, lead=option.lead, confidence=confidence, strength=self.ranker.strength(confidence),
            reason=reason, runners=runners, members=option.members,
            dense_rank=int(cands.dense_rank[i]) or None, lexical_rank=int(cands.lexical_rank[i]) or None,
            dense_similarity=None if cands.cos is None else round(float(cands.cos[i]), 4),
            lexical_score=None if cands.bm25 is None else round(float(cands.bm25[i]), 3),
        )


__all__ = ["Result", "SearchAnswer", "SearchError", "SearchRequest", "Searcher", "clean_text"]
