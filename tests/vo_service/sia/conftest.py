"""``/sia`` on each engine, over ``mmvo.products`` holding the sample rows and ``ivoa.obscore`` published, called
in-process over HTTP.

The application is ``/sia`` alone, on a TAP service built as ``create_app`` builds it: the whole application
would also open the job lists' notification sockets, which only its lifespan closes (the end-to-end tests
run it whole).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import functools
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.routing import Mount

from tap.service import TapService, TapSettings
from tests.conftest import create_pg_database
from tests.vo_service.sia.samples import insert_samples
from vo_service import db
from vo_service.app import CatalogCache
from vo_service.config import Config
from vo_service.demo.products import PRODUCTS
from vo_service.demo.tables import demo_views
from vo_service.http_errors import ERROR_HANDLERS
from vo_service.products.tap_links import datalink_resources
from vo_service.sia import sia_routes
from vo_service.vosi import availability_document

BASE_URL = "http://vo.example.org/mmvo"


@dataclass(frozen=True)
class SiaApp:
    """The application, its configuration and its engine's name."""

    app: Starlette
    config: Config
    engine: str

    def get(self, path: str, params: object = None, **kwargs: object) -> httpx.Response:
        return self.request("GET", path, params=params, **kwargs)

    def request(self, method: str, path: str, **kwargs: object) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                return await client.request(method, path, **kwargs)  # type: ignore[arg-type]

        return asyncio.run(send())


def _prepare(config: Config) -> None:
    engine = db.make_engine(config)
    try:
        db.create_table(engine, PRODUCTS)
        obscore = [(view, build) for view, build in demo_views(config) if view.name == "obscore"]
        for view, build in obscore:
            db.create_view(engine, view, build)
        db.publish(engine, [PRODUCTS, *(view for view, _ in obscore)])
        insert_samples(engine)
    finally:
        engine.dispose()


def _app(config: Config, database: db.Database) -> Starlette:
    tap = TapService(
        settings=TapSettings(config.maxrec_default, config.maxrec_hard, 60.0, config.upload_limit_bytes),
        dialect=database.dialect,
        catalog=CatalogCache(database.engine).get,
        cursor_factory=database.read_cursor,
        batch_source=database.read_batches,
        result_resources=functools.partial(datalink_resources, links_url=config.url("/datalink/links")),
    )
    started = dt.datetime.now(dt.UTC)
    routes = sia_routes(
        tap, config=config, availability=lambda: availability_document(available=True, up_since=started)
    )
    return Starlette(routes=[Mount("/sia", routes=routes)], exception_handlers=ERROR_HANDLERS)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def sia(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[SiaApp]:
    """The application over the sample products, on SQLite or on PostgreSQL+pgSphere."""
    data_dir: Path = tmp_path_factory.mktemp(f"sia-{request.param}")
    drop = None
    url = None
    if request.param == "postgresql":
        url, drop = create_pg_database(request.getfixturevalue("pg_dsn"))
    try:
        config = Config(data_dir=data_dir, database_url=url, base_url=BASE_URL, authority="mmvo.example")
        _prepare(config)
        database = db.Database(config)
        try:
            yield SiaApp(_app(config, database), config, request.param)
        finally:
            database.dispose()
    finally:
        if drop is not None:
            drop()
