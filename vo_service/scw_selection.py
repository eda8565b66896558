"""Which science windows an INTEGRAL analysis uses, chosen from the service's ScW index (``integral.scw``) as
MMODA chooses them: pointings overlapping [T1, T2] whose axis lies within ``radius`` of the target, with good
time for the instrument, the nearest first, at most ``max_pointings``; or an explicit ``scw_list``.

The choice is made where the database is (the service, or a worker with the same engine) and handed to the
archive backend as ``ChunkInfo`` rows, so analysis cores never touch SQL.  The angular cut is exact (astropy's
Vincenty separation) after a declination band prefilter in SQL, which uses no index but keeps the transfer
small: the index has about 55,000 rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import sqlalchemy as sa
from astropy.coordinates import angular_separation

from instruments.archive.base import ChunkInfo
from instruments.integral.scw_index import write_index
from tap.schema import Dialect
from vo_service.db.ddl import sa_table
from vo_service.demo.scw import SCW
from vo_service.errors import UsageError

__all__ = [
    "GOOD_TIME_COLUMNS",
    "ScwRequest",
    "pointings_of_revolutions",
    "select_scws",
    "write_archive_index",
]

#: Good-time column of each instrument in ``integral.scw``.
GOOD_TIME_COLUMNS = {"isgri": "good_isgri", "jemx1": "good_jemx1", "jemx2": "good_jemx2"}
_COLUMNS = ("scw_id", "scw_type", "ra", "dec", "posangle", "t_start", "t_stop")
_GOOD = tuple(GOOD_TIME_COLUMNS.values())


@dataclass(frozen=True)
class ScwRequest:
    """What the user asked: a target and a time range (MJD, UTC), or an explicit list of ScW ids."""

    instrument: str
    ra: float | None = None
    dec: float | None = None
    t_start: float | None = None
    t_stop: float | None = None
    radius: float = 5.0
    max_pointings: int = 500
    scw_list: Sequence[str] = ()


def select_scws(engine: sa.Engine, request: ScwRequest) -> list[ChunkInfo]:
    """The chosen pointings, in time order.

    Raises:
        UsageError: nothing to choose from (no target, or ids that are not pointings of the index), naming
            the parameter to change.
    """
    good = GOOD_TIME_COLUMNS.get(request.instrument)
    if good is None:
        raise UsageError(
            f"instrument must be one of {', '.join(GOOD_TIME_COLUMNS)}, not {request.instrument!r}"
        )
    dialect: Dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    table = sa_table(SCW, dialect)
    columns = [table.c[name] for name in (*_COLUMNS, good)]
    query = sa.select(*columns).where(table.c.scw_type == "POINTING", table.c[good] > 0)
    if request.scw_list:
        ids = [_base_id(s) for s in request.scw_list]
        query = query.where(sa.func.substr(table.c.scw_id, 1, 12).in_(ids))
        rows = _rows(engine, query)
        found = {str(r[0])[:12] for r in rows}
        missing = [s for s in ids if s not in found]
        if missing:
            raise UsageError(
                f"scw_list: {', '.join(missing[:5])} {'is' if len(missing) == 1 else 'are'} not an "
                f"{request.instrument.upper()} pointing of the ScW index"
            )
        return _chunks(request.instrument, rows)
    if request.ra is None or request.dec is None:
        raise UsageError("give RA and DEC (or src_name), or a scw_list")
    if request.t_start is not None:
        query = query.where(table.c.t_stop >= request.t_start)
    if request.t_stop is not None:
        query = query.where(table.c.t_start <= request.t_stop)
    low, high = request.dec - request.radius, request.dec + request.radius
    query = query.where(table.c.dec >= low, table.c.dec <= high)
    rows = _rows(engine, query)
    if not rows:
        return []
    ra = np.radians(np.array([float(r[2]) for r in rows]))
    dec = np.radians(np.array([float(r[3]) for r in rows]))
    distance = np.degrees(angular_separation(ra, dec, np.radians(request.ra), np.radians(request.dec)))
    near = np.flatnonzero(distance <= request.radius)
    order = near[np.lexsort((np.array([float(rows[i][5]) for i in near]), distance[near]))]
    chosen = [rows[i] for i in order[: request.max_pointings]]
    return _chunks(request.instrument, chosen)


def pointings_of_revolutions(
    engine: sa.Engine, instrument: str, revolutions: Sequence[int]
) -> list[ChunkInfo]:
    """Every pointing of ``revolutions`` with good time for ``instrument``, in time order (archive warming).

    Raises:
        UsageError: an unknown instrument.
    """
    good = GOOD_TIME_COLUMNS.get(instrument)
    if good is None:
        raise UsageError(f"instrument must be one of {', '.join(GOOD_TIME_COLUMNS)}, not {instrument!r}")
    dialect: Dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    table = sa_table(SCW, dialect)
    query = sa.select(*(table.c[name] for name in (*_COLUMNS, good))).where(
        table.c.scw_type == "POINTING",
        table.c[good] > 0,
        table.c.revolution.in_([int(r) for r in revolutions]),
    )
    return _chunks(instrument, _rows(engine, query))


def write_archive_index(engine: sa.Engine, archive_dir: Path) -> Path:
    """Writes the archive's ScW index file from ``integral.scw`` (see ``instruments.integral.scw_index``), so
    that analyses choose their pointings from the archive as the service's table lists them."""
    dialect: Dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    table = sa_table(SCW, dialect)
    names = (
        "scw_id",
        "scw_type",
        "revolution",
        "ra",
        "dec",
        "posangle",
        "t_start",
        "t_stop",
        *_GOOD,
        "data_version",
    )
    with engine.connect() as conn:
        rows = conn.execute(sa.select(*(table.c[n] for n in names)).order_by(table.c.t_start)).all()
    return write_index(archive_dir, {name: [row[i] for row in rows] for i, name in enumerate(names)})


def _base_id(scw: str) -> str:
    """``RRRRPPPPSSSF`` of ``RRRRPPPPSSSF[.VVV]``.

    Raises:
        UsageError: not a ScW id.
    """
    base = scw.strip().split(".", 1)[0]
    if len(base) != 12 or not base.isdigit():
        raise UsageError(f"scw_list: {scw!r} is not a ScW id (RRRRPPPPSSSF or RRRRPPPPSSSF.VVV)")
    return base


Row = tuple[Any, ...]


def _rows(engine: sa.Engine, query: sa.Select[Any]) -> list[Row]:
    with engine.connect() as conn:
        return [tuple(row) for row in conn.execute(query)]


def _chunks(instrument: str, rows: Sequence[Row]) -> list[ChunkInfo]:
    chunks = [
        ChunkInfo(
            instrument,
            str(r[0]),
            ra=float(r[2]),
            dec=float(r[3]),
            posangle=float(r[4]),
            t_start=float(r[5]),
            t_stop=float(r[6]),
            exposure=float(r[7]),
        )
        for r in rows
    ]
    return sorted(chunks, key=lambda c: (c.t_start, c.chunk_id))
