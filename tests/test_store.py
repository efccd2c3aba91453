"""The store on both back-ends: SQLite (a file in tmp_path) and PostgreSQL (a fresh database per test).

Every behaviour the service and the indexes rely on is checked on both: JSON text round trips,
upsert with unchanged detection, one-transaction writes, deletes refused while referenced, the
change log's order (a follower that remembers one number misses nothing, also under concurrent
writers), data_version, listing order, and migrations (idempotent, safe for concurrent opens).
"""

from __future__ import annotations

import json
import multiprocessing
import threading
import time

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.config import Config

from gka_match.data.bundled import load_bundled
from gka_match.data.models import Agenda, CatalogueIntervention
from gka_match.data.database import MIGRATIONS, changes_t, interventions_t, migrate
from gka_match.data.store import NotFound, Store, StoreError, WriteSummary

from .conftest import free_port

pytest_plugins = ["tests.conftest_pg"]

HEAD = "0002"
_BUNDLED = load_bundled()
_BASE_CAT = _BUNDLED[0][0].model_dump(mode="json")
_BASE_AGENDA = _BUNDLED[1][0].model_dump(mode="json")


def intervention(rid: str, naam: str | None = None, **update) -> CatalogueIntervention:
    return CatalogueIntervention.model_validate({**_BASE_CAT, "id": rid, "naam": naam or f"Interventie {rid}",
                                                 "aliassen": [], **update})


def agenda(rid: str, gemeente: str, links: list[str | None]) -> Agenda:
    item = _BASE_AGENDA["interventies"][0]
    items = [{**item, "id": f"ai-{rid}-{n}", "naam": f"Aanpak {n}", "catalogus_id": link}
             for n, link in enumerate(links, start=1)]
    return Agenda.model_validate({**_BASE_AGENDA, "id": rid, "gemeente": gemeente, "interventies": items})


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def url(request, tmp_path) -> str:
    """A database URL with nothing in it yet (no schema)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'gka.sqlite3'}"
    return request.getfixturevalue("pg_url")


@pytest.fixture
def store(url):
    s = Store(url)
    yield s
    s.close()


def _log(store: Store) -> list[tuple[str, str, str]]:
    return [(c.kind, c.record_id, c.op) for c in store.changes_since(0)]


# ---- writes ----------------------------------------------------------------------------------
def test_write_inserts_updates_and_skips_unchanged(store):
    a, b = intervention("cat-a"), intervention("cat-b")
    assert store.data_version() == 0
    first = store.write([a, b])
    assert (first.inserted, first.updated, first.unchanged) == (["cat-a", "cat-b"], [], [])
    assert store.data_version() > 0
    version = store.data_version()

    again = store.write([a, b])
    assert (again.inserted, again.updated, again.unchanged) == ([], [], ["cat-a", "cat-b"])
    assert store.data_version() == version, "an unchanged record must not bump the data version"

    changed = a.model_copy(update={"doel": "Een ander doel voor deze interventie."})
    third = store.write([changed, b])
    assert (third.inserted, third.updated, third.unchanged) == ([], ["cat-a"], ["cat-b"])
    assert store.data_version() > version
    assert store.get_intervention("cat-a") == changed
    assert _log(store) == [("intervention", "cat-a", "upsert"), ("intervention", "cat-b", "upsert"),
                           ("intervention", "cat-a", "upsert")]


def test_bulk_writes_span_several_read_chunks_and_replace_all_deletes_the_rest(store):
    """Writes read the stored versions in chunks of 500: 1,200 records cross two boundaries."""
    records = [intervention(f"cat-{n:04d}") for n in range(1200)]
    first = store.write(records)
    assert len(first.inserted) == 1200 and store.counts()["interventions"] == 1200
    changed = [r.model_copy(update={"doel": "Nieuw doel."}) if n % 400 == 0 else r for n, r in enumerate(records)]
    second = store.write(changed)
    assert second.updated == ["cat-0000", "cat-0400", "cat-0800"] and len(second.unchanged) == 1197
    assert store.get_intervention("cat-0800").doel == "Nieuw doel."

    version = store.data_version()
    kept = changed[:700] + [intervention("cat-new")]
    summary = store.replace_all(kept, [])
    assert summary.inserted == ["cat-new"] and len(summary.unchanged) == 700
    assert summary.deleted == [f"cat-{n:04d}" for n in range(700, 1200)]
    assert store.intervention_ids() == {r.id for r in kept}
    log = store.changes_since(version)
    assert sum(c.op == "delete" for c in log) == 500 and [c.record_id for c in log if c.op == "upsert"] == ["cat-new"]


def test_records_are_kept_as_exact_json_text(store):
    naam = "Taalhuis IJsselmonde – ‘samen’ lezen € 5 🙂"
    rec = intervention("cat-unicode", naam=naam, doel="Regel één\nregel twee\twith a tab, quotes \" and a backslash \\.")
    store.write([rec])
    assert store.get_intervention("cat-unicode") == rec
    with store.engine.connect() as conn:
        row = conn.execute(sa.select(interventions_t).where(interventions_t.c.id == "cat-unicode")).one()
    assert isinstance(row.record, str)
    assert json.loads(row.record) == rec.model_dump(mode="json")
    assert row.record == json.dumps(rec.model_dump(mode="json"), ensure_ascii=False, sort_keys=True)
    assert row.naam == naam
    # identical content (even re-validated from its JSON) is recognised as unchanged
    again = CatalogueIntervention.model_validate_json(row.record)
    assert store.write([again]).unchanged == ["cat-unicode"]


def test_a_write_is_one_transaction(store, monkeypatch):
    good = intervention("cat-good")
    broken = agenda("agenda-broken", "Brokstad", ["cat-does-not-exist"])
    with pytest.raises(StoreError, match="cat-does-not-exist"):
        store.write([good], [broken])
    assert store.counts() == {"interventions": 0, "agendas": 0}
    assert store.data_version() == 0

    # a failure half-way (after rows and change-log entries were written) leaves nothing behind
    import gka_match.data.store as store_module

    real_dump, dumped = store_module._dump, []

    def failing_dump(record):
        dumped.append(record.id)
        if isinstance(record, Agenda):  # the interventions are written by now
            raise RuntimeError("disk full")
        return real_dump(record)

    monkeypatch.setattr(store_module, "_dump", failing_dump)
    with pytest.raises(RuntimeError, match="disk full"):
        store.write([intervention("cat-1"), intervention("cat-2")], [agenda("agenda-x", "Xstad", ["cat-1"])])
    monkeypatch.undo()
    assert dumped == ["cat-1", "cat-2", "agenda-x"]
    assert store.counts()["interventions"] == 0 and store.changes_since(0) == []

    # the store is usable afterwards, and an agenda may link to a programme of the same write
    linked = agenda("agenda-linked", "Linkstad", ["cat-good", None])
    summary = store.write([good], [linked])
    assert summary.inserted == ["cat-good", "agenda-linked"]


def test_delete_is_refused_while_an_agenda_applies_the_intervention(store):
    store.write([intervention("cat-x"), intervention("cat-y")], [agenda("agenda-z", "Zandstad", ["cat-x"])])
    version = store.data_version()
    with pytest.raises(StoreError, match="agenda-z"):
        store.delete("intervention", "cat-x")
    assert store.get_intervention("cat-x") is not None and store.data_version() == version

    store.delete("intervention", "cat-y")
    assert store.get_intervention("cat-y") is None
    with pytest.raises(NotFound):
        store.delete("intervention", "cat-y")
    with pytest.raises(NotFound):
        store.delete("agenda", "agenda-nope")

    store.delete("agenda", "agenda-z")
    store.delete("intervention", "cat-x")
    assert store.counts() == {"interventions": 0, "agendas": 0}
    assert _log(store)[-3:] == [("intervention", "cat-y", "delete"), ("agenda", "agenda-z", "delete"),
                                ("intervention", "cat-x", "delete")]


# ---- change log and data version ---------------------------------------------------------------
def test_changes_since_is_ordered_and_data_version_is_its_end(store):
    assert store.changes_since(0) == [] and store.data_version() == 0
    store.write([intervention("cat-a")])
    store.write([intervention("cat-b"), intervention("cat-c")], [agenda("agenda-d", "Dorp", ["cat-a"])])
    store.delete("intervention", "cat-b")
    store.write([intervention("cat-a", doel="Nieuw doel voor cat-a.")])
    changes = store.changes_since(0)
    assert [(c.kind, c.record_id, c.op) for c in changes] == [
        ("intervention", "cat-a", "upsert"), ("intervention", "cat-b", "upsert"),
        ("intervention", "cat-c", "upsert"), ("agenda", "agenda-d", "upsert"),
        ("intervention", "cat-b", "delete"), ("intervention", "cat-a", "upsert"),
    ]
    seqs = [c.seq for c in changes]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert store.data_version() == seqs[-1]
    assert store.changes_since(seqs[2]) == changes[3:]
    assert store.changes_since(seqs[-1]) == []
    # a second handle on the same database sees the same log
    other = Store(store.url)
    try:
        assert other.changes_since(0) == changes and other.data_version() == seqs[-1]
    finally:
        other.close()


def test_list_get_ids_and_counts(store):
    store.write(
        [intervention("cat-b"), intervention("cat-a-z"), intervention("cat-a")],
        [agenda("agenda-zw", "Zwolle", ["cat-a"]), agenda("agenda-hb", "'s-Hertogenbosch", [None]),
         agenda("agenda-am", "Amsterdam", [None]), agenda("agenda-al", "Almere", ["cat-b"])],
    )
    assert [i.id for i in store.list_interventions()] == ["cat-a", "cat-a-z", "cat-b"]
    assert [a.gemeente for a in store.list_agendas()] == ["'s-Hertogenbosch", "Almere", "Amsterdam", "Zwolle"]
    assert store.get_intervention("cat-a-z").naam == "Interventie cat-a-z"
    assert store.get_agenda("agenda-al").interventies[0].catalogus_id == "cat-b"
    assert store.get_intervention("cat-nope") is None and store.get_agenda("agenda-nope") is None
    assert store.intervention_ids() == {"cat-a", "cat-a-z", "cat-b"}
    assert store.counts() == {"interventions": 3, "agendas": 4}


# ---- concurrency -------------------------------------------------------------------------------
def test_concurrent_writers_and_a_follower_that_misses_nothing(store):
    """8 threads on two handles write at once; a follower that only remembers the last seq
    (what every replica's index does) must still see every change."""
    other = Store(store.url)
    n_threads, per_thread = 8, 5
    errors: list[BaseException] = []
    summaries: list[WriteSummary] = []
    done = threading.Event()
    seen: list[tuple[int, str]] = []

    def writer(t: int) -> None:
        handle = store if t % 2 else other
        try:
            for n in range(per_thread):
                summaries.append(handle.write([intervention(f"cat-t{t}-{n}")]))
                summaries.append(handle.write([intervention("cat-shared", doel=f"Gedeeld doel van thread {t}.")]))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    def follower() -> None:
        version = 0
        while True:
            finished = done.is_set()
            for change in other.changes_since(version):
                seen.append((change.seq, change.record_id))
                version = change.seq
            if finished:
                return
            time.sleep(0.001)

    follow = threading.Thread(target=follower)
    follow.start()
    threads = [threading.Thread(target=writer, args=(t,)) for t in range(n_threads)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    done.set()
    follow.join(30)
    other.close()
    assert not errors, errors
    assert store.counts()["interventions"] == n_threads * per_thread + 1
    inserted = [rid for s in summaries for rid in s.inserted]
    assert sorted(inserted) == sorted({f"cat-t{t}-{n}" for t in range(n_threads) for n in range(per_thread)}
                                      | {"cat-shared"})
    log = store.changes_since(0)
    assert [c.seq for c in log] == sorted({c.seq for c in log})
    changed = sum(len(s.inserted) + len(s.updated) for s in summaries)
    assert len(log) == changed, "exactly one change-log entry per inserted or updated record"
    assert seen == [(c.seq, c.record_id) for c in log], "the follower skipped or reordered a change"


def test_a_writer_waits_for_an_open_write_transaction(store):
    """Serialised writers: change numbers follow commit order; readers are not blocked."""
    other = Store(store.url)
    try:
        result: list[WriteSummary] = []
        with store.write_transaction() as conn:
            Store.upsert_records(conn, [intervention("cat-first")])
            blocked = threading.Thread(target=lambda: result.append(other.write([intervention("cat-second")])))
            blocked.start()
            blocked.join(0.5)
            assert blocked.is_alive(), "a second writer must wait for the open write transaction"
            assert other.data_version() == 0 and other.counts()["interventions"] == 0  # readers go on
        blocked.join(15)
        assert result and result[0].inserted == ["cat-second"]
        assert [c.record_id for c in store.changes_since(0)] == ["cat-first", "cat-second"]
    finally:
        other.close()


@pytest.mark.postgres
def test_postgres_change_numbers_follow_commit_order_even_for_raw_writers(pg_url):
    """A writer that bypasses write_transaction (plain engine.begin(), as restore does) still
    cannot commit a lower seq after a higher one: the trigger waits for the write lock first."""
    store, other = Store(pg_url), Store(pg_url)
    try:
        raw_seq: list[int] = []

        def raw_writer() -> None:
            with other.engine.begin() as conn:
                seq = conn.execute(changes_t.insert().values(
                    kind="intervention", record_id="cat-raw", op="upsert", at=time.time()
                ).returning(changes_t.c.seq)).scalar()
                raw_seq.append(seq)

        with store.write_transaction() as conn:
            Store.upsert_records(conn, [intervention("cat-locked")])
            raw = threading.Thread(target=raw_writer)
            raw.start()
            raw.join(0.5)
            assert raw.is_alive(), "the raw change-log insert must wait for the write lock"
        raw.join(15)
        log = store.changes_since(0)
        assert [c.record_id for c in log] == ["cat-locked", "cat-raw"]
        assert raw_seq == [log[1].seq] and log[0].seq < log[1].seq
        with store.engine.connect() as conn:
            default = conn.exec_driver_sql(
                "SELECT column_default FROM information_schema.columns "
                "WHERE table_name = 'changes' AND column_name = 'seq'").scalar()
        assert default is None, "seq must only be drawn by the trigger, inside the lock"
    finally:
        store.close()
        other.close()


# ---- migrations --------------------------------------------------------------------------------
def _alembic_versions(engine: sa.Engine) -> list[str]:
    with engine.connect() as conn:
        return list(conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars())


def test_migrations_are_idempotent_and_reversible(store):
    store.write([intervention("cat-keep")])
    migrate(store.engine)
    again = Store(store.url)
    again.close()
    assert _alembic_versions(store.engine) == [HEAD]

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0001")
    assert _alembic_versions(store.engine) == ["0001"]
    migrate(store.engine)
    assert _alembic_versions(store.engine) == [HEAD]
    store.write([intervention("cat-after")])
    assert [c.record_id for c in store.changes_since(0)] == ["cat-keep", "cat-after"]


def _open_at_once(url: str, barrier, errors) -> None:
    try:
        barrier.wait(60)
        Store(url).close()
    except BaseException as exc:  # noqa: BLE001 - sent to the test
        errors.put(f"{type(exc).__name__}: {exc}")
        raise SystemExit(1)


def test_concurrent_first_opens_migrate_once(url):
    """Several processes opening a brand-new store at the same moment (replicas, workers).

    Forked, so they start without re-importing; alembic is not thread-safe, processes it is."""
    ctx = multiprocessing.get_context("fork")
    barrier, errors = ctx.Barrier(4), ctx.Queue()
    procs = [ctx.Process(target=_open_at_once, args=(url, barrier, errors)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
    assert [p.exitcode for p in procs] == [0, 0, 0, 0], errors.get(timeout=5)
    store = Store(url)
    try:
        assert _alembic_versions(store.engine) == [HEAD]
        assert store.write([intervention("cat-ok")]).inserted == ["cat-ok"]
    finally:
        store.close()


def test_an_unreachable_database_is_a_store_error_with_a_hint():
    url = f"postgresql://gka:secret@127.0.0.1:{free_port()}/gka"
    with pytest.raises(StoreError, match="GKA_DATABASE_URL") as info:
        Store(url)
    assert "secret" not in str(info.value)


# ---- schema --------------------------------------------------------------------------------------
def test_the_migrations_create_exactly_the_schema_the_store_declares(store):
    """Alembic's autogenerate comparison of the migrated database with ``SCHEMA``: no
    difference in tables, columns, types, nullability or indexes."""
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from gka_match.data.database import SCHEMA

    def skip_alembic(obj, name, type_, reflected, compare_to):
        return not (type_ == "table" and name == "alembic_version")

    with store.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": skip_alembic})
        assert compare_metadata(context, SCHEMA) == []
