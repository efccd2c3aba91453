"""CSV and XLSX: one row per catalogue intervention, or one row per agenda intervention.

Issues name the spreadsheet row and column a user sees; an agenda spread over several rows is
grouped back into one record.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time as dtime
from pathlib import Path
from typing import Any, Callable, Iterable

from pydantic import BaseModel

from ..columns import (
    AGENDA_COLUMNS,
    AGENDA_FIELDS,
    AGENDA_ITEM_COLUMNS,
    AGENDA_PREFIX,
    BOOL_FIELDS,
    INTERVENTION_COLUMNS,
    JSON_FIELDS,
    LIST_FIELDS,
    agenda_column,
)
from ..models import Agenda, AgendaIntervention, CatalogueIntervention, agenda_id
from ..validation import Issue, Kind
from .batch import ImportBatch, ImportFileError, unchanged_issue
from .common import FALSE_WORDS, TRUE_WORDS, check_kind, decode_text, fill_ids, shorten, validate_records

MAX_XLSX_ROWS = 100_000  # a small .xlsx can unpack to a huge sheet; the byte limit alone does not hold
SHEETS = ("interventions", "agendas")  # an .xlsx may hold one sheet per kind


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
        if low in TRUE_WORDS:
            return True
        if low in FALSE_WORDS:
            return False
        issues.append(Issue(source, row, column, f"'{text}' is niet waar of onwaar; schrijf ja/nee (of true/false)"))
        return text
    if name in JSON_FIELDS:
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            issues.append(Issue(source, row, column,
                                f"geen geldige JSON ({exc.msg}); geef een JSON-lijst van objecten met naam, "
                                "betrokken_partijen, doel, doelgroep, activiteiten, bron, illustratief"))
            return text
    return text


def _tabular(path: Path, grid: list[list[str]], kind: Kind | None, fmt: str, progress: bool,
             empty: str) -> ImportBatch:
    """Shared by CSV and XLSX: ``grid`` is the sheet as cell strings, ``empty`` the message for no rows.

    Leading blank rows are skipped; the first non-blank row is the header, and data rows are
    numbered from 1 below it, the way a spreadsheet user counts them.
    """
    while grid and not any(c.strip() for c in grid[0]):
        grid = grid[1:]
    if not grid:
        raise ImportFileError(empty)
    header = grid[0]
    rows = [(n, r) for n, r in enumerate(grid[1:], start=1) if any(c.strip() for c in r)]
    names = [_norm_header(h) for h in header]
    used = [i for i, n in enumerate(names) if n]
    for i, n in enumerate(names):
        if not n and any(i < len(cells) and cells[i].strip() for _, cells in rows):
            raise ImportFileError(f"{path.name}: kolom {i + 1} heeft waarden maar geen kop; geef de kolom een naam of haal hem weg")
    dupes = sorted({names[i] for i in used if names.count(names[i]) > 1})
    if dupes:
        raise ImportFileError(f"{path.name}: kolom(men) {', '.join(dupes)} staan er meer dan eens; houd er van elk één")
    kind = check_kind(path, kind, [names[i] for i in used])
    table = [(row, {names[i]: (cells[i] if i < len(cells) else "") for i in used}) for row, cells in rows]
    if kind == "interventions":
        return _tabular_interventions(path, [names[i] for i in used], table, fmt, progress)
    return _tabular_agendas(path, [names[i] for i in used], table, fmt, progress)


def _column_errors(path: Path, kind: str, missing: list[str], unknown: list[str], known: Iterable[str]) -> None:
    parts = []
    if missing:
        parts.append(f"verplichte kolom(men) voor {kind} ontbreken: {', '.join(missing)}")
    if unknown:
        parts.append(f"onbekende kolom(men): {', '.join(unknown)} (bekend zijn: {', '.join(known)})")
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
            raw_rows.append((row, fill_ids(raw, "interventions")))
    if not raw_rows:
        raise ImportFileError(f"{path.name} heeft een kopregel maar geen rijen met gegevens")
    good, bad = validate_records(raw_rows, "interventions", path.name, progress)
    return _merge(path, "interventions", fmt, len(raw_rows), good, bad, cell_issues)


def _column_field(issue: Issue) -> Issue:
    """'themas.1' -> 'themas (item 2)': name the column a spreadsheet user sees."""
    m = re.match(r"^([a-z_]+)\.(\d+)(.*)$", issue.field)
    if not m:
        return issue
    return Issue(issue.source, issue.row, f"{m.group(1)} (waarde {int(m.group(2)) + 1}){m.group(3)}", issue.message)


def _merge(path: Path, kind: Kind, fmt: str, total: int, good, bad: list[Issue], cell_issues: list[Issue],
           locate: Callable[[Issue], Issue] = unchanged_issue) -> ImportBatch:
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
    clashes = [" en ".join(cs) for cs in by_field.values() if len(cs) > 1]
    if clashes:
        raise ImportFileError(f"{source}: de kolommen {'; '.join(clashes)} betekenen hetzelfde veld; houd er één")
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
                                 "is leeg; elke rij heeft de gemeente van zijn agenda nodig (of een agenda_id)"))
            continue
        group = groups.setdefault(key, _Group(first_row=row))
        for name, (text, column) in agenda_cells.items():
            if name not in group.agenda:
                group.agenda[name] = (text, row, column)
            elif group.agenda[name][0] != text:
                first = group.agenda[name][1]
                group.conflicts.append(Issue(
                    source, row, column,
                    f"wijkt af van rij {first} van dezelfde agenda ('{shorten(group.agenda[name][0])}' "
                    f"tegenover '{shorten(text)}'); herhaal dezelfde waarde of laat de cel leeg"))
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
        raw_rows.append((group.first_row, fill_ids(raw, "agendas")))
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
            return Issue(issue.source, issue.row, "", "de agenda heeft geen interventies; geef minstens één "
                         "rij met de kolommen van de interventie (naam, doel, …) ingevuld")
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
    good, bad = validate_records(raw_rows, "agendas", source, progress)
    return _merge(path, "agendas", fmt, len(raw_rows) + len(orphans), good, bad, cell_issues, locate)


def read_csv(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    text = decode_text(path)
    first_line = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first_line.count(d) for d in (",", ";", "\t")}
    delimiter = max(counts, key=lambda d: counts[d]) if any(counts.values()) else ","
    try:
        all_rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise ImportFileError(f"{path.name} is geen leesbaar CSV-bestand ({exc})") from exc
    return _tabular(path, all_rows, kind, "csv", progress, f"{path.name} is leeg; er staan geen records in")


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


def read_xlsx(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    from openpyxl import load_workbook

    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ImportFileError(f"{path.name} is geen geldige .xlsx-werkmap ({exc}); sla het in Excel opnieuw op als .xlsx") from exc
    try:
        ws = next((wb[name] for name in SHEETS if name in wb.sheetnames and (kind is None or name == kind)),
                  wb.worksheets[0])
        grid = []
        for row in ws.iter_rows(values_only=True):
            grid.append([_xlsx_text(v) for v in row])
            if len(grid) > MAX_XLSX_ROWS:
                raise ImportFileError(f"{path.name} heeft meer dan {MAX_XLSX_ROWS} rijen; splits het in kleinere bestanden")
    finally:
        wb.close()
    return _tabular(path, grid, kind, "xlsx", progress,
                    f"{path.name}: het werkblad '{ws.title}' is leeg; er staan geen records in")


__all__ = ["MAX_XLSX_ROWS", "read_csv", "read_xlsx"]
