"""VOSI documents shared by every service endpoint: capabilities and availability.

Built with vo-models (pydantic-xml models of the IVOA schemas), so the documents are schema-valid by
construction; each endpoint contributes its own ``Capability`` objects.  pydantic-xml serialises a field by
its declared type, so the capabilities document declares every capability subtype the service uses
(``AnyCapability``): vo-models' own document knows only ``tr:TableAccess`` and would write the registry's
``vg:Harvest`` without its ``maxRecords``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Literal

from pydantic import AnyUrl
from pydantic_xml import BaseXmlModel, element
from vo_models.tapregext.models import TableAccess
from vo_models.vodataservice.models import ParamHTTP
from vo_models.voregistry.models import Harvest
from vo_models.voresource.models import AccessURL, Capability, Interface, WebBrowser
from vo_models.vosi.availability.models import Availability
from vo_models.vosi.capabilities.models import NSMAP as CAPABILITIES_NSMAP
from vo_models.vosi.capabilities.models import VOSICapabilities

__all__ = [
    "VOSI_AVAILABILITY",
    "VOSI_CAPABILITIES",
    "VOSI_TABLES",
    "AnyCapability",
    "availability_document",
    "capabilities_document",
    "capability",
    "examples_capability",
    "param_http",
    "vosi_capabilities",
]

VOSI_CAPABILITIES = "ivo://ivoa.net/std/VOSI#capabilities"
VOSI_AVAILABILITY = "ivo://ivoa.net/std/VOSI#availability"
VOSI_TABLES = "ivo://ivoa.net/std/VOSI#tables-1.1"
DALI_EXAMPLES = "ivo://ivoa.net/std/DALI#examples"

#: Every capability type the service declares, the most specific first, so each keeps its own elements.
AnyCapability = TableAccess | Harvest | Capability


class _Capabilities(VOSICapabilities, tag="capabilities", ns="vosi", nsmap=CAPABILITIES_NSMAP):
    capability: list[AnyCapability] = element(tag="capability", ns="", nsmap={"": ""}, default=[])


def param_http(
    url: str,
    *,
    use: Literal["full", "base", "dir"] = "full",
    role: str | None = None,
    version: str | None = None,
) -> ParamHTTP:
    """A ``vs:ParamHTTP`` interface at ``url``."""
    return ParamHTTP(access_url=[AccessURL(value=AnyUrl(url), use=use)], role=role, version=version)


def capability(standard_id: str, interface: Interface) -> Capability:
    """A plain ``vr:Capability`` with one interface."""
    return Capability(standard_id=AnyUrl(standard_id), interface=[interface])


def vosi_capabilities(base_url: str, *, tables: bool) -> list[Capability]:
    """The VOSI capabilities of an endpoint rooted at ``base_url`` (tables only where they exist)."""
    capabilities = [
        capability(VOSI_CAPABILITIES, param_http(f"{base_url}/capabilities")),
        capability(VOSI_AVAILABILITY, param_http(f"{base_url}/availability")),
    ]
    if tables:
        capabilities.append(capability(VOSI_TABLES, param_http(f"{base_url}/tables")))
    return capabilities


def examples_capability(url: str) -> Capability:
    """The DALI examples capability (a document for web browsers)."""
    return capability(DALI_EXAMPLES, WebBrowser(access_url=[AccessURL(value=AnyUrl(url), use="full")]))


def _xml(document: BaseXmlModel) -> bytes:
    xml = document.to_xml(skip_empty=True, encoding="UTF-8", xml_declaration=True)
    return xml if isinstance(xml, bytes) else xml.encode()


def capabilities_document(capabilities: Sequence[AnyCapability]) -> bytes:
    """The ``vosi:capabilities`` document listing ``capabilities``."""
    return _xml(_Capabilities(capability=list(capabilities)))


def availability_document(*, available: bool, up_since: dt.datetime, notes: Sequence[str] = ()) -> bytes:
    """The ``vosi:availability`` document."""
    return _xml(Availability(available=available, up_since=up_since, note=list(notes)))
