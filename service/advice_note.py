"""The advice note: a search's chosen options as a Dutch Word document for the wethouder.

A view of the search core's answer, like the web page and the chat: the challenge as typed, the
filters, date and data version; per option a table with what a note needs (omschrijving, doel,
doelgroep with ages, erkenning with databank and date, werkzame elementen, the municipalities
that apply it with local name, contact and website, the sources as links); an *illustratief*
mark wherever data is invented; and a closing *Verantwoording*.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import IO

from gka_match.index.filters import Filters
from gka_match.index.reasons import age_label
from gka_match.index.search import Result

URL = re.compile(r"https?://[^\s;,)]+")
MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
FILTER_LABELS = {"thema": "thema", "doelgroep": "doelgroep", "setting": "setting", "min_erkenning": "minimaal",
                 "kind": "soort", "gemeente": "gemeente", "provincie": "provincie"}


def file_name(query: str) -> str:
    slug = re.sub(r"[^a-z0-9]+", "-", query.lower())[:50].strip("-") or "zoekvraag"
    return f"adviesnotitie-{slug}.docx"


def _hyperlink(paragraph, url: str, text: str | None = None) -> None:
    """A clickable link (python-docx has no API for it: a w:hyperlink with an external relation)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    rid = paragraph.part.relate_to(url, RELATIONSHIP_TYPE.HYPERLINK, is_external=True)
    link = OxmlElement("w:hyperlink")
    link.set(qn("r:id"), rid)
    run = OxmlElement("w:r")
    props = OxmlElement("w:rPr")
    style = OxmlElement("w:rStyle")
    style.set(qn("w:val"), "Hyperlink")
    props.append(style)
    underline = OxmlElement("w:u")
    underline.set(qn("w:val"), "single")
    props.append(underline)
    run.append(props)
    t = OxmlElement("w:t")
    t.text = text or url
    run.append(t)
    link.append(run)
    paragraph._p.append(link)


def _text_with_links(cell, text: str) -> None:
    paragraph = cell.paragraphs[0]
    pos = 0
    for m in URL.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos:m.start()])
        _hyperlink(paragraph, m.group(0))
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


def describe_filters(filters: Filters) -> str:
    parts = []
    for name, label in FILTER_LABELS.items():
        value = getattr(filters, name)
        if value:
            parts.append(f"{label}: {', '.join(value) if isinstance(value, list) else value}")
    return "; ".join(parts) or "geen"


def write_advice_note(query: str, filters: Filters, results: list[Result], data_version: int,
                      out: str | IO[bytes], today: dt.date | None = None) -> None:
    import docx

    doc = docx.Document()
    doc.add_heading("Adviesnotitie: interventies bij een lokale uitdaging", level=0)
    doc.add_heading("De vraag", level=1)
    table = doc.add_table(rows=0, cols=2)
    table.style = "Table Grid"
    for label, value in (("Uitdaging", query), ("Filters", describe_filters(filters)),
                         ("Datum", (today or dt.date.today()).strftime("%d-%m-%Y")),
                         ("Gegevensversie", str(data_version)), ("Aantal opties", str(len(results)))):
        cells = table.add_row().cells
        cells[0].text, cells[1].text = label, value
    invented: set[str] = set()  # ids of invented records, each counted once
    doc.add_heading("Opties", level=1)
    for r in results:
        d = r.lead
        title = d.name + (f" ({d.gemeente})" if d.kind == "agenda" else "") + (" [illustratief]" if d.illustratief else "")
        doc.add_heading(title, level=2)
        invented |= ({d.doc_id} if d.illustratief else set()) | {x.intervention_id for x in r.runners if x.illustratief}
        extra = d.extra
        erkenning = d.erkenningsniveau + "".join(
            f", {x}" for x in (extra.get("erkenning_databank"), extra.get("erkenning_datum")) if x)
        runners = [f"{x.gemeente}: {x.naam}" + (f" (contact: {x.contactpersoon})" if x.contactpersoon else "")
                   + (f" {x.website}" if x.website else "") + (" [illustratief]" if x.illustratief else "")
                   for x in r.runners]
        rows = [
            ("Soort", "programma uit de catalogus" if d.kind == "catalogue" else "aanpak uit een GKA-agenda"),
            ("Match", f"{r.strength} (kans {r.confidence:.0%})"),
            ("Korte omschrijving", d.summary or "niet vermeld in de bron"),
            ("Doel", d.fields.get("doel") or "niet vermeld in de bron"),
            ("Doelgroep", ", ".join(d.doelgroep) + (f" ({age_label(d)})" if d.leeftijd_van is not None or d.leeftijd_tot is not None else "")
             or "niet vermeld in de bron"),
            ("Erkenning", erkenning),
            ("Werkzame elementen", "; ".join(extra.get("werkzame_elementen", [])) or "niet vermeld in de bron"),
            ("Waarom dit past", "\n".join(r.reason.points)),
            ("Gemeenten die dit doen", "\n".join(runners) or "nog geen gemeente in de GKA-agenda's"),
            ("Website", d.website or "niet vermeld"),
            ("Bronnen", extra.get("bron") or "niet vermeld"),
        ]
        if d.kind == "catalogue" and extra.get("land") == "Vlaanderen":
            rows.insert(1, ("Land", "Vlaanderen"))
        if d.illustratief:
            rows.insert(0, ("Let op", "Illustratief: deze gegevens zijn verzonnen ter demonstratie, niet uit een bron."))
        table = doc.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        for label, value in rows:
            cells = table.add_row().cells
            cells[0].text = label
            _text_with_links(cells[1], value)
    doc.add_heading("Verantwoording", level=1)
    doc.add_paragraph(
        "De opties zijn gevonden met gka-match: de uitdaging is vergeleken met de beschrijvingen van bewezen "
        "en beschreven programma's (met de erkenning zoals de databanken van het NJi en Loket Gezond Leven die "
        "geven) en met de interventies uit GKA-agenda's van gemeenten, op betekenis (een taalmodel) en op "
        "trefwoorden. Een programma en de gemeenten die het toepassen tellen als één optie. De matchsterkte is een "
        "gekalibreerde kans dat de optie bij de vraag past; ze vervangt geen eigen beoordeling.")
    doc.add_paragraph(
        "Alle gegevens komen uit openbare bronnen (zie 'Bronnen' per optie), behalve wat als illustratief is "
        "gemarkeerd: " + (f"in deze notitie {len(invented)} {'record' if len(invented) == 1 else 'records'}." if invented else "in deze notitie niets.")
        + " Velden die geen bron noemt, staan als 'niet vermeld in de bron'.")
    doc.save(out)


__all__ = ["MEDIA_TYPE", "file_name", "write_advice_note"]
