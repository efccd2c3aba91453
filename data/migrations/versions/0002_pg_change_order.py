"""PostgreSQL: change-log sequence numbers follow commit order (no-op on SQLite).

A PostgreSQL sequence hands out numbers when a row is inserted, not when its transaction commits:
with two concurrent writers, seq 12 can become visible before seq 11, and a replica that already
moved its data version to 12 would never apply change 11. This trigger makes every insert into
``changes`` first take the store's write lock (a transaction-scoped advisory lock, held until
commit; the same key as ``database.PG_WRITE_LOCK``) and only then draw ``seq``. The column default
is dropped so that no row can get a number outside the lock. On SQLite writers are serialised by
the database lock already.

Revision ID: 0002
Revises: 0001
"""

from alembic import op

revision = "0002"
down_revision = "0001"

WRITE_LOCK = 0x676B61_0002  # = gka_match.data.database.PG_WRITE_LOCK; frozen here on purpose

FUNCTION = f"""
CREATE OR REPLACE FUNCTION gka_changes_seq_in_commit_order() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock({WRITE_LOCK});
    NEW.seq := nextval(pg_get_serial_sequence(
        quote_ident(TG_TABLE_SCHEMA) || '.' || quote_ident(TG_TABLE_NAME), 'seq'));
    RETURN NEW;
END
$$
"""


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(FUNCTION)
    op.execute("ALTER TABLE changes ALTER COLUMN seq DROP DEFAULT")
    op.execute(
        "CREATE TRIGGER changes_seq_in_commit_order BEFORE INSERT ON changes "
        "FOR EACH ROW EXECUTE FUNCTION gka_changes_seq_in_commit_order()"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("DROP TRIGGER IF EXISTS changes_seq_in_commit_order ON changes")
    op.execute("DROP FUNCTION IF EXISTS gka_changes_seq_in_commit_order()")
    seq = op.get_bind().exec_driver_sql("SELECT pg_get_serial_sequence('changes', 'seq')").scalar()
    op.execute(f"ALTER TABLE changes ALTER COLUMN seq SET DEFAULT nextval('{seq}'::regclass)")
