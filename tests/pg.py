"""A throwaway PostgreSQL cluster for the tests: Debian's server binaries, run as a non-root user.

PostgreSQL refuses to run as root, and the tests run as root in CI. So, when we are root, the
cluster belongs to the ``postgres`` system user (created by Debian's ``postgresql`` package) and
``initdb``/``pg_ctl`` run through ``runuser -u postgres --``; otherwise they run as ourselves. The
data directory and the unix socket live in a private temp dir; the server listens on a free
loopback port with ``trust`` authentication and without fsync (tests only). ``make test``
installs the binaries (``make system-test-deps``).
"""

from __future__ import annotations

import glob
import os
import pwd
import re
import shutil
import socket
import subprocess
import tempfile
import uuid
from pathlib import Path

MISSING_MESSAGE = (
    "PostgreSQL server binaries (initdb, pg_ctl) were not found under /usr/lib/postgresql/*/bin. "
    "`make test` installs them (target system-test-deps: apt-get install postgresql); "
    "or set GKA_TEST_PG_BINDIR to a folder with initdb and pg_ctl."
)
SUPERUSER = "postgres"  # the cluster's database superuser (not the OS user)


class PostgresUnavailable(RuntimeError):
    """No usable PostgreSQL server; the message says how to get one."""


def find_bindir() -> Path | None:
    """The newest /usr/lib/postgresql/<version>/bin that has initdb (or GKA_TEST_PG_BINDIR)."""
    override = os.environ.get("GKA_TEST_PG_BINDIR")
    if override:
        return Path(override) if (Path(override) / "initdb").exists() else None
    found = glob.glob("/usr/lib/postgresql/*/bin/initdb")

    def version(path: str) -> tuple[int, ...]:
        return tuple(int(n) for n in re.findall(r"\d+", Path(path).parent.parent.name))

    return Path(max(found, key=version)).parent if found else None


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PgCluster:
    """initdb + pg_ctl in a temp dir; ``url(db)`` gives a GKA_DATABASE_URL for a database."""

    def __init__(self, bindir: Path, os_user: str | None = None):
        self.bindir = bindir
        if os_user is None and os.geteuid() == 0:
            os_user = "postgres"
        self.os_user = os_user
        self.port = 0
        self.root: Path | None = None
        self.running = False

    # ---- running commands as the cluster's owner ------------------------------------------
    def _run(self, *cmd: str, check: bool = True) -> subprocess.CompletedProcess:
        argv = list(cmd)
        if self.os_user and self.os_user != pwd.getpwuid(os.geteuid()).pw_name:
            argv = ["runuser", "-u", self.os_user, "--", *argv]
        proc = subprocess.run(argv, capture_output=True, text=True, cwd="/")
        if check and proc.returncode != 0:
            raise PostgresUnavailable(
                f"{' '.join(cmd[:2])} failed ({proc.returncode}):\n{proc.stdout}\n{proc.stderr}\n{self.log_tail()}"
            )
        return proc

    def log_tail(self, lines: int = 30) -> str:
        log = self.root / "server.log" if self.root else None
        if log and log.exists():
            return "server log:\n" + "\n".join(log.read_text(errors="replace").splitlines()[-lines:])
        return ""

    # ---- life cycle -------------------------------------------------------------------------
    def start(self) -> "PgCluster":
        self.root = Path(tempfile.mkdtemp(prefix="gka-pg-"))
        if self.os_user:
            try:
                owner = pwd.getpwnam(self.os_user)
            except KeyError as exc:
                raise PostgresUnavailable(
                    f"running as root, but there is no system user '{self.os_user}' to own the test "
                    "cluster; Debian's postgresql package creates it (`make test` installs it)"
                ) from exc
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        data = self.root / "data"
        self._run(str(self.bindir / "initdb"), "-D", str(data), "-U", SUPERUSER, "-A", "trust",
                  "-E", "UTF8", "--locale=C", "--no-sync")
        last_error: Exception | None = None
        for _ in range(3):  # the free port can be taken between choosing it and binding it
            self.port = _free_port()
            options = (
                f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1 -F "
                "-c full_page_writes=off -c synchronous_commit=off -c max_connections=200 "
                "-c wal_level=minimal -c max_wal_senders=0"
            )
            proc = self._run(str(self.bindir / "pg_ctl"), "-D", str(data), "-l", str(self.root / "server.log"),
                             "-w", "-t", "60", "-o", options, "start", check=False)
            if proc.returncode == 0:
                self.running = True
                return self
            last_error = PostgresUnavailable(f"pg_ctl start failed:\n{proc.stdout}{proc.stderr}\n{self.log_tail()}")
        raise last_error  # type: ignore[misc]

    def stop(self) -> None:
        if self.root is None:
            return
        if self.running:
            self._run(str(self.bindir / "pg_ctl"), "-D", str(self.root / "data"), "-m", "immediate",
                      "-w", "stop", check=False)
            self.running = False
        shutil.rmtree(self.root, ignore_errors=True)
        self.root = None

    # ---- databases ----------------------------------------------------------------------------
    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{dbname}"

    def admin(self):
        import psycopg

        return psycopg.connect(f"host=127.0.0.1 port={self.port} user={SUPERUSER} dbname=postgres",
                               autocommit=True)

    def create_database(self, name: str | None = None) -> tuple[str, str]:
        """A new empty database; returns (name, url)."""
        name = name or f"t_{uuid.uuid4().hex[:12]}"
        with self.admin() as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return name, self.url(name)

    def drop_database(self, name: str) -> None:
        with self.admin() as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def start_cluster() -> PgCluster:
    bindir = find_bindir()
    if bindir is None:
        raise PostgresUnavailable(MISSING_MESSAGE)
    return PgCluster(bindir).start()
