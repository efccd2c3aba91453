"""A GKA-agenda as a Word document in the template's shape, and the blank template.

The layout is the one the DOCX import reads (``data/template.py`` holds the shared labels): a
two-column table of top data (Gemeente, Provincie, Periode, …), the template's headings with
their text, one two-column table per intervention starting with *Naam/titel interventie*, one
per community, and the agreements. Exporting an agenda and importing the file into a store that
holds it changes nothing. Fields no source states are left empty, never filled in.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO

from .models import Agenda
from .template import COMMUNITY_LABELS, ITEM_LABELS, SECTION_TITLES, TOP_LABELS

BLANK_NOTE = ("Vul dit sjabloon in en importeer het met `gka-match import BESTAND.docx`. Laat velden die geen "
              "bron noemt leeg; verzin niets.")


def _table(doc, rows: list[tuple[str, str]]) -> None:
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in rows:
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value


def _yes(value: bool) -> str:
    return "ja" if value else "nee"


def _age(van: int | None, tot: int | None) -> list[tuple[str, str]]:
    if van is not None and tot is not None:
        return [("Leeftijd", f"{van}-{tot}")]
    return [(label, str(v)) for label, v in (("Leeftijd van", van), ("Leeftijd tot", tot)) if v is not None]


def write_agenda_docx(agenda: Agenda, out: str | Path | IO[bytes]) -> None:
    import docx

    doc = docx.Document()
    doc.add_heading(f"Gelijke kansen in gemeente {agenda.gemeente}", level=0)
    top = [(TOP_LABELS["gemeente"], agenda.gemeente), (TOP_LABELS["id"], agenda.id),
           (TOP_LABELS["provincie"], agenda.provincie), (TOP_LABELS["periode"], agenda.periode or ""),
           (TOP_LABELS["ondertekend"], agenda.ondertekend), (TOP_LABELS["gka_themas"], "; ".join(agenda.gka_themas)),
           (TOP_LABELS["bron"], agenda.bron), (TOP_LABELS["illustratief"], _yes(agenda.illustratief))]
    if agenda.begroting_ocw_euro is not None:
        top.append((TOP_LABELS["begroting_ocw_euro"], str(agenda.begroting_ocw_euro)))
    if agenda.begroting_toelichting:
        top.append((TOP_LABELS["begroting_toelichting"], agenda.begroting_toelichting))
    _table(doc, [(label, value) for label, value in top if value])
    for field, title in SECTION_TITLES.items():
        doc.add_heading(title, level=1)
        text = getattr(agenda, field)
        for paragraph in text.split("\n\n") if text else []:
            doc.add_paragraph(paragraph)
    doc.add_heading("Interventies", level=1)
    for item in agenda.interventies:
        doc.add_heading(f"Interventie {agenda.interventies.index(item) + 1}: {item.naam}", level=2)
        info = "\n".join(x for x in (item.website and f"Website: {item.website}",
                                     item.contactpersoon and f"Contactpersoon: {item.contactpersoon}") if x)
        rows = [(ITEM_LABELS["naam"], item.naam), (ITEM_LABELS["id"], item.id),
                (ITEM_LABELS["betrokken_partijen"], "\n".join(item.betrokken_partijen)),
                (ITEM_LABELS["doel"], item.doel), (ITEM_LABELS["doelgroep_omschrijving"], item.doelgroep_omschrijving),
                (ITEM_LABELS["doelgroep"], "; ".join(item.doelgroep)), *_age(item.leeftijd_van, item.leeftijd_tot),
                (ITEM_LABELS["locatie"], item.locatie), (ITEM_LABELS["omschrijving_activiteiten"], item.omschrijving_activiteiten),
                (ITEM_LABELS["monitoring_en_evaluatie"], item.monitoring_en_evaluatie),
                (ITEM_LABELS["financiering"], item.financiering), ("Meer informatie", info),
                (ITEM_LABELS["themas"], "; ".join(item.themas)), (ITEM_LABELS["setting"], "; ".join(item.setting)),
                (ITEM_LABELS["catalogus_id"], item.catalogus_id or ""), (ITEM_LABELS["bron"], item.bron),
                (ITEM_LABELS["illustratief"], _yes(item.illustratief))]
        _table(doc, [(label, value) for label, value in rows if value])
    if agenda.communities:
        doc.add_heading("Communities", level=1)
    for c in agenda.communities:
        _table(doc, [(COMMUNITY_LABELS["naam"], c.naam), (COMMUNITY_LABELS["betrokken_partijen"], "\n".join(c.betrokken_partijen)),
                     (COMMUNITY_LABELS["doel"], c.doel), (COMMUNITY_LABELS["doelgroep"], c.doelgroep),
                     (COMMUNITY_LABELS["activiteiten"], c.activiteiten), (COMMUNITY_LABELS["bron"], c.bron),
                     (COMMUNITY_LABELS["illustratief"], _yes(c.illustratief))])
    doc.add_heading(TOP_LABELS["afspraken"], level=1)  # the heading alone: no agreements are stated
    for afspraak in agenda.afspraken:
        doc.add_paragraph(afspraak)
    doc.save(out)


def write_blank_template(out: str | Path | IO[bytes]) -> None:
    """The template to fill in: every label, no values (an unfilled block is not imported)."""
    import docx

    doc = docx.Document()
    doc.add_heading("Gelijke kansen in gemeente …", level=0)
    doc.add_paragraph(BLANK_NOTE)
    _table(doc, [(TOP_LABELS[k], "") for k in ("gemeente", "provincie", "periode", "ondertekend", "gka_themas",
                                               "bron", "illustratief")])
    for title in SECTION_TITLES.values():
        doc.add_heading(title, level=1)
    doc.add_heading("Interventies", level=1)
    _table(doc, [(ITEM_LABELS[k], "") for k in ("naam", "betrokken_partijen", "doel", "doelgroep_omschrijving",
                                                "doelgroep", "locatie", "omschrijving_activiteiten",
                                                "monitoring_en_evaluatie", "financiering")]
           + [("Meer informatie", ""), (ITEM_LABELS["themas"], ""), (ITEM_LABELS["setting"], ""),
              (ITEM_LABELS["bron"], ""), (ITEM_LABELS["illustratief"], "")])
    doc.save(out)


__all__ = ["write_agenda_docx", "write_blank_template"]
