"""Turn store records into search documents: one per catalogue intervention and one per
agenda intervention. The store stays the source of truth; a document is derived and disposable.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Iterable, Literal

from gka_match.data.models import Agenda, AgendaIntervention, CatalogueIntervention
from gka_match.data.vocab import DOELGROEP_LEEFTIJD, erkenning_rank

Kind = Literal["catalogue", "agenda"]

# Lexical field weights: a field's text is repeated this many times in the BM25 document.
# The name and goal say most about what an intervention is for; the agenda's challenge text is
# context, so it counts once.
FIELD_WEIGHTS: dict[str, int] = {
    "naam": 3,
    "aliassen": 2,
    "doel": 2,
    "omschrijving": 1,
    "doelgroep": 1,
    "themas": 2,
    "werkzame_elementen": 1,
    "uitdaging": 1,
}


@dataclass
class SearchDoc:
    """Everything retrieval, filtering, reasons and result cards need about one intervention."""

    doc_id: str
    kind: Kind
    record_id: str  # the catalogue intervention id, or the agenda id for agenda items
    name: str
    summary: str
    fields: dict[str, str]
    dense_text: str
    themas: list[str]
    doelgroep: list[str]
    setting: list[str]
    leeftijd_van: int | None
    leeftijd_tot: int | None
    erkenningsniveau: str
    erkenning_rank: int
    gemeente: str | None = None
    provincie: str | None = None
    catalogus_id: str | None = None
    website: str | None = None
    contactpersoon: str | None = None
    illustratief: bool = False
    extra: dict = field(default_factory=dict)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, raw: dict) -> "SearchDoc":
        return cls(**raw)

    def age_span(self) -> tuple[int, int] | None:
        """Ages reached: the explicit range, else the union of the age bands."""
        if self.leeftijd_van is not None or self.leeftijd_tot is not None:
            lo = self.leeftijd_van if self.leeftijd_van is not None else 0
            hi = self.leeftijd_tot if self.leeftijd_tot is not None else 30
            return lo, hi
        spans = [DOELGROEP_LEEFTIJD[d] for d in self.doelgroep if d in DOELGROEP_LEEFTIJD]
        if not spans:
            return None
        return min(s[0] for s in spans), max(s[1] for s in spans)


def _dense_text(name: str, parts: Iterable[str]) -> str:
    return ". ".join([name, *[p.strip().rstrip(".") for p in parts if p and p.strip()]])


def catalogue_doc(rec: CatalogueIntervention) -> SearchDoc:
    doelgroep_text = ", ".join([rec.doelgroep_omschrijving, *rec.doelgroep])
    return SearchDoc(
        doc_id=rec.id,
        kind="catalogue",
        record_id=rec.id,
        name=rec.naam,
        summary=rec.korte_omschrijving,
        fields={
            "naam": rec.naam,
            "aliassen": " ".join(rec.aliassen),
            "doel": rec.doel,
            "omschrijving": rec.korte_omschrijving,
            "doelgroep": doelgroep_text,
            "themas": " ".join(rec.themas),
            "werkzame_elementen": " ".join(rec.werkzame_elementen),
        },
        dense_text=_dense_text(
            rec.naam, [rec.korte_omschrijving, rec.doel, f"Doelgroep: {doelgroep_text}", ", ".join(rec.themas)]
        ),
        themas=list(rec.themas),
        doelgroep=list(rec.doelgroep),
        setting=list(rec.setting),
        leeftijd_van=rec.leeftijd_van,
        leeftijd_tot=rec.leeftijd_tot,
        erkenningsniveau=rec.erkenningsniveau,
        erkenning_rank=erkenning_rank(rec.erkenningsniveau),
        website=rec.website,
        illustratief=rec.illustratief,
        extra={
            "erkenning_databank": rec.erkenning_databank,
            "erkenning_datum": rec.erkenning_datum,
            "werkzame_elementen": list(rec.werkzame_elementen),
            "aliassen": list(rec.aliassen),
            "land": rec.land,
            "bron": rec.bron,
        },
    )


def agenda_doc(agenda: Agenda, item: AgendaIntervention, programme: CatalogueIntervention | None) -> SearchDoc:
    """An agenda intervention, with its agenda's challenge as context; erkenning comes from the
    catalogue programme it applies (an agenda item itself is not judged by a databank)."""
    niveau = programme.erkenningsniveau if programme else "onbekend"
    doelgroep_text = ", ".join([item.doelgroep_omschrijving, *item.doelgroep])
    return SearchDoc(
        doc_id=item.id,
        kind="agenda",
        record_id=agenda.id,
        name=item.naam,
        summary=item.doel or item.omschrijving_activiteiten,
        fields={
            "naam": item.naam + (f" {programme.naam}" if programme else ""),
            "aliassen": " ".join(programme.aliassen) if programme else "",
            "doel": item.doel,
            "omschrijving": item.omschrijving_activiteiten,
            "doelgroep": doelgroep_text,
            "themas": " ".join(item.themas),
            "werkzame_elementen": "",
            "uitdaging": agenda.aanleiding_en_uitdagingen,
        },
        dense_text=_dense_text(
            item.naam,
            [item.doel, item.omschrijving_activiteiten, f"Doelgroep: {doelgroep_text}", ", ".join(item.themas)],
        ),
        themas=list(item.themas),
        doelgroep=list(item.doelgroep),
        setting=list(item.setting),
        leeftijd_van=item.leeftijd_van,
        leeftijd_tot=item.leeftijd_tot,
        erkenningsniveau=niveau,
        erkenning_rank=erkenning_rank(niveau),
        gemeente=agenda.gemeente,
        provincie=agenda.provincie,
        catalogus_id=item.catalogus_id,
        website=item.website,
        contactpersoon=item.contactpersoon,
        illustratief=item.illustratief,
        extra={
            "locatie": item.locatie,
            "betrokken_partijen": list(item.betrokken_partijen),
            "programma": programme.naam if programme else None,
            "aliassen": list(programme.aliassen) if programme else [],
            "agenda_uitdaging": agenda.aanleiding_en_uitdagingen,
            "bron": item.bron,
        },
    )


def build_documents(
    catalogue: Iterable[CatalogueIntervention], agendas: Iterable[Agenda]
) -> list[SearchDoc]:
    by_id = {c.id: c for c in catalogue}
    docs = [catalogue_doc(c) for c in by_id.values()]
    for agenda in agendas:
        docs += [agenda_doc(agenda, i, by_id.get(i.catalogus_id or "")) for i in agenda.interventies]
    return docs


def lexical_text(doc: SearchDoc) -> str:
    """The BM25 text: every field repeated by its weight."""
    return " ".join(" ".join([doc.fields.get(f, "")] * w) for f, w in FIELD_WEIGHTS.items())
