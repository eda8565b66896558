"""Publishing tables and reading the published catalogue back.

The database is the single source of truth: TAP_SCHEMA holds the public metadata and a private table holds
what TAP_SCHEMA has no column for (position columns, primary key, row count).  So tables ingested by an operator
survive restarts exactly like the built-in ones, and the service never needs the code that created a table to
serve it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa

from tap.schema import Column, Dialect, ForeignKey, StaticCatalog, Table, normalise_identifier
from tap.tap_schema import TAP_SCHEMA, TAP_SCHEMA_TABLES, tap_schema_rows
from vo_service.db.ddl import build_indexes, create_table, sa_table
from vo_service.db.engine import prepare_database
from vo_service.db.load import insert_chunks

__all__ = ["PRIVATE_TABLES", "SCHEMA_DESCRIPTIONS", "load_catalog", "publish", "unpublish"]

SCHEMA_DESCRIPTIONS = {
    "ivoa": "IVOA standard tables: the ObsCore view of the products and the ObsLocTAP observation plan.",
    "mmvo": "The MMVO source catalogue and the analysis products.",
    "integral": "The INTEGRAL observation index: revolutions and science windows (simulated plan).",
    "tap_schema": "Metadata of the tables published by this TAP service.",
}
_DEFAULT_SCHEMA_DESCRIPTION = "Tables published by the operator of this service."

#: What TAP_SCHEMA cannot say about a table; never published.
PRIVATE_TABLES = Table(
    schema="mmvo_private",
    name="tables",
    description="Per-table metadata that TAP_SCHEMA has no column for.",
    columns=(
        Column("table_name", "char", "*", nullable=False),
        Column("position_ra", "char", "*"),
        Column("position_dec", "char", "*"),
        Column("primary_key", "char", "*"),
        Column("nrows", "long"),
    ),
)

_SCHEMA_ORDER = {"ivoa": 0, "mmvo": 1, "integral": 2}


def _dialect(engine: sa.Engine) -> Dialect:
    return "postgresql" if engine.dialect.name == "postgresql" else "sqlite"


def _count(engine: sa.Engine, table: Table) -> int:
    t = sa_table(table, _dialect(engine))
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one())


def _has_catalog(engine: sa.Engine) -> bool:
    dialect = _dialect(engine)
    schema, name = PRIVATE_TABLES.sql_name(dialect)
    return sa.inspect(engine).has_table(name, schema=schema)


def _ordered(tables: Sequence[Table]) -> list[Table]:
    def key(t: Table) -> tuple[int, int, str]:
        is_tap_schema = t.schema == TAP_SCHEMA
        return (int(is_tap_schema), _SCHEMA_ORDER.get(t.schema, 3), t.qualified_name)

    return sorted(tables, key=key)


def _is_hidden(column: Column) -> bool:
    return column.name.startswith("_")


def publish(engine: sa.Engine, tables: Sequence[Table]) -> None:
    """Makes loaded tables visible: builds their indexes, counts their rows and (re)writes TAP_SCHEMA.

    Hidden columns (leading underscore) are left out of the metadata, so queries cannot name them.  Tables
    already published under the same names are replaced in the metadata; others stay.
    """
    prepare_database(engine)
    counted: list[Table] = []
    for table in tables:
        build_indexes(engine, table)
        nrows = _count(engine, table)
        public = tuple(c for c in table.columns if not _is_hidden(c))
        counted.append(Table(**{**_fields(table), "columns": public, "nrows": nrows}))
    names = {t.qualified_name for t in counted}
    kept = [
        t for t in load_catalog(engine).tables() if t.qualified_name not in names and t.schema != TAP_SCHEMA
    ]
    _write_catalog(engine, _ordered([*kept, *counted]))


def unpublish(engine: sa.Engine, qualified_names: Sequence[str]) -> None:
    """Removes tables from the metadata (the tables themselves are left to the caller)."""
    drop = set(qualified_names)
    kept = [
        t for t in load_catalog(engine).tables() if t.qualified_name not in drop and t.schema != TAP_SCHEMA
    ]
    _write_catalog(engine, _ordered(kept))


def _fields(table: Table) -> dict[str, Any]:
    return {
        "schema": table.schema,
        "name": table.name,
        "columns": table.columns,
        "description": table.description,
        "table_type": table.table_type,
        "utype": table.utype,
        "position": table.position,
        "primary_key": table.primary_key,
        "foreign_keys": table.foreign_keys,
        "nrows": table.nrows,
    }


def _write_catalog(engine: sa.Engine, tables: Sequence[Table]) -> None:
    everything = [*tables, *TAP_SCHEMA_TABLES]
    rows = tap_schema_rows(everything, SCHEMA_DESCRIPTIONS | _unknown_schemas(everything))
    for meta in TAP_SCHEMA_TABLES:
        create_table(engine, meta)
        insert_chunks(engine, meta, [_columns_of(meta, rows[meta.name])])
        build_indexes(engine, meta)
    create_table(engine, PRIVATE_TABLES)
    private = [
        (
            t.qualified_name,
            t.position[0] if t.position else None,
            t.position[1] if t.position else None,
            " ".join(t.primary_key) or None,
            t.nrows,
        )
        for t in tables
    ]
    insert_chunks(engine, PRIVATE_TABLES, [_columns_of(PRIVATE_TABLES, private)])


def _unknown_schemas(tables: Sequence[Table]) -> dict[str, str]:
    return {t.schema: _DEFAULT_SCHEMA_DESCRIPTION for t in tables if t.schema not in SCHEMA_DESCRIPTIONS}


def _columns_of(meta: Table, rows: Sequence[tuple[object, ...]]) -> dict[str, list[object]]:
    return {c.name: [row[i] for row in rows] for i, c in enumerate(meta.columns)}


def _select_all(conn: sa.Connection, meta: Table, dialect: Dialect, order: str | None = None) -> list[Any]:
    t = sa_table(meta, dialect)
    query = sa.select(*(t.c[c.name] for c in meta.columns))
    if order is not None:
        query = query.order_by(t.c[order])
    return list(conn.execute(query))


def load_catalog(engine: sa.Engine) -> StaticCatalog:
    """The published tables as recorded in the database (empty before the first ``publish``)."""
    if not _has_catalog(engine):
        return StaticCatalog(())
    dialect = _dialect(engine)
    by_name = {t.name: t for t in TAP_SCHEMA_TABLES}
    with engine.connect() as conn:
        tables = _select_all(conn, by_name["tables"], dialect, order="table_index")
        columns = _select_all(conn, by_name["columns"], dialect, order="column_index")
        keys = _select_all(conn, by_name["keys"], dialect)
        key_columns = _select_all(conn, by_name["key_columns"], dialect)
        private = {row.table_name: row for row in _select_all(conn, PRIVATE_TABLES, dialect)}
    columns_of: dict[str, list[Column]] = {}
    for r in columns:
        columns_of.setdefault(r.table_name, []).append(
            Column(
                name=normalise_identifier(r.column_name),
                datatype=r.datatype,
                arraysize=r.arraysize,
                xtype=r.xtype,
                unit=r.unit,
                ucd=r.ucd,
                utype=r.utype,
                description=r.description or "",
                indexed=bool(r.indexed),
                principal=bool(r.principal),
                std=bool(r.std),
            )
        )
    pairs: dict[str, list[tuple[str, str]]] = {}
    for r in key_columns:
        pairs.setdefault(r.key_id, []).append((r.from_column, r.target_column))
    keys_of: dict[str, list[ForeignKey]] = {}
    for r in keys:
        key = ForeignKey(
            r.key_id,
            r.from_table,
            r.target_table,
            tuple(pairs.get(r.key_id, ())),
            r.description or "",
            r.utype,
        )
        keys_of.setdefault(r.from_table, []).append(key)
    result: list[Table] = []
    for r in tables:
        extra = private.get(r.table_name)
        position = (
            (extra.position_ra, extra.position_dec) if extra is not None and extra.position_ra else None
        )
        result.append(
            Table(
                schema=r.schema_name,
                name=r.table_name.split(".", 1)[1],
                columns=tuple(columns_of.get(r.table_name, ())),
                description=r.description or "",
                table_type=r.table_type,
                utype=r.utype,
                position=position,
                primary_key=tuple((extra.primary_key or "").split()) if extra is not None else (),
                foreign_keys=tuple(keys_of.get(r.table_name, ())),
                nrows=extra.nrows if extra is not None else None,
            )
        )
    return StaticCatalog(result)
