"""Dutch filter words in a chat turn: thema, doelgroep, erkenning, soort, provincie and gemeente.

The words come from the shared vocabularies (``data.vocab``), the query signals of the engine
(``index.query_terms``) and ``index.filters.parse_doelgroep``; the tables here only hold chat
phrasing (erkenning phrases, place aliases, words that clear a filter). Language understanding
lives here, beside the search it feeds, so the HTTP layer only renders.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Sequence

from gka_match.data.vocab import ERKENNINGSNIVEAUS, PROVINCIES, THEMAS

from .filters import parse_doelgroep
from .query_terms import (
    AGE_SIGNALS, GROEP_PATTERN, THEMA_SIGNALS, YEARS_PATTERN, groep_range, read_signals, years_range,
)
from .text import fold, words

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


# ---- recognising filter words ---------------------------------------------------------------
class TextSpans:
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


def _recognise_place(t: TextSpans, gemeenten: Sequence[str], updates: dict[str, Any], within=None) -> None:
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


def _recognise_erkenning(t: TextSpans, updates: dict[str, Any], within=None, strict: bool = False) -> None:
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


def _recognise_kind(t: TextSpans, updates: dict[str, Any], within=None) -> None:
    if t.found(KIND_CLEAR, within):
        updates["kind"] = None
        return
    catalogue = t.found(KIND_CATALOGUE, within)
    agenda = t.found(KIND_AGENDA, within)
    if catalogue != agenda:
        updates["kind"] = "catalogue" if catalogue else "agenda"
    elif catalogue and agenda:
        updates["kind"] = None


def _recognise_doelgroep(t: TextSpans, updates: dict[str, Any], within=None) -> None:
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


def _recognise_thema(t: TextSpans, updates: dict[str, Any], within=None, cues: bool = True) -> None:
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
    t = TextSpans(text)
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
    t = TextSpans(text)
    updates: dict[str, Any] = {}
    for m in list(EXPLICIT_CLAUSE.finditer(t.folded)):
        within = (m.start(), m.end())
        _recognise_place(t, gemeenten, updates, within)
        _recognise_erkenning(t, updates, within)
        _recognise_doelgroep(t, updates, within)
        _recognise_kind(t, updates, within)
    _recognise_erkenning(t, updates, strict=True)
    return updates
