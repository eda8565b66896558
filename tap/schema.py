"""Table metadata: the single description of a published table.

DDL, TAP_SCHEMA rows, VOSI ``/tables``, ADQL name resolution and VOTable FIELDs are all derived from these
objects, so a column's datatype, unit or UCD is written down exactly once.  The objects are frozen: a catalogue
is rebuilt rather than mutated, which keeps concurrent request handling free of locks.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Literal, Protocol

from tap.reserved import RESERVED_WORDS

__all__ = [
    "GEOMETRY_XTYPES",
    "REGION_XTYPE",
    "UPLOAD_SCHEMA",
    "VOTABLE_DATATYPES",
    "Catalog",
    "Column",
    "Dialect",
    "ForeignKey",
    "StaticCatalog",
    "Table",
    "is_region_xtype",
    "normalise_identifier",
    "position_columns",
    "query_name",
]

Dialect = Literal["sqlite", "postgresql"]

#: The schema of the tables a query uploads (``TAP_UPLOAD.name``); they live only for that query.
UPLOAD_SCHEMA = "tap_upload"
#: PostgreSQL's name for the session's own schema of temporary tables.
_PG_TEMP_SCHEMA = "pg_temp"

VOTABLE_DATATYPES = frozenset(
    {"boolean", "bit", "unsignedByte", "short", "int", "long", "char", "unicodeChar", "float", "double"}
)
#: DALI xtypes stored natively as pgSphere types on PostgreSQL and as DALI text on SQLite.
GEOMETRY_XTYPES = frozenset({"point", "circle", "polygon"})
#: ADQL's REGION type as a ``char`` column (ObsCore's ``s_region``), compared case-insensitively.  Validators
#: (STILTS taplint) accept only a string type for ObsCore's REGION columns, so such a column is published as
#: STC-S text; it is stored as a polygon all the same (pgSphere ``spoly``, DALI text on SQLite), which keeps
#: it a geometry inside queries and lets a spatial index serve it.
REGION_XTYPE = "adql:REGION"


def is_region_xtype(xtype: str | None) -> bool:
    """Whether ``xtype`` is :data:`REGION_XTYPE` (xtypes from elsewhere spell it ``adql:region`` too)."""
    return xtype is not None and xtype.lower() == REGION_XTYPE.lower()


_REGULAR = re.compile(r"[a-z][a-z0-9_]*\Z")


def query_name(name: str) -> str:
    """How a client must write a stored column name in ADQL (TAP_SCHEMA.columns.column_name).

    Regular lower-case names that are not reserved words are written as they are; anything else is a delimited
    identifier (``"size"``).
    """
    if _REGULAR.match(name) and name not in RESERVED_WORDS:
        return name
    return '"' + name.replace('"', '""') + '"'


def normalise_identifier(name: str) -> str:
    """Folds a regular ADQL identifier to the catalogue's case (lower); delimited ones keep their case.

    A name arriving in double quotes (``"Size"``) is returned without the quotes and unchanged; anything else is
    lower-cased, since regular identifiers are case-insensitive in ADQL.
    """
    if len(name) >= 2 and name[0] == '"' and name[-1] == '"':
        return name[1:-1].replace('""', '"')
    return name.lower()


@dataclass(frozen=True, slots=True)
class Column:
    """One column as TAP_SCHEMA.columns and a VOTable FIELD describe it.

    ``datatype`` and ``arraysize`` are VOTable terms (``char`` with ``arraysize="*"`` is a string, ``double``
    with ``arraysize="2"`` and ``xtype="point"`` is a DALI point).  ``nullable`` only drives the DDL and the
    VODataService ``nullable`` flag.
    """

    name: str
    datatype: str
    arraysize: str | None = None
    xtype: str | None = None
    unit: str | None = None
    ucd: str | None = None
    utype: str | None = None
    description: str = ""
    indexed: bool = False
    principal: bool = False
    std: bool = False
    nullable: bool = True

    def __post_init__(self) -> None:
        if self.datatype not in VOTABLE_DATATYPES:
            raise ValueError(f"column {self.name!r}: {self.datatype!r} is not a VOTable datatype")

    @property
    def size(self) -> int | None:
        """TAP_SCHEMA ``"size"``: the arraysize without ``*``; None for scalars and multi-dimensional arrays."""
        if self.arraysize is None or "x" in self.arraysize:
            return None
        digits = self.arraysize.rstrip("*")
        return int(digits) if digits else None

    @property
    def is_region(self) -> bool:
        """Published as ADQL REGION (STC-S text), stored as a polygon."""
        return is_region_xtype(self.xtype)

    @property
    def geometry_shape(self) -> str | None:
        """The geometry the column stores (``point``, ``circle``, ``polygon``), or None for other columns."""
        if self.is_region:
            return "polygon"
        return self.xtype if self.xtype in GEOMETRY_XTYPES else None

    @property
    def is_geometry(self) -> bool:
        return self.geometry_shape is not None

    def renamed(self, name: str) -> Column:
        """The same metadata under another name (select-list aliases)."""
        return replace(self, name=name)


def position_columns(ra_description: str, dec_description: str) -> tuple[Column, Column]:
    """The main ICRS position of a table (``ra``, ``dec`` in degrees, indexed, never NULL): every positional
    table declares it the same way, which is what ``meta.main`` and cone searches rely on."""
    ra, dec = (
        Column(
            name,
            "double",
            unit="deg",
            ucd=f"pos.eq.{name};meta.main",
            description=text,
            principal=True,
            indexed=True,
            nullable=False,
        )
        for name, text in (("ra", ra_description), ("dec", dec_description))
    )
    return ra, dec


@dataclass(frozen=True, slots=True)
class ForeignKey:
    """A TAP_SCHEMA key: ``columns`` pairs (from_column, target_column)."""

    key_id: str
    from_table: str
    target_table: str
    columns: tuple[tuple[str, str], ...]
    description: str = ""
    utype: str | None = None


@dataclass(frozen=True, slots=True)
class Table:
    """A published table or view.

    ``position`` names the (ra, dec) columns, ICRS degrees, of a table whose cones must use a spatial index:
    a HEALPix ``_hpx`` column on SQLite and a GiST index on ``spoint(radians(ra), radians(dec))`` on
    PostgreSQL.  ``primary_key`` names the columns of the primary key, if any.
    """

    schema: str
    name: str
    columns: tuple[Column, ...]
    description: str = ""
    table_type: Literal["table", "view"] = "table"
    utype: str | None = None
    position: tuple[str, str] | None = None
    primary_key: tuple[str, ...] = ()
    foreign_keys: tuple[ForeignKey, ...] = ()
    nrows: int | None = None
    _by_name: Mapping[str, Column] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        by_name = {c.name: c for c in self.columns}
        if len(by_name) != len(self.columns):
            raise ValueError(f"table {self.qualified_name}: duplicate column names")
        if self.position is not None:
            missing = [c for c in self.position if c not in by_name]
            if missing:
                raise ValueError(f"table {self.qualified_name}: position columns {missing} do not exist")
        object.__setattr__(self, "_by_name", by_name)

    @property
    def qualified_name(self) -> str:
        """The name clients use in ADQL and that TAP_SCHEMA.tables.table_name holds."""
        return f"{self.schema}.{self.name}"

    def column(self, name: str) -> Column | None:
        """Looks a column up by its stored name (callers fold regular identifiers first)."""
        return self._by_name.get(name)

    def sql_name(self, dialect: Dialect) -> tuple[str | None, str]:
        """(schema, table) as the database knows them.

        PostgreSQL has real schemas; SQLite has none, so the table is named ``"schema.name"`` literally
        (a quoted identifier), which cannot collide with anything and reads well in ``sqlite3`` sessions.
        Uploaded tables (schema :data:`UPLOAD_SCHEMA`) are temporary tables of the query's connection:
        ``pg_temp.name`` on PostgreSQL, which only ever finds the session's own temporary table, and the TEMP
        table ``"tap_upload.name"`` on SQLite, found before any table of the main database.
        """
        if dialect == "postgresql":
            return (_PG_TEMP_SCHEMA if self.schema == UPLOAD_SCHEMA else self.schema), self.name
        return None, self.qualified_name


class Catalog(Protocol):
    """What the ADQL translator and the VOSI handlers need to know about the published tables."""

    def table(self, schema: str | None, name: str) -> Table | None:
        """The table with that (already case-folded) name; ``schema=None`` matches a unique table name."""
        ...

    def tables(self) -> Iterable[Table]:
        """Every published table, in schema then table order."""
        ...


class StaticCatalog:
    """An immutable catalogue built from a list of tables (also the base of upload overlays)."""

    __slots__ = ("_by_name", "_by_qualified", "_ordered")

    def __init__(self, tables: Iterable[Table]) -> None:
        self._ordered = tuple(tables)
        self._by_qualified = {(t.schema, t.name): t for t in self._ordered}
        by_name: dict[str, list[Table]] = {}
        for t in self._ordered:
            by_name.setdefault(t.name, []).append(t)
        self._by_name = by_name

    def table(self, schema: str | None, name: str) -> Table | None:
        if schema is not None:
            return self._by_qualified.get((schema, name))
        candidates = self._by_name.get(name, [])
        return candidates[0] if len(candidates) == 1 else None

    def tables(self) -> Iterator[Table]:
        return iter(self._ordered)

    def with_tables(self, extra: Iterable[Table]) -> StaticCatalog:
        """A new catalogue with ``extra`` added (TAP_UPLOAD tables of one query)."""
        return StaticCatalog((*self._ordered, *extra))
