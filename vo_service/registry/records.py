"""The VOResource 1.1 records of the service, built from what the running service really offers.

Five records under ``ivo://{authority}``:

* ``/tap``: a ``vs:CatalogService`` with the TAP capability of ``/tap/capabilities``, its VOSI endpoints and
  examples, and the tableset of ``/tap/tables``;
* ``/sia``: a ``vs:CatalogService`` for SIA 2.0 over ``ivoa.obscore`` (its tableset);
* ``/analyses``: a ``vs:DataService`` with one UWS capability per analysis job list (left out when the service
  has no analyses);
* ``ivo://{authority}`` itself: the ``vg:Authority`` record;
* ``/registry``: the publishing registry (``vg:Registry``).

SIA has a record of its own rather than a capability in the TAP record: RegTAP searches by service type
return whole records, and pyvo's ``RegistryResource.service`` takes a record's first standard capability, so
a record per DAL protocol, its protocol first, comes back to a client with that protocol's service, title,
description and tableset.  DataLink has no record: a ``{links}`` endpoint is useless without the identifiers
that query results carry, and neither RegTAP clients nor pyvo can use one found on its own; it is declared
instead as a capability of the two services whose results point to it (TAP and SIA), after
their own protocol's.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree
from pydantic import AnyUrl
from vo_models.tapregext.models import TableAccess
from vo_models.voregistry.models import Authority
from vo_models.voresource.models import Capability, Contact, Content, Curation, Date, Resource, ResourceName

from tap.schema import Catalog, Table
from tap.vosi_tables import tableset_document
from vo_service.analysis.documents import Listing
from vo_service.config import Config
from vo_service.registry.capabilities import (
    datalink_capability,
    harvest_capability,
    sia_capability,
    tap_endpoint_capabilities,
    uws_capability,
)
from vo_service.registry.models import (
    CatalogService,
    Coverage,
    DataService,
    PublishingRegistry,
    ServiceReference,
)
from vo_service.registry.store import Stamp
from vo_service.vosi import vosi_capabilities

__all__ = ["RecordDraft", "ServiceFacts", "drafts", "ivoid"]

MOC_STANDARD_ID = "ivo://ivoa.net/std/moc"
MOC_PATH = "/coverage/moc.fits"
WAVEBANDS = ("X-ray", "Gamma-ray")
SUBJECTS = ("X-ray astronomy", "Gamma-ray astronomy", "High energy astrophysics")


@dataclass(frozen=True)
class ServiceFacts:
    """What the records describe, handed over by the application: the configuration, the published
    catalogue (read when a record is built, so newly ingested tables appear), the TAP capability, the
    analyses' job lists and the page size of the OAI-PMH interface."""

    config: Config
    catalog: Callable[[], Catalog]
    table_access: Callable[[], TableAccess]
    schema_descriptions: Mapping[str, str]
    analyses: Sequence[Listing]
    max_records: int


@dataclass(frozen=True)
class RecordDraft:
    """A record whose dates are still open: ``build(stamp)`` gives the ``ri:Resource`` model."""

    identifier: str
    build: Callable[[Stamp], Resource]


def ivoid(config: Config, path: str = "") -> str:
    """The IVOID of a resource of this service (``ivo://authority/path``; the authority alone for "")."""
    return f"ivo://{config.authority.lower()}{path}"


def _curation(config: Config, stamp: Stamp) -> Curation:
    return Curation(
        publisher=ResourceName(value=config.publisher),
        date=[Date(value=stamp.created, role="Created"), Date(value=stamp.updated, role="Updated")],
        contact=[Contact(name=ResourceName(value=config.publisher), email=config.contact_email)],
    )


def _content(config: Config, description: str, *types: str) -> Content:
    return Content(
        subject=list(SUBJECTS),
        description=description,
        reference_url=AnyUrl(config.url("/")),
        type=list(types),
        content_level=["Research"],
    )


def _root_vosi(config: Config) -> list[Capability]:
    return vosi_capabilities(config.base_url, tables=False)


def _coverage(config: Config) -> Coverage:
    footprint = ServiceReference(value=AnyUrl(config.url(MOC_PATH)), ivo_id=MOC_STANDARD_ID)
    return Coverage(footprint=footprint, waveband=list(WAVEBANDS))


def _tableset(tables: Sequence[Table], descriptions: Mapping[str, str]) -> etree._Element | None:
    """The ``tableset`` element of a record: the schemas of the VOSI tableset document, unchanged."""
    if not tables:
        return None
    document = etree.fromstring(tableset_document(tables, descriptions=descriptions))
    tableset = etree.Element("tableset")
    tableset.extend(list(document))
    return tableset


TAP_DESCRIPTION = (
    "Table access (TAP 1.1, ADQL 2.1 with geometry) to the multi-messenger source catalogue, the INTEGRAL "
    "observation index and the ObsCore view of every analysis product, whose files, previews and provenance "
    "are reached through DataLink."
)
SIA_DESCRIPTION = (
    "Simple Image Access 2.0 over the ObsCore view of the analysis products (images, spectra, light curves of "
    "the high-energy instruments), each linked to its files and provenance by DataLink."
)
ANALYSES_DESCRIPTION = (
    "On-demand analyses of high-energy observations, each a UWS 1.1 job list: post its parameters to create a "
    "job, whose products are then published through TAP, SIA and DataLink. Analyses: {titles}."
)
REGISTRY_DESCRIPTION = (
    "The OAI-PMH publishing registry of the MMVO service: the records of its TAP, SIA and analysis services "
    "and of its naming authority."
)


def _core(
    facts: ServiceFacts, stamp: Stamp, path: str, *, title: str, short_name: str | None
) -> dict[str, Any]:
    """The first elements of every record (``vr:Resource`` up to its content), as model arguments."""
    config = facts.config
    return {
        "created": stamp.created,
        "updated": stamp.updated,
        "status": "active",
        "title": title,
        "short_name": short_name,
        "identifier": AnyUrl(ivoid(config, path)),
        "curation": _curation(config, stamp),
    }


def _tap(facts: ServiceFacts, stamp: Stamp) -> Resource:
    config = facts.config
    return CatalogService(
        **_core(facts, stamp, "/tap", title="MMVO TAP service", short_name="MMVO TAP"),
        content=_content(config, TAP_DESCRIPTION, "Catalog", "Archive"),
        capability=[*tap_endpoint_capabilities(config, facts.table_access()), datalink_capability(config)],
        coverage=_coverage(config),
        tableset=_tableset(list(facts.catalog().tables()), facts.schema_descriptions),
    )


def _sia(facts: ServiceFacts, stamp: Stamp) -> Resource:
    config = facts.config
    obscore = facts.catalog().table("ivoa", "obscore")
    return CatalogService(
        **_core(facts, stamp, "/sia", title="MMVO image and product search (SIA 2.0)", short_name="MMVO SIA"),
        content=_content(config, SIA_DESCRIPTION, "Archive"),
        capability=[
            sia_capability(config),
            datalink_capability(config),
            *vosi_capabilities(config.url("/sia"), tables=False),
        ],
        coverage=_coverage(config),
        tableset=_tableset([obscore] if obscore else [], facts.schema_descriptions),
    )


def _analyses(facts: ServiceFacts, stamp: Stamp) -> Resource:
    config = facts.config
    titles = "; ".join(listing.info.title for listing in facts.analyses)
    return DataService(
        **_core(facts, stamp, "/analyses", title="MMVO analyses", short_name="MMVO analyses"),
        content=_content(config, ANALYSES_DESCRIPTION.format(titles=titles), "Transformation"),
        capability=[*(uws_capability(listing) for listing in facts.analyses), *_root_vosi(config)],
        coverage=_coverage(config),
    )


def _authority(facts: ServiceFacts, stamp: Stamp) -> Resource:
    config = facts.config
    authority = config.authority.lower()
    return Authority(
        **_core(facts, stamp, "", title=f"The {authority} naming authority", short_name=None),
        content=_content(
            config, f"The authority of the identifiers of the resources {config.publisher} publishes."
        ),
        managing_org=ResourceName(value=config.publisher),
    )


def _registry(facts: ServiceFacts, stamp: Stamp) -> Resource:
    config = facts.config
    return PublishingRegistry(
        **_core(facts, stamp, "/registry", title="MMVO publishing registry", short_name="MMVO registry"),
        content=_content(config, REGISTRY_DESCRIPTION, "Registry"),
        capability=[harvest_capability(config, max_records=facts.max_records), *_root_vosi(config)],
        full=False,
        managed_authority=[config.authority.lower()],
    )


def drafts(facts: ServiceFacts) -> list[RecordDraft]:
    """The records of the service as it is now, sorted by identifier."""
    config = facts.config
    builders: dict[str, Callable[[ServiceFacts, Stamp], Resource]] = {
        ivoid(config): _authority,
        ivoid(config, "/registry"): _registry,
        ivoid(config, "/tap"): _tap,
        ivoid(config, "/sia"): _sia,
    }
    if facts.analyses:
        builders[ivoid(config, "/analyses")] = _analyses
    return [
        RecordDraft(identifier, functools.partial(build, facts))
        for identifier, build in sorted(builders.items())
    ]


#: The stamp records are digested with: their content, not their dates, decides whether they changed.
PLACEHOLDER_STAMP = Stamp(dt.datetime(2000, 1, 1, tzinfo=dt.UTC), dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
