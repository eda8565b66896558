"""Loading rows: timestamps with a time zone are stored as the UTC instant they are, zone-less, on both
engines (SQLite keeps ISO text, which VOTable timestamps must not carry an offset in)."""

from __future__ import annotations

import datetime as dt

import sqlalchemy as sa

from tap.schema import Column, Table
from vo_service.db.ddl import create_table, sa_table
from vo_service.db.load import insert_chunks

EVENTS = Table(
    schema="mmvo",
    name="events",
    description="timestamps",
    columns=(
        Column("id", "int"),
        Column("at", "char", "*", xtype="timestamp"),
    ),
)


def test_aware_timestamps_are_stored_as_utc_without_offset(engine: sa.Engine) -> None:
    create_table(engine, EVENTS)
    paris = dt.timezone(dt.timedelta(hours=1))
    rows = {
        "id": [1, 2],
        "at": [dt.datetime(2026, 11, 24, 16, 6, 28, 81000, tzinfo=paris), dt.datetime(2026, 11, 24, 15, 0)],
    }
    assert insert_chunks(engine, EVENTS, [rows]) == 2
    dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    table = sa_table(EVENTS, dialect)
    with engine.connect() as conn:
        stored = [value for (value,) in conn.execute(sa.select(table.c.at).order_by(table.c.id))]
    if dialect == "sqlite":
        assert stored == ["2026-11-24T15:06:28.081", "2026-11-24T15:00:00.000"]
    else:
        assert stored == [dt.datetime(2026, 11, 24, 15, 6, 28, 81000), dt.datetime(2026, 11, 24, 15, 0)]
