"""VOSI documents shared by every service endpoint: capabilities and availability.

Built with vo-models (pydantic-xml models of the IVOA schemas), so the documents are schema-valid by
construction; each endpoint contributes its own ``Capability`` objects.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from vo_models.vodataservice.models import ParamHTTP
from vo_models.voresource.models import AccessURL, Capability, WebBrowser
from vo_models.vosi.availability.models import Availability
from vo_models.vosi.capabilities.models import VOSICapabilities

__all__ = [
    "availability_document",
    "capabilities_document",
    "examples_capability",
    "param_http",
    "vosi_capabilities",
]

VOSI_CAPABILITIES = "ivo://ivoa.net/std/VOSI#capabilities"
VOSI_AVAILABILITY = "ivo://ivoa.net/std/VOSI#availability"
VOSI_TABLES = "ivo://ivoa.net/std/VOSI#tables-1.1"
DALI_EXAMPLES = "ivo://ivoa.net/std/DALI#examples"


def param_http(
    url: str, *, use: str = "full", role: str | None = None, version: str | None = None
) -> ParamHTTP:
    """A ``vs:ParamHTTP`` interface at ``url``."""
    return ParamHTTP(access_url=[AccessURL(value=url, use=use)], role=role, version=version)


def vosi_capabilities(base_url: str, *, tables: bool) -> list[Capability]:
    """The VOSI capabilities of an endpoint rooted at ``base_url`` (tables only where they exist)."""
    capabilities = [
        Capability(standard_id=VOSI_CAPABILITIES, interface=[param_http(f"{base_url}/capabilities")]),
        Capability(standard_id=VOSI_AVAILABILITY, interface=[param_http(f"{base_url}/availability")]),
    ]
    if tables:
        capabilities.append(Capability(standard_id=VOSI_TABLES, interface=[param_http(f"{base_url}/tables")]))
    return capabilities


def examples_capability(url: str) -> Capability:
    """The DALI examples capability (a document for web browsers)."""
    return Capability(
        standard_id=DALI_EXAMPLES, interface=[WebBrowser(access_url=[AccessURL(value=url, use="full")])]
    )


def capabilities_document(capabilities: Sequence[Capability]) -> bytes:
    """The ``vosi:capabilities`` document listing ``capabilities``."""
    document = VOSICapabilities(capability=list(capabilities))
    return bytes(document.to_xml(skip_empty=True, encoding="UTF-8", xml_declaration=True))


def availability_document(*, available: bool, up_since: dt.datetime, notes: Sequence[str] = ()) -> bytes:
    """The ``vosi:availability`` document."""
    document = Availability(available=available, up_since=up_since, note=list(notes))
    return bytes(document.to_xml(skip_empty=True, encoding="UTF-8", xml_declaration=True))
