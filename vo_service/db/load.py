"""Bulk loading of column chunks into a published table.

Chunks are mappings of column name to values (numpy arrays, masked arrays for NULLs, or sequences), the shape
that generators and astropy tables produce.  SQLite gets ``executemany`` on the raw connection inside one
transaction; PostgreSQL gets ``COPY``, an order of magnitude faster than INSERTs.  SQLite also gets the hidden
``_hpx`` column computed from the position.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import sqlalchemy as sa
from psycopg import sql as pgsql
from sqlalchemy.dialects import sqlite

from tap.schema import Column, Dialect, Table
from vo_service.db.ddl import HPX_COLUMN, sa_table

__all__ = ["Chunk", "dali_to_pgsphere", "insert_chunks", "insert_rows"]

Chunk = Mapping[str, Any]


def _numbers(text: str) -> list[float]:
    return [float(v) for v in text.split()]


def _pg_point(v: Sequence[float]) -> str:
    return f"({v[0]!r}d,{v[1]!r}d)"


def _pg_circle(v: Sequence[float]) -> str:
    return f"<({v[0]!r}d,{v[1]!r}d),{v[2]!r}d>"


def _pg_polygon(v: Sequence[float]) -> str:
    return "{" + ",".join(f"({v[i]!r}d,{v[i + 1]!r}d)" for i in range(0, len(v), 2)) + "}"


_PG_GEOMETRY: dict[str, Callable[[Sequence[float]], str]] = {
    "point": _pg_point,
    "circle": _pg_circle,
    "polygon": _pg_polygon,
}


def _dali_numbers(shape: str, value: str | Sequence[float]) -> list[float]:
    """The coordinates of a DALI geometry given as text or as numbers, checked against ``shape``."""
    numbers = _numbers(value) if isinstance(value, str) else [float(v) for v in value]
    expected = {"point": 2, "circle": 3}.get(shape)
    if (expected is not None and len(numbers) != expected) or (
        shape == "polygon" and (len(numbers) < 6 or len(numbers) % 2)
    ):
        raise ValueError(f"{value!r} is not a DALI {shape}")
    return numbers


def dali_to_pgsphere(xtype: str, value: str | Sequence[float]) -> str:
    """pgSphere input text for a DALI geometry given as text or as numbers (degrees).

    Raises:
        ValueError: the value has the wrong number of coordinates for ``xtype``.
    """
    return _PG_GEOMETRY[xtype](_dali_numbers(xtype, value))


def _dali_text(shape: str, value: str | Sequence[float]) -> str:
    """The DALI text SQLite stores: checked and written in one spelling (shortest round-trip numbers, single
    blanks), since it is returned verbatim, also inside STC-S text for ``adql:REGION`` columns."""
    return " ".join(repr(x) for x in _dali_numbers(shape, value))


def _to_list(values: Any, n: int) -> list[Any]:
    """Python values with None for masked entries (``tolist`` turns masked values into None)."""
    if values is None:
        return [None] * n
    if isinstance(values, np.ndarray) and values.dtype.kind == "M":
        micro = np.ma.filled(values.astype("datetime64[us]"), np.datetime64("NaT"))
        return [None if np.isnat(v) else v.item() for v in micro]
    if isinstance(values, np.ndarray):
        # masked entries become None in MaskedArray.tolist()
        result: list[Any] = values.tolist()
        return result
    return list(values)


def _timestamp(dialect: Dialect) -> Callable[[Any], Any]:
    def convert(v: Any) -> Any:
        if v is None:
            return None
        if isinstance(v, dt.datetime) and v.tzinfo is not None:  # timestamps are stored as UTC, zone-less
            v = v.astimezone(dt.UTC).replace(tzinfo=None)
        if dialect == "sqlite":
            return v.isoformat(timespec="milliseconds") if isinstance(v, dt.datetime) else str(v)
        return dt.datetime.fromisoformat(v) if isinstance(v, str) else v

    return convert


def _array_text(value: Any) -> Any:
    """A numeric array as SQLite stores it: DALI text (``"1 2.5 3"``); text passes as it is."""
    if value is None or isinstance(value, str):
        return value
    return " ".join(repr(x) for x in np.asarray(value).ravel().tolist())


def _converter(column: Column, dialect: Dialect) -> Callable[[Any], Any] | None:
    """Per-value conversion needed before the driver sees a value, or None when values pass as they are."""
    shape = column.geometry_shape
    if shape is not None:
        write = dali_to_pgsphere if dialect == "postgresql" else _dali_text
        return lambda v: None if v is None else write(shape, v)
    if (
        dialect == "sqlite"
        and column.arraysize is not None
        and column.datatype not in {"char", "unicodeChar"}
    ):
        return _array_text
    if column.xtype == "timestamp":
        return _timestamp(dialect)
    if column.datatype == "boolean" and dialect == "sqlite":
        return lambda v: None if v is None else int(bool(v))
    if column.datatype == "boolean":
        return lambda v: None if v is None else bool(v)
    return None


def _chunk_columns(table: Table, chunk: Chunk, dialect: Dialect) -> tuple[list[str], list[list[Any]]]:
    n = _chunk_length(chunk)
    names: list[str] = []
    columns: list[list[Any]] = []
    for column in table.columns:
        values = _to_list(chunk.get(column.name), n)
        convert = _converter(column, dialect)
        if convert is not None:
            values = [convert(v) for v in values]
        names.append(column.name)
        columns.append(values)
    if dialect == "sqlite" and table.position is not None:
        from tap.adql.healpix_index import hpx_index

        ra, dec = (np.ma.filled(np.asarray(chunk[c], dtype=float), np.nan) for c in table.position)
        valid = np.isfinite(ra) & np.isfinite(dec) & (np.abs(dec) <= 90)
        index = np.zeros(n, dtype=np.int64)
        if valid.any():
            index[valid] = hpx_index(ra[valid], dec[valid])
        hpx: list[Any] = index.tolist()
        if not valid.all():
            hpx = [h if ok else None for h, ok in zip(hpx, valid.tolist(), strict=True)]
        names.append(HPX_COLUMN)
        columns.append(hpx)
    return names, columns


def _chunk_length(chunk: Chunk) -> int:
    lengths = {len(v) for v in chunk.values() if v is not None}
    if len(lengths) > 1:
        raise ValueError(f"chunk columns have different lengths: {sorted(lengths)}")
    return lengths.pop() if lengths else 0


def _insert_sqlite(conn: Any, table: Table, names: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    target = sa_table(table, "sqlite")
    statement = sa.insert(target).compile(dialect=sqlite.dialect(paramstyle="qmark"), column_keys=names)
    conn.executemany(str(statement), rows)


def _insert_postgresql(conn: Any, table: Table, names: list[str], rows: Iterable[tuple[Any, ...]]) -> None:
    schema, name = table.sql_name("postgresql")
    target = pgsql.Identifier(name) if schema is None else pgsql.Identifier(schema, name)
    statement = pgsql.SQL("COPY {} ({}) FROM STDIN").format(
        target, pgsql.SQL(", ").join(map(pgsql.Identifier, names))
    )
    with conn.cursor() as cursor, cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row(row)


def insert_rows(conn: Any, table: Table, dialect: Dialect, chunks: Iterable[Chunk]) -> int:
    """Appends the rows of ``chunks`` to ``table`` on the DB-API connection ``conn``, without committing.

    Returns how many rows were written.  Columns missing from a chunk are NULL.  Geometry columns take DALI
    text or sequences of numbers (an ``adql:REGION`` column a polygon's), timestamp columns ISO text or
    ``datetime``, other array columns sequences of numbers.

    Raises:
        ValueError: a chunk's columns differ in length or a geometry value is malformed.
    """
    insert = _insert_postgresql if dialect == "postgresql" else _insert_sqlite
    total = 0
    for chunk in chunks:
        names, columns = _chunk_columns(table, chunk, dialect)
        rows = list(zip(*columns, strict=True))
        insert(conn, table, names, rows)
        total += len(rows)
    return total


def insert_chunks(engine: sa.Engine, table: Table, chunks: Iterable[Chunk]) -> int:
    """Appends the rows of ``chunks`` to ``table`` in one transaction and returns how many were written
    (values as :func:`insert_rows` takes them).

    Raises:
        ValueError: a chunk's columns differ in length or a geometry value is malformed.
    """
    dialect: Dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    raw = engine.raw_connection()
    try:
        total = insert_rows(raw.driver_connection, table, dialect, chunks)
        raw.commit()
    except BaseException:
        raw.rollback()
        raise
    finally:
        raw.close()
    return total
