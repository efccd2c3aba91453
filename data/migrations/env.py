"""Alembic environment: run migrations on the connection the store hands over.

``target_metadata`` is the store's ``SCHEMA``, so a new migration can be drafted with alembic's
autogenerate against it; tests/test_store.py checks that the migrations and ``SCHEMA`` agree."""

from alembic import context

from gka_match.data.database import SCHEMA

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=SCHEMA, render_as_batch=True)
with context.begin_transaction():
    context.run_migrations()
