"""Shared fixtures: real SQLite files and, when reachable, a real PostgreSQL with pgSphere.

PostgreSQL tests skip when the server or the extension is missing, unless ``MMVO_REQUIRE_POSTGRES=1`` (CI),
where a skip becomes a failure.  The server is named by ``MMVO_TEST_POSTGRES_URL`` (SQLAlchemy form).  Tests
running the reference validators (STILTS) skip when it is not installed, unless ``MMVO_REQUIRE_VALIDATORS=1``
(CI, whose ``.ci/stilts.sh`` installs it).
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

DEFAULT_PG_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/mmvo_test"
SHARED = Path(os.environ.get("MMVO_SHARED_DIR", Path(__file__).resolve().parents[2] / "shared"))


def _require_postgres() -> bool:
    return os.environ.get("MMVO_REQUIRE_POSTGRES", "") in {"1", "true", "yes"}


def _pg_unavailable(reason: str) -> None:
    if _require_postgres():
        pytest.fail(f"PostgreSQL is required (MMVO_REQUIRE_POSTGRES=1) but {reason}")
    pytest.skip(f"PostgreSQL with pgSphere not available: {reason}")


@pytest.fixture(scope="session")
def pg_url() -> str:
    """SQLAlchemy URL of the test database, after checking it answers and has pg_sphere."""
    import psycopg

    url = os.environ.get("MMVO_TEST_POSTGRES_URL", DEFAULT_PG_URL)
    dsn = url.replace("postgresql+psycopg://", "postgresql://", 1)
    try:
        with psycopg.connect(dsn, connect_timeout=3) as conn:
            row = conn.execute("select extversion from pg_extension where extname = 'pg_sphere'").fetchone()
    except psycopg.Error as exc:
        _pg_unavailable(f"cannot connect to {dsn}: {exc}")
    if row is None:
        _pg_unavailable(f"extension pg_sphere is not installed in {dsn} (run .ci/pgsphere.sh)")
    return url


@pytest.fixture(scope="session")
def pg_dsn(pg_url: str) -> str:
    """The same database as a libpq DSN for psycopg."""
    return pg_url.replace("postgresql+psycopg://", "postgresql://", 1)


@pytest.fixture
def pg_conn(pg_dsn: str) -> Iterator[object]:
    """A psycopg connection whose ``search_path`` starts with a fresh schema, dropped afterwards."""
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(pg_dsn, autocommit=True) as conn:
        conn.execute(f'create schema "{schema}"')
        conn.execute(f'set search_path to "{schema}", public')
        try:
            yield conn
        finally:
            conn.execute(f'drop schema "{schema}" cascade')


@pytest.fixture
def sqlite_path(tmp_path: Path) -> Path:
    return tmp_path / "test.sqlite"


@pytest.fixture
def sqlite_conn(sqlite_path: Path) -> Iterator[sqlite3.Connection]:
    conn = sqlite3.connect(sqlite_path)
    try:
        yield conn
    finally:
        conn.close()


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    """The workplace's shared folder (validators, ADQL query sets, XML schemas); tests skip when absent."""
    return SHARED


def create_pg_database(dsn: str) -> tuple[str, Callable[[], None]]:
    """Creates a brand-new database with pg_sphere; returns its SQLAlchemy URL and a function dropping it."""
    import psycopg

    name = f"mmvo_t_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(f'create database "{name}"')
    base, _, _ = dsn.rpartition("/")

    def drop() -> None:
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'drop database if exists "{name}" with (force)')

    try:
        with psycopg.connect(f"{base}/{name}", autocommit=True) as conn:
            conn.execute("create extension pg_sphere")
    except BaseException:
        drop()
        raise
    return f"postgresql+psycopg://{base.removeprefix('postgresql://')}/{name}", drop


@pytest.fixture
def pg_database(pg_dsn: str) -> Iterator[str]:
    """A fresh database with pg_sphere (SQLAlchemy URL), dropped afterwards: for code that owns schemas."""
    url, drop = create_pg_database(pg_dsn)
    try:
        yield url
    finally:
        drop()


@pytest.fixture(scope="session")
def schemas(shared_dir: Path) -> Path:
    """The official IVOA and OAI-PMH XML schemas (tests needing them skip when the folder is absent)."""
    folder = shared_dir / "data" / "ivoa-schemas"
    if not folder.is_dir():
        pytest.skip("the IVOA schemas are not available")
    return folder


VotLint = Callable[[bytes], str]


def validator_script(shared_dir: Path, name: str) -> Path:
    """One of the shared validator scripts, when it and STILTS are there (else a skip, or in CI a failure)."""
    script = shared_dir / "validators" / name
    if not script.is_file() or shutil.which("stilts") is None:
        reason = f"{name} or stilts not available"
        if os.environ.get("MMVO_REQUIRE_VALIDATORS", "") in {"1", "true", "yes"}:
            pytest.fail(f"the validators are required (MMVO_REQUIRE_VALIDATORS=1) but {reason}")
        pytest.skip(reason)
    return script


@pytest.fixture
def votlint(shared_dir: Path, tmp_path: Path) -> VotLint:
    """Runs ``votlint.sh`` on a document and returns its summary line (``votlint: N errors, N warnings``)."""
    script = validator_script(shared_dir, "votlint.sh")

    def run(document: bytes) -> str:
        path = tmp_path / f"doc{len(list(tmp_path.glob('doc*')))}.vot"
        path.write_bytes(document)
        env = {**os.environ, "VOTLINT_REPORT": str(path.with_suffix(".report")), "VOTLINT_SHOW": "20"}
        done = subprocess.run(
            [str(script), str(path)], capture_output=True, text=True, env=env, timeout=300, check=False
        )
        lines = done.stdout.strip().splitlines()
        print(done.stdout)  # shown by pytest on failure, with -s or -rA
        return lines[-1] if lines else done.stderr

    return run


@pytest.fixture
def pyvo_sockets() -> Iterator[None]:
    """pyvo reads VOTables from streamed HTTP responses it never closes: collect their sockets after the test
    (silently: the leak is pyvo's), so that the ResourceWarning does not surface in some later test."""
    import gc
    import warnings

    yield
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()
