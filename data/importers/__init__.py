"""Read interventions and GKA-agenda's from CSV, XLSX, JSON, JSONL and a filled-in agenda DOCX.

``read_records(path, kind=None)`` returns an :class:`ImportBatch`: the valid records, and every
problem found (file, row or DOCX section, field, what to fix). Nothing is written here; the CLI
(``gka-match import``) decides what to store. Problems with the file as a whole (empty, too large,
not UTF-8, unknown extension, missing or unknown columns) raise :class:`ImportFileError`.

File shapes
-----------
*Kind* is ``interventions`` (catalogue) or ``agendas``; it is detected when not given: a
``gemeente`` column/key (or any ``agenda_…`` column) means agendas.

**JSON / JSONL** hold records exactly as the data model and ``gka-match export`` write them
(a JSON array or a single object; JSONL one object per line). An agenda's interventions are nested
in ``interventies``. A missing ``id`` is derived from ``naam`` / ``gemeente``.

**CSV / XLSX, interventions**: one row per intervention; the header holds the field names
(``id, naam, aliassen, korte_omschrijving, doel, doelgroep, doelgroep_omschrijving, leeftijd_van,
leeftijd_tot, themas, setting, erkenningsniveau, erkenning_databank, erkenning_datum,
werkzame_elementen, website, bron, illustratief``). Required: ``naam, korte_omschrijving, doel,
doelgroep, themas, setting, bron, illustratief``; ``id`` is derived from ``naam`` when empty.

**CSV / XLSX, agendas**: one row per agenda *intervention*. The intervention's fields use their
plain names (``id, naam, betrokken_partijen, doel, doelgroep, …, bron, illustratief``); the
agenda's fields are repeated on every row of that agenda and carry the prefix ``agenda_``
(``agenda_id, agenda_provincie, agenda_periode, agenda_aanleiding_en_uitdagingen,
agenda_inzet_gemeente, agenda_inzet_npo, agenda_samenwerking_gka, agenda_kennis,
agenda_afspraken, agenda_begroting_ocw_euro, agenda_begroting_toelichting, agenda_communities,
agenda_bron, agenda_illustratief``) — except ``gemeente``, which names the agenda. Agenda fields
that no intervention field shares may also be written without the prefix (``provincie``,
``periode``, …). Rows are grouped into agendas by ``agenda_id`` (or by ``gemeente`` when that is
empty), in file order; on later rows of the same agenda the agenda cells may be left empty, but a
different value is an error. ``agenda_communities`` is a JSON array of community objects.

In CSV/XLSX cells: lists (``doelgroep, themas, setting, aliassen, werkzame_elementen,
betrokken_partijen, agenda_afspraken``) are separated by ``;`` (a JSON array such as
``["a", "b"]`` also works, and is what the exporter writes when an item holds a ``;``); booleans
are ``true/false`` (also ``ja/nee``, ``1/0``); an empty cell means "not given" (the default).
CSV must be UTF-8 (a BOM is fine). Row numbers in messages count data rows: row 1 is the first
row below the header (spreadsheet line 2).

**DOCX (one filled-in GKA-agenda)**. Paragraphs and tables are read in document order:

* At the top, a two-column table or ``Label: waarde`` paragraphs with ``Gemeente``,
  ``Provincie``, ``Periode`` (``2021-2024``), ``Bron`` and ``Illustratief`` (ja/nee), optionally
  ``Begroting OCW`` (euro) and ``Begroting toelichting``. The template's title "Gelijke Kansen in
  Gemeente X" also gives the gemeente.
* The template's headings, each followed by its text: "Aanleiding en uitdagingen",
  "Inzet gemeente", "Inzet vanuit het Nationaal Programma Onderwijs", "Samenwerking met de
  Gelijke Kansen Alliantie", "Kennis".
* Per intervention a two-column table (label | value) or ``Label: waarde`` paragraphs, starting
  with "Naam/titel interventie", then "Betrokken partijen" (one per line or ``;``-separated),
  "Doel interventie", "Doelgroep" (free text), "Locatie (wijk, school)", "Omschrijving
  activiteiten", "Monitoring en evaluatie", "Financiering", "Meer informatie" (lines
  ``Website: …`` and ``Contactpersoon: …``, or separate rows "Website" and "Contactpersoon"), and
  the rows the template lacks: "Doelgroep labels" (from the vocabulary, e.g. ``ouders; 4-12
  jaar``; may be left out when "Doelgroep" itself lists only such labels), "Thema's", "Setting",
  optionally "Leeftijd" (``4-12``), "Catalogus-id", and "Bron"/"Illustratief" (default: the
  agenda's).
* Per community (optional) the same with "Naam Community", "Betrokken partijen", "Doel
  Community", "Doelgroep", "Activiteiten".

A label may also stand alone in its own paragraph with the value in the paragraphs below it.
Issues in a DOCX name the section ("Kopgegevens", a heading, "Interventie 2 (naam)").
"""

from __future__ import annotations

from pathlib import Path

from ..validation import Kind
from .batch import ImportBatch, ImportFileError, SectionIssue
from .docx_file import read_docx
from .json_files import read_json, read_jsonl
from .tabular import read_csv, read_xlsx

DEFAULT_MAX_IMPORT_BYTES = 20 * 1024 * 1024  # 20 MB; larger import files are refused
KINDS: tuple[str, ...] = ("interventions", "agendas")
FORMATS: dict[str, str] = {
    ".csv": "csv",
    ".xlsx": "xlsx",
    ".json": "json",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".docx": "docx",
}
_EXTENSION_HINTS = {
    ".xls": "sla het op als .xlsx (Excel: Opslaan als > Excel-werkmap)",
    ".xlsm": "sla het op als .xlsx (Excel: Opslaan als > Excel-werkmap)",
    ".ods": "sla het op als .xlsx of .csv",
    ".doc": "sla het op als .docx (Word: Opslaan als > Word-document)",
    ".odt": "sla het op als .docx",
    ".tsv": "sla het op als .csv met komma's",
    ".txt": "sla het op als .csv, .json of .jsonl",
}
_READERS = {"csv": read_csv, "xlsx": read_xlsx, "json": read_json, "jsonl": read_jsonl, "docx": read_docx}
_MB = 1024 * 1024


def read_records(
    path: str | Path,
    kind: Kind | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_IMPORT_BYTES,
    progress: bool = False,
) -> ImportBatch:
    """Read and validate every record of ``path``; raises :class:`ImportFileError` for file problems.

    ``max_bytes`` is the ``GKA_MAX_IMPORT_BYTES`` setting (default 20 MB). With ``progress``, a
    tqdm bar on stderr follows validation of files with more than 200 records.
    """
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise ImportFileError(f"onbekende soort '{kind}'; kies uit: {', '.join(KINDS)}")
    if not path.exists():
        raise ImportFileError(f"{path} bestaat niet")
    if path.is_dir():
        raise ImportFileError(f"{path} is een map; geef een bestand")
    ext = path.suffix.lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        hint = _EXTENSION_HINTS.get(ext, "")
        known = ", ".join(sorted(set(FORMATS) - {".ndjson"}))
        what = f"'{ext}'" if ext else "zonder extensie"
        raise ImportFileError(
            f"{path.name}: bestandstype {what} wordt niet ondersteund; gebruik {known}" + (f" ({hint})" if hint else "")
        )
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportFileError(
            f"{path.name} is {size / _MB:.1f} MB, groter dan de importgrens van {max_bytes / _MB:.1f} MB; "
            "splits het in kleinere bestanden of verhoog GKA_MAX_IMPORT_BYTES"
        )
    if size == 0:
        raise ImportFileError(f"{path.name} is leeg; er staan geen records in")
    return _READERS[fmt](path, kind, progress)


__all__ = [
    "DEFAULT_MAX_IMPORT_BYTES", "FORMATS", "KINDS", "ImportBatch", "ImportFileError", "SectionIssue",
    "read_records",
]
