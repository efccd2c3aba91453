"""What the data rests on, in numbers: provenance, evidence and coverage of a set of records.

``gka-match data-report`` prints it for the store; the test suite checks the bundled data
against the targets below, so a change that makes the data less trustworthy fails CI.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass

from .models import Agenda, CatalogueIntervention

FACTS_CHECKED = "2026-12-02"  # when the sources of the bundled facts were last read
INTERNAL_SOURCE = re.compile(r"(^|[\s(;/])(seeds/|\.\./shared|shared/|data/bundled|[\w-]+\.jsonl\b)")
URL = re.compile(r"https?://\S+")
RECOGNISED_EXCLUDED = ("onbekend", "niet erkend")

TARGETS = {
    "agenda_municipalities_with_real_interventions": 40,
    "real_agenda_interventions": 100,
    "catalogue_real": 250,
}
SHARE_TARGETS = {
    "invented_share_max": 0.20,
    "recognised_with_werkzame_elementen": 0.80,
    "catalogue_with_website": 0.70,
}


@dataclass
class DataReport:
    agendas: int
    agenda_municipalities_with_real_interventions: int
    real_agenda_interventions: int
    invented_agenda_interventions: int
    invented_share: float
    agenda_interventions_without_url: int
    agendas_with_own_challenge_text: int
    catalogue_real: int
    catalogue_invented: int
    recognised: int
    recognised_with_databank_and_date: int
    recognised_with_werkzame_elementen: float
    catalogue_with_website: float
    vlaanderen: int
    linked_agenda_interventions: int
    broken_links: list[str]
    internal_sources: list[str]
    facts_checked: str = FACTS_CHECKED

    def problems(self) -> list[str]:
        """Every target the data misses, in words."""
        out = [f"{name}: {getattr(self, name)} < {goal}" for name, goal in TARGETS.items() if getattr(self, name) < goal]
        if self.invented_share > SHARE_TARGETS["invented_share_max"]:
            out.append(f"invented_share: {self.invented_share:.0%} > 20%")
        for name in ("recognised_with_werkzame_elementen", "catalogue_with_website"):
            if getattr(self, name) < SHARE_TARGETS[name]:
                out.append(f"{name}: {getattr(self, name):.0%} < {SHARE_TARGETS[name]:.0%}")
        if self.agenda_interventions_without_url:
            out.append(f"{self.agenda_interventions_without_url} real agenda interventions cite no URL")
        out += [f"catalogus_id points nowhere: {b}" for b in self.broken_links]
        out += [f"bron names a file of the project: {s}" for s in self.internal_sources]
        return out

    def as_dict(self) -> dict:
        return asdict(self)


def data_report(catalogue: list[CatalogueIntervention], agendas: list[Agenda]) -> DataReport:
    ids = {c.id for c in catalogue}
    items = [(a, i) for a in agendas for i in a.interventies]
    real = [(a, i) for a, i in items if not i.illustratief]
    recognised = [c for c in catalogue if not c.illustratief and c.erkenningsniveau not in RECOGNISED_EXCLUDED]
    real_catalogue = [c for c in catalogue if not c.illustratief]
    sources = [(c.id, c.bron) for c in catalogue] + [(a.id, a.bron) for a in agendas] + [(i.id, i.bron) for _, i in items]
    return DataReport(
        agendas=len(agendas),
        agenda_municipalities_with_real_interventions=len({a.gemeente for a, _ in real}),
        real_agenda_interventions=len(real),
        invented_agenda_interventions=len(items) - len(real),
        invented_share=round((len(items) - len(real)) / len(items), 4) if items else 0.0,
        agenda_interventions_without_url=sum(1 for _, i in real if not URL.search(i.bron)),
        agendas_with_own_challenge_text=sum(1 for a in agendas if a.aanleiding_en_uitdagingen and not a.illustratief),
        catalogue_real=len(real_catalogue),
        catalogue_invented=len(catalogue) - len(real_catalogue),
        recognised=len(recognised),
        recognised_with_databank_and_date=sum(1 for c in recognised if c.erkenning_databank and c.erkenning_datum),
        recognised_with_werkzame_elementen=round(sum(1 for c in recognised if c.werkzame_elementen) / len(recognised), 4)
        if recognised else 0.0,
        catalogue_with_website=round(sum(1 for c in real_catalogue if c.website) / len(real_catalogue), 4)
        if real_catalogue else 0.0,
        vlaanderen=sum(1 for c in catalogue if c.land == "Vlaanderen"),
        linked_agenda_interventions=sum(1 for _, i in items if i.catalogus_id),
        broken_links=sorted(f"{i.id} → {i.catalogus_id}" for _, i in items if i.catalogus_id and i.catalogus_id not in ids),
        internal_sources=sorted(rid for rid, bron in sources if INTERNAL_SOURCE.search(bron)),
    )


def format_report(r: DataReport) -> str:
    return "\n".join([
        f"Feiten laatst gecontroleerd in de bronnen: {r.facts_checked}",
        f"GKA-agenda's: {r.agendas}; gemeenten met echte, gesourcete interventies: "
        f"{r.agenda_municipalities_with_real_interventions}",
        f"Agenda-interventies: {r.real_agenda_interventions} echt (met URL), {r.invented_agenda_interventions} "
        f"illustratief ({r.invented_share:.0%})",
        f"Agenda's met de uitdaging in de eigen woorden van de gemeente: {r.agendas_with_own_challenge_text}",
        f"Catalogus: {r.catalogue_real} echte programma's ({r.vlaanderen} uit Vlaanderen), "
        f"{r.catalogue_invented} illustratief",
        f"Erkend door een databank: {r.recognised} (met databank en datum: {r.recognised_with_databank_and_date}); "
        f"met werkzame elementen: {r.recognised_with_werkzame_elementen:.0%}",
        f"Programma's met een website: {r.catalogue_with_website:.0%}",
        f"Agenda-interventies gekoppeld aan een programma: {r.linked_agenda_interventions}",
        f"Kapotte koppelingen: {len(r.broken_links)}; bronnen die naar projectbestanden wijzen: {len(r.internal_sources)}",
    ])


__all__ = ["DataReport", "data_report", "format_report", "FACTS_CHECKED", "TARGETS"]
