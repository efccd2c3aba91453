"""Link agenda interventions to the catalogue programme they apply (``catalogus_id``).

A link makes "welke gemeenten doen dit?" right and folds a municipality's local copy into the
programme's search result. Applied automatically only when the item's *name* contains the
programme's name, or a distinctive alias, as a whole phrase ("KiVa in Overvecht" → KiVa), the
longest such name winning, and not as the start of a longer proper name ("Brede School
Academie" is not "Brede school"). Weaker evidence is only *suggested* (reported, not set): a
one-word alias that is an ordinary word ("weekendschool", "tutoring"), or a distinctive
programme name in the goal or description, where it is often a partner or the context
("met Stichting Leergeld") rather than what the item applies.

An explicit ``catalogus_id`` is never changed: that is how a link is overridden (and
``gka-match import --link off`` leaves every item as it is).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Literal

from .models import Agenda, AgendaIntervention, CatalogueIntervention

MIN_NAME = 4


@dataclass(frozen=True)
class Link:
    gemeente: str
    intervention_id: str
    intervention: str
    catalogus_id: str
    programme: str
    via: Literal["naam", "omschrijving"]
    matched: str
    applied: bool

    def __str__(self) -> str:
        where = "de naam" if self.via == "naam" else "de omschrijving"
        verb = "gekoppeld aan" if self.applied else "mogelijk"
        return (f"{self.gemeente}: '{self.intervention}' {verb} {self.programme} ({self.catalogus_id}; "
                f"'{self.matched}' in {where})")


def _fold(text: str) -> str:
    import unicodedata

    text = unicodedata.normalize("NFKD", text.lower())
    return re.sub(r"\s+", " ", "".join(c for c in text if not unicodedata.combining(c))).strip()


def _distinctive(name: str) -> bool:
    return len(name.split()) >= 2 or bool(re.search(r"[A-Z]", name[1:])) or bool(re.search(r"\d", name))


def _phrase(name: str, text: str, case_sensitive: bool) -> bool:
    """``name`` as a whole phrase of ``text``, and not followed by a capitalised word (then it
    is part of another proper name)."""
    needle = name if case_sensitive else _fold(name)
    haystack = text if case_sensitive else _fold(text)
    for m in re.finditer(r"(?<![\w-])" + re.escape(needle) + r"(?![\w-])", haystack):
        after = text[m.end():].lstrip() if len(text) == len(haystack) else ""
        after = after[1:].lstrip() if after.startswith("&") else after  # "Thuis in Taal & Spel"
        if not after[:1].isupper():
            return True
    return False


class Linker:
    def __init__(self, catalogue: Iterable[CatalogueIntervention]):
        self._names: list[tuple[str, CatalogueIntervention]] = sorted(
            ((n, c) for c in catalogue for n in [c.naam, *c.aliassen] if len(n) >= MIN_NAME),
            key=lambda nc: -len(nc[0]),  # longest first: "De Vreedzame Wijk" before "Vreedzame"
        )

    def suggest(self, item: AgendaIntervention, gemeente: str = "") -> tuple[CatalogueIntervention, str, str, bool] | None:
        """(programme, via, matched name, whether to apply it) for an unlinked item, or None.
        The municipality's own name in the item's name ("Zomerschool Tilburg") is not part of it."""
        naam = re.sub(r"\b" + re.escape(gemeente) + r"\b", " ", item.naam) if gemeente else item.naam
        in_name = [(name, programme) for name, programme in self._names if _phrase(name, naam, case_sensitive=False)]
        strong = [(n, p) for n, p in in_name if n == p.naam or _distinctive(n)]
        if strong or in_name:
            name, programme = (strong or in_name)[0]
            return programme, "naam", name, bool(strong)
        description = " ".join([item.doel, item.omschrijving_activiteiten])
        for name, programme in self._names:
            if _distinctive(name) and _phrase(name, description, case_sensitive=len(name.split()) == 1):
                return programme, "omschrijving", name, False
        return None

    def link(self, agendas: list[Agenda], apply: bool = True) -> tuple[list[Agenda], list[Link]]:
        """Links and suggestions for every unlinked item; with ``apply`` the agendas come back
        with the strong links set (suggestions are reported, never set)."""
        links: list[Link] = []
        out: list[Agenda] = []
        for agenda in agendas:
            items = []
            for item in agenda.interventies:
                hit = None if item.catalogus_id else self.suggest(item, agenda.gemeente)
                if hit:
                    programme, via, matched, strong = hit
                    links.append(Link(agenda.gemeente, item.id, item.naam, programme.id, programme.naam, via, matched,
                                      apply and strong))
                    if apply and strong:
                        item = item.model_copy(update={"catalogus_id": programme.id})
                items.append(item)
            out.append(agenda.model_copy(update={"interventies": items}) if apply else agenda)
        return out, links


__all__ = ["Link", "Linker"]
