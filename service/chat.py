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

The filter words come from the shared vocabularies (``data.vocab``), the query signals of the
engine (``index.query_terms``) and ``index.filters.parse_doelgroep``; the tables here only hold
chat phrasing (reset words, ordinals, erkenning phrases).

:class:`ChatManager` keeps sessions in memory, thread-safe, with a TTL and an LRU bound.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Protocol, Sequence

from gka_match.data.vocab import ERKENNINGSNIVEAUS, PROVINCIES, THEMAS
from gka_match.index.documents import SearchDoc
from gka_match.index.engine import Runner
from gka_match.index.reasons import Reason, municipality_labels
from gka_match.index.search import Result, SearchAnswer, SearchRequest
from gka_match.index.filters import Filters, parse_doelgroep
from gka_match.index.query_terms import (
    AGE_SIGNALS, GROEP_PATTERN, THEMA_SIGNALS, YEARS_PATTERN, groep_range, read_signals, years_range,
)
from gka_match.index.text import fold, words

RESULTS_SHOWN = 5
SEARCH_MODE = "hybrid"
STRENGTH = {"sterk": "sterke match", "redelijk": "redelijke match", "zwak": "zwakke match"}
# A turn with filter words and at most this many other (non-filler) words is a refinement.
MAX_REFINE_LEFTOVER = 1

Intent = Literal["challenge", "refine", "filters", "reset", "detail", "runners", "help"]

# ---- chat phrasing ------------------------------------------------------------------------
# "bewezen effectief" / "erkend" without a level: the lowest level with evidence of effect.
DEFAULT_EFFECTIEF = "effectief volgens eerste aanwijzingen"
ONDERBOUWD = "goed onderbouwd"

# Words a refinement may contain besides filter words ("en alleen voor peuters graag?"). Any
# other word counts as description: a turn with more than MAX_REFINE_LEFTOVER of them is a challenge.
# "wij", "ik", "zijn", "is" are left out on purpose: "Wij zijn gemeente Venray en zien ..." describes.
CHAT_FILLER = frozenset("""
    alleen uitsluitend enkel slechts voor en in uit de het een van met op bij tot om of ook nog dan nu
    maar graag liever wat welke die dit deze dat toon laat zien geef me mij je jij u jullie
    kun kunt kan er iets hoe zit zitten staat ervoor even eens aub svp alsjeblieft alstublieft
    please filter filters filteren beperk beperken beperkt resultaten resultaat interventies
    interventie lijst gericht bedoeld doelgroep thema leeftijd provincie regio wil willen zoek
    zoeken ok oke prima nou hmm dus toch nee ja dank bedankt mag
""".split())
RESET = re.compile(
    r"\b(zonder (de )?filters?|geen filters?|filters? (weg|wissen|uit|eraf|resetten)|wis (de |alle )?filters?"
    r"|alle filters? (weg|wissen|uit|eraf)|opnieuw|reset|begin (weer )?overnieuw|nieuw gesprek|nieuwe vraag)\b"
)
NEW_CONVERSATION = re.compile(r"\b(nieuw gesprek|nieuwe vraag|begin (weer )?(opnieuw|overnieuw))\b")

RUNNERS = re.compile(
    r"\b((in |door |bij )?welke gemeente(n|s)?|waar (wordt|worden|loopt|lopen|draait|draaien|gebeurt)"
    r"|wie (doet|doen|gebruikt|gebruiken|werkt|werken|past|passen))\b"
)
RUNNERS_FILLER = CHAT_FILLER | frozenset(
    "doen doet al gebruiken gebruikt toegepast uitgevoerd mee aan werken werkt passen past toe ervaring "
    "ermee hiermee daarmee hier daar programma programma's".split()
)

DETAIL_TRIGGER = re.compile(
    r"\b(vertel( me| eens| iets)?( meer)?( over)?|meer (info\w*|informatie|details?|over|weten over)"
    r"|details?( over| van)?"
    r"|toelichting( op)?|uitleg( over)?|info\w*( over)?|beschrijving( van)?|wat (is|houdt|doet|zijn))(?!\w)"
)
ORDINALS = {
    "eerste": 1, "tweede": 2, "derde": 3, "vierde": 4, "vijfde": 5, "zesde": 6, "zevende": 7,
    "achtste": 8, "negende": 9, "tiende": 10, "laatste": -1,
}
ORDINAL_WORD = re.compile(r"\b(" + "|".join(ORDINALS) + r")\b")
ORDINAL_NUMBER = re.compile(r"(?:\b(?:nummer|nr\.?|no\.?)\s*|#\s*|\b)(\d{1,2})(?:e|ste|de)?\b")
GREETING = re.compile(
    r"^\W*(hallo|hoi|hey|hi|dag|goedemorgen|goedemiddag|goedenavond|help|hulp|bedankt|dank( je| u)?( wel)?"
    r"|thanks|ok[eé]?|prima|top|ja|nee|wat kun (je|jij)( doen)?|hoe werkt (dit|het)|wie ben (je|jij))\W*$"
)

ERKENNING_CLEAR = re.compile(
    r"\b(ook )?(niet[- ]?erkende?|onbewezen|ongeacht (de )?erkenning\w*|alle erkenning\w*|zonder erkenning\w*"
    r"|elke erkenning\w*|ook niet[- ]bewezen)\b"
)
ERKENNING_LEVEL = re.compile(r"\b(eerste|goede|sterke) aanwijzing(en)?\b")
ERKENNING_ONDERBOUWD = re.compile(r"\b(goed )?onderbouwd\w*")
ERKENNING_EFFECTIEF = re.compile(r"\b(bewezen )?effectie\w*|\bbewezen\b|\berkend\w*")
# In a challenge's free text only unmistakable phrases count ("effectieve manieren" is no filter).
ERKENNING_EFFECTIEF_STRICT = re.compile(r"\bbewezen effectie\w*|\berkende (interventies|programma'?s|aanpak\w*)\b")

KIND_CLEAR = re.compile(
    r"\b(programma'?s?|catalogus) en (gemeenten|gemeentes|agenda'?s)\b|\b(gemeenten|agenda'?s) en programma'?s?\b"
    r"|\b(beide|allebei|alle soorten)\b"
)
KIND_CATALOGUE = re.compile(r"\b(programma'?s?|catalogus\w*|databank\w*)(?!\w)")
KIND_AGENDA = re.compile(r"\b(gemeenten|gemeentes|agenda'?s|gka-agenda'?s|andere gemeenten)(?!\w)")

PLACE_CLEAR = re.compile(r"\b(heel nederland|overal|landelijk|alle (provincies|regio'?s|plaatsen)|elke provincie)\b")
PROVINCIE_ALIASES = {"brabant": "Noord-Brabant", "fryslan": "Friesland", "friesland": "Friesland"}
GEMEENTE_ALIASES = {"den bosch": "'s-Hertogenbosch", "s-hertogenbosch": "'s-Hertogenbosch", "'s-gravenhage": "Den Haag"}

DOELGROEP_CLEAR = re.compile(r"\b(alle (leeftijden|doelgroepen|groepen)|elke leeftijd|iedere leeftijd|alle kinderen)\b")
SINGLE_AGE = re.compile(r"\b(\d{1,2})\s*(?:jaar|jarigen?)\b")
THEMA_CLEAR = re.compile(r"\b(alle|elk|ieder) thema'?s?\b")

EXPLICIT_CLAUSE = re.compile(
    r"(?<!niet )\b(alleen|uitsluitend|enkel|slechts|beperk\w* tot|filter\w* op)\b[^.!?;,]*"
)

# Filters that also describe a challenge: without a challenge yet, a turn with them is one.
DESCRIPTIVE_FIELDS = frozenset({"thema", "doelgroep"})

FIELD_LABELS = {
    "thema": "thema", "doelgroep": "doelgroep", "min_erkenning": "erkenning", "kind": "soort",
    "provincie": "provincie", "gemeente": "gemeente", "setting": "setting",
}


# ---- recognising filter words ---------------------------------------------------------------
class _Text:
    """Folded text with the character spans already claimed by a recogniser."""

    def __init__(self, text: str):
        self.folded = fold(text)
        self.taken = [False] * len(self.folded)

    def free(self, start: int, end: int) -> bool:
        return not any(self.taken[start:end])

    def claim(self, start: int, end: int) -> None:
        for i in range(start, end):
            self.taken[i] = True

    def find(self, pattern: re.Pattern, within: tuple[int, int] | None = None):
        """Matches of ``pattern`` on unclaimed text (claiming them)."""
        lo, hi = within or (0, len(self.folded))
        for m in pattern.finditer(self.folded, lo, hi):
            if m.end() > m.start() and self.free(m.start(), m.end()):
                self.claim(m.start(), m.end())
                yield m

    def found(self, pattern: re.Pattern, within: tuple[int, int] | None = None) -> bool:
        """Whether ``pattern`` occurs on unclaimed text (claiming every match)."""
        return bool(list(self.find(pattern, within)))

    def rest(self) -> str:
        return "".join(" " if t else c for c, t in zip(self.folded, self.taken))


def _word_pattern(phrase: str, prefix: bool = False) -> re.Pattern:
    """``phrase`` as whole words (or as the start of a word when ``prefix``)."""
    tail = r"[\w'-]*" if prefix else r"(?![\w])"
    return re.compile(r"(?<![\w'-])" + re.escape(phrase) + tail)


def _cue_pattern(cue: str) -> re.Pattern:
    # Cues are word prefixes, but a two-letter cue ("vo") must be a whole word, not "voor".
    return _word_pattern(cue, prefix=len(cue) > 2)


_THEMA_NAMES = [(t, _word_pattern(fold(t), prefix=True)) for t in sorted(THEMAS, key=len, reverse=True)]
_THEMA_CUES = sorted(
    ((thema, cue, _cue_pattern(fold(cue))) for thema, cues in THEMA_SIGNALS.items() for cue in cues),
    key=lambda x: -len(x[1]),
)
_AGE_CUES = [(cue, span, _cue_pattern(cue)) for cue, span in sorted(AGE_SIGNALS.items(), key=lambda x: -len(x[0]))]
_PROVINCIES = sorted(
    [(fold(p), p) for p in PROVINCIES] + list(PROVINCIE_ALIASES.items()), key=lambda x: -len(x[0])
)
_LEVELS = [lvl for lvl in ERKENNINGSNIVEAUS if lvl not in ("onbekend", "niet erkend")]


@dataclass
class Recognised:
    updates: dict[str, Any] = field(default_factory=dict)  # Filters field -> new value
    leftover: list[str] = field(default_factory=list)      # content words not used by a filter


def _span_label(lo: int, hi: int) -> str:
    return parse_doelgroep(f"{lo}-{hi} jaar")[0]


def _add(updates: dict[str, Any], key: str, value: str) -> None:
    values = updates.setdefault(key, [])
    if value not in values:
        values.append(value)


def _recognise_place(t: _Text, gemeenten: Sequence[str], updates: dict[str, Any], within=None) -> None:
    if t.found(PLACE_CLEAR, within):
        updates["provincie"], updates["gemeente"] = [], []
    names = [(fold(g), g) for g in gemeenten] + [(k, v) for k, v in GEMEENTE_ALIASES.items() if v in gemeenten]
    provincies = {f for f, _ in _PROVINCIES}
    for folded, name in sorted(names, key=lambda x: -len(x[0])):
        # "Groningen" and "Utrecht" are both: the province unless the turn says "gemeente"/"stad".
        prefix = r"(?:gemeente |stad )" if folded in provincies else r"(?:gemeente |stad )?"
        for _ in t.find(re.compile(r"(?<![\w'-])" + prefix + re.escape(folded) + r"(?![\w'-])"), within):
            _add(updates, "gemeente", name)
    for folded, name in _PROVINCIES:
        for _ in t.find(re.compile(r"(?<![\w'-])(?:provincie )?" + re.escape(folded) + r"(?![\w'-])"), within):
            _add(updates, "provincie", name)
    if "gemeente" in updates or "provincie" in updates:  # a new place replaces the old one
        updates.setdefault("gemeente", [])
        updates.setdefault("provincie", [])


def _recognise_erkenning(t: _Text, updates: dict[str, Any], within=None, strict: bool = False) -> None:
    if t.found(ERKENNING_CLEAR, within):
        updates["min_erkenning"] = None
    for lvl in sorted(_LEVELS, key=len, reverse=True):
        for _ in t.find(_word_pattern(lvl, prefix=True), within):
            updates["min_erkenning"] = lvl
    for m in t.find(ERKENNING_LEVEL, within):
        updates["min_erkenning"] = next(lvl for lvl in _LEVELS if lvl.endswith(m.group(1) + " aanwijzingen"))
    for _ in t.find(ERKENNING_ONDERBOUWD, within):
        updates["min_erkenning"] = ONDERBOUWD
    if t.found(ERKENNING_EFFECTIEF_STRICT if strict else ERKENNING_EFFECTIEF, within):
        updates.setdefault("min_erkenning", DEFAULT_EFFECTIEF)


def _recognise_kind(t: _Text, updates: dict[str, Any], within=None) -> None:
    if t.found(KIND_CLEAR, within):
        updates["kind"] = None
        return
    catalogue = t.found(KIND_CATALOGUE, within)
    agenda = t.found(KIND_AGENDA, within)
    if catalogue != agenda:
        updates["kind"] = "catalogue" if catalogue else "agenda"
    elif catalogue and agenda:
        updates["kind"] = None


def _recognise_doelgroep(t: _Text, updates: dict[str, Any], within=None) -> None:
    if t.found(DOELGROEP_CLEAR, within):
        updates["doelgroep"] = []
    for m in t.find(GROEP_PATTERN, within):
        groep = groep_range(m)
        if groep:
            lo, hi = groep
            _add(updates, "doelgroep", parse_doelgroep(f"groep {lo}-{hi}" if hi != lo else f"groep {lo}")[0])
    for m in t.find(YEARS_PATTERN, within):
        years = years_range(m) or (int(m.group(2)), int(m.group(3)))  # a chat turn "12-18" names ages
        if years[0] <= years[1] <= 30:
            _add(updates, "doelgroep", _span_label(*years))
    for m in t.find(SINGLE_AGE, within):
        if int(m.group(1)) <= 30:
            _add(updates, "doelgroep", _span_label(int(m.group(1)), int(m.group(1))))
    for _cue, (lo, hi), pattern in _AGE_CUES:
        for _ in t.find(pattern, within):
            _add(updates, "doelgroep", _span_label(lo, hi))
    # Parents and professionals: the engine's own signal words, asked word by word (and word pairs).
    tokens = list(re.finditer(r"[\w'-]+", t.folded[slice(*(within or (0, len(t.folded))))]))
    offset = within[0] if within else 0
    for i, m in enumerate(tokens):
        for j in (i + 1, i) if i + 1 < len(tokens) else (i,):
            start, end = m.start() + offset, tokens[j].end() + offset
            if not t.free(start, end):
                continue
            signals = read_signals(t.folded[start:end])
            if signals.ouders or signals.professionals:
                _add(updates, "doelgroep", "ouders" if signals.ouders else "leerkrachten/professionals")
                t.claim(start, end)
                break


def _recognise_thema(t: _Text, updates: dict[str, Any], within=None, cues: bool = True) -> None:
    if t.found(THEMA_CLEAR, within):
        updates["thema"] = []
    for thema, pattern in _THEMA_NAMES:
        for _ in t.find(pattern, within):
            _add(updates, "thema", thema)
    if not cues:
        return
    for thema, _cue, pattern in _THEMA_CUES:  # longest cue first: "thuiszit" before "thuis"
        for _ in t.find(pattern, within):
            _add(updates, "thema", thema)


def content_words(text: str) -> list[str]:
    """Words with meaning (no stop words, no chat filler)."""
    return [w for w in words(text) if w not in CHAT_FILLER]


def leftover_words(text: str, filler: frozenset[str] = CHAT_FILLER) -> list[str]:
    """Every word of ``text`` except chat filler (stop words count: "wij zien veel ..." describes)."""
    return [w for w in re.findall(r"[\w'-]+", fold(text)) if w not in filler and not w.isdigit()]


def recognise_filters(text: str, gemeenten: Sequence[str] = ()) -> Recognised:
    """Every filter a short turn states: place, erkenning, kind, doelgroep and thema."""
    t = _Text(text)
    updates: dict[str, Any] = {}
    _recognise_place(t, gemeenten, updates)
    _recognise_erkenning(t, updates)
    _recognise_thema(t, updates, cues=False)  # full theme names first ("ouderbetrokkenheid")
    _recognise_doelgroep(t, updates)
    _recognise_kind(t, updates)
    _recognise_thema(t, updates)
    return Recognised(updates, leftover_words(t.rest()))


def explicit_filters(text: str, gemeenten: Sequence[str] = ()) -> dict[str, Any]:
    """The filters a challenge states outright: erkenning anywhere; place, doelgroep and kind only
    in a clause such as "alleen in Limburg" or "uitsluitend voor peuters". Descriptive words
    ("bij peuters in Zuidoost") stay query text."""
    t = _Text(text)
    updates: dict[str, Any] = {}
    for m in list(EXPLICIT_CLAUSE.finditer(t.folded)):
        within = (m.start(), m.end())
        _recognise_place(t, gemeenten, updates, within)
        _recognise_erkenning(t, updates, within)
        _recognise_doelgroep(t, updates, within)
        _recognise_kind(t, updates, within)
    _recognise_erkenning(t, updates, strict=True)
    return updates


# ---- parsing a turn -------------------------------------------------------------------------
@dataclass
class Turn:
    intent: Intent
    text: str
    updates: dict[str, Any] = field(default_factory=dict)
    reset: bool = False
    new_conversation: bool = False
    ref: int | None = None          # detail: 1-based number in the last results (-1: the last)
    name_query: str | None = None   # detail by a name not among the last results


def _detail_ref(rest: str) -> int | None:
    """A result number: "de tweede", "nummer 3", "#3", "de 3e", "de laatste"."""
    m = ORDINAL_WORD.search(rest)
    if m:
        return ORDINALS[m.group(1)]
    m = ORDINAL_NUMBER.search(rest)
    if m and 1 <= int(m.group(1)) <= 99:
        return int(m.group(1))
    return None


def _name_ref(folded: str, asked_text: str | None, names: Sequence[str]) -> int | None:
    """A result named in the turn: its full name, or, after "vertel meer over", the result whose
    name shares most of the asked words (uniquely)."""
    hits = [i for i, n in enumerate(names, start=1) if len(fold(n)) >= 4 and fold(n) in folded]
    if hits:
        return max(hits, key=lambda i: len(names[i - 1]))
    if asked_text is None:
        return None
    asked = set(content_words(asked_text))
    if not asked:
        return None
    scores = sorted(((len(asked & set(content_words(n))), i) for i, n in enumerate(names, start=1)), reverse=True)
    best = scores[0] if scores else (0, 0)
    if 2 * best[0] >= len(asked) and best[0] > 0 and (len(scores) == 1 or best[0] > scores[1][0]):
        return best[1]
    return None


def parse_turn(
    message: str,
    gemeenten: Sequence[str] = (),
    result_names: Sequence[str] | Callable[[], Sequence[str]] = (),
    has_challenge: bool = False,
) -> Turn:
    """Read one user turn. ``result_names`` (or a function giving them, called only when needed)
    are the names of the last results, for "de tweede" and for details by name."""
    text = message.strip()
    folded = fold(text)
    names = result_names if not callable(result_names) else None

    def get_names() -> Sequence[str]:
        nonlocal names
        if names is None:
            names = list(result_names())  # type: ignore[operator]
        return names

    if RESET.search(folded):
        t = _Text(text)
        list(t.find(RESET))
        rec = recognise_filters(t.rest(), gemeenten)
        # "opnieuw, maar alleen voor peuters" resets; "we willen opnieuw kijken naar ..." describes.
        if len(rec.leftover) <= MAX_REFINE_LEFTOVER:
            return Turn("reset", text, rec.updates, reset=True,
                        new_conversation=bool(NEW_CONVERSATION.search(folded)))

    m = RUNNERS.search(folded)
    if m and len(leftover_words(folded[: m.start()] + " " + folded[m.end():], RUNNERS_FILLER)) <= MAX_REFINE_LEFTOVER:
        return Turn("runners", text)

    rec = recognise_filters(text, gemeenten)
    all_words = content_words(folded)
    trigger = DETAIL_TRIGGER.search(folded)
    # After "vertel meer over" the rest is a name; after "wat is" it may well be a challenge.
    strong = trigger is not None and not trigger.group(1).startswith("wat ")
    asked = None
    if trigger:
        asked = re.sub(r"^(over|van|bij|de|het|een|nou|eens)\s+", "", folded[trigger.end():].strip(" ?!.:")).strip()
    if trigger or len(all_words) <= 3:
        # Numbers in filter phrases ("groep 3", "eerste aanwijzingen") are no result numbers.
        t = _Text(text)
        for pattern in (ERKENNING_LEVEL, GROEP_PATTERN, YEARS_PATTERN, SINGLE_AGE):
            list(t.find(pattern))
        ref = _detail_ref(t.rest())
        if ref is not None and (trigger or not rec.updates):
            return Turn("detail", text, ref=ref)
        if has_challenge and (trigger or not rec.updates):  # a filter turn names no result
            named = _name_ref(folded, asked if strong else None, get_names())
            if named is not None:
                return Turn("detail", text, ref=named)
        # "vertel meer over Uk & Puk": a programme by name, also when it is not among the results.
        if strong and asked and not rec.updates and len(asked.split()) <= 6:
            return Turn("detail", text, name_query=asked)

    if rec.updates and len(rec.leftover) <= MAX_REFINE_LEFTOVER:
        if has_challenge:
            return Turn("refine", text, rec.updates)
        if not set(rec.updates) & DESCRIPTIVE_FIELDS:  # "alleen bewezen effectief" before any challenge
            return Turn("filters", text, rec.updates)
    if GREETING.match(folded) or not all_words:
        return Turn("help", text)
    return Turn("challenge", text, explicit_filters(text, gemeenten))


# ---- describing filters -----------------------------------------------------------------------
def describe_filters(filters: Filters) -> str:
    parts: list[str] = []
    if filters.thema:
        parts.append("thema " + " of ".join(filters.thema))
    if filters.doelgroep:
        parts.append("doelgroep " + " of ".join(filters.doelgroep))
    if filters.setting:
        parts.append("setting " + " of ".join(filters.setting))
    if filters.min_erkenning:
        parts.append(f"minimaal '{filters.min_erkenning}'")
    if filters.kind:
        parts.append("alleen programma's uit de catalogus" if filters.kind == "catalogue"
                     else "alleen interventies uit GKA-agenda's van gemeenten")
    if filters.provincie:
        parts.append("provincie " + " of ".join(filters.provincie))
    if filters.gemeente:
        parts.append("gemeente " + " of ".join(filters.gemeente))
    return "; ".join(parts) if parts else "geen"


def describe_updates(updates: dict[str, Any]) -> str:
    parts = []
    for key, value in updates.items():
        if key in ("gemeente", "provincie") and not value and updates.get(
            "provincie" if key == "gemeente" else "gemeente"
        ):
            continue  # the other place field says what is set
        label = FIELD_LABELS.get(key, key)
        if value in (None, []):
            parts.append(f"{label}: geen filter meer")
        elif key == "kind":
            parts.append("alleen programma's" if value == "catalogue" else "alleen gemeenten")
        elif key == "min_erkenning":
            parts.append(f"minimaal '{value}'")
        else:
            parts.append(f"{label} {' of '.join(value)}")
    return "; ".join(parts)


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


HOW_TO = (
    "Beschrijf de uitdaging, bijvoorbeeld: \"Wij zien veel taalachterstand bij peuters in Zuidoost\". "
    "Daarna kunt u verfijnen (\"alleen bewezen effectief\", \"voor groep 1-2\", \"en in Limburg?\", "
    "\"alleen programma's\", \"zonder filters\"), doorvragen (\"vertel meer over de tweede\") of "
    "vragen \"welke gemeenten doen dit al?\"."
)
HELP = (
    "Ik zoek interventies tegen kansenongelijkheid die passen bij uw lokale uitdaging: bewezen "
    "programma's en wat andere gemeenten in hun GKA-agenda doen. " + HOW_TO
)
TIP = ("Verfijn met bijvoorbeeld \"alleen bewezen effectief\", \"voor groep 1-2\" of \"en in Limburg?\"; "
       "vraag \"vertel meer over de tweede\" of \"welke gemeenten doen dit al?\".")


def _quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return f"\"{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}\""


def _where(doc: SearchDoc) -> str:
    if doc.kind == "catalogue":
        return "programma"
    return doc.gemeente or "gemeente onbekend"


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
        head = f"Passende interventies bij {_quote(turn.text)}."
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
                    f"Ik ken geen interventie met de naam {_quote(turn.name_query, 60)}. Noem het nummer uit "
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
                        f", dat ook {_join(others)} gebruik{'t' if len(others) == 1 else 'en'}." if others else "."
                    )
                else:
                    line += "."
            else:
                gem = municipality_labels(sorted((x.gemeente, x.illustratief) for x in g.runners))
                line = (f"{i}. {d.name} (programma): " + (_join(gem) + "." if gem else
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
                lines.append(f"Met deze filters vind ik niets dat goed past bij {_quote(self.challenge or '', 60)}. "
                             "Ik laat geen andere onderwerpen zien; zeg \"zonder filters\" om de filters te wissen, "
                             "of kies een ander filter.")
            return "\n".join(lines)
        for i, r in enumerate(results, start=1):
            d = r.lead
            mark = " [illustratief]" if d.illustratief else ""
            lines.append(f"{i}. {d.name}{mark} ({_where(d)}; {STRENGTH[r.strength]}). {r.reason.sentence}")
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
                     + (_join(gem) if gem else "nog geen gemeente met een GKA-agenda in de data") + ".")
        if d.illustratief:
            lines.append("Let op: dit is een illustratief voorbeeld, geen echte interventie.")
        return "\n".join(lines)


def _join(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]


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


# ---- the manager ----------------------------------------------------------------------------
class ChatManager:
    """Conversations in memory: at most ``max_conversations`` (least recently used go first),
    each forgotten ``ttl_seconds`` after its last turn. Thread-safe."""

    def __init__(self, ttl_seconds: float, max_conversations: int, clock: Callable[[], float] = time.monotonic):
        self.ttl = float(ttl_seconds)
        self.max = max(1, int(max_conversations))
        self.clock = clock
        self._sessions: OrderedDict[str, tuple[ChatSession, float]] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings) -> "ChatManager":
        return cls(settings.chat_ttl_seconds, settings.chat_max_conversations)

    def __len__(self) -> int:
        with self._lock:
            self._expire(self.clock())
            return len(self._sessions)

    def _expire(self, now: float) -> None:
        # Oldest use first, so expiry stops at the first live session.
        while self._sessions:
            key, (_, used) = next(iter(self._sessions.items()))
            if now - used <= self.ttl:
                break
            del self._sessions[key]

    def get(self, key: str) -> ChatSession | None:
        """The session under ``key`` (marking it used), or None when unknown or expired."""
        with self._lock:
            now = self.clock()
            self._expire(now)
            entry = self._sessions.get(key)
            if entry is None:
                return None
            self._sessions[key] = (entry[0], now)
            self._sessions.move_to_end(key)
            return entry[0]

    def put(self, key: str, session: ChatSession) -> None:
        with self._lock:
            now = self.clock()
            self._expire(now)
            self._sessions[key] = (session, now)
            self._sessions.move_to_end(key)
            while len(self._sessions) > self.max:
                self._sessions.popitem(last=False)

    def create(self) -> tuple[str, ChatSession]:
        key, session = secrets.token_urlsafe(16), ChatSession()
        self.put(key, session)
        return key, session

    def open(self, key: str | None) -> tuple[str, ChatSession, bool]:
        """``(id, session, renewed)``: the live session, or a new one; ``renewed`` is True when
        an id was given but is unknown or expired."""
        if key:
            session = self.get(key)
            if session is not None:
                return key, session, False
        new_key, session = self.create()
        return new_key, session, bool(key)
