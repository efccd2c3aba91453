"""One result per option: a programme with every municipality that applies it, or one local
approach (with the municipalities that do the same thing), never the same thing five times.

- A catalogue programme and the agenda items that apply it (``catalogus_id``) are one option.
  Its strength is that of its best member, so a municipality's local description of a
  programme can lift the programme.
- An agenda item that applies no programme is an option of its own; near-duplicates of it in
  other municipalities (the same approach under nearly the same name, or with nearly the same
  description) fold into it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from .documents import SearchDoc
from .text import stem, words

NAME_OVERLAP = 0.5  # Jaccard of the names' word stems that makes two local approaches one option
TEXT_OVERLAP = 0.5  # Jaccard of name + goal + activity stems, for differently named twins


@dataclass
class Option:
    key: str  # programme id, or the id of the option's first agenda item
    lead: SearchDoc  # what the option is shown as: the programme, or its best agenda item
    best: int  # index (in the candidates) of the best-scoring member
    members: list[SearchDoc] = field(default_factory=list)  # every retrieved document folded in

    @property
    def gemeenten_members(self) -> list[SearchDoc]:
        return [m for m in self.members if m.kind == "agenda"]


def _overlaps(a: frozenset[str], b: frozenset[str], threshold: float) -> bool:
    """Jaccard(a, b) >= threshold, skipping the intersection when the sizes alone rule it out
    (this test runs for every pair of local candidates)."""
    if not a or not b or min(len(a), len(b)) < threshold * max(len(a), len(b)):
        return False
    shared = len(a & b)
    return shared >= threshold * (len(a) + len(b) - shared)


def _name_stems(doc: SearchDoc) -> frozenset[str]:
    """The stems of the name's own words (no compound parts: "Taalklas" and "Taal voor thuis" are
    not one approach), without the municipality's name ("Brugfunctionaris Waadhoeke")."""
    return _stems_without_place(doc.name, doc.gemeente or "")


@lru_cache(maxsize=100_000)
def _stems_without_place(name: str, gemeente: str) -> frozenset[str]:
    return frozenset(stem(w) for w in words(name)) - {stem(w) for w in words(gemeente)}


def group_options(order: list[int], docs: list[SearchDoc], stems_of, group: bool = True) -> list[Option]:
    """Fold the candidates (``order``: indices into ``docs``, best first) into options.

    ``stems_of(doc)`` gives the stemmed tokens per field (``Engine.doc_stems``)."""
    options: list[Option] = []
    by_key: dict[str, Option] = {}
    local: list[tuple[Option, list[frozenset[str]], frozenset[str], set[str | None]]] = []
    for i in order:
        doc = docs[i]
        if not group:
            options.append(Option(doc.doc_id, doc, i, [doc]))
            continue
        key = doc.record_id if doc.kind == "catalogue" else doc.catalogus_id
        if key:
            option = by_key.get(key)
            if option is None:
                option = by_key[key] = Option(key, doc, i)
                options.append(option)
            elif doc.kind == "catalogue":
                option.lead = doc  # the programme itself leads, even if a local copy scored higher
            option.members.append(doc)
            continue
        stems = stems_of(doc)
        name = _name_stems(doc)
        text = name | stems.get("doel", frozenset()) | stems.get("omschrijving", frozenset())
        twin = next(((o, names, places) for o, names, t, places in local
                     if doc.gemeente not in places
                     and (any(_overlaps(n, name, NAME_OVERLAP) for n in names) or _overlaps(t, text, TEXT_OVERLAP))),
                    None)
        if twin is not None:
            twin[0].members.append(doc)
            twin[1].append(name)
            twin[2].add(doc.gemeente)
            continue
        option = Option(doc.doc_id, doc, i, [doc])
        options.append(option)
        local.append((option, [name], text, {doc.gemeente}))
    return options


__all__ = ["Option", "group_options"]
