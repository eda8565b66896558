"""DDL from table metadata: tables, views and their indexes, on SQLite and PostgreSQL.

Tables are created bare and indexed after loading (``build_indexes``), because bulk loads into an indexed table
are several times slower on both engines.  Tables with a ``position`` get the spatial index the ADQL translator
relies on: a GiST index on ``spoint(radians(ra), radians(dec))`` on PostgreSQL, a hidden ``_hpx`` HEALPix column
with a B-tree index on SQLite.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.sql.ddl import CreateView, DropView

from tap.schema import Dialect, Table
from vo_service.db.types import column_type

__all__ = [
    "HPX_COLUMN",
    "TableGetter",
    "ViewBuilder",
    "build_indexes",
    "create_table",
    "create_view",
    "drop_table",
    "sa_table",
    "temporary_table_ddl",
]

#: Hidden column holding the HEALPix index of the position on SQLite.
HPX_COLUMN = "_hpx"

TableGetter = Callable[[str], sa.Table]
ViewBuilder = Callable[[TableGetter], sa.Select[tuple[object, ...]]]


def _dialect(engine: sa.Engine) -> Dialect:
    return "postgresql" if engine.dialect.name == "postgresql" else "sqlite"


def sa_table(
    table: Table, dialect: Dialect, metadata: sa.MetaData | None = None, *, prefixes: Sequence[str] = ()
) -> sa.Table:
    """The SQLAlchemy ``Table`` of ``table`` on ``dialect``, hidden ``_hpx`` column included on SQLite.

    ``prefixes`` go between CREATE and TABLE (``TEMPORARY``).
    """
    schema, name = table.sql_name(dialect)
    columns = [
        sa.Column(c.name, column_type(c, dialect), nullable=c.nullable, quote=True) for c in table.columns
    ]
    if dialect == "sqlite" and table.position is not None:
        columns.append(sa.Column(HPX_COLUMN, sa.BigInteger(), nullable=True))
    return sa.Table(
        name, metadata or sa.MetaData(), *columns, schema=schema, quote=True, prefixes=list(prefixes)
    )


def temporary_table_ddl(table: Table, dialect: Dialect) -> str:
    """``CREATE TEMPORARY TABLE`` for ``table`` as SQL text, to run on a DB-API connection of ``dialect``.

    Temporary tables belong to one connection (uploads of one query); their name is ``table.sql_name``,
    which on PostgreSQL puts an uploaded table into ``pg_temp``.
    """
    target = sa_table(table, dialect, prefixes=("TEMPORARY",))
    dialect_class: type[sa.Dialect] = postgresql.base.PGDialect if dialect == "postgresql" else sqlite.dialect
    compiler_dialect = dialect_class()
    return str(sa.schema.CreateTable(target).compile(dialect=compiler_dialect))


def _ensure_schema(conn: sa.Connection, table: Table) -> None:
    if conn.dialect.name == "postgresql":
        conn.execute(sa.schema.CreateSchema(table.schema, if_not_exists=True))


def drop_table(engine: sa.Engine, table: Table) -> None:
    """Drops ``table`` (a table or a view) if it exists, with the views that depend on it on PostgreSQL."""
    dialect = _dialect(engine)
    schema, name = table.sql_name(dialect)
    with engine.begin() as conn:
        inspector = sa.inspect(conn)
        is_view = name in inspector.get_view_names(schema=schema)
        if not is_view and name not in inspector.get_table_names(schema=schema):
            return
        target = sa.Table(name, sa.MetaData(), schema=schema, quote=True)
        if dialect == "postgresql":
            # SQLAlchemy's DROP constructs have no CASCADE; dependent views are rebuilt by whoever reloads.
            quoted = conn.dialect.identifier_preparer.format_table(target)
            conn.execute(sa.text(f"DROP {'VIEW' if is_view else 'TABLE'} {quoted} CASCADE"))
        elif is_view:
            conn.execute(DropView(target, if_exists=True))
        else:
            conn.execute(sa.schema.DropTable(target, if_exists=True))


def create_table(engine: sa.Engine, table: Table) -> None:
    """Creates ``table`` empty and unindexed, replacing any table or view of that name."""
    drop_table(engine, table)
    with engine.begin() as conn:
        _ensure_schema(conn, table)
        sa_table(table, _dialect(engine)).create(conn)


def create_view(engine: sa.Engine, table: Table, build: ViewBuilder) -> None:
    """Creates the view ``table`` from the select that ``build`` makes, replacing any previous one.

    ``build`` receives a function mapping a qualified table name to its SQLAlchemy table on this engine
    (hidden ``_hpx`` included on SQLite).  The select's output columns must be the view's columns, in order,
    followed on SQLite by ``_hpx`` when the view has a position (so cones through the view use the index).

    Raises:
        ValueError: the select's columns do not match the view's metadata.
    """
    dialect = _dialect(engine)
    metadata = sa.MetaData()
    cache: dict[str, sa.Table] = {}

    def get(qualified: str) -> sa.Table:
        if qualified not in cache:
            schema, _, name = qualified.partition(".")
            base = Table(schema=schema, name=name, columns=())
            sql_schema, sql_name = base.sql_name(dialect)
            cache[qualified] = sa.Table(
                sql_name, metadata, schema=sql_schema, autoload_with=engine, quote=True
            )
        return cache[qualified]

    select = build(get)
    expected = [c.name for c in table.columns]
    if dialect == "sqlite" and table.position is not None:
        expected.append(HPX_COLUMN)
    got = [c.name for c in select.selected_columns]
    if got != expected:
        raise ValueError(f"view {table.qualified_name}: select gives columns {got}, metadata says {expected}")
    drop_table(engine, table)
    schema, name = table.sql_name(dialect)
    with engine.begin() as conn:
        _ensure_schema(conn, table)
        conn.execute(CreateView(select, name, schema=schema))


def _index_name(table: Table, suffix: str) -> str:
    return f"ix_{table.schema}_{table.name}_{suffix}"[:63]


def build_indexes(engine: sa.Engine, table: Table) -> None:
    """Creates the indexes of a loaded table (idempotent) and refreshes the planner statistics.

    Unique index on the primary key, B-tree indexes on columns flagged ``indexed`` (except the position, served
    by the spatial index), and the spatial index.  Geometry columns flagged ``indexed`` get a GiST index on
    PostgreSQL, which serves the pgSphere operators CONTAINS and INTERSECTS become (``<@``, ``&&``) when the
    other side is a constant; SQLite has no index for them.  Views are skipped: they use the indexes of their
    base tables.
    """
    if table.table_type == "view":
        return
    dialect = _dialect(engine)
    t = sa_table(table, dialect)
    indexes: list[sa.Index] = []
    if table.primary_key:
        indexes.append(sa.Index(_index_name(table, "pk"), *(t.c[n] for n in table.primary_key), unique=True))
    skip = set(table.position or ()) | set(table.primary_key if len(table.primary_key) == 1 else ())
    for c in table.columns:
        if not c.indexed or c.name in skip:
            continue
        if not c.is_geometry:
            indexes.append(sa.Index(_index_name(table, c.name), t.c[c.name]))
        elif dialect == "postgresql":
            indexes.append(sa.Index(_index_name(table, c.name), t.c[c.name], postgresql_using="gist"))
    if table.position is not None:
        ra, dec = table.position
        if dialect == "postgresql":
            point = sa.func.spoint(sa.func.radians(t.c[ra]), sa.func.radians(t.c[dec]))
            indexes.append(sa.Index(_index_name(table, "pos"), point, postgresql_using="gist"))
        else:
            indexes.append(sa.Index(_index_name(table, "hpx"), t.c[HPX_COLUMN]))
    with engine.begin() as conn:
        for index in indexes:
            index.create(conn, checkfirst=True)
        conn.execute(sa.text("ANALYZE " + conn.dialect.identifier_preparer.format_table(t)))
