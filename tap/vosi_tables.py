"""VOSI tables (a VODataService TableSet) from the published catalogue.

Written with lxml rather than vo-models: vo-models 0.5 escapes descriptions before serialising them (so ``&``
arrives as ``&amp;amp;``), turns ``principal``/``std`` into flags, and has no ``extendedType`` attribute, all of
which the VODataService schema or taplint would flag.  The metadata comes from the same ``Table`` objects as
TAP_SCHEMA, which keeps taplint's /tables-versus-TAP_SCHEMA comparison true by construction.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from itertools import groupby
from typing import Literal

from lxml import etree

from tap.schema import Column, Table, query_name

__all__ = ["VOSI_TABLES_NS", "Detail", "table_document", "tableset_document"]

Detail = Literal["min", "max"]

VOSI_TABLES_NS = "http://www.ivoa.net/xml/VOSITables/v1.0"
_VS = "http://www.ivoa.net/xml/VODataService/v1.1"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_NSMAP = {"vosi": VOSI_TABLES_NS, "vs": _VS, "xsi": _XSI}
#: VOSI suggests these table types; "table" in TAP_SCHEMA is a base table.
_TABLE_TYPES = {"table": "base_table", "view": "view"}


def _text(parent: etree._Element, tag: str, value: str | int | None) -> None:
    if value is not None and value != "":
        etree.SubElement(parent, tag).text = str(value)


def _column(parent: etree._Element, column: Column, table: Table) -> None:
    element = etree.SubElement(parent, "column", std="true" if column.std else "false")
    _text(element, "name", query_name(column.name))
    _text(element, "description", column.description)
    _text(element, "unit", column.unit)
    _text(element, "ucd", column.ucd)
    _text(element, "utype", column.utype)
    data_type = etree.SubElement(element, "dataType")
    data_type.set(f"{{{_XSI}}}type", "vs:VOTableType")
    if column.arraysize is not None:
        data_type.set("arraysize", column.arraysize)
    if column.xtype is not None:
        data_type.set("extendedType", column.xtype)
    data_type.text = column.datatype
    if column.indexed:
        _text(element, "flag", "indexed")
    if column.name in table.primary_key:
        _text(element, "flag", "primary")
    elif column.nullable:
        _text(element, "flag", "nullable")


def _table(parent: etree._Element | None, table: Table, detail: Detail) -> etree._Element:
    type_ = _TABLE_TYPES.get(table.table_type, table.table_type)
    if parent is None:
        element = etree.Element(f"{{{VOSI_TABLES_NS}}}table", nsmap=_NSMAP, type=type_)
    else:
        element = etree.SubElement(parent, "table", type=type_)
    _text(element, "name", table.qualified_name)
    _text(element, "description", table.description)
    _text(element, "utype", table.utype)
    _text(element, "nrows", table.nrows)
    if detail == "max":
        for column in table.columns:
            _column(element, column, table)
        for key in table.foreign_keys:
            fk = etree.SubElement(element, "foreignKey")
            _text(fk, "targetTable", key.target_table)
            for from_column, target_column in key.columns:
                pair = etree.SubElement(fk, "fkColumn")
                _text(pair, "fromColumn", from_column)
                _text(pair, "targetColumn", target_column)
            _text(fk, "description", key.description)
            _text(fk, "utype", key.utype)
    return element


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def tableset_document(
    tables: Iterable[Table], *, detail: Detail = "max", descriptions: Mapping[str, str]
) -> bytes:
    """The ``vosi:tableset`` of ``tables``, grouped by schema in the order given.

    ``detail="min"`` leaves out columns and foreign keys, as VOSI 1.1 allows for large services.
    """
    root = etree.Element(f"{{{VOSI_TABLES_NS}}}tableset", nsmap=_NSMAP)
    for schema, members in groupby(tables, key=lambda t: t.schema):
        element = etree.SubElement(root, "schema")
        _text(element, "name", schema)
        _text(element, "description", descriptions.get(schema))
        for table in members:
            _table(element, table, detail)
    return _serialise(root)


def table_document(table: Table) -> bytes:
    """The ``vosi:table`` of one table in full detail (``/tables/{name}``)."""
    return _serialise(_table(None, table, "max"))
