"""The application factory: one ``create_app(config)`` assembling the database, the services and the routes.

Everything a request needs lives on objects built here and passed to the handlers (no module globals), so
tests can run several apps with different configurations in one process.
"""

from __future__ import annotations

import datetime as dt
import functools
import threading
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.gzip import GZipMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from vo_models.tapregext.models import TableAccess

from tap.adql.features import language_features
from tap.async_jobs import tap_job_kind
from tap.capabilities import FeatureDecl, FormatDecl, TapLimits, tap_capabilities, tap_capability
from tap.formats import OUTPUT_FORMATS
from tap.handlers import TapEndpoint, read_params, tap_routes
from tap.schema import Catalog, StaticCatalog
from tap.service import TapService, TapSettings
from tap.uploads import UPLOAD_METHODS
from uws import UWSRuntime
from vo_service.analysis import AnalysisJobs
from vo_service.config import Config
from vo_service.db import Database, load_catalog, make_engine
from vo_service.db.catalog import SCHEMA_DESCRIPTIONS
from vo_service.http_errors import ERROR_HANDLERS
from vo_service.products import ProductStore
from vo_service.products.http import ProductEndpoints
from vo_service.products.tap_links import datalink_resources
from vo_service.registry import ServiceRegistry
from vo_service.sia import sia_routes
from vo_service.vosi import availability_document, capabilities_document

__all__ = ["CatalogCache", "create_app"]


class CatalogCache:
    """The published catalogue, re-read from the database at most every ``ttl`` seconds.

    Re-reading makes tables ingested by ``mmvo ingest`` in another process visible without a restart; the
    catalogue is immutable, so readers never see a half-updated one.
    """

    def __init__(self, engine: sa.Engine, ttl: float = 10.0) -> None:
        self._engine = engine
        self._ttl = ttl
        self._lock = threading.Lock()
        self._catalog: StaticCatalog | None = None
        self._loaded = 0.0

    def get(self) -> Catalog:
        now = time.monotonic()
        catalog = self._catalog
        if catalog is not None and now - self._loaded < self._ttl:
            return catalog
        with self._lock:
            if self._catalog is None or time.monotonic() - self._loaded >= self._ttl:
                self._catalog = load_catalog(self._engine)
                self._loaded = time.monotonic()
            return self._catalog


def _table_access(config: Config, catalog: CatalogCache) -> TableAccess:
    return tap_capability(
        config.url("/tap"),
        features=[FeatureDecl(f.type, f.form, f.description) for f in language_features()],
        formats=[FormatDecl(f.mime, tuple(f.aliases), f.ivo_id) for f in OUTPUT_FORMATS],
        limits=TapLimits(
            maxrec_default=config.maxrec_default,
            maxrec_hard=config.maxrec_hard,
            retention_default=int(config.job_destruction_days * 86400),
            retention_hard=int(config.job_destruction_days * 86400),
            execution_default=config.job_execution_duration,
            execution_hard=config.job_execution_duration_hard,
            upload_bytes=config.upload_limit_bytes,
        ),
        upload_methods=UPLOAD_METHODS,
        obscore=catalog.get().table("ivoa", "obscore") is not None,
    )


def _tap_capabilities_document(config: Config, catalog: CatalogCache) -> bytes:
    return capabilities_document(tap_capabilities(config.url("/tap"), _table_access(config, catalog)))


def create_app(config: Config | None = None) -> Starlette:
    """The MMVO web application for ``config`` (read from the environment when not given)."""
    config = config or Config()
    database = Database(config)
    catalog = CatalogCache(database.engine)
    started = dt.datetime.now(dt.UTC)

    def availability() -> bytes:
        notes: list[str] = []
        try:
            with database.engine.connect() as conn:
                conn.execute(sa.select(1))
            available = True
            notes.append("the database answers")
        except sa.exc.SQLAlchemyError as exc:
            available = False
            notes.append(f"the database does not answer: {type(exc).__name__}")
        return availability_document(available=available, up_since=started, notes=notes)

    tap_service = TapService(
        settings=TapSettings(
            config.maxrec_default, config.maxrec_hard, config.query_timeout, config.upload_limit_bytes
        ),
        dialect=database.dialect,
        catalog=catalog.get,
        cursor_factory=database.read_cursor,
        batch_source=database.read_batches,
        result_resources=functools.partial(datalink_resources, links_url=config.url("/datalink/links")),
    )
    jobs = UWSRuntime(config=config, engine=database.engine)
    tap_async = jobs.routes(
        tap_job_kind(tap_service),
        path="/tap/async",
        prefix="/async",
        read_params=functools.partial(read_params, upload_limit=config.upload_limit_bytes),
    )
    analyses = AnalysisJobs(
        config=config, engine=database.engine, engine_factory=functools.partial(make_engine, config)
    )
    products = ProductEndpoints(
        config=config,
        store=ProductStore(database.engine, config.data_dir / "products"),
        listings={listing.name: listing for listing in analyses.listings},
    )
    tap = TapEndpoint(
        service=tap_service,
        catalog=catalog.get,
        capabilities=lambda: _tap_capabilities_document(config, catalog),
        availability=availability,
        schema_descriptions=SCHEMA_DESCRIPTIONS,
        upload_limit=config.upload_limit_bytes,
    )

    async def home(request: Request) -> Response:
        return HTMLResponse(
            "<!DOCTYPE html><html><head><title>MMVO</title></head><body>"
            "<h1>MMVO: Multi-Messenger Virtual Observatory service</h1>"
            '<ul><li><a href="tap/">TAP service</a> (TAP 1.1, ADQL 2.1)</li>'
            '<li><a href="analysis">Analyses</a> (UWS 1.1 job lists)</li>'
            '<li><a href="capabilities">Capabilities</a></li>'
            '<li><a href="availability">Availability</a></li></ul></body></html>'
        )

    registry = ServiceRegistry(
        config=config,
        engine=database.engine,
        catalog=catalog.get,
        table_access=lambda: _table_access(config, catalog),
        schema_descriptions=SCHEMA_DESCRIPTIONS,
        analyses=analyses.listings,
    )

    async def capabilities(request: Request) -> Response:
        return Response(registry.capabilities_document(), media_type="text/xml")

    async def service_availability(request: Request) -> Response:
        return Response(availability(), media_type="text/xml")

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        database.warm_up()
        try:
            async with jobs.running(), analyses.running():
                yield
        finally:
            database.dispose()

    app = Starlette(
        routes=[
            Route("/", home, methods=["GET"]),
            Route("/capabilities", capabilities, methods=["GET"]),
            Route("/availability", service_availability, methods=["GET"]),
            Mount("/tap", routes=[*tap_routes(tap), *tap_async]),
            Mount("/sia", routes=sia_routes(tap_service, config=config, availability=availability)),
            *analyses.routes(),
            *registry.routes(),
            *products.routes(),
        ],
        middleware=[Middleware(GZipMiddleware, minimum_size=2048, compresslevel=4)],
        exception_handlers=ERROR_HANDLERS,
        lifespan=lifespan,
    )
    app.state.config = config
    app.state.database = database
    return app
