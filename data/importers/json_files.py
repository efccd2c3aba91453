"""JSON (an array or one object) and JSONL (one object per line), in the data model's shape."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..jsonl import jsonl_lines
from ..validation import Issue, Kind
from .batch import ImportBatch, ImportFileError
from .common import check_kind, decode_text, fill_ids, validate_records

def _json_records(path: Path, items: list[tuple[int, Any]], kind: Kind | None, fmt: str,
                  progress: bool) -> ImportBatch:
    issues: list[Issue] = []
    objects: list[tuple[int, dict]] = []
    for row, obj in items:
        if isinstance(obj, dict):
            objects.append((row, obj))
        else:
            issues.append(Issue(path.name, row, "", f"expected a JSON object {{...}}, got {type(obj).__name__}"))
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


def read_jsonl(path: Path, kind: Kind | None, progress: bool) -> ImportBatch:
    text = decode_text(path)
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


__all__ = ["read_json", "read_jsonl"]
