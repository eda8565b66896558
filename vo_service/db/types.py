"""Column metadata -> SQLAlchemy column types, per engine (the storage table of docs/architecture.md).

Geometry is native pgSphere on PostgreSQL (so GiST indexes and the spherical operators apply) and DALI text on
SQLite (read by the registered ``adql_*`` functions); an ``adql:REGION`` column is stored as a polygon.  Timestamps are real timestamps on PostgreSQL and ISO text
on SQLite, where text sorts and compares correctly.
"""

from __future__ import annotations

from typing import Any, ClassVar

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.types import UserDefinedType

from tap.schema import Column, Dialect

__all__ = ["PgSphereType", "column_type"]


class PgSphereType(UserDefinedType[str]):
    """A pgSphere type handled as its text form by SQLAlchemy; subclasses name the type."""

    cache_ok = True
    name: ClassVar[str]

    def get_col_spec(self, **kw: Any) -> str:
        return self.name


class SPoint(PgSphereType):
    cache_ok = True  # SQLAlchemy reads it from each class itself, not from a base
    name = "spoint"


class SCircle(PgSphereType):
    cache_ok = True  # SQLAlchemy reads it from each class itself, not from a base
    name = "scircle"


class SPoly(PgSphereType):
    cache_ok = True  # SQLAlchemy reads it from each class itself, not from a base
    name = "spoly"


_PG_GEOMETRY: dict[str, type[PgSphereType]] = {"point": SPoint, "circle": SCircle, "polygon": SPoly}

# Reflection (views are built over reflected base tables) must know the pgSphere types too.
postgresql.base.ischema_names.update({cls.name: cls for cls in _PG_GEOMETRY.values()})

_SCALARS: dict[str, sa.types.TypeEngine[Any]] = {
    "boolean": sa.Boolean(create_constraint=False),
    "bit": sa.SmallInteger(),
    "unsignedByte": sa.SmallInteger(),
    "short": sa.SmallInteger(),
    "int": sa.Integer(),
    "long": sa.BigInteger(),
    "float": sa.REAL(),
    "double": sa.Double(),
    "char": sa.Text(),
    "unicodeChar": sa.Text(),
}


def column_type(column: Column, dialect: Dialect) -> sa.types.TypeEngine[Any]:
    """The storage type of ``column`` on ``dialect``."""
    shape = column.geometry_shape
    if shape is not None:
        return _PG_GEOMETRY[shape]() if dialect == "postgresql" else sa.Text()
    if column.xtype == "timestamp":
        return sa.DateTime() if dialect == "postgresql" else sa.Text()
    is_array = column.arraysize is not None and column.datatype not in {"char", "unicodeChar"}
    if is_array:
        if dialect == "postgresql":
            return postgresql.ARRAY(_SCALARS[column.datatype])
        return sa.Text()
    return _SCALARS[column.datatype]
