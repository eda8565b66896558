"""When each registry record was created, last changed or deleted: the datestamps harvesters rely on.

The records are computed from the configuration and the published catalogue, so they carry no dates of their
own.  The store keeps a digest of each record's content; a record whose digest differs from the stored one was
changed now, an identifier no longer built was deleted now.  Stamps live in the database (PostgreSQL schema
``mmvo_registry``, SQLite table ``"mmvo_registry.records"``), so every server process and every restart gives
a record the same datestamp, and an incremental harvest (``from``) sees exactly what changed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

__all__ = ["SCHEMA", "Stamp", "StampStore"]

SCHEMA = "mmvo_registry"
#: Arbitrary key of the PostgreSQL advisory lock serialising the creation and the updates of the stamps.
_LOCK_KEY = 0x52_45_47_31
_ATTEMPTS = 3


@dataclass(frozen=True)
class Stamp:
    """A record's creation and last change (aware UTC datetimes, whole seconds) and whether it is deleted."""

    created: dt.datetime
    updated: dt.datetime
    deleted: bool = False


def _records_table(dialect: str) -> sa.Table:
    columns: tuple[sa.Column[Any], ...] = (
        sa.Column("identifier", sa.Text(), primary_key=True),
        sa.Column("digest", sa.String(64), nullable=False),
        sa.Column("created", sa.DateTime(), nullable=False),
        sa.Column("updated", sa.DateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
    )
    if dialect == "postgresql":
        return sa.Table("records", sa.MetaData(), *columns, schema=SCHEMA, quote=True)
    return sa.Table(f"{SCHEMA}.records", sa.MetaData(), *columns, quote=True)


def _aware(value: dt.datetime) -> dt.datetime:
    return value.replace(tzinfo=dt.UTC)


def _naive(value: dt.datetime) -> dt.datetime:
    return value.astimezone(dt.UTC).replace(tzinfo=None, microsecond=0)


class StampStore:
    """The stamps of the records of one database (table created on first use, by whichever process)."""

    def __init__(self, engine: sa.Engine) -> None:
        self._engine = engine
        self._postgres = engine.dialect.name == "postgresql"
        self._table = _records_table(engine.dialect.name)
        self._ready = False

    def _lock(self, conn: sa.Connection) -> None:
        if self._postgres:
            conn.execute(sa.select(sa.func.pg_advisory_xact_lock(_LOCK_KEY)))

    def _create(self) -> None:
        with self._engine.begin() as conn:
            self._lock(conn)
            if self._postgres:
                conn.execute(sa.schema.CreateSchema(SCHEMA, if_not_exists=True))
            conn.execute(sa.schema.CreateTable(self._table, if_not_exists=True))
        self._ready = True

    def stamp(self, digests: Mapping[str, str], now: dt.datetime | None = None) -> dict[str, Stamp]:
        """Records the current digests (identifier -> digest) and returns the stamp of every identifier ever
        published, deleted ones included.

        Two processes stamping at once are serialised by an advisory lock on PostgreSQL; on SQLite the loser
        of a race on a new identifier retries, then sees the winner's row.
        """
        if not self._ready:
            self._create()
        moment = _naive(now or dt.datetime.now(dt.UTC))
        for attempt in range(_ATTEMPTS):
            try:
                return self._sync(digests, moment)
            except sa.exc.IntegrityError:
                if attempt == _ATTEMPTS - 1:
                    raise
        raise AssertionError("unreachable")

    def _sync(self, digests: Mapping[str, str], now: dt.datetime) -> dict[str, Stamp]:
        t = self._table
        with self._engine.begin() as conn:
            self._lock(conn)
            rows = {row.identifier: row for row in conn.execute(sa.select(t))}
            for identifier, digest in digests.items():
                row = rows.get(identifier)
                if row is None:
                    values = {"identifier": identifier, "digest": digest, "created": now, "updated": now}
                    conn.execute(sa.insert(t).values(**values, deleted=False))
                elif row.digest != digest or row.deleted:
                    change = {"digest": digest, "updated": now, "deleted": False}
                    conn.execute(sa.update(t).where(t.c.identifier == identifier).values(**change))
            for identifier, row in rows.items():
                if identifier not in digests and not row.deleted:
                    gone = {"updated": now, "deleted": True}
                    conn.execute(sa.update(t).where(t.c.identifier == identifier).values(**gone))
            stamps = conn.execute(sa.select(t.c.identifier, t.c.created, t.c.updated, t.c.deleted))
            return {
                row.identifier: Stamp(_aware(row.created), _aware(row.updated), bool(row.deleted))
                for row in stamps
            }
