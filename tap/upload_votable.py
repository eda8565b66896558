"""Reading one uploaded VOTable safely: its one table as ``Column`` metadata and column values.

An upload is untrusted XML.  Before anything else reads it, a streaming expat pass refuses what could make a
parser expand or fetch content: any DOCTYPE (internal entities are the "billion laughs", external ones read
local files or URLs), ``STREAM href`` (data read from elsewhere) and FITS-serialised data (always a reference).
The same pass checks that the document is a VOTable with exactly one TABLE, counts TABLEDATA rows against the
row limit, and keeps the FIELD attributes as written (astropy rewrites units).  Only then does astropy decode
the data (TABLEDATA, BINARY or BINARY2).

Column names: a FIELD name that is a regular ADQL identifier becomes a lower-case column name (queries write
it in any case); any other name is kept verbatim and is queried as a delimited identifier (``"RA (deg)"``).
Values come out as the database layer takes them: None for NULL (an empty string is NULL too: TABLEDATA
cannot tell them apart), flat lists of numbers for arrays, canonical DALI text for timestamps.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, NoReturn
from xml.parsers import expat

import numpy as np
from astropy.io.votable import parse as parse_votable

from tap.formats.values import dali_timestamp
from tap.schema import GEOMETRY_XTYPES, VOTABLE_DATATYPES, Column, is_region_xtype

__all__ = ["UnreadableUpload", "UploadContent", "read_votable"]

_REGULAR = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
_ARRAYSIZE = re.compile(r"([0-9]+x)*([0-9]+|[0-9]*\*)\Z")
_TIMESTAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}(T[0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?)?Z?\Z")
#: PostgreSQL's identifier length, in bytes; longer names would be cut, so both engines refuse them.
_MAX_NAME_BYTES = 63
#: How many coordinates a fixed-size DALI geometry has.
_GEOMETRY_SIZES = {"point": "2", "circle": "3"}
#: Datatypes astropy is told to read as others.  A scalar bit of BINARY/BINARY2 is one byte whose most
#: significant bit holds the value (VOTable 1.4, 5.1), but astropy reads (and writes) bit 3; as the whole byte,
#: any non-zero value is true, whichever of the two wrote it.
_AS_READ = {"bit": "unsignedByte"}


class UnreadableUpload(Exception):
    """The upload is not a VOTable this service accepts; the message says why, for the client."""


@dataclass(frozen=True)
class UploadContent:
    """The table of an uploaded VOTable: columns, their values (one list per column) and the description."""

    columns: tuple[Column, ...]
    values: tuple[list[Any], ...]
    description: str
    rows: int


class _Scan:
    """The expat pass (see the module description): handlers that refuse, check and collect.

    Character data is only listened to inside the DESCRIPTIONs of the table and its FIELDs, so the millions of
    TD texts of a large TABLEDATA cost no Python call.
    """

    def __init__(self, max_rows: int) -> None:
        self.max_rows = max_rows
        self.root: str | None = None
        self.tables = 0
        self.rows = 0
        self.fields: list[dict[str, str]] = []
        self.description = ""
        self._path: list[str] = []
        self._text: list[str] | None = None
        self._parser = expat.ParserCreate(namespace_separator=" ")
        self._parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self._parser.StartDoctypeDeclHandler = _refuse_declaration
        self._parser.EntityDeclHandler = _refuse_declaration
        self._parser.UnparsedEntityDeclHandler = _refuse_declaration
        self._parser.ExternalEntityRefHandler = _refuse_declaration
        self._parser.StartElementHandler = self._start
        self._parser.EndElementHandler = self._end

    def run(self, data: bytes) -> None:
        """Parses ``data`` to the end; raises UnreadableUpload at the first problem."""
        try:
            self._parser.Parse(data, True)
        except expat.ExpatError as exc:
            raise UnreadableUpload(f"not a VOTable: not well-formed XML ({exc})") from None
        if self.tables == 0:
            raise UnreadableUpload("the VOTable holds no TABLE")
        if not self.fields:
            raise UnreadableUpload("the table has no FIELD")

    def _start(self, name: str, attributes: dict[str, str]) -> None:
        local = name.rpartition(" ")[2]
        parent = self._path[-1] if self._path else None
        self._path.append(local)
        if self.root is None:
            self.root = local
            if local != "VOTABLE":
                raise UnreadableUpload(f"not a VOTable: the document's root element is <{local}>")
        if local == "TR":
            self.rows += 1
            if self.rows > self.max_rows:
                raise UnreadableUpload(f"the table has more than {self.max_rows} rows")
        elif local == "TABLE":
            self.tables += 1
            if self.tables > 1:
                raise UnreadableUpload("the VOTable holds more than one TABLE; upload one table per name")
        elif local == "FIELD" and parent == "TABLE":
            self.fields.append({k.rpartition(" ")[2]: v for k, v in attributes.items()})
        elif local == "DESCRIPTION" and parent in {"FIELD", "TABLE"}:
            self._text = []
            self._parser.CharacterDataHandler = self._text.append
        elif local == "STREAM":
            if any(k.rpartition(" ")[2] == "href" for k in attributes):
                raise UnreadableUpload(
                    "STREAM elements with href (data read from elsewhere) are not accepted"
                )
            if attributes.get("encoding", "base64") != "base64":
                raise UnreadableUpload("STREAM data must be base64-encoded")
        elif local == "FITS":
            raise UnreadableUpload(
                "FITS-serialised tables are not accepted; use TABLEDATA, BINARY or BINARY2"
            )

    def _end(self, name: str) -> None:
        local = self._path.pop()
        if self._text is None or local != "DESCRIPTION":
            return
        text = "".join(self._text).strip()
        self._text = None
        self._parser.CharacterDataHandler = None
        if self._path[-1] == "TABLE":
            self.description = text
        elif self._path[-2:] == ["TABLE", "FIELD"]:
            self.fields[-1]["description"] = text


def _refuse_declaration(*_args: object) -> NoReturn:
    raise UnreadableUpload(
        "DOCTYPE and entity declarations are not accepted in uploads (a VOTable needs none)"
    )


def _column_name(attributes: dict[str, str]) -> str:
    name = attributes.get("name") or attributes.get("ID") or ""
    if not name.strip():
        raise UnreadableUpload("a FIELD has no name")
    if any(ord(c) < 32 for c in name):
        raise UnreadableUpload(f"FIELD name {name!r} contains control characters")
    if len(name.encode("utf-8")) > _MAX_NAME_BYTES:
        raise UnreadableUpload(f"FIELD name {name!r} is longer than {_MAX_NAME_BYTES} bytes")
    return name.lower() if _REGULAR.match(name) else name


def _check_type(name: str, datatype: str, arraysize: str | None, xtype: str | None) -> None:
    if datatype not in VOTABLE_DATATYPES:
        raise UnreadableUpload(f"column {name!r}: datatype {datatype!r} is not supported")
    if arraysize is not None and not _ARRAYSIZE.match(arraysize):
        raise UnreadableUpload(f"column {name!r}: arraysize {arraysize!r} is not VOTable syntax")
    if arraysize is not None and datatype in {"boolean", "bit"}:
        raise UnreadableUpload(f"column {name!r}: arrays of {datatype} are not supported")
    if arraysize is not None and "x" in arraysize and datatype in {"char", "unicodeChar"}:
        raise UnreadableUpload(f"column {name!r}: arrays of strings are not supported")
    if xtype == "timestamp" and datatype not in {"char", "unicodeChar"}:
        raise UnreadableUpload(f"column {name!r}: xtype timestamp needs datatype char")
    if xtype in GEOMETRY_XTYPES:
        size = _GEOMETRY_SIZES.get(xtype)
        shape_ok = arraysize == size if size else arraysize is not None and "x" not in arraysize
        if datatype not in {"float", "double"} or not shape_ok:
            expected = f"arraysize {size}" if size else "a one-dimensional arraysize"
            raise UnreadableUpload(
                f"column {name!r}: xtype {xtype} needs datatype double or float and {expected}"
            )


def _column(attributes: dict[str, str]) -> Column:
    name = _column_name(attributes)
    datatype = attributes.get("datatype", "")
    arraysize = attributes.get("arraysize") or None
    xtype = attributes.get("xtype") or None
    if datatype in {"char", "unicodeChar"} and arraysize == "1":
        arraysize = None
    if is_region_xtype(xtype):
        # Uploaded STC-S may hold any shape, while an adql:REGION column stores polygons: keep it as text.
        xtype = None
    _check_type(name, datatype, arraysize, xtype)
    return Column(
        name,
        datatype,
        arraysize,
        xtype=xtype,
        unit=attributes.get("unit") or None,
        ucd=attributes.get("ucd") or None,
        utype=attributes.get("utype") or None,
        description=attributes.get("description", ""),
    )


def _columns(scan: _Scan) -> tuple[Column, ...]:
    """The columns of the FIELDs; names must differ in more than case, even delimited ones, because SQLite
    compares column names case-insensitively."""
    columns = tuple(_column(attributes) for attributes in scan.fields)
    seen: set[str] = set()
    for column in columns:
        if column.name.lower() in seen:
            raise UnreadableUpload(f"two columns are named {column.name!r} (names are case-insensitive)")
        seen.add(column.name.lower())
    return columns


def _texts(values: Any) -> list[Any]:
    """Strings with None for NULL: masked or empty cells (TABLEDATA cannot tell an empty string from NULL)."""
    mask = np.ma.getmaskarray(values)
    result: list[Any] = []
    for value, masked in zip(np.ma.getdata(values).tolist(), mask.tolist(), strict=True):
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        result.append(None if masked or value == "" else value)
    return result


def _timestamps(name: str, values: Any) -> list[Any]:
    """DALI timestamps in their canonical spelling (UTC, no zone, only the fraction digits they need)."""
    result: list[Any] = []
    for text in _texts(values):
        if text is None:
            result.append(None)
            continue
        stripped = text.strip()
        try:
            if not _TIMESTAMP.match(stripped):
                raise ValueError(stripped)
            result.append(dali_timestamp(dt.datetime.fromisoformat(stripped.removesuffix("Z"))))
        except ValueError:
            raise UnreadableUpload(f"column {name!r}: {text!r} is not a DALI timestamp") from None
    return result


def _items(cell: Any, is_float: bool) -> list[Any]:
    """The items of one array cell, flattened; masked float items are NaN, masked integers keep their value."""
    data = np.ma.filled(np.ma.asarray(cell, dtype=np.float64), np.nan) if is_float else np.ma.getdata(cell)
    items: list[Any] = np.asarray(data).ravel().tolist()
    return items


def _arrays(values: Any, is_float: bool) -> list[Any]:
    """Array cells as flat lists of numbers.  NULL: a fixed-size cell with every item masked, a variable-size
    cell that is masked or empty (VOTable cannot tell an empty array from NULL)."""
    masks = np.ma.getmaskarray(values)
    data = np.ma.getdata(values)
    variable = data.dtype == object
    result: list[Any] = []
    for index in range(len(data)):
        cell = data[index]
        if variable:
            null = bool(masks[index]) or cell is np.ma.masked or np.size(cell) == 0
        else:
            cell = np.ma.masked_array(cell, mask=masks[index])
            null = bool(np.all(masks[index]))
        result.append(None if null else _items(cell, is_float))
    return result


def _scalars(values: Any, datatype: str) -> list[Any]:
    """Scalar numbers and booleans with None for NULL; bits as 0/1, which every engine stores (they arrive as
    the byte that holds them, see :data:`_AS_READ`)."""
    result: list[Any] = np.ma.asarray(values).tolist()
    if datatype == "bit":
        return [None if v is None else int(v != 0) for v in result]
    return result


def _geometry_check(column: Column, cells: list[Any]) -> None:
    for cell in cells:
        if cell is None:
            continue
        if not all(math.isfinite(v) for v in cell) or (
            column.xtype == "polygon" and (len(cell) < 6 or len(cell) % 2)
        ):
            raise UnreadableUpload(f"column {column.name!r}: {cell} is not a DALI {column.xtype}")


def _values(column: Column, values: Any) -> list[Any]:
    if column.datatype in {"char", "unicodeChar"}:
        return _timestamps(column.name, values) if column.xtype == "timestamp" else _texts(values)
    if column.arraysize is None:
        return _scalars(values, column.datatype)
    cells = _arrays(values, column.datatype in {"float", "double"})
    if column.is_geometry:
        _geometry_check(column, cells)
    return cells


def _decode(data: bytes, columns: Sequence[Column]) -> list[list[Any]]:
    """The column values of the document's table, decoded by astropy (the document passed the :class:`_Scan`)."""
    try:
        table = parse_votable(
            io.BytesIO(data), verify="ignore", invalid="exception", datatype_mapping=_AS_READ
        ).get_first_table()
        array = table.array
        names = array.dtype.names or ()
        if len(names) != len(columns):
            raise UnreadableUpload(f"the table has {len(columns)} FIELDs but {len(names)} columns of data")
        return [_values(column, array[name]) for column, name in zip(columns, names, strict=True)]
    except UnreadableUpload:
        raise
    except Exception as exc:  # astropy reports bad data with many exception types
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise UnreadableUpload(f"the VOTable's data could not be read: {message}") from exc


def read_votable(data: bytes, *, max_rows: int) -> UploadContent:
    """The one table of the VOTable ``data``: column metadata from its FIELDs, and its values.

    Raises:
        UnreadableUpload: not well-formed XML or not a VOTable; a DOCTYPE, entity declarations, external or FITS
            data; no table or more than one; more than ``max_rows`` rows; FIELD names that are missing,
            duplicated (case-insensitively) or unusable; datatypes, arraysizes or xtypes the service cannot
            store; values that cannot be decoded (bad numbers, timestamps or geometries).
    """
    scan = _Scan(max_rows)
    scan.run(data)
    columns = _columns(scan)
    values = _decode(data, columns)
    rows = len(values[0]) if values else 0
    if rows > max_rows:
        raise UnreadableUpload(f"the table has more than {max_rows} rows")
    return UploadContent(columns, tuple(values), scan.description, rows)
