"""Value types of ADQL expressions, in VOTable terms, and the result-column metadata derived from them.

A :class:`VType` is what the translator knows about a value: its kind (what operators accept it) and the
VOTable datatype/arraysize/xtype/unit the result column will declare.  A plain column reference keeps the
catalogue's :class:`~tap.schema.Column` so that its UCD, description and flags reach the result unchanged.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, replace
from typing import Final, Literal

from tap.schema import Column

__all__ = [
    "BOOLEAN",
    "CIRCLE",
    "DOUBLE",
    "FLOAT",
    "GEOMETRY_ARRAYSIZE",
    "INT",
    "LONG",
    "NULL",
    "POINT",
    "POLYGON",
    "REGION",
    "SHORT",
    "STRING",
    "TIMESTAMP",
    "Kind",
    "VType",
    "adql_type",
    "arithmetic",
    "dali_timestamp",
    "from_column",
    "geometry",
]

Kind = Literal["number", "string", "geometry", "timestamp", "boolean", "null", "other"]

_INTEGERS: Final = ("unsignedByte", "short", "int", "long")
_NUMBERS: Final = frozenset({*_INTEGERS, "float", "double", "bit"})
GEOMETRY_ARRAYSIZE: Final = {"point": "2", "circle": "3", "polygon": "*"}


@dataclass(frozen=True, slots=True)
class VType:
    """What is known about a value; ``source`` is the catalogue column of a plain column reference."""

    kind: Kind
    datatype: str
    arraysize: str | None = None
    xtype: str | None = None
    unit: str | None = None
    source: Column | None = None

    @property
    def is_integer(self) -> bool:
        return self.kind == "number" and self.datatype in _INTEGERS

    @property
    def shape(self) -> str | None:
        """``point``, ``circle``, ``polygon`` or ``region`` for geometries, else None."""
        return self.xtype if self.kind == "geometry" else None

    @property
    def stcs_output(self) -> bool:
        """Whether the value leaves the query as STC-S text: a column published as ADQL REGION, unchanged.

        Such a column is a polygon inside the query; only its result column keeps the catalogue's ``char``
        ``adql:REGION`` metadata, and the text must match it.  Anything computed from it is a DALI geometry.
        """
        return self.kind == "geometry" and self.source is not None and self.source.is_region

    def with_unit(self, unit: str | None) -> VType:
        return replace(self, unit=unit, source=None)

    def derived(self) -> VType:
        """The same type without the column metadata (for values computed from a column)."""
        return replace(self, source=None) if self.source is not None else self

    def column(self, name: str) -> Column:
        """The result column of this type under ``name``."""
        if self.source is not None:
            return self.source.renamed(name)
        return Column(name, self.datatype, self.arraysize, self.xtype, self.unit)


SHORT: Final = VType("number", "short")
INT: Final = VType("number", "int")
LONG: Final = VType("number", "long")
FLOAT: Final = VType("number", "float")
DOUBLE: Final = VType("number", "double")
STRING: Final = VType("string", "char", "*")
TIMESTAMP: Final = VType("timestamp", "char", "*", "timestamp")
BOOLEAN: Final = VType("boolean", "boolean")
NULL: Final = VType("null", "char", "*")
POINT: Final = VType("geometry", "double", "2", "point", "deg")
CIRCLE: Final = VType("geometry", "double", "3", "circle", "deg")
POLYGON: Final = VType("geometry", "double", "*", "polygon", "deg")
#: A user function's REGION: some geometry of unknown shape, passed on as the function returns it.
REGION: Final = VType("geometry", "char", "*", "region")


def geometry(shape: str) -> VType:
    return {"point": POINT, "circle": CIRCLE, "polygon": POLYGON}.get(shape, REGION)


def from_column(column: Column) -> VType:
    """The type of a stored column, keeping its metadata (an ``adql:REGION`` column is a polygon)."""
    if column.is_region:
        return replace(POLYGON, source=column)
    if column.xtype in GEOMETRY_ARRAYSIZE:
        kind: Kind = "geometry"
    elif column.xtype == "timestamp":
        kind = "timestamp"
    elif column.datatype in ("char", "unicodeChar"):
        kind = "string"
    elif column.datatype == "boolean":
        kind = "boolean"
    elif column.datatype in _NUMBERS and column.arraysize in (None, "1"):
        kind = "number"
    else:
        kind = "other"
    return VType(kind, column.datatype, column.arraysize, column.xtype, column.unit, column)


def arithmetic(left: VType, right: VType) -> VType:
    """The type of ``left op right`` for + - * /: the wider integer, else float or double."""
    if left.is_integer and right.is_integer:
        return max(left.derived(), right.derived(), key=lambda t: _INTEGERS.index(t.datatype))
    if left.datatype == right.datatype == "float":
        return FLOAT
    return DOUBLE


_ADQL_TYPES: Final[dict[str, VType]] = {
    "SMALLINT": SHORT,
    "INTEGER": INT,
    "BIGINT": LONG,
    "REAL": FLOAT,
    "DOUBLE": DOUBLE,
    "DOUBLE PRECISION": DOUBLE,
    "TIMESTAMP": TIMESTAMP,
    "POINT": POINT,
    "CIRCLE": CIRCLE,
    "POLYGON": POLYGON,
    "REGION": REGION,
    "BOOLEAN": BOOLEAN,
    "CLOB": VType("string", "char", "*", "adql:clob"),
    "BLOB": VType("other", "unsignedByte", "*", "adql:blob"),
}


def adql_type(name: str, length: int | None = None) -> VType:
    """The VType of an ADQL type name (``VARCHAR(30)``, ``DOUBLE PRECISION`` ...), as section 3 maps them.

    Raises:
        ValueError: not an ADQL type name.
    """
    base = name.upper().split("(")[0].strip()
    if length is None and "(" in name:
        length = int(name.split("(")[1].rstrip(") "))
    if base == "CHAR":
        return VType("string", "char", str(length) if length else "*")
    if base == "VARCHAR":
        return VType("string", "char", f"{length}*" if length else "*")
    try:
        return _ADQL_TYPES[base]
    except KeyError:
        raise ValueError(f"not an ADQL type: {name!r}") from None


def dali_timestamp(text: str) -> datetime.datetime:
    """The time a DALI timestamp (``YYYY-MM-DD['T'hh:mm:ss[.SSS]]['Z']``) gives, for CAST to TIMESTAMP.

    Raises:
        ValueError: not such a timestamp; the message quotes the text.
    """
    stripped = text.strip()
    try:
        return datetime.datetime.fromisoformat(stripped[:-1] if stripped.endswith("Z") else stripped)
    except ValueError:
        raise ValueError(f"{stripped!r} is not a DALI timestamp (YYYY-MM-DD['T'hh:mm:ss[.SSS]])") from None
