"""One chat turn read into one intent: challenge, refine, filters, reset, detail, runners or help."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Sequence

from .chat_filters import (
    CHAT_FILLER,
    ERKENNING_LEVEL,
    SINGLE_AGE,
    TextSpans,
    content_words,
    explicit_filters,
    leftover_words,
    recognise_filters,
)
from .query_terms import GROEP_PATTERN, YEARS_PATTERN
from .text import fold

# A turn with filter words and at most this many other (non-filler) words is a refinement.
MAX_REFINE_LEFTOVER = 1

Intent = Literal["challenge", "refine", "filters", "reset", "detail", "runners", "help"]

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


# Filters that also describe a challenge: without a challenge yet, a turn with them is one.
DESCRIPTIVE_FIELDS = frozenset({"thema", "doelgroep"})


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
        t = TextSpans(text)
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
        t = TextSpans(text)
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
