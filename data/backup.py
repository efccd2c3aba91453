"""Backup and restore of the whole store.

Two backup formats, both accepted by :func:`read_backup` whatever the store in use:

* **SQLite file** (default for a SQLite store): a consistent copy made with sqlite3's online
  backup API while the service may keep writing; switched to ``journal_mode=DELETE`` so it is one
  self-contained file.
* **JSONL bundle** (any store, e.g. PostgreSQL): a header line
  ``{"gka_match_backup": 1, "created_at": …, "data_version": …, "counts": {…}}`` followed by one
  line ``{"kind": "intervention"|"agenda", "record": {…}}`` per record, read in one transaction.

:func:`restore` validates everything first, then replaces the store's records in ONE transaction.
The change log is not copied back: deletions and changed records are appended to the live log,
so the data version only moves forward and search indexes follow as after any other write.
"""

from __future__ import annotations

import json
import os
import sqlite3
import tempfile
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .exporters import record_dict
from .jsonl import jsonl_lines
from .models import Agenda, CatalogueIntervention
from .store import Store, WriteSummary
from .validation import Issue, check_catalogue_links, validate_rows

BACKUP_KEY = "gka_match_backup"
BACKUP_VERSION = 1
_SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """The file is not a usable gka-match backup; the message says why."""

    def __init__(self, message: str, issues: list[Issue] | None = None):
        super().__init__(message)
        self.issues = issues or []


def _sqlite_path(store: Store) -> Path | None:
    url = sa.engine.make_url(store.url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database).expanduser().resolve()


# ---- backup ---------------------------------------------------------------------------------
def backup(store: Store, dest: str | Path, fmt: str | None = None) -> dict[str, Any]:
    """Write a backup of ``store`` to ``dest`` (atomically); ``fmt`` is 'sqlite', 'jsonl' or None (auto)."""
    dest = Path(dest).expanduser()
    is_sqlite = store.url.startswith("sqlite")
    fmt = fmt or ("sqlite" if is_sqlite else "jsonl")
    if fmt == "sqlite" and not is_sqlite:
        raise BackupError("een SQLite-back-up vraagt een SQLite-store; deze store is geen SQLite, gebruik --format jsonl")
    if dest.is_dir():
        raise BackupError(f"{dest} is een map; geef een bestandsnaam voor de back-up")
    if not dest.parent.exists():
        raise BackupError(f"de map {dest.parent} bestaat niet; maak haar eerst aan")
    live = _sqlite_path(store)
    if live is not None and dest.resolve() == live:
        raise BackupError(f"{dest} is de draaiende database zelf; kies een ander bestand voor de back-up")
    fd, tmp_name = tempfile.mkstemp(prefix=f".{dest.name}.", suffix=".tmp", dir=dest.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        if fmt == "sqlite":
            counts = _backup_sqlite(store, tmp)
        elif fmt == "jsonl":
            counts = _backup_jsonl(store, tmp)
        else:
            raise BackupError(f"onbekend back-upformaat '{fmt}'; kies sqlite of jsonl")
        os.replace(tmp, dest)
    finally:
        tmp.unlink(missing_ok=True)
    return {"format": fmt, "path": str(dest), **counts}


def _backup_sqlite(store: Store, tmp: Path) -> dict[str, int]:
    tmp.unlink(missing_ok=True)
    raw = store.engine.raw_connection()
    try:
        source = raw.driver_connection
        target = sqlite3.connect(str(tmp))
        try:
            source.backup(target)  # a consistent snapshot, even while others write
            target.execute("PRAGMA journal_mode=DELETE")
            counts = {
                "interventions": target.execute("SELECT count(*) FROM interventions").fetchone()[0],
                "agendas": target.execute("SELECT count(*) FROM agendas").fetchone()[0],
                "data_version": target.execute("SELECT coalesce(max(seq), 0) FROM changes").fetchone()[0],
            }
        finally:
            target.close()
    finally:
        raw.close()
    return counts


def _backup_jsonl(store: Store, tmp: Path) -> dict[str, int]:
    version, interventions, agendas = store.read_all()
    header = {
        BACKUP_KEY: BACKUP_VERSION,
        "created_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "data_version": version,
        "counts": {"interventions": len(interventions), "agendas": len(agendas)},
    }
    with open(tmp, "w", encoding="utf-8") as fh:
        fh.write(json.dumps(header, ensure_ascii=False) + "\n")
        for rec in interventions:
            fh.write(json.dumps({"kind": "intervention", "record": record_dict(rec)}, ensure_ascii=False) + "\n")
        for rec in agendas:
            fh.write(json.dumps({"kind": "agenda", "record": record_dict(rec)}, ensure_ascii=False) + "\n")
        fh.flush()
        os.fsync(fh.fileno())
    return {"interventions": len(interventions), "agendas": len(agendas), "data_version": version}


# ---- restore --------------------------------------------------------------------------------
@dataclass
class BackupContents:
    fmt: str
    interventions: list[CatalogueIntervention]
    agendas: list[Agenda]


def _not_backup(path: Path, why: str) -> BackupError:
    return BackupError(
        f"{path.name} is geen gka-match-back-up ({why}); geef een bestand van `gka-match backup`, "
        "of laad records met `gka-match import`"
    )


def read_backup(path: str | Path) -> BackupContents:
    """Read and validate a backup; raises :class:`BackupError` (with every issue) if it is unusable."""
    path = Path(path).expanduser()
    if not path.exists():
        raise BackupError(f"{path} bestaat niet")
    if path.is_dir():
        raise BackupError(f"{path} is een map; geef een back-upbestand")
    if path.stat().st_size == 0:
        raise _not_backup(path, "het bestand is leeg")
    with open(path, "rb") as fh:
        head = fh.read(len(_SQLITE_MAGIC))
    if head == _SQLITE_MAGIC:
        fmt, rows_i, rows_a = "sqlite", *_sqlite_rows(path)
    else:
        fmt, rows_i, rows_a = "jsonl", *_jsonl_rows(path)
    name = path.name
    good_i, issues = validate_rows(rows_i, CatalogueIntervention, name)
    good_a, bad_a = validate_rows(rows_a, Agenda, name)
    issues += bad_a + check_catalogue_links(good_a, {r.id for _, r in good_i}, name)
    if issues:
        raise BackupError(f"{name} bevat {len(issues)} probleem(en) met ongeldige records; er is niets teruggezet", issues)
    return BackupContents(fmt, [r for _, r in good_i], [r for _, r in good_a])


def _sqlite_rows(path: Path) -> tuple[list[tuple[int, dict]], list[tuple[int, dict]]]:
    try:
        conn = sqlite3.connect(path.resolve().as_uri() + "?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise _not_backup(path, f"het opent niet als SQLite: {exc}") from exc
    try:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        missing = {"interventions", "agendas", "changes"} - tables
        if missing:
            raise _not_backup(path, f"een SQLite-database zonder de tabel(len) {', '.join(sorted(missing))}")
        check = conn.execute("PRAGMA quick_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"{path.name} is beschadigd (SQLite quick_check: {check}); gebruik een andere back-up")
        out = []
        for table in ("interventions", "agendas"):
            rows = []
            for n, (rid, record) in enumerate(conn.execute(f"SELECT id, record FROM {table} ORDER BY id"), start=1):
                try:
                    rows.append((n, json.loads(record)))
                except (TypeError, json.JSONDecodeError):
                    rows.append((n, {"id": rid}))  # validation reports the missing fields
            out.append(rows)
        return out[0], out[1]
    except sqlite3.DatabaseError as exc:
        raise _not_backup(path, f"onleesbaar SQLite-bestand: {exc}") from exc
    finally:
        conn.close()


def _jsonl_rows(path: Path) -> tuple[list[tuple[int, dict]], list[tuple[int, dict]]]:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise _not_backup(path, "geen SQLite-bestand en geen UTF-8-tekst") from exc
    lines = list(jsonl_lines(text))
    header = lines[0][1] if lines and lines[0][0] == 1 else None
    if not isinstance(header, dict) or BACKUP_KEY not in header:
        raise _not_backup(path, f"de eerste regel is niet de back-upkop met \"{BACKUP_KEY}\"")
    if header[BACKUP_KEY] != BACKUP_VERSION:
        raise BackupError(f"{path.name} is een gka-match-back-up van versie {header[BACKUP_KEY]}; deze "
                          f"gka-match leest versie {BACKUP_VERSION}")
    rows_i: list[tuple[int, dict]] = []
    rows_a: list[tuple[int, dict]] = []
    for n, obj, error in lines[1:]:
        if error:
            raise BackupError(f"{path.name}, regel {n}: geen geldige JSON ({error.msg}); de back-up is beschadigd")
        kind = obj.get("kind") if isinstance(obj, dict) else None
        if kind not in ("intervention", "agenda") or not isinstance(obj.get("record"), dict):
            raise BackupError(f"{path.name}, regel {n}: verwacht {{\"kind\": \"intervention\"|\"agenda\", "
                              "\"record\": {...}}; de back-up is beschadigd")
        (rows_i if kind == "intervention" else rows_a).append((n, obj["record"]))
    expected = header.get("counts") or {}
    found = {"interventions": len(rows_i), "agendas": len(rows_a)}
    for key, count in found.items():
        if key in expected and expected[key] != count:
            raise BackupError(f"{path.name} is onvolledig: de kop belooft {expected[key]} {key}, "
                              f"het bestand bevat er {count}; gebruik een andere back-up")
    return rows_i, rows_a


def restore(store: Store, contents: BackupContents) -> WriteSummary:
    """Make the store hold exactly the backup's records, in ONE transaction."""
    return store.replace_all(contents.interventions, contents.agendas)
