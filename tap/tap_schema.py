"""TAP_SCHEMA: the metadata tables every TAP service publishes, derived from the published ``Table`` objects.

The five tables are themselves ``Table`` objects, so they are created, queried in ADQL and described in
``/tables`` through the same code as any other table.  Column order and types follow TAP 1.1 section 4, with
``"size"`` a delimited identifier as the standard asks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from tap.schema import Column, ForeignKey, Table, query_name

__all__ = ["TAP_SCHEMA", "TAP_SCHEMA_TABLES", "tap_schema_rows"]

TAP_SCHEMA = "tap_schema"


def _c(
    name: str,
    datatype: str,
    description: str,
    *,
    arraysize: str | None = None,
    nullable: bool = True,
    principal: bool = True,
) -> Column:
    return Column(
        name=name,
        datatype=datatype,
        arraysize=arraysize,
        description=description,
        principal=principal,
        std=True,
        nullable=nullable,
    )


def _s(name: str, description: str, *, nullable: bool = True) -> Column:
    return _c(name, "char", description, arraysize="*", nullable=nullable)


def _i(name: str, description: str, *, nullable: bool = True) -> Column:
    return _c(name, "int", description, nullable=nullable)


SCHEMAS = Table(
    schema=TAP_SCHEMA,
    name="schemas",
    description="The schemas published by this service.",
    columns=(
        _s("schema_name", "Schema name, as used in queries", nullable=False),
        _s("utype", "Data model utype of the schema"),
        _s("description", "What the schema holds"),
        _i("schema_index", "Recommended display order of the schemas"),
    ),
    primary_key=("schema_name",),
)

TABLES = Table(
    schema=TAP_SCHEMA,
    name="tables",
    description="The tables published by this service.",
    columns=(
        _s("schema_name", "Schema the table belongs to", nullable=False),
        _s("table_name", "Fully qualified table name, as used in queries", nullable=False),
        _s("table_type", "table or view", nullable=False),
        _s("utype", "Data model utype of the table"),
        _s("description", "What the table holds"),
        _i("table_index", "Recommended display order of the tables"),
    ),
    primary_key=("table_name",),
    foreign_keys=(
        ForeignKey(
            "tables_schema",
            "tap_schema.tables",
            "tap_schema.schemas",
            (("schema_name", "schema_name"),),
            "Each table belongs to a published schema",
        ),
    ),
)

COLUMNS = Table(
    schema=TAP_SCHEMA,
    name="columns",
    description="The columns of the published tables.",
    columns=(
        _s("table_name", "Fully qualified name of the table", nullable=False),
        _s("column_name", "Column name, as used in queries", nullable=False),
        _s("datatype", "VOTable datatype of the column", nullable=False),
        _s("arraysize", "VOTable arraysize; NULL for scalars"),
        _s("xtype", "VOTable/DALI extended type"),
        _i("size", "Length of fixed-length arrays (arraysize without '*'); NULL for scalars"),
        _s("description", "What the column holds"),
        _s("utype", "Data model utype of the column"),
        _s("unit", "Unit in VOUnit syntax"),
        _s("ucd", "Unified Content Descriptor (UCD1+)"),
        _i("indexed", "1 if the column is indexed, else 0", nullable=False),
        _i("principal", "1 if the column is of primary interest, else 0", nullable=False),
        _i("std", "1 if the column is defined by a standard, else 0", nullable=False),
        _i("column_index", "Recommended display order of the columns within the table"),
    ),
    primary_key=("table_name", "column_name"),
    foreign_keys=(
        ForeignKey(
            "columns_table",
            "tap_schema.columns",
            "tap_schema.tables",
            (("table_name", "table_name"),),
            "Each column belongs to a published table",
        ),
    ),
)

KEYS = Table(
    schema=TAP_SCHEMA,
    name="keys",
    description="Foreign keys between published tables.",
    columns=(
        _s("key_id", "Unique key identifier", nullable=False),
        _s("from_table", "Fully qualified name of the table holding the foreign key", nullable=False),
        _s("target_table", "Fully qualified name of the table the key points to", nullable=False),
        _s("description", "What the key means"),
        _s("utype", "Data model utype of the key"),
    ),
    primary_key=("key_id",),
    foreign_keys=(
        ForeignKey(
            "keys_from",
            "tap_schema.keys",
            "tap_schema.tables",
            (("from_table", "table_name"),),
            "The table holding the foreign key",
        ),
        ForeignKey(
            "keys_target",
            "tap_schema.keys",
            "tap_schema.tables",
            (("target_table", "table_name"),),
            "The table the key points to",
        ),
    ),
)

KEY_COLUMNS = Table(
    schema=TAP_SCHEMA,
    name="key_columns",
    description="The column pairs of the foreign keys.",
    columns=(
        _s("key_id", "Key identifier (tap_schema.keys.key_id)", nullable=False),
        _s("from_column", "Column in the from_table", nullable=False),
        _s("target_column", "Column in the target_table", nullable=False),
    ),
    foreign_keys=(
        ForeignKey(
            "key_columns_key",
            "tap_schema.key_columns",
            "tap_schema.keys",
            (("key_id", "key_id"),),
            "The key these columns belong to",
        ),
    ),
)

#: The TAP_SCHEMA tables in their display order.
TAP_SCHEMA_TABLES: tuple[Table, ...] = (SCHEMAS, TABLES, COLUMNS, KEYS, KEY_COLUMNS)


def _flag(value: bool) -> int:
    return 1 if value else 0


def tap_schema_rows(
    tables: Sequence[Table], schema_descriptions: Mapping[str, str]
) -> dict[str, list[tuple[object, ...]]]:
    """The rows of each TAP_SCHEMA table (keyed by table name) describing ``tables`` in the order given.

    ``tables`` must include the TAP_SCHEMA tables themselves; schemas are listed in order of first
    appearance.  Column names are stored as clients must write them (``"size"`` quoted).
    """
    schema_order: dict[str, int] = {}
    for table in tables:
        schema_order.setdefault(table.schema, len(schema_order))
    rows: dict[str, list[tuple[object, ...]]] = {t.name: [] for t in TAP_SCHEMA_TABLES}
    rows["schemas"] = [
        (name, None, schema_descriptions.get(name, ""), index) for name, index in schema_order.items()
    ]
    for table_index, table in enumerate(tables):
        rows["tables"].append(
            (
                table.schema,
                table.qualified_name,
                table.table_type,
                table.utype,
                table.description,
                table_index,
            )
        )
        rows["columns"].extend(_column_rows(table))
        for key in table.foreign_keys:
            rows["keys"].append((key.key_id, key.from_table, key.target_table, key.description, key.utype))
            rows["key_columns"].extend((key.key_id, f, t) for f, t in key.columns)
    return rows


def _column_rows(table: Table) -> Iterable[tuple[object, ...]]:
    for index, c in enumerate(table.columns):
        yield (
            table.qualified_name,
            query_name(c.name),
            c.datatype,
            c.arraysize,
            c.xtype,
            c.size,
            c.description,
            c.utype,
            c.unit,
            c.ucd,
            _flag(c.indexed),
            _flag(c.principal),
            _flag(c.std),
            index,
        )
