"""A registry of its own for the tests: a small catalogue, two analyses, a TAP capability and an SQLite (or
PostgreSQL) database for the stamps, served in-process with the whole-service ``/capabilities``."""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlalchemy as sa
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from vo_models.tapregext.models import TableAccess

from instruments.base import AnalysisInfo
from tap.capabilities import FeatureDecl, FormatDecl, TapLimits, tap_capability
from tap.schema import Catalog, Column, StaticCatalog, Table
from tap.tap_schema import TAP_SCHEMA_TABLES
from vo_service.analysis.documents import Listing
from vo_service.config import Config
from vo_service.registry import ServiceRegistry

__all__ = ["OBSCORE", "SOURCES", "Parts", "build_app", "table_access"]

SOURCES = Table(
    schema="mmvo",
    name="sources",
    description="Sources & their <positions>",
    columns=(
        Column("source_id", "long", ucd="meta.id;meta.main", description="Identifier", nullable=False),
        Column(
            "ra", "double", unit="deg", ucd="pos.eq.ra;meta.main", description="Right ascension", std=True
        ),
        Column("pos", "double", "2", xtype="point", unit="deg", description="Position", indexed=True),
    ),
    primary_key=("source_id",),
    nrows=3,
)
OBSCORE = Table(
    schema="ivoa",
    name="obscore",
    description="The products in ObsCore terms",
    columns=(Column("obs_id", "char", "*", ucd="meta.id", description="Observation", std=True),),
    table_type="view",
)


def table_access(config: Config) -> TableAccess:
    """A TAP capability as the application builds one."""
    return tap_capability(
        config.url("/tap"),
        features=[FeatureDecl("ivo://ivoa.net/std/TAPRegExt#features-adqlgeo", "POINT", "a point")],
        formats=[
            FormatDecl(
                "application/x-votable+xml", ("votable",), "ivo://ivoa.net/std/TAPRegExt#output-votable-td"
            )
        ],
        limits=TapLimits(10, 100, 3600, 3600, 60, 600, 1000),
        upload_methods=["ivo://ivoa.net/std/TAPRegExt#upload-inline"],
        obscore=True,
    )


LISTINGS = [
    Listing("isgri/image", "", AnalysisInfo("ISGRI image", "A mosaic & its sources", ())),
    Listing("noop/echo", "", AnalysisInfo("Echo", "Returns its message", ())),
]


@dataclass
class Parts:
    """What the registry describes; tests change ``tables`` or ``analyses`` to see records change."""

    config: Config
    tables: list[Table] = field(default_factory=lambda: [OBSCORE, SOURCES, *TAP_SCHEMA_TABLES])
    analyses: list[Listing] = field(default_factory=list)

    def catalog(self) -> Catalog:
        return StaticCatalog(self.tables)

    def __post_init__(self) -> None:
        self.analyses = [
            Listing(listing.name, self.config.url(f"/analysis/{listing.name}"), listing.info)
            for listing in LISTINGS
        ]


def build_app(parts: Parts, engine: sa.Engine, *, page_size: int) -> tuple[Starlette, ServiceRegistry]:
    """An application serving ``/capabilities`` and ``/oai`` of a registry over ``parts``."""
    registry = ServiceRegistry(
        config=parts.config,
        engine=engine,
        catalog=parts.catalog,
        table_access=lambda: table_access(parts.config),
        schema_descriptions={"mmvo": "The MMVO tables", "ivoa": "IVOA tables"},
        analyses=parts.analyses,
        page_size=page_size,
    )

    async def capabilities(request: Request) -> Response:
        return Response(registry.capabilities_document(), media_type="text/xml")

    routes = [Route("/capabilities", capabilities), *registry.routes()]
    return Starlette(routes=routes), registry
