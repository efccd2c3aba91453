"""Initial schema: records as validated JSON, plus a change log that drives index updates.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "interventions",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("naam", sa.String(300), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "agendas",
        sa.Column("id", sa.String(128), primary_key=True),
        sa.Column("gemeente", sa.String(300), nullable=False),
        sa.Column("provincie", sa.String(64), nullable=False),
        sa.Column("record", sa.Text, nullable=False),
        sa.Column("updated_at", sa.Float, nullable=False),
    )
    op.create_table(
        "changes",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("record_id", sa.String(128), nullable=False),
        sa.Column("op", sa.String(8), nullable=False),
        sa.Column("at", sa.Float, nullable=False),
    )
    op.create_index("ix_agendas_gemeente", "agendas", ["gemeente"])


def downgrade() -> None:
    op.drop_index("ix_agendas_gemeente", "agendas")
    op.drop_table("changes")
    op.drop_table("agendas")
    op.drop_table("interventions")
