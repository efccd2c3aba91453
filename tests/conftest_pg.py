"""pytest plugin: one real PostgreSQL cluster per session, a fresh database per test.

Test modules that need it say ``pytest_plugins = ["tests.conftest_pg"]``. A missing server binary
is a failure (with the fix in the message), not a skip: ``make test`` installs PostgreSQL.
"""

from __future__ import annotations

import pytest

from .pg import PgCluster, PostgresUnavailable, start_cluster


@pytest.fixture(scope="session")
def pg_cluster() -> PgCluster:
    try:
        cluster = start_cluster()
    except PostgresUnavailable as exc:
        pytest.fail(str(exc), pytrace=False)
    yield cluster
    cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: PgCluster) -> str:
    """GKA_DATABASE_URL of a new, empty database (dropped after the test)."""
    name, url = pg_cluster.create_database()
    yield url
    pg_cluster.drop_database(name)
