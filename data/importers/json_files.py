"""JSON (an array or one object) and JSONL (one object per line), in the data model's shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..jsonl import jsonl_lines
from ..validation import Issue, Kind
from .batch import ImportBatch, ImportFileError
from .common import check_kind, decode_text, fill_ids, validate_records

_JSON_TYPES = {list: "een lijst", str: "tekst", int: "een getal", float: "een getal", bool: "true/false",
               type(None): "null", dict: "een object"}


def _json_type(value: Any) -> str:
    return _JSON_TYPES.get(type(value), type(value).__name__)

def _json_records(path: Path, items: list[tuple[int, Any]], kind: Kind | None, fmt: str,
                  progress: bool) -> ImportBatch:
    issues: list[Issue] = []
    objects: list[tuple[int, dict]] = []
    for row, obj in items:
        if isinstance(obj, dict):
            objects.append((row, obj))
        else:
            issues.append(Issue(path.name, row, "", f"verwacht een JSON-object {{...}}, maar kreeg {_json_type(obj)}"))
    kind = check_kind(path, kind, objects[0][1].keys() if objects else ())
    rows = [(row, fill_ids(dict(obj), kind)) for row, obj in objects]
    good, bad = validate_records(rows, kind, path.name, progress)
    return ImportBatch(path.name, kind, fmt, len(items), good, issues + bad)


def read_json(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    text = decode_text(path)
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFileError(
            f"{path.name} is geen geldige JSON (regel {exc.lineno}, kolom {exc.colno}: {exc.msg}); "
            "geef een lijst van objecten of één object (voor één object per regel: noem het bestand .jsonl)"
        ) from exc
    if isinstance(data, dict):
        items = [(1, data)]
    elif isinstance(data, list):
        items = list(enumerate(data, start=1))
    else:
        raise ImportFileError(f"{path.name}: verwacht een JSON-lijst van objecten of één object, maar kreeg {_json_type(data)}")
    if not items:
        raise ImportFileError(f"{path.name} bevat een lege lijst; er staan geen records in")
    return _json_records(path, items, kind, "json", progress)


def read_jsonl(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    text = decode_text(path)
    items: list[tuple[int, Any]] = []
    issues: list[Issue] = []
    for n, value, error in jsonl_lines(text):
        if error:
            issues.append(Issue(path.name, n, "", f"geen geldige JSON (kolom {error.colno}: {error.msg}); "
                                                 "elke regel moet één JSON-object zijn"))
        else:
            items.append((n, value))
    if not items and issues:
        raise ImportFileError(f"{path.name} heeft geen enkele geldige JSON-regel; het eerste probleem: {issues[0]}")
    batch = _json_records(path, items, kind, "jsonl", progress)
    batch.total += len(issues)
    batch.issues = sorted(issues + batch.issues, key=lambda i: i.row)
    return batch


__all__ = ["read_json", "read_jsonl"]
