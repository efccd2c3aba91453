"""Opening the database behind the store: engine, SQLite settings, locks, schema and migrations.

The schema is declared once (``SCHEMA``); the alembic migrations create it and
tests/test_store.py checks that the two agree.
"""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

import sqlalchemy as sa
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy.engine import Connection, Engine

__all__ = [
    "MIGRATIONS", "SCHEMA", "agendas_t", "changes_t", "create_engine", "interventions_t",
    "lock_for_write", "migrate", "safe_url",
]

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
# PostgreSQL advisory-lock keys ("gka" + n). PG_WRITE_LOCK is also written out in migration 0002.
PG_MIGRATION_LOCK = 0x676B61_0001
PG_WRITE_LOCK = 0x676B61_0002

SCHEMA = sa.MetaData()
interventions_t = sa.Table(
    "interventions", SCHEMA,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("naam", sa.String(300), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
)
agendas_t = sa.Table(
    "agendas", SCHEMA,
    sa.Column("id", sa.String(128), primary_key=True),
    sa.Column("gemeente", sa.String(300), nullable=False),
    sa.Column("provincie", sa.String(64), nullable=False),
    sa.Column("record", sa.Text, nullable=False),
    sa.Column("updated_at", sa.Float, nullable=False),
    sa.Index("ix_agendas_gemeente", "gemeente"),
)
changes_t = sa.Table(
    "changes", SCHEMA,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("record_id", sa.String(128), nullable=False),
    sa.Column("op", sa.String(8), nullable=False),
    sa.Column("at", sa.Float, nullable=False),
)


SQLITE_BUSY_SECONDS = 10.0


def _use_wal(cur: sqlite3.Cursor) -> None:
    """Put the database file in WAL mode (persistent: once per file, a no-op afterwards).

    While other processes create the same new file, this pragma can fail with "database is
    locked" although a busy timeout is set (3 of 60 runs of four processes opening one new store
    on a loaded 2-core machine; 0 of 160 with this retry), so it is retried for as long.
    """
    deadline = time.monotonic() + SQLITE_BUSY_SECONDS
    while True:
        try:
            if cur.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _sqlite_pragmas(dbapi_conn: sqlite3.Connection, _record) -> None:
    cur = dbapi_conn.cursor()  # the busy timeout is sqlite3.connect's, SQLITE_BUSY_SECONDS
    _use_wal(cur)
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.close()


def create_engine(url: str) -> Engine:
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if url.startswith(("postgresql://", "postgres://")):
        url = "postgresql+psycopg://" + url.split("://", 1)[1]
    if url.startswith("postgresql+psycopg"):
        # Records are UTF-8 JSON text, whatever the server's default client encoding.
        return sa.create_engine(url, pool_pre_ping=True, connect_args={"client_encoding": "utf8"})
    return sa.create_engine(url, pool_pre_ping=True)


def lock_for_write(conn: Connection) -> None:
    """First statement of every write transaction: wait for (then hold) the store's write lock."""
    backend = conn.dialect.name
    if backend == "sqlite":
        # pysqlite would only BEGIN (deferred) at the first INSERT, after our reads; IMMEDIATE takes
        # the write lock now (waiting up to SQLITE_BUSY_SECONDS), so reads and writes see one state.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
    elif backend == "postgresql":
        conn.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_WRITE_LOCK)))


def migrate(engine: Engine) -> None:
    """Bring the schema to the newest alembic revision (creates it on a new database).

    Safe when several processes open the store at once: the upgrade runs in one transaction that
    holds a lock (PostgreSQL: an advisory lock; SQLite: the database write lock), so the first
    process migrates and the others find the schema at head and do nothing.
    """
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:  # usual case, without taking any lock: already at head
        current = set(MigrationContext.configure(conn).get_current_heads())
    if current == set(ScriptDirectory.from_config(cfg).get_heads()):
        return
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(PG_MIGRATION_LOCK)))
        elif conn.dialect.name == "sqlite":
            conn.exec_driver_sql("BEGIN IMMEDIATE")  # DDL inside the write lock, all or nothing
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def safe_url(url: str) -> str:
    try:
        return sa.engine.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return url.split("@")[-1]
