"""The ``engine`` fixture of the execution tests: the same tables on SQLite and on PostgreSQL, per module."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.tap.adql.engines import Engine, engine_fixture


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """:mod:`tests.tap.adql.engines`' tables on each engine (PostgreSQL skips when absent)."""
    yield from engine_fixture(request, tmp_path_factory)
