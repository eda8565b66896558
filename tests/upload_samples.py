"""VOTables to upload, shared by the parsing, database and end-to-end tests: one with every column type the
service stores (NULLs, Unicode, arrays, DALI xtypes, names that are not regular identifiers), the same table
in other serialisations, and the rows it should come back with."""

from __future__ import annotations

import io
import math
import warnings
from typing import Any

import numpy as np
from astropy.io import votable

__all__ = [
    "ALL_TYPES",
    "ALL_TYPES_COLUMNS",
    "ALL_TYPES_ROWS",
    "assert_round_trip",
    "assert_same_cells",
    "first_table",
    "reserialised",
    "table_rows",
    "votable_document",
]

_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n<VOTABLE version="1.4" xmlns="http://www.ivoa.net/xml/VOTable/v1.3">'


def votable_document(fields: str, rows: str, *, description: str = "") -> bytes:
    """A TABLEDATA VOTable from FIELD elements and TR elements."""
    text = (
        f'{_HEAD}<RESOURCE type="results"><TABLE>{description}{fields}'
        f"<DATA><TABLEDATA>{rows}</TABLEDATA></DATA></TABLE></RESOURCE></VOTABLE>"
    )
    return text.encode("utf-8")


#: (FIELD name, stored column name, datatype, arraysize, xtype, unit, ucd, utype)
ALL_TYPES_COLUMNS: tuple[
    tuple[str, str, str, str | None, str | None, str | None, str | None, str | None], ...
] = (
    ("id", "id", "int", None, None, None, "meta.id;meta.main", None),
    ("Flag", "flag", "boolean", None, None, None, None, None),
    ("bits", "bits", "bit", None, None, None, None, None),
    ("ub", "ub", "unsignedByte", None, None, None, None, None),
    ("small", "small", "short", None, None, None, None, None),
    ("big", "big", "long", None, None, "count", None, None),
    ("RA", "ra", "double", None, None, "deg", "pos.eq.ra;meta.main", "stc:AstroCoords.Position2D.Value2.C1"),
    ("DEC", "dec", "double", None, None, "deg", "pos.eq.dec;meta.main", None),
    ("flux", "flux", "float", None, None, "mW.m**-2", "phot.flux", None),
    ("initial", "initial", "char", None, None, None, None, None),
    ("code", "code", "char", "4", None, None, None, None),
    ("label", "label", "char", "*", None, None, "meta.id", None),
    ("greeting", "greeting", "unicodeChar", "*", None, None, None, None),
    ("seen", "seen", "char", "*", "timestamp", None, "time.epoch", None),
    ("centre", "centre", "double", "2", "point", "deg", "pos.eq", None),
    ("centre32", "centre32", "float", "2", "point", "deg", None, None),
    ("cone", "cone", "double", "3", "circle", "deg", None, None),
    ("outline", "outline", "double", "*", "polygon", "deg", "pos.outline", None),
    ("counts", "counts", "int", "3", None, None, None, None),
    ("spectrum", "spectrum", "double", "*", None, None, None, None),
    ("matrix", "matrix", "float", "2x2", None, None, None, None),
    ("band", "band", "double", "2", "interval", "keV", None, None),
    ("Size", "size", "short", None, None, None, None, None),
    ("Flux Density (mJy)", "Flux Density (mJy)", "double", None, None, "mJy", None, None),
)

_NULLS = {"ub": "255", "small": "-32768", "big": "-1", "id": "-2147483648", "counts": "-99", "Size": "-32768"}


def _field(name: str, datatype: str, arraysize: str | None, xtype: str | None, unit: str | None,
           ucd: str | None, utype: str | None) -> str:  # fmt: skip
    attributes = {"name": name, "datatype": datatype, "arraysize": arraysize, "xtype": xtype, "unit": unit,
                  "ucd": ucd, "utype": utype}  # fmt: skip
    text = " ".join(f'{k}="{v}"' for k, v in attributes.items() if v is not None)
    null = _NULLS.get(name)
    inner = f'<VALUES null="{null}"/>' if null else ""
    return f"<FIELD {text}><DESCRIPTION>column {name}</DESCRIPTION>{inner}</FIELD>"


#: Cells of each row as TABLEDATA text, in ALL_TYPES_COLUMNS order.
_CELLS = (
    ("1", "T", "1", "7", "-3", "9007199254740993", "83.6331", "22.0145", "1.5", "a", "ABCD", "Crab nebula",
     "Grüße, 世界", "2003-01-02T03:04:05.678", "83.6331 22.0145", "10.25 -5.5", "10 20 0.5",
     "10 20 11 20 11.5 21.25", "1 2 3", "0.1 0.2 0.30000000000000004", "1 2 3 4", "20 40", "12", "0.1"),
    ("2", "", "", "255", "-32768", "-1", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", "", ""),
    ("3", "F", "0", "0", "32767", "-9223372036854775808", "299.5903", "-35.2016", "-0.0", "z", "x",
     "<&>\"'", "é", "1999-12-31T23:59:59", "359.5 -89.5", "0 0", "0 0 90", "0 0 1 0 0 1", "-1 0 1",
     "1e-300 1e300", "-1.5 2.5 -3.5 4.5", "-1e308 1e308", "-1", "-1.5e-7"),
)  # fmt: skip


def _tabledata(cells: tuple[str, ...]) -> str:
    escaped = (c.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;") for c in cells)
    return "<TR>" + "".join(f"<TD>{c}</TD>" for c in escaped) + "</TR>"


#: The upload with every column type, as TABLEDATA.
ALL_TYPES = votable_document(
    "".join(_field(f[0], *f[2:]) for f in ALL_TYPES_COLUMNS),
    "".join(_tabledata(cells) for cells in _CELLS),
    description="<DESCRIPTION>Every column type</DESCRIPTION>",
)

#: What :func:`tap.upload_votable.read_votable` makes of ALL_TYPES, by stored column name.
ALL_TYPES_ROWS: tuple[dict[str, Any], ...] = (
    {"id": 1, "flag": True, "bits": 1, "ub": 7, "small": -3, "big": 9007199254740993, "ra": 83.6331,
     "dec": 22.0145, "flux": 1.5, "initial": "a", "code": "ABCD", "label": "Crab nebula", "greeting": "Grüße, 世界",
     "seen": "2003-01-02T03:04:05.678", "centre": [83.6331, 22.0145], "centre32": [10.25, -5.5],
     "cone": [10.0, 20.0, 0.5], "outline": [10.0, 20.0, 11.0, 20.0, 11.5, 21.25], "counts": [1, 2, 3],
     "spectrum": [0.1, 0.2, 0.30000000000000004], "matrix": [1.0, 2.0, 3.0, 4.0], "band": [20.0, 40.0],
     "size": 12, "Flux Density (mJy)": 0.1},
    {"id": 2, **{name: None for _, name, *_ in ALL_TYPES_COLUMNS[1:]}},
    {"id": 3, "flag": False, "bits": 0, "ub": 0, "small": 32767, "big": -9223372036854775808, "ra": 299.5903,
     "dec": -35.2016, "flux": -0.0, "initial": "z", "code": "x", "label": "<&>\"'", "greeting": "é",
     "seen": "1999-12-31T23:59:59", "centre": [359.5, -89.5], "centre32": [0.0, 0.0], "cone": [0.0, 0.0, 90.0],
     "outline": [0.0, 0.0, 1.0, 0.0, 0.0, 1.0], "counts": [-1, 0, 1], "spectrum": [1e-300, 1e300],
     "matrix": [-1.5, 2.5, -3.5, 4.5], "band": [-1e308, 1e308], "size": -1, "Flux Density (mJy)": -1.5e-7},
)  # fmt: skip


def reserialised(document: bytes, serialization: str) -> bytes:
    """``document`` rewritten by astropy with its table in ``serialization`` (tabledata, binary, binary2).

    BINARY cannot flag a NULL bit: it comes back as 0."""
    parsed = votable.parse(io.BytesIO(document), verify="ignore")
    table = parsed.get_first_table()
    table.format = serialization
    if serialization != "tabledata":
        parsed.version = "1.4"
    out = io.BytesIO()
    with warnings.catch_warnings():
        # BINARY has no NULL for bits: astropy warns and writes 0
        warnings.simplefilter("ignore", votable.exceptions.VOWarning)
        parsed.to_xml(out)
    return out.getvalue()


def _cell(value: Any) -> Any:
    """A cell as comparable Python: None for masked/NaN/empty, lists for arrays."""
    if value is None or value is np.ma.masked:
        return None
    if isinstance(value, np.ma.MaskedArray):
        if value.size and bool(np.all(np.ma.getmaskarray(value))):
            return None
        value = np.ma.filled(value.astype(float), np.nan) if value.dtype.kind == "f" else value.data
    if isinstance(value, np.ndarray):
        items = value.ravel().tolist()
        return items or None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, bytes):
        value = value.decode()
    return None if value == "" else value


def assert_same_cells(got: Any, expected: Any, where: str) -> None:
    """Equal cells: numbers exactly (float32 compared as float32), NULL and NaN alike."""
    a, b = _cell(got), _cell(expected)
    assert a == b or (isinstance(a, list) and isinstance(b, list) and np.array_equal(a, b, equal_nan=True)), (
        f"{where}: {a!r} != {b!r}"
    )


def first_table(document: bytes, **options: Any) -> votable.tree.TableElement:
    """The first table of a VOTable, parsed leniently (astropy warns about valid things, e.g. char scalars)."""
    return votable.parse(io.BytesIO(document), verify="ignore", **options).get_first_table()


def table_rows(document: bytes) -> list[list[Any]]:
    """Rows of the first table; scalar bits as booleans read from their whole byte (astropy reads bit 3 of
    a BINARY/BINARY2 scalar bit, where the VOTable standard and this service's writer put it in bit 7)."""
    table = first_table(document, datatype_mapping={"bit": "unsignedByte"})
    bits = [f.datatype == "bit" for f in first_table(document).fields]
    return [
        [
            (None if row[name] is np.ma.masked else bool(row[name])) if bit else row[name]
            for name, bit in zip(table.array.dtype.names, bits, strict=True)
        ]
        for row in table.array
    ]


def assert_round_trip(sent: bytes, returned: bytes) -> None:
    """``returned`` (the result of ``SELECT *`` on the upload ``sent``, which is ALL_TYPES in any
    serialisation) has ALL_TYPES' columns with their metadata, and every value of ``sent``."""
    fields = first_table(returned).fields
    assert [f.name for f in fields] == [c[1] for c in ALL_TYPES_COLUMNS]
    for field, (_, _, datatype, arraysize, xtype, unit, ucd, utype) in zip(
        fields, ALL_TYPES_COLUMNS, strict=True
    ):
        got_size = (
            None if field.datatype == "char" and field.arraysize == "1" else field.arraysize
        )  # astropy's 1
        assert (field.datatype, got_size, field.xtype, field.ucd, field.utype) == (
            datatype,
            arraysize,
            xtype,
            ucd,
            utype,
        )
        assert (field.unit is None) == (unit is None)
    sent_rows, got_rows = table_rows(sent), table_rows(returned)
    assert len(got_rows) == len(sent_rows)
    for index, (sent_row, got_row) in enumerate(zip(sent_rows, got_rows, strict=True)):
        for field, cell_sent, cell_got in zip(fields, sent_row, got_row, strict=True):
            assert_same_cells(cell_got, cell_sent, f"row {index} {field.name}")
