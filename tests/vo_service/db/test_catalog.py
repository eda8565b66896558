"""Tables round-trip through DDL, bulk load and the published catalogue on both engines."""

from __future__ import annotations

import datetime as dt

import numpy as np
import sqlalchemy as sa

from tap.schema import Column, ForeignKey, Table
from vo_service.db import create_table, insert_chunks, load_catalog, publish, sa_table, unpublish

OBJECTS = Table(
    schema="demo",
    name="objects",
    description="Objects of every column type.",
    columns=(
        Column("object_id", "long", description="Identifier", ucd="meta.id;meta.main", nullable=False),
        Column("name", "char", "*", description="Name", ucd="meta.id", indexed=True),
        Column("ra", "double", unit="deg", ucd="pos.eq.ra;meta.main", description="Right ascension"),
        Column("dec", "double", unit="deg", ucd="pos.eq.dec;meta.main", description="Declination"),
        Column("flux", "float", unit="mCrab", ucd="phot.flux", description="Flux"),
        Column("n", "short", description="A small count"),
        Column("flag", "boolean", description="A flag"),
        Column("size", "int", description="A reserved word as a column name"),
        Column("seen", "char", "*", xtype="timestamp", description="When", ucd="time.epoch"),
        Column(
            "footprint", "double", "*", xtype="polygon", unit="deg", description="Outline", ucd="pos.outline"
        ),
        Column("centre", "double", "2", xtype="point", unit="deg", description="Centre", ucd="pos.eq"),
    ),
    position=("ra", "dec"),
    primary_key=("object_id",),
)

CHILDREN = Table(
    schema="demo",
    name="children",
    description="Rows pointing at objects.",
    columns=(
        Column("child_id", "long", description="Identifier", nullable=False),
        Column("object_id", "long", description="Parent object"),
    ),
    foreign_keys=(
        ForeignKey("children_object", "demo.children", "demo.objects", (("object_id", "object_id"),)),
    ),
)


def _chunk(start: int, n: int) -> dict[str, object]:
    ids = np.arange(start, start + n, dtype=np.int64)
    flux = np.ma.masked_array(ids.astype(np.float32) / 10, mask=ids % 3 == 0)
    return {
        "object_id": ids,
        "name": [f"obj {i}" if i % 5 else None for i in ids.tolist()],
        "ra": (ids * 7.3) % 360.0,
        "dec": ((ids * 3.1) % 180.0) - 90.0,
        "flux": flux,
        "n": (ids % 100).astype(np.int16),
        "flag": ids % 2 == 0,
        "size": ids.astype(np.int32) * 2,
        "seen": [dt.datetime(2020, 1, 1) + dt.timedelta(hours=int(i)) for i in ids],
        "footprint": ["10 20 11 20 11 21" if i % 2 else [10.0, 20.0, 11.0, 20.0, 10.5, 21.0] for i in ids],
        "centre": [[float(i % 360), 0.5] for i in ids],
    }


def test_load_publish_and_read_back(engine: sa.Engine) -> None:
    create_table(engine, OBJECTS)
    written = insert_chunks(engine, OBJECTS, [_chunk(0, 250), _chunk(250, 250)])
    assert written == 500
    create_table(engine, CHILDREN)
    insert_chunks(engine, CHILDREN, [{"child_id": np.arange(3), "object_id": np.array([1, 2, 3])}])
    publish(engine, [OBJECTS, CHILDREN])

    catalog = load_catalog(engine)
    objects = catalog.table("demo", "objects")
    assert objects is not None
    assert objects.columns == tuple(
        Column(**{**{f: getattr(c, f) for f in Column.__slots__}, "nullable": True}) for c in OBJECTS.columns
    )
    assert objects.position == ("ra", "dec")
    assert objects.primary_key == ("object_id",)
    assert objects.nrows == 500
    children = catalog.table("demo", "children")
    assert children is not None and children.foreign_keys == CHILDREN.foreign_keys
    tap_tables = catalog.table("tap_schema", "columns")
    assert tap_tables is not None and tap_tables.column("size") is not None

    dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    t = sa_table(OBJECTS, dialect)
    with engine.connect() as conn:
        nulls = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.flux.is_(None))).scalar_one()
        assert nulls == len(range(0, 500, 3))
        named = conn.execute(sa.select(sa.func.count()).select_from(t).where(t.c.name.is_(None))).scalar_one()
        assert named == 100
        row = conn.execute(sa.select(t.c.size, t.c.flag, t.c.seen).where(t.c.object_id == 7)).one()
        assert row.size == 14 and not row.flag
        assert str(row.seen).replace(" ", "T").startswith("2020-01-01T07:00:00")


def test_publish_replaces_metadata_and_unpublish_removes(engine: sa.Engine) -> None:
    create_table(engine, CHILDREN)
    publish(engine, [CHILDREN])
    renamed = Table(schema="demo", name="children", columns=CHILDREN.columns, description="New text")
    publish(engine, [renamed])
    table = load_catalog(engine).table("demo", "children")
    assert table is not None and table.description == "New text"
    unpublish(engine, ["demo.children"])
    assert load_catalog(engine).table("demo", "children") is None
    assert load_catalog(engine).table("tap_schema", "tables") is not None


def test_tap_schema_rows_are_queryable(engine: sa.Engine) -> None:
    create_table(engine, CHILDREN)
    publish(engine, [CHILDREN])
    dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    from tap.tap_schema import TAP_SCHEMA_TABLES

    columns = sa_table(TAP_SCHEMA_TABLES[2], dialect)
    with engine.connect() as conn:
        names = conn.execute(
            sa.select(columns.c.column_name).where(columns.c.table_name == "tap_schema.columns")
        ).scalars()
        assert '"size"' in set(names)


def test_hidden_columns_are_stored_but_not_published(engine: sa.Engine) -> None:
    with_hidden = Table(
        schema="demo",
        name="files",
        columns=(Column("file_id", "long", description="Identifier"), Column("_path", "char", "*")),
    )
    create_table(engine, with_hidden)
    insert_chunks(engine, with_hidden, [{"file_id": np.arange(2), "_path": ["a", "b"]}])
    publish(engine, [with_hidden])
    published = load_catalog(engine).table("demo", "files")
    assert published is not None
    assert [c.name for c in published.columns] == ["file_id"]
