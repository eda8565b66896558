"""VOSI tables documents validate against the official schemas and say what TAP_SCHEMA says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tap.schema import Column, ForeignKey, Table
from tap.tap_schema import TAP_SCHEMA_TABLES
from tap.vosi_tables import table_document, tableset_document
from tests.xmlschema import assert_valid

SAMPLE = Table(
    schema="demo",
    name="things",
    description="Things & stuff <with> markup characters",
    columns=(
        Column("thing_id", "long", description="Identifier", ucd="meta.id;meta.main", nullable=False),
        Column("size", "int", description="A reserved word"),
        Column("where_", "double", "2", xtype="point", unit="deg", description="Position", indexed=True),
    ),
    primary_key=("thing_id",),
    foreign_keys=(ForeignKey("k", "demo.things", "tap_schema.tables", (("thing_id", "table_name"),), "odd"),),
    nrows=12,
)


@pytest.mark.parametrize("detail", ["min", "max"])
def test_tableset_is_schema_valid(schemas: Path, detail: str) -> None:
    document = tableset_document(
        [SAMPLE, *TAP_SCHEMA_TABLES],
        detail=detail,
        descriptions={"demo": "Demo & co"},  # type: ignore[arg-type]
    )
    root = assert_valid(document, schemas, "benson-ivoa-bundle.xsd")
    names = root.xpath("//table/name/text()")
    assert names[0] == "demo.things" and "tap_schema.columns" in names
    columns = root.xpath("//column")
    assert (len(columns) > 0) is (detail == "max")


def test_table_document_carries_every_column_attribute(schemas: Path) -> None:
    root = assert_valid(table_document(SAMPLE), schemas, "benson-ivoa-bundle.xsd")
    assert root.findtext("description") == SAMPLE.description
    assert root.findtext("nrows") == "12"
    names = root.xpath("column/name/text()")
    assert names == ["thing_id", '"size"', "where_"]
    point = root.xpath("column[name='where_']")[0]
    data_type = point.find("dataType")
    assert (data_type.text, data_type.get("arraysize"), data_type.get("extendedType")) == (
        "double",
        "2",
        "point",
    )
    assert point.xpath("flag/text()") == ["indexed", "nullable"]
    assert root.xpath("column[name='thing_id']/flag/text()") == ["primary"]
