"""The store: the single source of truth for interventions and agendas.

SQLite (WAL mode) is the embedded default; any SQLAlchemy URL (PostgreSQL for several replicas)
works the same way. Records are kept as their validated JSON. Every write appends to a change
log; its highest sequence number is the *data version* that indexes and replicas follow.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from sqlalchemy.engine import Connection, Engine

from .models import Agenda, CatalogueIntervention

RecordKind = Literal["intervention", "agenda"]
MIGRATIONS = Path(__file__).resolve().parent / "migrations"

_meta = sa.MetaData()
interventions_t = sa.Table(
    "interventions", _meta,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("naam", sa.String(300)),
    sa.Column("record", sa.Text),
    sa.Column("updated_at", sa.Float),
)
agendas_t = sa.Table(
    "agendas", _meta,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("gemeente", sa.String(300)),
    sa.Column("provincie", sa.String(64)),
    sa.Column("record", sa.Text),
    sa.Column("updated_at", sa.Float),
)
changes_t = sa.Table(
    "changes", _meta,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16)),
    sa.Column("record_id", sa.String(128)),
    sa.Column("op", sa.String(8)),
    sa.Column("at", sa.Float),
)


class StoreError(Exception):
    """A write the store refuses; the message says what to change."""


class NotFound(StoreError):
    pass


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

    def __str__(self) -> str:
        return f"{len(self.inserted)} new, {len(self.updated)} updated, {len(self.unchanged)} unchanged"


def _dump(record: CatalogueIntervention | Agenda) -> str:
    return json.dumps(record.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=10000")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return sa.create_engine(url, pool_pre_ping=True)


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest alembic revision (creates it on a new database)."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Store:
    """Typed access to the records; every public write is one transaction."""

    def __init__(self, url: str):
        self.url = url
        self.engine = create_engine(url)
        migrate(self.engine)

    def close(self) -> None:
        self.engine.dispose()

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

    def list_interventions(self) -> list[CatalogueIntervention]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(interventions_t.c.record).order_by(interventions_t.c.id)).all()
        return [CatalogueIntervention.model_validate_json(r.record) for r in rows]

    def list_agendas(self) -> list[Agenda]:
        with self.engine.connect() as conn:
            rows = conn.execute(sa.select(agendas_t.c.record).order_by(agendas_t.c.gemeente)).all()
        return [Agenda.model_validate_json(r.record) for r in rows]

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
        summary = WriteSummary()
        now = time.time()
        with self.engine.begin() as conn:
            known = set(conn.execute(sa.select(interventions_t.c.id)).scalars()) | {
                i.id for i in interventions
            }
            for agenda in agendas:
                for item in agenda.interventies:
                    if item.catalogus_id and item.catalogus_id not in known:
                        raise StoreError(
                            f"agenda '{agenda.id}': intervention '{item.id}' links to unknown "
                            f"catalogue intervention '{item.catalogus_id}'"
                        )
            for rec in interventions:
                self._upsert(conn, interventions_t, "intervention", rec, {"naam": rec.naam}, now, summary)
            for rec in agendas:
                extra = {"gemeente": rec.gemeente, "provincie": rec.provincie}
                self._upsert(conn, agendas_t, "agenda", rec, extra, now, summary)
        return summary

    @staticmethod
    def _upsert(conn: Connection, table: sa.Table, kind: str, rec, extra: dict, now: float,
                summary: WriteSummary) -> None:
        payload = _dump(rec)
        old = conn.execute(sa.select(table.c.record).where(table.c.id == rec.id)).scalar()
        if old == payload:
            summary.unchanged.append(rec.id)
            return
        values = {"record": payload, "updated_at": now, **extra}
        if old is None:
            conn.execute(table.insert().values(id=rec.id, **values))
            summary.inserted.append(rec.id)
        else:
            conn.execute(table.update().where(table.c.id == rec.id).values(**values))
            summary.updated.append(rec.id)
        conn.execute(changes_t.insert().values(kind=kind, record_id=rec.id, op="upsert", at=now))

    def delete(self, kind: RecordKind, record_id: str) -> None:
        table = interventions_t if kind == "intervention" else agendas_t
        with self.engine.begin() as conn:
            if conn.execute(sa.select(table.c.id).where(table.c.id == record_id)).scalar() is None:
                raise NotFound(f"no {kind} with id '{record_id}'")
            if kind == "intervention":
                users = [
                    a.id
                    for a in (Agenda.model_validate_json(r) for r in conn.execute(sa.select(agendas_t.c.record)).scalars())
                    if any(i.catalogus_id == record_id for i in a.interventies)
                ]
                if users:
                    raise StoreError(
                        f"intervention '{record_id}' is applied in agendas {', '.join(sorted(users))}; "
                        "remove those links first"
                    )
            conn.execute(table.delete().where(table.c.id == record_id))
            conn.execute(changes_t.insert().values(kind=kind, record_id=record_id, op="delete", at=time.time()))
