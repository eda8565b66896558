"""``mmvo ingest``: publish a FITS binary table, a VOTable or a CSV file as a TAP table.

The file's own metadata becomes the table's: VOTable datatypes derived from the numpy dtypes (VOTable FIELDs
keep their datatype and xtype), units rewritten as VOUnit strings, UCDs and descriptions where the file has
them (VOTable FIELDs, ECSV/astropy column metadata, FITS ``TUCDn`` keywords and ``TTYPEn`` comments).  An
(ra, dec) pair is recognised by its UCDs (``pos.eq.ra;meta.main``) or by common names (ra/dec, ra_deg/dec_deg,
raj2000/dej2000) and becomes the table's position, so cone searches on it are indexed.

Column names must be regular ADQL identifiers (a letter, then letters, digits or underscores); they are stored
lower-case.  Other names are refused rather than quoted, because delimited identifiers would force every query
on the table to quote them: rename such columns in the file.  Reserved words (``time``, ``size``) are accepted
and advertised quoted in TAP_SCHEMA.  FITS files are read through a memory map and sent in slices, so a
10^7-row file never sits in memory as a whole; VOTable and CSV files are parsed in full by astropy first.
"""

from __future__ import annotations

import dataclasses
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from astropy import units as u
from astropy.io import ascii as astropy_ascii
from astropy.io import fits, votable
from astropy.table import Table as AstropyTable
from astropy.time import Time
from numpy.typing import NDArray

from tap.position import find_position, ucd_has
from tap.schema import Column, Dialect, Table, is_region_xtype
from vo_service import db
from vo_service.errors import UsageError

__all__ = ["CHUNK_ROWS", "column_metadata", "ingest_file", "parse_table_name", "read_table", "table_chunks"]

CHUNK_ROWS = 100_000
_IDENTIFIER = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
#: Schemas whose content the service manages itself; ingesting into them needs ``allow_reserved_schemas``.
RESERVED_SCHEMAS = frozenset({"tap_schema", "ivoa", "tap_upload", "mmvo_private"})
_SUFFIXES = {
    ".fits": "fits", ".fit": "fits", ".fts": "fits",
    ".xml": "votable", ".vot": "votable", ".votable": "votable",
    ".csv": "csv", ".ecsv": "ecsv",
}  # fmt: skip
_INT_TYPES = {
    "i1": "short",
    "i2": "short",
    "i4": "int",
    "i8": "long",
    "u1": "unsignedByte",
    "u2": "int",
    "u4": "long",
    "u8": "long",
}
_FLOAT_TYPES = {2: "float", 4: "float", 8: "double"}


def parse_table_name(table_name: str, *, allow_reserved_schemas: bool = False) -> tuple[str, str]:
    """(schema, table), lower-cased, of ``schema.table``.

    Raises ``UsageError`` unless both parts are regular identifiers and the schema is not one the service
    manages (``tap_schema``, ``ivoa``, ``tap_upload``) or ``allow_reserved_schemas`` is set.
    """
    schema, dot, name = table_name.strip().partition(".")
    if not dot or not _IDENTIFIER.match(schema) or not _IDENTIFIER.match(name):
        raise UsageError(f"table name {table_name!r} must be schema.table, both regular identifiers")
    schema, name = schema.lower(), name.lower()
    if schema in RESERVED_SCHEMAS and not allow_reserved_schemas:
        raise UsageError(f"schema {schema!r} is managed by the service; choose another schema")
    return schema, name


def _file_format(path: Path) -> str:
    kind = _SUFFIXES.get(path.suffix.lower())
    if kind is not None:
        return kind
    raise UsageError(f"{path.name}: unknown table format (expected .fits, .vot/.xml, .csv or .ecsv)")


def _fits_hdu(path: Path) -> int:
    with fits.open(path, memmap=True) as hdus:
        for index, hdu in enumerate(hdus):
            if isinstance(hdu, fits.BinTableHDU | fits.TableHDU) and hdu.columns:
                return index
    raise UsageError(f"{path.name}: no table extension")


def read_table(path: Path) -> tuple[AstropyTable, dict[str, dict[str, str | None]], str]:
    """The file as an astropy table (FITS: memory-mapped), per-column extra metadata, and a table description.

    The extra metadata holds what astropy does not keep on the column: VOTable datatype and xtype, FITS
    ``TUCDn``/``TTYPEn`` comments.  Raises ``UsageError`` for unreadable or unknown files.
    """
    kind = _file_format(path)
    extra: dict[str, dict[str, str | None]] = {}
    try:
        with warnings.catch_warnings():
            # Non-standard units and VOTable spec deviations are common in the wild; the table stays usable.
            warnings.simplefilter("ignore", u.UnitsWarning)
            warnings.simplefilter("ignore", votable.exceptions.VOWarning)
            if kind == "fits":
                hdu = _fits_hdu(path)
                table = AstropyTable.read(path, format="fits", hdu=hdu, memmap=True, character_as_bytes=True)
                with fits.open(path, memmap=True) as hdus:
                    header = hdus[hdu].header
                for i, name in enumerate(table.colnames, start=1):
                    extra[name] = {
                        "ucd": header.get(f"TUCD{i}"),
                        "description": header.comments[f"TTYPE{i}"] or None,
                    }
                description = ""
            elif kind == "votable":
                resource = votable.parse(str(path)).get_first_table()
                table = resource.to_table(use_names_over_ids=True)
                for field, name in zip(resource.fields, table.colnames, strict=True):
                    extra[name] = {"datatype": field.datatype, "xtype": field.xtype, "ucd": field.ucd}
                description = str(resource.description or "")
            else:
                table = astropy_ascii.read(str(path), format=kind, guess=False)
                description = str(table.meta.get("description", "") or "")
    except (OSError, ValueError, TypeError) as exc:
        raise UsageError(f"{path.name}: cannot read the table: {exc}") from exc
    return table, extra, description


def _vo_unit(unit: u.UnitBase | None) -> str | None:
    """The VOUnit string of an astropy unit; unknown single words are quoted as VOUnit asks."""
    if unit is None or unit == u.dimensionless_unscaled:
        return None
    if isinstance(unit, u.UnrecognizedUnit):
        name = unit.to_string()
        return f"'{name}'" if re.fullmatch(r"[A-Za-z_]\w*", name) else name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", u.UnitsWarning)
        try:
            return str(unit.to_string("vounit"))
        except (ValueError, u.UnitsError):
            return str(unit.to_string())


def _datatype(
    name: str, column: Any, declared: str | None, xtype: str | None
) -> tuple[str, str | None, str | None]:
    """(datatype, arraysize, xtype) of a column; raises UsageError for arrays that are not DALI geometry."""
    if isinstance(column, Time):
        return "char", "*", "timestamp"
    dtype = np.dtype(column.dtype)
    if dtype.kind in "SUO":
        if is_region_xtype(xtype):
            # STC-S from elsewhere may hold any shape, while an adql:REGION column stores polygons: keep text
            xtype = None
        return ("unicodeChar" if declared == "unicodeChar" else "char"), "*", xtype
    if dtype.kind == "M":
        return "char", "*", "timestamp"
    shape = tuple(getattr(column, "shape", ())[1:])
    if shape:
        if xtype in {"point", "circle"} and shape == ({"point": 2, "circle": 3}[xtype],):
            return "double", str(shape[0]), xtype
        raise UsageError(f"column {name!r} holds arrays {shape}; only scalar columns can be ingested")
    if dtype.kind == "b":
        return "boolean", None, None
    if dtype.kind in "iu":
        return _INT_TYPES[f"{dtype.kind}{dtype.itemsize}"], None, None
    if dtype.kind == "f":
        return _FLOAT_TYPES.get(dtype.itemsize, "double"), None, None
    raise UsageError(f"column {name!r} has an unsupported type {dtype}")


def column_metadata(
    table: AstropyTable, extra: dict[str, dict[str, str | None]]
) -> tuple[list[Column], tuple[str, str] | None]:
    """``Column`` objects (in file order, names lower-cased) and the detected (ra, dec) position, if any.

    Raises ``UsageError`` for names that are not regular identifiers, names equal after lower-casing, and
    columns that cannot be stored (arrays other than DALI points and circles, unknown types).
    """
    bad = [n for n in table.colnames if not _IDENTIFIER.match(n)]
    if bad:
        raise UsageError(f"column names must be regular identifiers (letter, then letters, digits, _): {bad}")
    lowered = [n.lower() for n in table.colnames]
    clashes = sorted({n for n in lowered if lowered.count(n) > 1})
    if clashes:
        raise UsageError(f"column names differ only in case: {clashes}")
    columns = []
    for name in table.colnames:
        col = table[name]
        more = extra.get(name, {})
        meta = getattr(col, "meta", None) or {}
        ucd = more.get("ucd") or meta.get("ucd")
        datatype, arraysize, xtype = _datatype(
            name, col, more.get("datatype"), more.get("xtype") or meta.get("xtype")
        )
        description = more.get("description") or getattr(col.info, "description", None) or ""
        unit = None if isinstance(col, Time) else _vo_unit(getattr(col, "unit", None))
        main = ucd_has(ucd, "meta.main")
        columns.append(
            Column(
                name.lower(),
                datatype,
                arraysize,
                xtype=xtype,
                unit=unit,
                ucd=ucd or None,
                description=str(description).strip(),
                principal=main,
                indexed=main,
            )
        )
    position = find_position(columns)
    if position is not None:
        ucds = {position[0]: "pos.eq.ra;meta.main", position[1]: "pos.eq.dec;meta.main"}
        columns = [
            dataclasses.replace(c, ucd=c.ucd or ucds[c.name], principal=True, indexed=True)
            if c.name in ucds
            else c
            for c in columns
        ]
    return columns, position


def _values(column: Any) -> NDArray[Any] | list[Any]:
    """Values of one column slice as the database layer takes them: NULLs masked or None, text decoded."""
    if isinstance(column, Time):
        return [
            None if m else v
            for v, m in zip(column.isot.tolist(), np.ma.getmaskarray(column.mask), strict=True)
        ]
    data: NDArray[Any] = column.data if hasattr(column, "data") else np.asarray(column)
    if data.dtype.kind in "SU":
        # FITS pads strings with blanks; astropy strips them for str columns but not for bytes.
        text = np.char.rstrip(np.char.decode(data, "utf-8", "replace")) if data.dtype.kind == "S" else data
        result = np.asarray(text, dtype=object)
        mask = np.ma.getmaskarray(data)
        result[mask] = None
        return result
    return data


def table_chunks(
    table: AstropyTable, columns: list[Column], chunk_rows: int = CHUNK_ROWS
) -> Iterator[dict[str, Any]]:
    """The rows of ``table`` as chunks keyed by the stored (lower-case) names; slices of a memory map stay lazy."""
    for start in range(0, len(table), chunk_rows):
        part = table[start : start + chunk_rows]
        yield {c.name: _values(part[name]) for c, name in zip(columns, table.colnames, strict=True)}


def _exists(engine: sa.Engine, table: Table) -> bool:
    dialect: Dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    schema, name = table.sql_name(dialect)
    inspector = sa.inspect(engine)
    return inspector.has_table(name, schema=schema) or name in inspector.get_view_names(schema=schema)


def ingest_file(
    engine: sa.Engine,
    path: Path,
    table_name: str,
    *,
    description: str | None = None,
    replace: bool = False,
    allow_reserved_schemas: bool = False,
    chunk_rows: int = CHUNK_ROWS,
) -> Table:
    """Creates ``table_name`` from the FITS/VOTable/CSV file at ``path``, fills and publishes it.

    Returns the published metadata with ``nrows`` set.  An existing table of that name is only replaced with
    ``replace=True``.  If loading fails, the half-made table is dropped.  Raises ``UsageError`` for bad names,
    existing tables, unreadable files and columns that cannot be stored; database errors pass through.
    """
    schema, name = parse_table_name(table_name, allow_reserved_schemas=allow_reserved_schemas)
    if not path.is_file():
        raise UsageError(f"{path}: no such file")
    source, extra, file_description = read_table(path)
    columns, position = column_metadata(source, extra)
    text = description or file_description or f"Table ingested from {path.name}"
    table = Table(schema=schema, name=name, columns=tuple(columns), description=text, position=position)
    if _exists(engine, table) and not replace:
        raise UsageError(f"table {table.qualified_name} exists; use replace to overwrite it")
    db.create_table(engine, table)
    try:
        rows = db.insert_chunks(engine, table, table_chunks(source, columns, chunk_rows))
        db.publish(engine, [table])
    except BaseException:
        db.drop_table(engine, table)
        raise
    return dataclasses.replace(table, nrows=rows)
