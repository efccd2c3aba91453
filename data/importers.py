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

import csv
import io
import json
import re
import sys
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import BaseModel

from .jsonl import jsonl_lines
from .models import (
    Agenda,
    AgendaIntervention,
    CatalogueIntervention,
    agenda_id,
    agenda_intervention_id,
    catalogue_id,
)
from .validation import Issue, Kind, check_catalogue_links, validate_rows
from .vocab import DOELGROEPEN, SETTINGS, THEMAS

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
    ".xls": "save it as .xlsx (Excel: Save As > Excel Workbook)",
    ".xlsm": "save it as .xlsx (Excel: Save As > Excel Workbook)",
    ".ods": "save it as .xlsx or .csv",
    ".doc": "save it as .docx (Word: Save As > Word Document)",
    ".odt": "save it as .docx",
    ".tsv": "save it as .csv with commas",
    ".txt": "save it as .csv, .json or .jsonl",
}
PROGRESS_THRESHOLD = 200  # show a progress bar for more records than this
MAX_XLSX_ROWS = 100_000  # a small .xlsx can unpack to a huge sheet; the byte limit alone does not hold
_MB = 1024 * 1024

# ---- column layout (shared with exporters.py, so CSV/XLSX round-trips) ------------------------
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
_TRUE = {"true", "ja", "j", "yes", "y", "1", "waar", "wel", "x"}
_FALSE = {"false", "nee", "n", "no", "0", "onwaar", "niet"}

_check = {
    "interventions": set(INTERVENTION_COLUMNS) ^ set(CatalogueIntervention.model_fields),
    "agenda items": set(AGENDA_ITEM_COLUMNS) ^ set(AgendaIntervention.model_fields),
    "agendas": set(AGENDA_FIELDS) ^ (set(Agenda.model_fields) - {"interventies"}),
}
assert not any(_check.values()), f"column layout out of step with the data model: {_check}"


class ImportFileError(ValueError):
    """The file as a whole cannot be read; the message says what to change."""


@dataclass(frozen=True)
class SectionIssue(Issue):
    """An issue in a DOCX agenda: names the section instead of a row."""

    section: str = ""

    def __str__(self) -> str:
        where = f"{self.source}, section '{self.section}'"
        return f"{where}, field '{self.field}': {self.message}" if self.field else f"{where}: {self.message}"


def _same(issue: Issue) -> Issue:
    return issue


@dataclass
class ImportBatch:
    """What one file holds: valid records (with their row), every issue, and the record count."""

    source: str
    kind: Kind
    fmt: str
    total: int
    records: list[tuple[int, BaseModel]] = field(default_factory=list)
    issues: list[Issue] = field(default_factory=list)
    locate: Callable[[Issue], Issue] = _same  # maps a model-level issue to the file's row/column

    @property
    def interventions(self) -> list[CatalogueIntervention]:
        return [r for _, r in self.records if isinstance(r, CatalogueIntervention)]

    @property
    def agendas(self) -> list[Agenda]:
        return [r for _, r in self.records if isinstance(r, Agenda)]

    @property
    def invalid(self) -> int:
        """How many records of the file are invalid (and would be skipped)."""
        return self.total - len(self.records)

    def check_links(self, known_catalogue_ids: set[str]) -> None:
        """Agendas: every ``catalogus_id`` must name a known catalogue intervention.

        Records with a bad link move from ``records`` to ``issues``.
        """
        agendas = [(row, rec) for row, rec in self.records if isinstance(rec, Agenda)]
        raw = check_catalogue_links(agendas, known_catalogue_ids, self.source)  # type: ignore[arg-type]
        if not raw:
            return
        bad_rows = {i.row for i in raw}
        self.records = [(row, rec) for row, rec in self.records if row not in bad_rows]
        self.issues.extend(self.locate(i) for i in raw)


# ---- entry point ----------------------------------------------------------------------------
def read_records(
    path: str | Path,
    kind: Kind | None = None,
    *,
    max_bytes: int | None = None,
    progress: bool = False,
) -> ImportBatch:
    """Read and validate every record of ``path``; raises :class:`ImportFileError` for file problems.

    ``max_bytes`` defaults to the ``GKA_MAX_IMPORT_BYTES`` setting (20 MB). With ``progress``, a
    tqdm bar on stderr follows validation of files with more than 200 records.
    """
    path = Path(path)
    if kind is not None and kind not in KINDS:
        raise ImportFileError(f"unknown kind '{kind}'; use one of: {', '.join(KINDS)}")
    if not path.exists():
        raise ImportFileError(f"{path} does not exist")
    if path.is_dir():
        raise ImportFileError(f"{path} is a folder; give a file")
    ext = path.suffix.lower()
    fmt = FORMATS.get(ext)
    if fmt is None:
        hint = _EXTENSION_HINTS.get(ext, "")
        known = ", ".join(sorted(set(FORMATS) - {".ndjson"}))
        what = f"'{ext}'" if ext else "without an extension"
        raise ImportFileError(
            f"{path.name}: unsupported file type {what}; use {known}" + (f" ({hint})" if hint else "")
        )
    if max_bytes is None:
        from gka_match.config import load_settings

        max_bytes = load_settings().max_import_bytes
    size = path.stat().st_size
    if size > max_bytes:
        raise ImportFileError(
            f"{path.name} is {size / _MB:.1f} MB, larger than the import limit of {max_bytes / _MB:.1f} MB; "
            "split it into smaller files or raise GKA_MAX_IMPORT_BYTES"
        )
    if size == 0:
        raise ImportFileError(f"{path.name} is empty; it holds no records")
    reader = {"csv": _read_csv, "xlsx": _read_xlsx, "json": _read_json, "jsonl": _read_jsonl,
              "docx": _read_docx}[fmt]
    return reader(path, kind, progress)


# ---- helpers shared by the readers ------------------------------------------------------------
def _decode(path: Path) -> str:
    data = path.read_bytes()
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ImportFileError(f"{path.name} is UTF-16 encoded; save it as UTF-8 (in Excel: 'CSV UTF-8')")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        byte = data[exc.start:exc.start + 1].hex()
        guess = ""
        try:
            data.decode("cp1252")
            guess = " It looks like Windows-1252/Latin-1."
        except UnicodeDecodeError:
            pass
        raise ImportFileError(
            f"{path.name} is not UTF-8 (byte 0x{byte} on line {line}).{guess} "
            "Save it as UTF-8 (in Excel: 'CSV UTF-8'; in an editor: encoding UTF-8) and import it again"
        ) from exc
    if not text.strip():
        raise ImportFileError(f"{path.name} is empty; it holds no records")
    return text


def _progress(items: list, enabled: bool, desc: str) -> Iterable:
    if not enabled or len(items) <= PROGRESS_THRESHOLD:
        return items
    from tqdm import tqdm

    return tqdm(items, total=len(items), desc=desc, unit="rec", file=sys.stderr, leave=False)


def _model(kind: Kind) -> type[BaseModel]:
    return CatalogueIntervention if kind == "interventions" else Agenda


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _fill_ids(raw: dict, kind: Kind) -> dict:
    """Derive missing ids the same way the bundled data does, so re-imports hit the same record."""
    if kind == "interventions":
        if _blank(raw.get("id")) and isinstance(raw.get("naam"), str) and raw["naam"].strip():
            raw["id"] = catalogue_id(raw["naam"])
        return raw
    if isinstance(raw.get("periode"), str):
        raw["periode"] = _periode(raw["periode"])  # '2021 – 2024' -> '2021-2024'
    gemeente = raw.get("gemeente")
    if not isinstance(gemeente, str) or not gemeente.strip():
        return raw
    if _blank(raw.get("id")):
        raw["id"] = agenda_id(gemeente)
    for item in raw.get("interventies") or []:
        if isinstance(item, dict) and _blank(item.get("id")) and isinstance(item.get("naam"), str) \
                and item["naam"].strip():
            item["id"] = agenda_intervention_id(gemeente, item["naam"])
    return raw


def _periode(value: str) -> str:
    return re.sub(r"\s*[-–—]\s*", "-", value.strip())


def _detect_kind_from_keys(keys: Iterable[str]) -> Kind:
    keys = set(keys)
    if "gemeente" in keys or any(k.startswith(AGENDA_PREFIX) for k in keys) or "interventies" in keys:
        return "agendas"
    return "interventions"


_CATALOGUE_ONLY = {"korte_omschrijving", "erkenningsniveau", "erkenning_databank", "aliassen", "werkzame_elementen"}


def _check_kind(path: Path, given: Kind | None, keys: Iterable[str]) -> Kind:
    """The detected kind; refuse a given kind that the file clearly contradicts."""
    keys = set(keys)
    detected = _detect_kind_from_keys(keys)
    if given is None:
        return detected
    if given == "interventions" and detected == "agendas":
        raise ImportFileError(f"{path.name} looks like agendas (it has 'gemeente' or agenda fields), not "
                              "catalogue interventions; use --kind agendas or leave --kind out")
    if given == "agendas" and detected == "interventions" and keys & _CATALOGUE_ONLY:
        raise ImportFileError(f"{path.name} looks like catalogue interventions (it has "
                              f"{', '.join(sorted(keys & _CATALOGUE_ONLY))} and no gemeente); "
                              "use --kind interventions or leave --kind out")
    return given


def _validate(
    rows: list[tuple[int, dict]], kind: Kind, source: str, progress: bool
) -> tuple[list[tuple[int, BaseModel]], list[Issue]]:
    good, bad = validate_rows(_progress(rows, progress, f"Validating {source}"), _model(kind), source)
    return good, _drop_underived_ids(bad)


def _drop_underived_ids(issues: list[Issue]) -> list[Issue]:
    """A missing id is derived from naam/gemeente; when that is missing too, report only the latter."""
    present = {(i.row, i.field) for i in issues}
    out = []
    for i in issues:
        if i.message == "is required but missing" and (i.field == "id" or i.field.endswith(".id")):
            prefix = i.field[: -len("id")]
            source_field = "gemeente" if prefix == "" and (i.row, "gemeente") in present else "naam"
            if (i.row, prefix + source_field) in present:
                continue
        out.append(i)
    return out


# ---- JSON and JSONL --------------------------------------------------------------------------
def _json_records(path: Path, items: list[tuple[int, Any]], kind: Kind | None, fmt: str,
                  progress: bool) -> ImportBatch:
    issues: list[Issue] = []
    objects: list[tuple[int, dict]] = []
    for row, obj in items:
        if isinstance(obj, dict):
            objects.append((row, obj))
        else:
            issues.append(Issue(path.name, row, "", f"expected a JSON object {{...}}, got {type(obj).__name__}"))
    kind = _check_kind(path, kind, objects[0][1].keys() if objects else ())
    rows = [(row, _fill_ids(dict(obj), kind)) for row, obj in objects]
    good, bad = _validate(rows, kind, path.name, progress)
    return ImportBatch(path.name, kind, fmt, len(items), good, issues + bad)


def _read_json(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    text = _decode(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{path.name} is not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg}); "
            "give an array of objects or one object (for one object per line, name the file .jsonl)"
        ) from exc
    if isinstance(data, dict):
        items = [(1, data)]
    elif isinstance(data, list):
        items = list(enumerate(data, start=1))
    else:
        raise ImportFileError(f"{path.name}: expected a JSON array of objects or one object, got {type(data).__name__}")
    if not items:
        raise ImportFileError(f"{path.name} holds an empty array; it has no records")
    return _json_records(path, items, kind, "json", progress)


def _read_jsonl(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    text = _decode(path)
    items: list[tuple[int, Any]] = []
    issues: list[Issue] = []
    for n, value, error in jsonl_lines(text):
        if error:
            issues.append(Issue(path.name, n, "", f"not valid JSON (column {error.colno}: {error.msg}); "
                                                 "each line must be one JSON object"))
        else:
            items.append((n, value))
    if not items and issues:
        raise ImportFileError(f"{path.name} has no valid JSON line; the first problem: {issues[0]}")
    batch = _json_records(path, items, kind, "jsonl", progress)
    batch.total += len(issues)
    batch.issues = sorted(issues + batch.issues, key=lambda i: i.row)
    return batch


# ---- CSV and XLSX ----------------------------------------------------------------------------
def _norm_header(h: Any) -> str:
    text = "" if h is None else str(h)
    text = text.replace("\ufeff", "").strip().lower().replace("'", "").replace("’", "")
    return re.sub(r"[\s\-]+", "_", text)


def _split_list(text: str) -> list[str] | None:
    text = text.strip()
    if text.startswith("["):
        try:
            value = json.loads(text)
        except json.JSONDecodeError:
            value = None
        if isinstance(value, list):
            return value
    return [p.strip() for p in re.split(r"[;\n]", text) if p.strip()]


def _cell(name: str, text: str, source: str, row: int, column: str, issues: list[Issue]) -> Any:
    """Turn one non-empty cell into the value the model expects (or leave it for the model to judge)."""
    if name in LIST_FIELDS:
        return _split_list(text)
    if name in BOOL_FIELDS:
        low = text.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        issues.append(Issue(source, row, column, f"'{text}' is not true or false; write true/false (or ja/nee)"))
        return text
    if name in JSON_FIELDS:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            issues.append(Issue(source, row, column,
                                f"not valid JSON ({exc.msg}); give a JSON array of objects with naam, "
                                "betrokken_partijen, doel, doelgroep, activiteiten, bron, illustratief"))
            return text
    return text


def _tabular(path: Path, header: list[Any], rows: list[tuple[int, list[str]]], kind: Kind | None,
             fmt: str, progress: bool) -> ImportBatch:
    """Shared by CSV and XLSX: ``rows`` are (data row number, cell strings)."""
    names = [_norm_header(h) for h in header]
    used = [i for i, n in enumerate(names) if n]
    for i, n in enumerate(names):
        if not n and any(i < len(cells) and cells[i].strip() for _, cells in rows):
            raise ImportFileError(f"{path.name}: column {i + 1} has values but no header; name it or remove it")
    dupes = sorted({names[i] for i in used if names.count(names[i]) > 1})
    if dupes:
        raise ImportFileError(f"{path.name}: column(s) {', '.join(dupes)} appear more than once; keep one of each")
    kind = _check_kind(path, kind, [names[i] for i in used])
    table = [(row, {names[i]: (cells[i] if i < len(cells) else "") for i in used}) for row, cells in rows]
    if kind == "interventions":
        return _tabular_interventions(path, [names[i] for i in used], table, fmt, progress)
    return _tabular_agendas(path, [names[i] for i in used], table, fmt, progress)


def _column_errors(path: Path, kind: str, missing: list[str], unknown: list[str], known: Iterable[str]) -> None:
    parts = []
    if missing:
        parts.append(f"missing required column(s) for {kind}: {', '.join(missing)}")
    if unknown:
        parts.append(f"unknown column(s): {', '.join(unknown)} (known: {', '.join(known)})")
    if parts:
        raise ImportFileError(f"{path.name}: " + "; ".join(parts))


def _required(model: type[BaseModel], skip: set[str]) -> list[str]:
    return [n for n, f in model.model_fields.items() if f.is_required() and n not in skip]


def _tabular_interventions(path: Path, columns: list[str], table: list[tuple[int, dict[str, str]]],
                           fmt: str, progress: bool) -> ImportBatch:
    missing = [c for c in INTERVENTION_COLUMNS if c in _required(CatalogueIntervention, {"id"}) and c not in columns]
    unknown = [c for c in columns if c not in INTERVENTION_COLUMNS]
    _column_errors(path, "interventions", missing, unknown, INTERVENTION_COLUMNS)
    cell_issues: list[Issue] = []
    raw_rows = []
    for row, cells in table:
        raw = {c: _cell(c, v, path.name, row, c, cell_issues) for c, v in cells.items() if v.strip()}
        if raw:
            raw_rows.append((row, _fill_ids(raw, "interventions")))
    if not raw_rows:
        raise ImportFileError(f"{path.name} has a header but no data rows")
    good, bad = _validate(raw_rows, "interventions", path.name, progress)
    return _merge(path, "interventions", fmt, len(raw_rows), good, bad, cell_issues)


def _column_field(issue: Issue) -> Issue:
    """'themas.1' -> 'themas (item 2)': name the column a spreadsheet user sees."""
    m = re.match(r"^([a-z_]+)\.(\d+)(.*)$", issue.field)
    if not m:
        return issue
    return Issue(issue.source, issue.row, f"{m.group(1)} (item {int(m.group(2)) + 1}){m.group(3)}", issue.message)


def _merge(path: Path, kind: Kind, fmt: str, total: int, good, bad: list[Issue], cell_issues: list[Issue],
           locate: Callable[[Issue], Issue] = _same) -> ImportBatch:
    """Combine cell issues (already located) with model issues; drop model issues that repeat a cell issue."""
    bad_rows_cells = {(i.row, i.field) for i in cell_issues}
    located = [_column_field(locate(i)) for i in bad]
    located = [i for i in located if (i.row, i.field) not in bad_rows_cells]
    issues = sorted(cell_issues + located, key=lambda i: (i.row, i.field))
    flagged = {i.row for i in cell_issues}
    if flagged:  # a record with a cell issue is invalid even when the model accepted the raw text
        records = [(r, m) for r, m in good if not (set(_rows_of(r, locate)) & flagged)]
    else:
        records = good
    return ImportBatch(path.name, kind, fmt, total, records, issues, locate)


def _rows_of(row: int, locate: Callable[[Issue], Issue]) -> list[int]:
    rows = getattr(locate, "rows_of", None)
    return rows(row) if rows else [row]


@dataclass
class _Group:
    first_row: int
    agenda: dict[str, tuple[str, int, str]] = field(default_factory=dict)  # field -> (text, row, column)
    items: list[tuple[int, dict[str, str]]] = field(default_factory=list)
    conflicts: list[Issue] = field(default_factory=list)


def _agenda_column_map(columns: list[str]) -> tuple[dict[str, tuple[str, str]], list[str]]:
    """Column -> ('agenda'|'item', field); also the unknown columns."""
    plain_agenda = set(AGENDA_FIELDS) - set(AGENDA_ITEM_COLUMNS)
    mapping: dict[str, tuple[str, str]] = {}
    unknown = []
    for c in columns:
        if c in ("gemeente", "agenda_gemeente"):
            mapping[c] = ("agenda", "gemeente")
        elif c.startswith(AGENDA_PREFIX) and c[len(AGENDA_PREFIX):] in AGENDA_FIELDS:
            mapping[c] = ("agenda", c[len(AGENDA_PREFIX):])
        elif c in AGENDA_ITEM_COLUMNS:
            mapping[c] = ("item", c)
        elif c in plain_agenda:
            mapping[c] = ("agenda", c)
        else:
            unknown.append(c)
    return mapping, unknown


def _tabular_agendas(path: Path, columns: list[str], table: list[tuple[int, dict[str, str]]],
                     fmt: str, progress: bool) -> ImportBatch:
    source = path.name
    mapping, unknown = _agenda_column_map(columns)
    by_field: dict[tuple[str, str], list[str]] = {}
    for c, target in mapping.items():
        by_field.setdefault(target, []).append(c)
    clashes = [" and ".join(cs) for cs in by_field.values() if len(cs) > 1]
    if clashes:
        raise ImportFileError(f"{source}: columns {'; '.join(clashes)} mean the same field; keep one")
    present = set(mapping.values())
    missing = [agenda_column(f) for f in _required(Agenda, {"id", "interventies"}) if ("agenda", f) not in present]
    missing += [c for c in _required(AgendaIntervention, {"id"}) if ("item", c) not in present]
    missing = [c for c in AGENDA_COLUMNS if c in missing]  # in the exporter's column order
    _column_errors(path, "agendas", missing, unknown, AGENDA_COLUMNS)
    column_of = {target: c for c, target in mapping.items()}

    groups: dict[str, _Group] = {}
    orphans: list[Issue] = []
    for row, cells in table:
        if not any(v.strip() for v in cells.values()):
            continue
        agenda_cells = {mapping[c][1]: (v.strip(), c) for c, v in cells.items() if mapping[c][0] == "agenda" and v.strip()}
        item_cells = {mapping[c][1]: v for c, v in cells.items() if mapping[c][0] == "item" and v.strip()}
        key = agenda_cells.get("id", ("", ""))[0] or (
            agenda_id(agenda_cells["gemeente"][0]) if "gemeente" in agenda_cells else "")
        if not key:
            orphans.append(Issue(source, row, column_of[("agenda", "gemeente")],
                                 "is empty; every row needs the gemeente of its agenda (or an agenda_id)"))
            continue
        group = groups.setdefault(key, _Group(first_row=row))
        for name, (text, column) in agenda_cells.items():
            if name not in group.agenda:
                group.agenda[name] = (text, row, column)
            elif group.agenda[name][0] != text:
                first = group.agenda[name][1]
                group.conflicts.append(Issue(
                    source, row, column,
                    f"differs from row {first} of the same agenda ('{_short(group.agenda[name][0])}' "
                    f"vs '{_short(text)}'); repeat the same value or leave the cell empty"))
        if item_cells:
            group.items.append((row, item_cells))

    if not groups and not orphans:
        raise ImportFileError(f"{source} has a header but no data rows")
    cell_issues: list[Issue] = list(orphans)
    raw_rows: list[tuple[int, dict]] = []
    layout: dict[int, _Group] = {}
    for group in groups.values():
        raw: dict[str, Any] = {}
        for name, (text, row, column) in group.agenda.items():
            raw[name] = _cell(name, text, source, row, column, cell_issues)
        items = []
        for row, cells in group.items:
            items.append({c: _cell(c, v, source, row, c, cell_issues) for c, v in cells.items()})
        raw["interventies"] = items
        raw_rows.append((group.first_row, _fill_ids(raw, "agendas")))
        layout[group.first_row] = group
        cell_issues.extend(group.conflicts)

    def locate(issue: Issue) -> Issue:
        group = layout.get(issue.row)
        if group is None:
            return issue
        parts = issue.field.split(".") if issue.field else []
        if parts and parts[0] == "interventies" and len(parts) > 1 and parts[1].isdigit():
            n = int(parts[1])
            row = group.items[n][0] if n < len(group.items) else issue.row
            return Issue(issue.source, row, ".".join(parts[2:]), issue.message)
        if parts == ["interventies"]:
            return Issue(issue.source, issue.row, "", "the agenda has no interventions; give at least one "
                         "row with the intervention columns (naam, doel, …) filled in")
        if parts and parts[0] in AGENDA_FIELDS:
            column = group.agenda[parts[0]][2] if parts[0] in group.agenda else column_of.get(
                ("agenda", parts[0]), agenda_column(parts[0]))
            row = group.agenda[parts[0]][1] if parts[0] in group.agenda else issue.row
            return Issue(issue.source, row, ".".join([column] + parts[1:]), issue.message)
        return issue

    def rows_of(first_row: int) -> list[int]:
        group = layout.get(first_row)
        if group is None:
            return [first_row]
        return [first_row] + [r for r, _ in group.items] + [r for _, r, _ in group.agenda.values()] + [
            i.row for i in group.conflicts]

    locate.rows_of = rows_of  # type: ignore[attr-defined]
    good, bad = _validate(raw_rows, "agendas", source, progress)
    return _merge(path, "agendas", fmt, len(raw_rows) + len(orphans), good, bad, cell_issues, locate)


def _short(text: str, n: int = 40) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _read_csv(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    text = _decode(path)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        all_rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(f"{path.name} is not a readable CSV file ({exc})") from exc
    while all_rows and not any(c.strip() for c in all_rows[0]):
        all_rows.pop(0)
    if not all_rows:
        raise ImportFileError(f"{path.name} is empty; it holds no records")
    header, body = all_rows[0], all_rows[1:]
    rows = [(n, r) for n, r in enumerate(body, start=1) if any(c.strip() for c in r)]
    return _tabular(path, header, rows, kind, "csv", progress)


def _xlsx_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == dtime(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"{path.name} is not a valid .xlsx workbook ({exc}); save it again from Excel as .xlsx") from exc
    try:
        ws = next((wb[name] for name in KINDS if name in wb.sheetnames and (kind is None or name == kind)),
                  wb.worksheets[0])
        grid = []
        for row in ws.iter_rows(values_only=True):
            grid.append([_xlsx_text(v) for v in row])
            if len(grid) > MAX_XLSX_ROWS:
                raise ImportFileError(f"{path.name} has more than {MAX_XLSX_ROWS} rows; split it into smaller files")
    finally:
        wb.close()
    while grid and not any(c.strip() for c in grid[0]):
        grid.pop(0)
    if not grid:
        raise ImportFileError(f"{path.name}: the sheet '{ws.title}' is empty; it holds no records")
    header, body = grid[0], grid[1:]
    rows = [(n, r) for n, r in enumerate(body, start=1) if any(c.strip() for c in r)]
    return _tabular(path, header, rows, kind, "xlsx", progress)


# ---- DOCX (one filled-in GKA-agenda) -----------------------------------------------------------
from .template import COMMUNITY_LABELS as _COMMUNITY_LABELS  # noqa: E402
from .template import ITEM_LABELS as _ITEM_LABELS  # noqa: E402
from .template import SECTION_TITLES as _SECTION_TITLES  # noqa: E402
from .template import TOP_LABELS as _TOP_LABELS  # noqa: E402

_SECTIONS = {
    "aanleiding en uitdagingen": "aanleiding_en_uitdagingen",
    "inzet gemeente": "inzet_gemeente",
    "inzet vanuit het nationaal programma onderwijs": "inzet_npo",
    "inzet npo": "inzet_npo",
    "samenwerking met de gelijke kansen alliantie": "samenwerking_gka",
    "samenwerking met de gka": "samenwerking_gka",
    "kennis": "kennis",
    "afspraken": "afspraken",  # one agreement per paragraph; the heading alone means: none
}
# Headings of the template whose text is not imported; they end the current section.
_IGNORED_HEADINGS = {
    "toelichting", "en verder", "agenda afspraak", "bestuurlijk overleg", "interventies",
    "communities", "taken en rollen", "samenwerking", "ondertekening bevoegd gezag",
}
_IGNORED_PREFIXES = ("bijlage 1", "ondertekening")
_TOP = {
    "gemeente": "gemeente", "provincie": "provincie", "periode": "periode", "bron": "bron",
    "illustratief": "illustratief", "id": "id", "agenda-id": "id", "agenda id": "id",
    "begroting ocw": "begroting_ocw_euro", "begroting": "begroting_ocw_euro", "ondertekend": "ondertekend",
    "gka-themas": "gka_themas", "gka themas": "gka_themas",
    "bijdrage ocw": "begroting_ocw_euro", "begroting toelichting": "begroting_toelichting",
}
_ITEM_START = {"naam/titel interventie", "naam interventie", "titel interventie", "naam/titel"}
_ITEM = {
    "betrokken partijen": "betrokken_partijen", "doel interventie": "doel", "doel": "doel",
    "doelgroep": "doelgroep_tekst", "doelgroep labels": "doelgroep", "doelgroepen": "doelgroep",
    "leeftijd": "leeftijd", "leeftijd van": "leeftijd_van", "leeftijd tot": "leeftijd_tot",
    "locatie": "locatie", "omschrijving activiteiten": "omschrijving_activiteiten",
    "monitoring en evaluatie": "monitoring_en_evaluatie", "financiering": "financiering",
    "meer informatie": "meer_informatie", "website": "website", "contactpersoon": "contactpersoon",
    "themas": "themas", "thema": "themas", "setting": "setting", "settings": "setting", "bron": "bron",
    "illustratief": "illustratief", "catalogus-id": "catalogus_id", "catalogus id": "catalogus_id",
    "catalogusid": "catalogus_id", "id": "id",
}
_COMMUNITY_START = {"naam community", "naam/titel community"}
_COMMUNITY = {
    "betrokken partijen": "betrokken_partijen", "doel community": "doel", "doel": "doel",
    "doelgroep": "doelgroep", "activiteiten": "activiteiten", "bron": "bron", "illustratief": "illustratief",
}
# Fields whose value may continue in the paragraphs below a "Label: value" paragraph.
_CONTINUES = {"doel", "doelgroep_tekst", "locatie", "omschrijving_activiteiten", "monitoring_en_evaluatie",
              "financiering", "betrokken_partijen", "activiteiten", "meer_informatie", "begroting_toelichting"}
_VOCAB = {
    "doelgroep": {v.lower(): v for v in DOELGROEPEN},
    "themas": {v.lower(): v for v in THEMAS},
    "setting": {v.lower(): v for v in SETTINGS},
}
_TITLE = re.compile(r"gelijke kansen in (?:de )?gemeente\s+(\S.*)$", re.IGNORECASE)


def _label(text: str) -> str:
    t = text.strip().lstrip("-•–*·▪ \t").strip()
    t = re.sub(r"\(.*?\)", "", t)
    t = t.replace("’", "'").replace("'", "").rstrip(":").strip().lower()
    t = t.replace("…", "").replace("...", "")
    return re.sub(r"\s+", " ", t).strip()


class _DocxState:
    def __init__(self) -> None:
        self.top: dict[str, str] = {}
        self.sections: dict[str, list[str]] = {}
        self.items: list[dict[str, str]] = []
        self.communities: list[dict[str, str]] = []
        self.open: dict[str, str] | None = None
        self.open_kind: str | None = None  # "item" | "community"
        self.section: str | None = None
        self.pending: tuple[dict[str, str], str] | None = None
        self.pending_once = False  # a top key takes just the one paragraph below its label
        self.title_gemeente: str | None = None

    # a (label, value) pair from a table row or a "Label: value" paragraph; False if not a known label
    def pair(self, label: str, value: str, continues: bool) -> bool:
        self.pending = None
        if label in _ITEM_START:
            self.open, self.open_kind, self.section = {}, "item", None
            self.items.append(self.open)
            return self._set(self.open, "naam", value, False)
        if label in _COMMUNITY_START:
            self.open, self.open_kind, self.section = {}, "community", None
            self.communities.append(self.open)
            return self._set(self.open, "naam", value, False)
        if self.open is not None and self.open_kind == "item" and label in _ITEM:
            return self._set(self.open, _ITEM[label], value, continues)
        if self.open is not None and self.open_kind == "community" and label in _COMMUNITY:
            return self._set(self.open, _COMMUNITY[label], value, continues)
        if label in _SECTIONS:
            self.open = self.open_kind = None
            self.section = _SECTIONS[label]
            self.sections.setdefault(self.section, [])
            if value:
                self.sections[self.section].append(value)
            return True
        if label in _TOP and self.open is None:
            return self._set(self.top, _TOP[label], value, continues and _TOP[label] == "begroting_toelichting")
        return False

    def _top_label_allowed(self, key: str) -> bool:
        """A top label standing alone counts only at the top, before any section or intervention.

        The template itself has a bare "Gemeente" above the agreed duties near its end.
        """
        if self.open is not None or self.sections or self.items or self.communities:
            return False
        return not self.top.get(key) and not (key == "gemeente" and self.title_gemeente)

    def _set(self, target: dict[str, str], key: str, value: str, continues: bool) -> bool:
        if value and target is self.top and key != "begroting_toelichting":
            target[key] = value  # one value per top key; a later one replaces it
        elif value:
            target[key] = (target[key] + "\n" + value) if target.get(key) else value
        if continues and key in _CONTINUES or not value:
            self.pending = (target, key)
            self.pending_once = target is self.top and key != "begroting_toelichting"
        return True

    def paragraph(self, text: str) -> None:
        text = text.strip()
        if not text:
            return
        label = _label(text)
        bare = ":" not in text.rstrip(":")
        if bare and (label in _SECTIONS or label in _ITEM_START or label in _COMMUNITY_START
                     or (self.open is not None and label in (_ITEM if self.open_kind == "item" else _COMMUNITY))
                     or (label in _TOP and self._top_label_allowed(_TOP[label]))):
            self.pair(label, "", True)
            return
        m = re.match(r"^\s*[-•–*·▪]?\s*([^:]{1,60}?)\s*:\s*(.*)$", text, re.DOTALL)
        if m and self.pair(_label(m.group(1)), m.group(2).strip(), True):
            return
        if bare and (label in _IGNORED_HEADINGS or label.startswith(_IGNORED_PREFIXES)) and len(label) < 60:
            self.open = self.open_kind = self.section = self.pending = None
            return
        title = _TITLE.search(text)
        if title and not self.top.get("gemeente"):
            self.title_gemeente = title.group(1).strip()
            return
        if self.pending is not None:
            target, key = self.pending
            target[key] = (target[key] + "\n" + text) if target.get(key) else text
            if self.pending_once:
                self.pending = None
        elif self.section is not None:
            self.sections[self.section].append(text)

    def table(self, table) -> None:
        for row in table.rows:
            cells, seen = [], set()
            for cell in row.cells:
                if id(cell._tc) not in seen:
                    seen.add(id(cell._tc))
                    cells.append(cell)
            if len(cells) >= 2:
                label = _label(cells[0].text)
                value = "\n".join(c.text.strip() for c in cells[1:] if c.text.strip())
                if label:
                    self.pair(label, value, False)
            elif len(cells) == 1 and ":" in cells[0].text:
                self.paragraph(cells[0].text)
        self.pending = None


def _vocab_list(kind: str, text: str) -> list[str]:
    parts = [p.strip().lstrip("-•–*·▪ ").strip() for p in re.split(r"[;,\n]", text)]
    return [_VOCAB[kind].get(p.lower(), p) for p in parts if p]


def _lines(text: str) -> list[str]:
    parts = [p.strip().lstrip("-•–*·▪ ").strip() for p in re.split(r"[;\n]", text)]
    return [p for p in parts if p]


def _bool(text: str) -> Any:
    low = text.strip().lower()
    return True if low in _TRUE else False if low in _FALSE else text


def _euro(text: str) -> Any:
    t = re.sub(r"[€\s]|eur(o)?", "", text.strip(), flags=re.IGNORECASE)
    t = re.sub(r",(-|00)$", "", t)
    t = t.replace(".", "")
    return int(t) if t.isdigit() else text


def _docx_item(raw: dict[str, str], top: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in raw.items():
        value = value.strip()
        if key == "meer_informatie":
            for line in _lines(value):
                m = re.match(r"^([^:]{1,40}):\s*(.*)$", line)
                lab = _label(m.group(1)) if m else ""
                if lab == "website" or (not m and re.search(r"https?://|www\.", line)):
                    out.setdefault("website", m.group(2).strip() if m else line)
                elif lab == "contactpersoon" or not m:
                    out.setdefault("contactpersoon", m.group(2).strip() if m else line)
            continue
        if not value:
            continue
        if key == "betrokken_partijen":
            out[key] = _lines(value)
        elif key in ("themas", "setting", "doelgroep"):
            out[key] = _vocab_list(key, value)
        elif key == "doelgroep_tekst":
            out["doelgroep_omschrijving"] = value
        elif key == "leeftijd":
            m = re.match(r"^\s*(\d+)\s*(?:-|–|tot|t/m)\s*(\d+)", value)
            out["leeftijd_van"], out["leeftijd_tot"] = (m.group(1), m.group(2)) if m else (value, value)
        elif key == "illustratief":
            out[key] = _bool(value)
        else:
            out[key] = value
    if "doelgroep" not in out and out.get("doelgroep_omschrijving"):
        labels = _vocab_list("doelgroep", out["doelgroep_omschrijving"])
        if labels and all(l in DOELGROEPEN for l in labels):
            out["doelgroep"] = labels
    for key in ("bron", "illustratief"):
        if key not in out and key in top:
            out[key] = top[key]
    return out


def _read_docx(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    if kind == "interventions":
        raise ImportFileError(f"{path.name}: a .docx file holds one GKA-agenda; use --kind agendas or leave --kind out")
    try:
        import docx
        from docx.table import Table

        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several classes for a damaged or non-DOCX file
        raise ImportFileError(f"{path.name} is not a valid .docx document ({exc}); save it again from Word as .docx") from exc
    state = _DocxState()
    for block in document.iter_inner_content():
        if isinstance(block, Table):
            state.table(block)
        else:
            state.paragraph(block.text)
    if not (state.top or state.sections or state.items or state.title_gemeente):
        raise ImportFileError(
            f"{path.name} holds no GKA-agenda: found none of Gemeente/Provincie/Periode, the template's "
            "headings or 'Naam/titel interventie'; see the expected shape in `gka-match import --help`")

    top: dict[str, Any] = {}
    for key, value in state.top.items():
        value = value.strip()
        if key == "illustratief":
            top[key] = _bool(value)
        elif key == "begroting_ocw_euro":
            top[key] = _euro(value)
        elif value:
            top[key] = value
    if "gemeente" not in top and state.title_gemeente:
        top["gemeente"] = state.title_gemeente
    raw: dict[str, Any] = {k: v for k, v in top.items()}
    if "gka_themas" in raw:
        raw["gka_themas"] = _lines(raw["gka_themas"])
    for key, paragraphs in state.sections.items():
        raw[key] = list(paragraphs) if key == "afspraken" else "\n\n".join(paragraphs)
    # blocks left as the template has them (labels, no values) are not records
    state.items = [i for i in state.items if any(v.strip() for v in i.values())]
    state.communities = [c for c in state.communities if any(v.strip() for v in c.values())]
    raw["interventies"] = [_docx_item(i, top) for i in state.items]
    communities = []
    for c in state.communities:
        out: dict[str, Any] = {}
        for key, value in c.items():
            if key == "betrokken_partijen":
                out[key] = _lines(value)
            elif key == "illustratief":
                out[key] = _bool(value)
            elif value.strip():
                out[key] = value.strip()
        for key in ("bron", "illustratief"):
            if key not in out and key in top:
                out[key] = top[key]
        communities.append(out)
    if communities:
        raw["communities"] = communities
    raw = _fill_ids(raw, "agendas")

    names = [i.get("naam", "") for i in state.items]
    cnames = [c.get("naam", "") for c in state.communities]

    def locate(issue: Issue) -> Issue:
        parts = issue.field.split(".") if issue.field else []
        if parts[:1] == ["interventies"] and len(parts) > 1 and parts[1].isdigit():
            n = int(parts[1])
            name = names[n].strip() if n < len(names) else ""
            section = f"Interventie {n + 1}" + (f" ({_short(name)})" if name else "")
            label = _ITEM_LABELS.get(parts[2], parts[2]) if len(parts) > 2 else ""
            if len(parts) > 3:
                label += f" (item {int(parts[3]) + 1})" if parts[3].isdigit() else "." + ".".join(parts[3:])
            message = issue.message
            if len(parts) == 3 and parts[2] == "doelgroep" and "required" in message:
                message = ("is missing; add a row 'Doelgroep labels' with one or more of: "
                           + "; ".join(DOELGROEPEN))
            elif len(parts) == 3 and parts[2] in ("themas", "setting") and "required" in message:
                allowed = THEMAS if parts[2] == "themas" else SETTINGS
                message = f"is missing; add a row '{label}' with one or more of: " + "; ".join(allowed)
            elif len(parts) == 3 and "required" in message:
                message = f"is missing; add a row or paragraph '{label}' to this intervention"
            return SectionIssue(issue.source, n + 1, label, message, section=section)
        if parts[:1] == ["communities"] and len(parts) > 1 and parts[1].isdigit():
            n = int(parts[1])
            name = cnames[n].strip() if n < len(cnames) else ""
            section = f"Community {n + 1}" + (f" ({_short(name)})" if name else "")
            label = _COMMUNITY_LABELS.get(parts[2], parts[2]) if len(parts) > 2 else ""
            return SectionIssue(issue.source, n + 1, label, issue.message, section=section)
        if parts == ["interventies"]:
            return SectionIssue(issue.source, 1, "", "no intervention found; add a table or paragraphs starting "
                                "with 'Naam/titel interventie'", section="Interventies")
        if parts and parts[0] in _SECTION_TITLES:
            message = issue.message
            if "required" in message:
                message = f"is missing; add the heading '{_SECTION_TITLES[parts[0]]}' with its text"
            return SectionIssue(issue.source, 1, "", message, section=_SECTION_TITLES[parts[0]])
        if parts and parts[0] in _TOP_LABELS:
            label = _TOP_LABELS[parts[0]]
            message = issue.message
            if "required" in message:
                message = f"is missing; add '{label}: …' at the top (a paragraph or a row of the top table)"
            return SectionIssue(issue.source, 1, label, message, section="Kopgegevens")
        return SectionIssue(issue.source, 1, issue.field, issue.message, section="Agenda")

    good, bad = validate_rows([(1, raw)], Agenda, path.name)
    bad = _drop_underived_ids(bad)
    return ImportBatch(path.name, "agendas", "docx", 1, list(good), [locate(i) for i in bad], locate)
