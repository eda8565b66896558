"""``load_demo``: create, fill and publish the demo tables and views, once.

Loading is idempotent per table: a base table whose row count is already right is left alone, anything else
is (re)created and filled from the deterministic generators.  ``mmvo.products`` is only created when missing,
never emptied, because analyses write into it.  The views are rebuilt every time (cheap, and a recreated base
table on PostgreSQL takes its dependent views with it), and everything is published to TAP_SCHEMA at the end.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any

import sqlalchemy as sa

from tap.schema import Dialect, Table
from vo_service import db
from vo_service.config import Config
from vo_service.demo.fields import default_revolutions
from vo_service.demo.instruments import INSTRUMENTS, INSTRUMENTS_TABLE, instrument_chunks
from vo_service.demo.plan import scw_chunks
from vo_service.demo.products import PRODUCTS
from vo_service.demo.reference import REFERENCE_SOURCES
from vo_service.demo.revolutions import FIRST_REVOLUTION, LAST_REVOLUTION, REVOLUTIONS, revolution_chunks
from vo_service.demo.scw import SCW
from vo_service.demo.sources import DEFAULT_CHUNK_SIZE, SOURCES, source_chunks
from vo_service.demo.tables import demo_tables, demo_views

__all__ = ["DEFAULT_SEED", "load_demo"]

#: The launch date of INTEGRAL, 2002-10-17.
DEFAULT_SEED = 20021017
_MJD_UNIX_EPOCH = 40587.0
_log = logging.getLogger(__name__)

Chunks = Callable[[], Iterable[dict[str, Any]]]


def _row_count(engine: sa.Engine, table: Table) -> int | None:
    """Rows of ``table`` in the database, or None when it does not exist."""
    dialect: Dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    schema, name = table.sql_name(dialect)
    if not sa.inspect(engine).has_table(name, schema=schema):
        return None
    with engine.connect() as conn:
        query = sa.select(sa.func.count()).select_from(sa.table(name, schema=schema))
        return int(conn.execute(query).scalar_one())


def _count_rows(chunks: Iterator[dict[str, Any]]) -> int:
    return sum(len(next(iter(chunk.values()))) for chunk in chunks)


def load_demo(
    engine: sa.Engine,
    *,
    sources: int = 100_000,
    seed: int = DEFAULT_SEED,
    revolutions: Sequence[int] | None = None,
    config: Config | None = None,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> None:
    """Creates, fills and publishes the demo tables (``mmvo.sources``, ``integral.*``, ``mmvo.products``) and
    views (``ivoa.obsplan``, ``ivoa.obscore``); a second call with the same arguments only republishes.

    ``sources`` is the total number of rows of ``mmvo.sources`` (streamed in chunks of ``chunk_size``, so
    10^7 rows need no more memory than 10^5); ``revolutions`` selects the revolutions of the simulated ScW
    plan (default: :func:`vo_service.demo.fields.default_revolutions`).  ``config`` supplies the base URL and
    authority written into ObsCore (default: ``Config()``).

    Raises ``ValueError`` for fewer sources than the reference catalogue or revolutions outside the mission,
    and whatever the database raises.
    """
    config = config or Config()
    revs = tuple(sorted(set(default_revolutions() if revolutions is None else revolutions)))
    if sources < len(REFERENCE_SOURCES):
        raise ValueError(f"mmvo.sources needs at least {len(REFERENCE_SOURCES)} rows, got {sources}")
    bad = [r for r in revs if not FIRST_REVOLUTION <= r <= LAST_REVOLUTION]
    if bad:
        raise ValueError(f"revolutions outside {FIRST_REVOLUTION}..{LAST_REVOLUTION}: {bad[:5]}")
    wanted: list[tuple[Table, int, Chunks]] = [
        (SOURCES, sources, lambda: source_chunks(sources, seed=seed, chunk_size=chunk_size)),
        (REVOLUTIONS, LAST_REVOLUTION - FIRST_REVOLUTION + 1, revolution_chunks),
        (SCW, _count_rows(scw_chunks(revs, seed=seed)), lambda: scw_chunks(revs, seed=seed)),
        (INSTRUMENTS_TABLE, len(INSTRUMENTS), instrument_chunks),
    ]
    for table, expected, chunks in wanted:
        if _row_count(engine, table) == expected:
            continue
        started = time.monotonic()
        db.create_table(engine, table)
        written = db.insert_chunks(engine, table, chunks())
        _log.info("%s: %d rows in %.1f s", table.qualified_name, written, time.monotonic() - started)
    if _row_count(engine, PRODUCTS) is None:
        db.create_table(engine, PRODUCTS)
    for view, build in demo_views(config, now_mjd=time.time() / 86_400.0 + _MJD_UNIX_EPOCH):
        db.create_view(engine, view, build)
    db.publish(engine, demo_tables(config))
