"""An engine on each database kind: a fresh SQLite file, and a fresh PostgreSQL database with pgSphere."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from vo_service.config import Config
from vo_service.db import make_engine


@pytest.fixture(params=["sqlite", "postgresql"])
def config(request: pytest.FixtureRequest, tmp_path: Path) -> Config:
    if request.param == "sqlite":
        return Config(data_dir=tmp_path)
    url = request.getfixturevalue("pg_database")
    return Config(data_dir=tmp_path, database_url=url)


@pytest.fixture
def engine(config: Config) -> Iterator[sa.Engine]:
    engine = make_engine(config)
    try:
        yield engine
    finally:
        engine.dispose()
