"""Record datestamps: kept while a record stays the same, moved when it changes or goes, on both engines."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa

from vo_service.registry.store import Stamp, StampStore

T0 = dt.datetime(2024, 1, 2, 3, 4, 5, 600_000, tzinfo=dt.UTC)
T1 = T0 + dt.timedelta(hours=1)
T2 = T0 + dt.timedelta(hours=2)
S0 = T0.replace(microsecond=0)


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    """A fresh SQLite file, or a fresh PostgreSQL database."""
    url = (
        request.getfixturevalue("pg_database")
        if request.param == "postgresql"
        else f"sqlite:///{tmp_path / 's.db'}"
    )
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


def test_stamps_follow_the_content(engine: sa.Engine) -> None:
    store = StampStore(engine)
    assert store.stamp({"ivo://a/x": "d1", "ivo://a/y": "e1"}, now=T0) == {
        "ivo://a/x": Stamp(S0, S0),
        "ivo://a/y": Stamp(S0, S0),
    }
    # the same content later: nothing moves (and another process sees the same)
    assert StampStore(engine).stamp({"ivo://a/x": "d1", "ivo://a/y": "e1"}, now=T1)["ivo://a/x"] == Stamp(
        S0, S0
    )
    changed = store.stamp({"ivo://a/x": "d2", "ivo://a/y": "e1"}, now=T1)
    assert changed["ivo://a/x"] == Stamp(S0, T1.replace(microsecond=0))
    assert changed["ivo://a/y"] == Stamp(S0, S0)
    gone = store.stamp({"ivo://a/x": "d2"}, now=T2)
    assert gone["ivo://a/y"] == Stamp(S0, T2.replace(microsecond=0), deleted=True)
    assert store.stamp({"ivo://a/x": "d2"}, now=T2 + dt.timedelta(days=1))["ivo://a/y"] == gone["ivo://a/y"]
    back = store.stamp({"ivo://a/x": "d2", "ivo://a/y": "e1"}, now=T2 + dt.timedelta(days=2))
    assert back["ivo://a/y"] == Stamp(S0, (T2 + dt.timedelta(days=2)).replace(microsecond=0))


def test_concurrent_first_stamps_agree(engine: sa.Engine) -> None:
    """Processes starting together each create the table and stamp the same new records without failing."""
    digests = {f"ivo://a/{i}": "d" for i in range(20)}
    with ThreadPoolExecutor(4) as pool:
        results = list(pool.map(lambda _: StampStore(engine).stamp(digests, now=T0), range(4)))
    assert all(result == results[0] for result in results) and len(results[0]) == 20
