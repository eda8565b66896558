"""The registry side of the application, assembled once by ``create_app``: the records of the service, their
datestamps, the OAI-PMH interface and the VOSI capabilities of the whole service."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

import sqlalchemy as sa
from starlette.routing import BaseRoute
from vo_models.tapregext.models import TableAccess

from tap.schema import Catalog
from vo_service.analysis.documents import Listing
from vo_service.config import Config
from vo_service.registry.capabilities import service_capabilities
from vo_service.registry.oai import PAGE_SIZE, OAIRegistry
from vo_service.registry.published import Publication
from vo_service.registry.records import ServiceFacts, drafts, ivoid
from vo_service.registry.store import StampStore
from vo_service.vosi import capabilities_document

__all__ = ["ServiceRegistry"]


class ServiceRegistry:
    """Records of the service built from ``catalog`` (read at each use), ``table_access`` (the TAP
    capability) and the ``analyses``' job lists, stamped in ``engine``'s database and served at ``/oai``."""

    def __init__(
        self,
        *,
        config: Config,
        engine: sa.Engine,
        catalog: Callable[[], Catalog],
        table_access: Callable[[], TableAccess],
        schema_descriptions: Mapping[str, str],
        analyses: Sequence[Listing],
        page_size: int = PAGE_SIZE,
    ) -> None:
        self.facts = ServiceFacts(config, catalog, table_access, schema_descriptions, analyses, page_size)
        self.publication = Publication(lambda: drafts(self.facts), StampStore(engine))
        self.oai = OAIRegistry(
            config=config,
            publication=self.publication,
            registry_id=ivoid(config, "/registry"),
            page_size=page_size,
        )

    def capabilities_document(self) -> bytes:
        """The VOSI capabilities of the whole service (``/capabilities``)."""
        facts = self.facts
        return capabilities_document(
            service_capabilities(
                facts.config,
                table_access=facts.table_access(),
                analyses=facts.analyses,
                max_records=facts.max_records,
            )
        )

    def routes(self) -> list[BaseRoute]:
        """The OAI-PMH route, ``/oai``."""
        return self.oai.routes()
