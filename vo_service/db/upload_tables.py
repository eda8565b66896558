"""Uploaded tables as temporary tables of one query connection, on SQLite and PostgreSQL.

The tables are created from their metadata by the same DDL and filled by the same loader as published tables
(:func:`vo_service.db.ddl.temporary_table_ddl`, :func:`vo_service.db.load.insert_rows`), so storage types,
geometry, timestamps and the SQLite ``_hpx`` column follow the conventions the ADQL translator expects.  The
caller owns the connection and its transaction (:class:`vo_service.db.engine.Database`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import psycopg
from psycopg import sql as pgsql

from tap.schema import Dialect
from tap.uploads import UploadTable
from vo_service.db.ddl import temporary_table_ddl
from vo_service.db.load import insert_rows
from vo_service.errors import UsageError

__all__ = ["create_upload_tables"]


def _first_line(exc: Exception) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def _analyze(conn: Any, upload: UploadTable) -> None:
    """Planner statistics (PostgreSQL never analyses temporary tables by itself): joins pick good plans."""
    schema, name = upload.table.sql_name("postgresql")
    target = pgsql.Identifier(name) if schema is None else pgsql.Identifier(schema, name)
    conn.execute(pgsql.SQL("ANALYZE {}").format(target))


def create_upload_tables(conn: Any, dialect: Dialect, uploads: Sequence[UploadTable]) -> None:
    """Creates and fills a temporary table for each upload on the DB-API connection ``conn`` (no commit).

    Raises:
        UsageError: a value the database cannot store (a malformed geometry, a pgSphere circle larger than 90
            degrees, a string PostgreSQL refuses), naming the upload and the reason.
        sqlite3.Error, psycopg.OperationalError: other database failures, including the deadline.
    """
    for upload in uploads:
        try:
            conn.execute(temporary_table_ddl(upload.table, dialect))
            insert_rows(conn, upload.table, dialect, upload.chunks)
            if dialect == "postgresql":
                _analyze(conn, upload)
        except (ValueError, TypeError, OverflowError) as exc:
            raise UsageError(f"upload {upload.name}: a value cannot be stored: {_first_line(exc)}") from exc
        except psycopg.Error as exc:
            if isinstance(exc, psycopg.OperationalError):  # the deadline, or the connection failed
                raise
            # COPY fails on values the types refuse (pgSphere: circles larger than 90 degrees; NUL in text)
            raise UsageError(f"upload {upload.name}: a value cannot be stored: {_first_line(exc)}") from exc
