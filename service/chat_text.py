"""How the chat says things in Dutch: filters, help, quotes, places and lists."""

from __future__ import annotations

from typing import Any, Sequence

from gka_match.index.documents import SearchDoc
from gka_match.index.filters import Filters

STRENGTH = {"sterk": "sterke match", "redelijk": "redelijke match", "zwak": "zwakke match"}
FIELD_LABELS = {
    "thema": "thema", "doelgroep": "doelgroep", "min_erkenning": "erkenning", "kind": "soort",
    "provincie": "provincie", "gemeente": "gemeente", "setting": "setting",
}


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


def quote(text: str, limit: int = 90) -> str:
    text = " ".join(text.split())
    return f"\"{text if len(text) <= limit else text[: limit - 1].rstrip() + '…'}\""


def where(doc: SearchDoc) -> str:
    if doc.kind == "catalogue":
        return "programma"
    return doc.gemeente or "gemeente onbekend"


def join_dutch(items: Sequence[str]) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " en " + items[-1]
