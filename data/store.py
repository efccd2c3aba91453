"""The store: the single source of truth for interventions and agendas.

SQLite (WAL mode) is the embedded default; PostgreSQL (``postgresql://…``) is the shared store for
several service replicas, with the same behaviour. Records are kept as their validated JSON.
Every write appends to a change log; its highest sequence number is the *data version* that
indexes and replicas follow.

Change-log invariant: a reader that has seen change ``n`` has seen every change below ``n``, so a
follower can remember one number. Writers are therefore serialised: on SQLite every write
transaction starts with ``BEGIN IMMEDIATE`` (the database's write lock), on PostgreSQL with a
transaction-scoped advisory lock, held until commit. On PostgreSQL a trigger (migration 0002)
additionally takes that lock and draws ``seq`` *after* taking it, so even a writer that bypasses
:meth:`Store.write_transaction` can never commit a lower ``seq`` after a higher one.
"""

from __future__ import annotations

import json
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Iterable, Iterator, Literal

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from .database import agendas_t, changes_t, create_engine, interventions_t, lock_for_write, migrate, safe_url
from .models import Agenda, CatalogueIntervention, agenda_id

RecordKind = Literal["intervention", "agenda"]
_KIND_NL = {"intervention": "interventie", "agenda": "agenda"}


class StoreError(Exception):
    """A write the store refuses; the message says what to change."""


class NotFound(StoreError):
    pass


class AlreadyExists(StoreError):
    """A record with this id exists (a create that lost to another)."""


@dataclass(frozen=True)
class Change:
    seq: int
    kind: RecordKind
    record_id: str
    op: Literal["upsert", "delete"]


@dataclass
class WriteSummary:
    inserted: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)  # only replace_all deletes

    def __str__(self) -> str:
        return f"{len(self.inserted)} nieuw, {len(self.updated)} bijgewerkt, {len(self.unchanged)} ongewijzigd"


def _dump(record: CatalogueIntervention | Agenda) -> str:
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def _side_columns(record: CatalogueIntervention | Agenda) -> dict[str, str | None]:
    """The columns beside the JSON that listings read; PostgreSQL text cannot hold NUL."""
    if isinstance(record, Agenda):
        values = {"gemeente": record.gemeente, "provincie": record.provincie}
    else:
        values = {"naam": record.naam}
    return {k: v.replace("\x00", "") if isinstance(v, str) else v for k, v in values.items()}


def _chunks(items: list[str], size: int = 500) -> Iterator[list[str]]:
    """Bounded ``IN (...)`` lists (SQLite allows a limited number of bound parameters)."""
    for start in range(0, len(items), size):
        yield items[start:start + size]


class Store:
    """Typed access to the records; every public write is one transaction."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)
        try:
            migrate(self.engine)
        except sa.exc.OperationalError as exc:
            self.engine.dispose()
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise StoreError(
                f"de store op {safe_url(url)} kan niet worden geopend ({reason}); controleer GKA_DATABASE_URL "
                "en of de databaseserver draait"
            ) from exc

    def close(self) -> None:
        self.engine.dispose()

    @contextmanager
    def write_transaction(self) -> Iterator[Connection]:
        """One write transaction, serialised with every other writer of this store (see module doc).

        Commits when the block ends, rolls back on an exception. Writes inside it go through
        :meth:`upsert_records`, so every change is logged.
        """
        with self.engine.begin() as conn:
            lock_for_write(conn)
            yield conn

    # ---- reads -------------------------------------------------------------------------
    def data_version(self) -> int:
        with self.engine.connect() as conn:
            return int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(changes_t.c.seq), 0))).scalar())

    def changes_since(self, seq: int) -> list[Change]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(changes_t).where(changes_t.c.seq > seq).order_by(changes_t.c.seq)
            ).all()
        return [Change(r.seq, r.kind, r.record_id, r.op) for r in rows]

    # Sorted in Python, not by ORDER BY: PostgreSQL sorts text by the database's collation
    # (e.g. nl_NL ignores hyphens), SQLite by code point; the order must not depend on the back-end.
    def list_interventions(self) -> list[CatalogueIntervention]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(interventions_t.c.id, interventions_t.c.record)).all()
        return [CatalogueIntervention.model_validate_json(r.record) for r in sorted(rows, key=lambda r: r.id)]

    def list_agendas(self) -> list[Agenda]:
        with self.engine.connect() as conn:
            rows = conn.execute(
                sa.select(agendas_t.c.gemeente, agendas_t.c.id, agendas_t.c.record)
            ).all()
        rows = sorted(rows, key=lambda r: (r.gemeente, r.id))
        return [Agenda.model_validate_json(r.record) for r in rows]

    def read_all(self) -> tuple[int, list[CatalogueIntervention], list[Agenda]]:
        """The data version and every record (ordered by id), read in ONE snapshot (backups)."""
        with self.engine.connect() as conn:
            if not self.url.startswith("sqlite"):  # SQLite transactions are snapshots already
                conn = conn.execution_options(isolation_level="REPEATABLE READ")
            with conn.begin():
                version = int(conn.execute(sa.select(sa.func.coalesce(sa.func.max(changes_t.c.seq), 0))).scalar())
                rows_i = conn.execute(sa.select(interventions_t.c.id, interventions_t.c.record)).all()
                rows_a = conn.execute(sa.select(agendas_t.c.id, agendas_t.c.record)).all()
        return (
            version,
            [CatalogueIntervention.model_validate_json(r.record) for r in sorted(rows_i, key=lambda r: r.id)],
            [Agenda.model_validate_json(r.record) for r in sorted(rows_a, key=lambda r: r.id)],
        )

    def get_intervention(self, record_id: str) -> CatalogueIntervention | None:
        with self.engine.connect() as conn:
            raw = conn.execute(
                sa.select(interventions_t.c.record).where(interventions_t.c.id == record_id)
            ).scalar()
        return CatalogueIntervention.model_validate_json(raw) if raw else None

    def get_agenda(self, record_id: str) -> Agenda | None:
        with self.engine.connect() as conn:
            raw = conn.execute(sa.select(agendas_t.c.record).where(agendas_t.c.id == record_id)).scalar()
        return Agenda.model_validate_json(raw) if raw else None

    def find_agenda(self, ref: str) -> Agenda | None:
        """An agenda by id or by gemeente name (any case): every surface accepts both."""
        return self.get_agenda(ref) or self.get_agenda(agenda_id(ref))

    def intervention_ids(self) -> set[str]:
        with self.engine.connect() as conn:
            return set(conn.execute(sa.select(interventions_t.c.id)).scalars())

    def counts(self) -> dict[str, int]:
        with self.engine.connect() as conn:
            return {
                "interventions": conn.execute(sa.select(sa.func.count()).select_from(interventions_t)).scalar(),
                "agendas": conn.execute(sa.select(sa.func.count()).select_from(agendas_t)).scalar(),
            }

    # ---- writes ------------------------------------------------------------------------
    def write(
        self,
        interventions: Iterable[CatalogueIntervention] = (),
        agendas: Iterable[Agenda] = (),
    ) -> WriteSummary:
        """Upsert interventions and agendas in ONE transaction; identical records are left alone."""
        interventions, agendas = list(interventions), list(agendas)
        with self.write_transaction() as conn:
            self._check_links(conn, interventions, agendas)
            return self.upsert_records(conn, interventions, agendas)

    @staticmethod
    def _check_links(conn: Connection, interventions: list[CatalogueIntervention], agendas: list[Agenda]) -> None:
        known = set(conn.execute(sa.select(interventions_t.c.id)).scalars()) | {i.id for i in interventions}
        for agenda in agendas:
            for item in agenda.interventies:
                if item.catalogus_id and item.catalogus_id not in known:
                    raise StoreError(
                        f"agenda '{agenda.id}': interventie '{item.id}' verwijst naar een onbekende "
                        f"catalogus-interventie '{item.catalogus_id}'"
                    )

    def create(self, record: CatalogueIntervention | Agenda) -> WriteSummary:
        """Insert a new record; :class:`AlreadyExists` when its id is taken. The check and the
        insert are one serialised write transaction, so of many concurrent creates one wins."""
        agenda = isinstance(record, Agenda)
        table = agendas_t if agenda else interventions_t
        with self.write_transaction() as conn:
            if conn.execute(sa.select(table.c.id).where(table.c.id == record.id)).first() is not None:
                raise AlreadyExists(record.id)
            if agenda:
                self._check_links(conn, [], [record])
            return self.upsert_records(conn, [] if agenda else [record], [record] if agenda else [])

    def replace_all(self, interventions: list[CatalogueIntervention], agendas: list[Agenda]) -> WriteSummary:
        """Make the store hold exactly these records, in ONE transaction (restoring a backup):
        other records are deleted, identical ones left alone, every change logged."""
        summary = WriteSummary()
        now = time.time()
        with self.write_transaction() as conn:
            for table, kind, recs in ((agendas_t, "agenda", agendas), (interventions_t, "intervention", interventions)):
                keep = {r.id for r in recs}
                gone = sorted(set(conn.execute(sa.select(table.c.id)).scalars()) - keep)
                for chunk in _chunks(gone):
                    conn.execute(table.delete().where(table.c.id.in_(chunk)))
                if gone:
                    conn.execute(changes_t.insert(), [
                        {"kind": kind, "record_id": rid, "op": "delete", "at": now} for rid in gone
                    ])
                summary.deleted += gone
            return self.upsert_records(conn, interventions, agendas, summary, now)

    @staticmethod
    def upsert_records(conn: Connection, interventions: Iterable[CatalogueIntervention] = (),
                       agendas: Iterable[Agenda] = (), summary: WriteSummary | None = None,
                       now: float | None = None) -> WriteSummary:
        """Upsert inside an open :meth:`write_transaction`, with change-log rows.

        Reads the stored versions in chunks and writes in batches (a record at a time managed a
        few hundred records per second; imports of tens of thousands need more).
        """
        summary = summary if summary is not None else WriteSummary()
        now = time.time() if now is None else now
        for table, kind, recs in ((interventions_t, "intervention", interventions), (agendas_t, "agenda", agendas)):
            payloads = {rec.id: (rec, _dump(rec)) for rec in recs}  # a repeated id: the last one counts
            stored: dict[str, str] = {}
            for chunk in _chunks(list(payloads)):
                stored.update(conn.execute(sa.select(table.c.id, table.c.record).where(table.c.id.in_(chunk))).all())
            inserts, updates = [], []
            for rid, (rec, payload) in payloads.items():
                old = stored.get(rid)
                if old == payload:
                    summary.unchanged.append(rid)
                    continue
                values = {"id": rid, "record": payload, "updated_at": now, **_side_columns(rec)}
                (inserts if old is None else updates).append(values)
                (summary.inserted if old is None else summary.updated).append(rid)
            if inserts:
                conn.execute(table.insert(), inserts)
            if updates:
                conn.execute(
                    table.update().where(table.c.id == sa.bindparam("rid")),
                    [{**{k: v for k, v in u.items() if k != "id"}, "rid": u["id"]} for u in updates],
                )
            if inserts or updates:
                conn.execute(changes_t.insert(), [
                    {"kind": kind, "record_id": v["id"], "op": "upsert", "at": now} for v in inserts + updates
                ])
        return summary

    def delete(self, kind: RecordKind, record_id: str) -> None:
        table = interventions_t if kind == "intervention" else agendas_t
        with self.write_transaction() as conn:
            if conn.execute(sa.select(table.c.id).where(table.c.id == record_id)).scalar() is None:
                raise NotFound(f"geen {_KIND_NL.get(kind, kind)} met id '{record_id}'")
            if kind == "intervention":
                users = [
                    a.id
                    for a in (Agenda.model_validate_json(r) for r in conn.execute(sa.select(agendas_t.c.record)).scalars())
                    if any(i.catalogus_id == record_id for i in a.interventies)
                ]
                if users:
                    raise StoreError(
                        f"interventie '{record_id}' wordt toegepast in de agenda's {', '.join(sorted(users))}; "
                        "haal die koppelingen eerst weg"
                    )
            conn.execute(table.delete().where(table.c.id == record_id))
            conn.execute(changes_t.insert().values(kind=kind, record_id=record_id, op="delete", at=time.time()))
