"""Write the store's records as JSONL, JSON, CSV or XLSX, with the data model's Dutch field names.

``export(store, kind, fmt, out)``. JSONL/JSON hold each record as the data model dumps it (an
agenda's interventions nested in ``interventies``). CSV/XLSX use the row shapes that
``importers/`` reads (one row per catalogue intervention; one row per agenda intervention with
the agenda's ``gemeente`` and ``agenda_…`` columns repeated), so every format round-trips:
exporting and importing again reports every record as unchanged.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import IO, Any, Iterable

from pydantic import BaseModel

from .columns import AGENDA_COLUMNS, AGENDA_FIELDS, AGENDA_ITEM_COLUMNS, INTERVENTION_COLUMNS
from .models import Agenda, CatalogueIntervention
from .store import Store
from .validation import Kind

EXPORT_FORMATS: tuple[str, ...] = ("jsonl", "json", "csv", "xlsx")
BINARY_FORMATS = {"xlsx"}

_AGENDA_ORDER = ("id", "gemeente", "provincie", "periode", "aanleiding_en_uitdagingen", "inzet_gemeente",
                 "inzet_npo", "samenwerking_gka", "kennis", "interventies", "communities", "afspraken",
                 "begroting_ocw_euro", "begroting_toelichting", "bron", "illustratief")
_COMMUNITY_ORDER = ("naam", "betrokken_partijen", "doel", "doelgroep", "activiteiten", "bron", "illustratief")


def _ordered(data: dict[str, Any], order: Iterable[str]) -> dict[str, Any]:
    """Readable key order (id and naam first); keys not in ``order`` keep their place at the end."""
    out = {k: data[k] for k in order if k in data}
    out.update((k, v) for k, v in data.items() if k not in out)
    return out


def record_dict(record: BaseModel) -> dict[str, Any]:
    """The JSON form of one record, keys in the order of the template."""
    data = record.model_dump(mode="json")
    if isinstance(record, CatalogueIntervention):
        return _ordered(data, INTERVENTION_COLUMNS)
    data = _ordered(data, _AGENDA_ORDER)
    data["interventies"] = [_ordered(i, AGENDA_ITEM_COLUMNS) for i in data["interventies"]]
    data["communities"] = [_ordered(c, _COMMUNITY_ORDER) for c in data["communities"]]
    return data


def records(store: Store, kind: Kind) -> list[BaseModel]:
    if kind == "interventions":
        return list(store.list_interventions())
    if kind == "agendas":
        return list(store.list_agendas())
    raise ValueError(f"onbekende soort '{kind}'; kies interventions of agendas")


# ---- cells ----------------------------------------------------------------------------------
def _defaults_nonempty(model: type[BaseModel]) -> set[str]:
    out = set()
    for name, f in model.model_fields.items():
        try:
            default = f.get_default(call_default_factory=True)
        except Exception:  # required fields have no default
            continue
        if isinstance(default, list) and default:
            out.add(name)
    return out


_NONEMPTY_LIST_DEFAULTS = _defaults_nonempty(Agenda) | _defaults_nonempty(CatalogueIntervention)


def cell_text(name: str, value: Any) -> str:
    """One value as the importer reads it back: lists joined by '; ', booleans true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, list):
        if not value:
            return "[]" if name in _NONEMPTY_LIST_DEFAULTS else ""
        if all(isinstance(v, str) for v in value):
            joined = "; ".join(value)
            if any(";" in v or "\n" in v or "\r" in v for v in value) or joined.lstrip().startswith("["):
                return json.dumps(value, ensure_ascii=False)
            return joined
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def rows(kind: Kind, items: Iterable[BaseModel]) -> tuple[tuple[str, ...], list[list[Any]]]:
    """Header and rows (raw values) in the importer's CSV/XLSX shape."""
    out: list[list[Any]] = []
    if kind == "interventions":
        for rec in items:
            data = rec.model_dump(mode="json")
            out.append([data[c] for c in INTERVENTION_COLUMNS])
        return INTERVENTION_COLUMNS, out
    for rec in items:
        data = rec.model_dump(mode="json")
        agenda_values = [data[f] for f in AGENDA_FIELDS]
        for item in data["interventies"]:
            out.append(agenda_values + [item[c] for c in AGENDA_ITEM_COLUMNS])
        if not data["interventies"]:  # an agenda whose interventions no source names: one row, item cells empty
            out.append(agenda_values + [None] * len(AGENDA_ITEM_COLUMNS))
    return AGENDA_COLUMNS, out


def _names(kind: Kind) -> tuple[str, ...]:
    if kind == "interventions":
        return INTERVENTION_COLUMNS
    return tuple(AGENDA_FIELDS) + AGENDA_ITEM_COLUMNS


# ---- writers --------------------------------------------------------------------------------
def write_records(items: list[BaseModel], kind: Kind, fmt: str, out: IO | str | Path) -> int:
    """Write ``items`` in ``fmt``; ``out`` is a text stream (a binary one or a path for xlsx)."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"onbekend formaat '{fmt}'; kies uit: {', '.join(EXPORT_FORMATS)}")
    if fmt == "xlsx":
        _write_xlsx(kind, items, out)
        return len(items)
    if isinstance(out, (str, Path)):
        with open(out, "w", encoding="utf-8", newline="") as fh:
            return write_records(items, kind, fmt, fh)
    if fmt == "jsonl":
        for rec in items:
            out.write(json.dumps(record_dict(rec), ensure_ascii=False) + "\n")
    elif fmt == "json":
        json.dump([record_dict(rec) for rec in items], out, ensure_ascii=False, indent=1)
        out.write("\n")
    else:
        header, body = rows(kind, items)
        names = _names(kind)
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(header)
        for values in body:
            writer.writerow([cell_text(n, v) for n, v in zip(names, values)])
    return len(items)


def _xlsx_value(name: str, value: Any) -> Any:
    if isinstance(value, (bool, int)) or value is None:
        return value
    return cell_text(name, value)


def _write_xlsx(kind: Kind, items: list[BaseModel], out: IO | str | Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    header, body = rows(kind, items)
    names = _names(kind)
    wb = Workbook()
    ws = wb.active
    ws.title = kind
    ws.append(list(header))
    for cell in ws[1]:
        cell.font = Font(bold=True)
    for values in body:
        ws.append([_xlsx_value(n, v) for n, v in zip(names, values)])
    # Text that starts with '=' must stay text, not become a formula.
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("="):
                cell.data_type = "s"
    ws.freeze_panes = "A2"
    if isinstance(out, (str, Path)):
        wb.save(str(out))
        return
    buffer = io.BytesIO()
    wb.save(buffer)
    target = getattr(out, "buffer", out)  # a text stream such as sys.stdout: write its bytes
    if hasattr(out, "flush"):
        out.flush()
    target.write(buffer.getvalue())
    if hasattr(target, "flush"):
        target.flush()


def export(store: Store, kind: Kind, fmt: str, out: IO | str | Path) -> int:
    """Write every record of ``kind`` from ``store`` to ``out``; returns how many were written."""
    return write_records(records(store, kind), kind, fmt, out)


__all__ = ["EXPORT_FORMATS", "export", "write_records", "record_dict", "cell_text"]
