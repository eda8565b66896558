"""The job tables, in the private schema ``uws``, and their idempotent creation.

Same naming convention as the published tables (``vo_service.db``): on PostgreSQL schema ``uws`` with tables
``jobs``, ``parameters`` and ``results``; on SQLite, which has no schemas, tables named ``"uws.jobs"`` ... as
quoted identifiers.  Times are naive UTC ``DateTime`` columns on both engines (SQLite keeps them as sortable
ISO text); the store converts them to aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa

__all__ = ["SCHEMA", "UwsTables", "create_tables", "uws_tables"]

SCHEMA = "uws"
#: Arbitrary key of the PostgreSQL advisory lock that serialises table creation between processes.
_DDL_LOCK_KEY = 0x55_57_53_31


@dataclass(frozen=True)
class UwsTables:
    """The three job tables of one engine."""

    metadata: sa.MetaData
    jobs: sa.Table
    parameters: sa.Table
    results: sa.Table


def _table(metadata: sa.MetaData, postgres: bool, name: str, *items: sa.schema.SchemaItem) -> sa.Table:
    if postgres:
        return sa.Table(name, metadata, *items, schema=SCHEMA, quote=True)
    return sa.Table(f"{SCHEMA}.{name}", metadata, *items, quote=True)


def uws_tables(dialect: str) -> UwsTables:
    """The table definitions for an engine of ``dialect`` (``"postgresql"`` or anything SQLite-like)."""
    postgres = dialect == "postgresql"
    metadata = sa.MetaData()
    jobs = _table(
        metadata,
        postgres,
        "jobs",
        sa.Column("job_id", sa.String(64), primary_key=True),
        sa.Column("kind", sa.Text(), nullable=False),
        sa.Column("owner", sa.Text()),
        sa.Column("run_id", sa.Text()),
        sa.Column("phase", sa.String(16), nullable=False),
        sa.Column("creation_time", sa.DateTime(), nullable=False),
        sa.Column("queued_time", sa.DateTime()),
        sa.Column("start_time", sa.DateTime()),
        sa.Column("end_time", sa.DateTime()),
        sa.Column("execution_duration", sa.Integer(), nullable=False),
        sa.Column("destruction", sa.DateTime()),
        sa.Column("quote", sa.DateTime()),
        sa.Column("error_type", sa.String(16)),
        sa.Column("error_message", sa.Text()),
        sa.Column("error_detail", sa.Text()),
        sa.Column("progress_fraction", sa.Float()),
        sa.Column("progress_message", sa.Text()),
        sa.Column("runner", sa.Text()),
        sa.Column("attempt", sa.Integer(), nullable=False, server_default="0"),
    )
    sa.Index("ix_uws_jobs_phase", jobs.c.phase, jobs.c.queued_time)
    sa.Index("ix_uws_jobs_list", jobs.c.kind, jobs.c.owner, jobs.c.creation_time)
    sa.Index("ix_uws_jobs_destruction", jobs.c.destruction)
    parameters = _table(
        metadata,
        postgres,
        "parameters",
        sa.Column("job_id", sa.String(64), primary_key=True),
        sa.Column("position", sa.Integer(), primary_key=True),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.Column("by_reference", sa.Boolean(), nullable=False),
    )
    results = _table(
        metadata,
        postgres,
        "results",
        sa.Column("job_id", sa.String(64), primary_key=True),
        sa.Column("result_id", sa.Text(), primary_key=True),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("path", sa.Text()),
        sa.Column("url", sa.Text()),
        sa.Column("mime_type", sa.Text()),
        sa.Column("size", sa.BigInteger()),
    )
    return UwsTables(metadata, jobs, parameters, results)


def create_tables(engine: sa.Engine) -> UwsTables:
    """Creates the schema, tables and indexes if missing (safe when several processes start at once).

    Returns the table definitions for ``engine``.
    """
    tables = uws_tables(engine.dialect.name)
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_DDL_LOCK_KEY)))
            conn.execute(sa.schema.CreateSchema(SCHEMA, if_not_exists=True))
        for table in tables.metadata.sorted_tables:
            conn.execute(sa.schema.CreateTable(table, if_not_exists=True))
            for index in table.indexes:
                conn.execute(sa.schema.CreateIndex(index, if_not_exists=True))
    return tables
