"""The capabilities of the service's endpoints, shared by ``/capabilities`` and the registry records.

One function per kind of endpoint, so the VOSI document of the whole service and the VOResource records that
describe parts of it declare the same standard IDs, interfaces and URLs.
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import AnyUrl
from vo_models.tapregext.models import TableAccess
from vo_models.voregistry.models import OAIHTTP, Harvest
from vo_models.voresource.models import AccessURL, Capability

from tap.capabilities import tap_capabilities
from vo_service.analysis.documents import UWS_STANDARD_ID, Listing
from vo_service.config import Config
from vo_service.vosi import (
    VOSI_AVAILABILITY,
    VOSI_CAPABILITIES,
    AnyCapability,
    param_http,
    vosi_capabilities,
)

__all__ = [
    "DATALINK_PATH",
    "DATALINK_STANDARD_ID",
    "OAI_PATH",
    "REGISTRY_STANDARD_ID",
    "SIA_PATH",
    "SIA_STANDARD_ID",
    "datalink_capability",
    "harvest_capability",
    "service_capabilities",
    "sia_capability",
    "tap_endpoint_capabilities",
    "uws_capability",
]

DATALINK_STANDARD_ID = "ivo://ivoa.net/std/DataLink#links-1.1"
SIA_STANDARD_ID = "ivo://ivoa.net/std/SIA#query-2.0"
REGISTRY_STANDARD_ID = "ivo://ivoa.net/std/Registry"
DATALINK_PATH = "/datalink/links"
SIA_PATH = "/sia/query"
OAI_PATH = "/oai"


def _standard(standard_id: str, url: str, *, version: str, description: str | None = None) -> Capability:
    return Capability(
        standard_id=AnyUrl(standard_id),
        description=description,
        interface=[param_http(url, use="full", role="std", version=version)],
    )


def uws_capability(listing: Listing) -> Capability:
    """The UWS 1.1 job list of one analysis, described by the analysis's title."""
    return Capability(
        standard_id=AnyUrl(UWS_STANDARD_ID),
        description=listing.info.title,
        interface=[param_http(listing.url, use="base", role="std", version="1.1")],
    )


def datalink_capability(config: Config) -> Capability:
    """The DataLink 1.1 ``{links}`` endpoint of the products."""
    return _standard(DATALINK_STANDARD_ID, config.url(DATALINK_PATH), version="1.1")


def sia_capability(config: Config) -> Capability:
    """The SIA 2.0 ``{query}`` endpoint over the ObsCore view of the products."""
    return _standard(SIA_STANDARD_ID, config.url(SIA_PATH), version="2.0")


def harvest_capability(config: Config, *, max_records: int) -> Harvest:
    """The OAI-PMH interface of the publishing registry (``vg:Harvest``, ``vg:OAIHTTP`` as a base URL)."""
    interface = OAIHTTP(
        access_url=[AccessURL(value=AnyUrl(config.url(OAI_PATH)), use="base")], role="std", version="1.0"
    )
    return Harvest(max_records=max_records, interface=[interface])


def tap_endpoint_capabilities(config: Config, table_access: TableAccess) -> list[Capability]:
    """What ``/tap/capabilities`` declares except its own VOSI capabilities and availability.

    Those two are left out where the whole service is described, whose own VOSI endpoints are the root's: a
    second capability with the same standard ID would leave clients to guess which one is meant.
    """
    own = {VOSI_CAPABILITIES, VOSI_AVAILABILITY}
    return [c for c in tap_capabilities(config.url("/tap"), table_access) if str(c.standard_id) not in own]


def service_capabilities(
    config: Config, *, table_access: TableAccess, analyses: Sequence[Listing], max_records: int
) -> list[AnyCapability]:
    """Every endpoint of the service, for its ``/capabilities``: TAP (with its tables and examples), each
    analysis job list, DataLink, SIA, the OAI-PMH registry and the root's VOSI endpoints."""
    return [
        *tap_endpoint_capabilities(config, table_access),
        *(uws_capability(listing) for listing in analyses),
        datalink_capability(config),
        sia_capability(config),
        harvest_capability(config, max_records=max_records),
        *vosi_capabilities(config.base_url, tables=False),
    ]
