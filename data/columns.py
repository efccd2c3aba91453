"""The column layout of CSV and XLSX files: what the importers read and the exporters write.

One declaration for both directions, so an exported file imports unchanged; checked against the
data model at import time.
"""

from __future__ import annotations

from .models import Agenda, AgendaIntervention, CatalogueIntervention

INTERVENTION_COLUMNS: tuple[str, ...] = (
    "id", "naam", "aliassen", "korte_omschrijving", "doel", "doelgroep", "doelgroep_omschrijving",
    "leeftijd_van", "leeftijd_tot", "themas", "setting", "erkenningsniveau", "erkenning_databank",
    "erkenning_datum", "werkzame_elementen", "website", "land", "bron", "illustratief",
)
AGENDA_ITEM_COLUMNS: tuple[str, ...] = (
    "id", "naam", "betrokken_partijen", "doel", "doelgroep", "doelgroep_omschrijving",
    "leeftijd_van", "leeftijd_tot", "themas", "setting", "locatie", "omschrijving_activiteiten",
    "monitoring_en_evaluatie", "financiering", "website", "contactpersoon", "catalogus_id", "bron",
    "illustratief",
)
AGENDA_FIELDS: tuple[str, ...] = (
    "gemeente", "id", "provincie", "periode", "ondertekend", "gka_themas", "aanleiding_en_uitdagingen", "inzet_gemeente",
    "inzet_npo", "samenwerking_gka", "kennis", "afspraken", "begroting_ocw_euro",
    "begroting_toelichting", "communities", "bron", "illustratief",
)
AGENDA_PREFIX = "agenda_"


def agenda_column(name: str) -> str:
    """The CSV column of an agenda field: ``gemeente`` stays plain, the rest gets ``agenda_``."""
    return name if name == "gemeente" else AGENDA_PREFIX + name


AGENDA_COLUMNS: tuple[str, ...] = tuple(agenda_column(f) for f in AGENDA_FIELDS) + AGENDA_ITEM_COLUMNS

LIST_FIELDS = {
    "aliassen", "doelgroep", "themas", "setting", "werkzame_elementen", "betrokken_partijen",
    "afspraken", "gka_themas",
}
JSON_FIELDS = {"communities"}
BOOL_FIELDS = {"illustratief"}

_check = {
    "interventions": set(INTERVENTION_COLUMNS) ^ set(CatalogueIntervention.model_fields),
    "agenda items": set(AGENDA_ITEM_COLUMNS) ^ set(AgendaIntervention.model_fields),
    "agendas": set(AGENDA_FIELDS) ^ (set(Agenda.model_fields) - {"interventies"}),
}
assert not any(_check.values()), f"column layout out of step with the data model: {_check}"

__all__ = [
    "AGENDA_COLUMNS", "AGENDA_FIELDS", "AGENDA_ITEM_COLUMNS", "AGENDA_PREFIX", "BOOL_FIELDS",
    "INTERVENTION_COLUMNS", "JSON_FIELDS", "LIST_FIELDS", "agenda_column",
]
