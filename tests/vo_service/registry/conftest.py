"""Fixtures of the registry tests: a registry over a small service (SQLite stamps), its app and the schema."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa
from lxml import etree
from starlette.applications import Starlette

from tests.vo_service.registry.service import Parts, build_app
from tests.vo_service.registry.xsd import registry_schema
from vo_service.config import Config
from vo_service.registry import ServiceRegistry

BASE_URL = "http://vo.example.org/mmvo"
PAGE_SIZE = 2


@pytest.fixture(scope="session")
def registry_xsd(schemas: Path, tmp_path_factory: pytest.TempPathFactory) -> etree.XMLSchema:
    """The composite of both bundles of official schemas (OAI-PMH answers with registry records inside)."""
    return registry_schema(schemas, tmp_path_factory.mktemp("registry-xsd"))


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'stamps.sqlite'}")
    yield engine
    engine.dispose()


@pytest.fixture
def parts(tmp_path: Path) -> Parts:
    return Parts(Config(data_dir=tmp_path, base_url=BASE_URL, authority="mmvo.example"))


@pytest.fixture
def app(parts: Parts, engine: sa.Engine) -> tuple[Starlette, ServiceRegistry]:
    return build_app(parts, engine, page_size=PAGE_SIZE)


@pytest.fixture
def registry(app: tuple[Starlette, ServiceRegistry]) -> ServiceRegistry:
    return app[1]


def call(app: Starlette, method: str, path: str, **kwargs: object) -> httpx.Response:
    """One HTTP request to ``app`` in this process."""

    async def send() -> httpx.Response:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            return await client.request(method, path, **kwargs)  # type: ignore[arg-type]

    return asyncio.run(send())
