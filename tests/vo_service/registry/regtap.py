"""Registry records as a RegTAP service would return them to pyvo, so pyvo's registry classes read them.

pyvo has no parser for ``ri:Resource`` documents: it learns about resources from RegTAP queries, one row per
resource with its interfaces in parallel pseudo-arrays.  ``registry_results`` fills those rows from our records
the way RegTAP 1.1 maps VOResource (lower-cased IVOIDs, types and vocabulary terms) and hands them to
``pyvo.registry.RegistryResults``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from astropy.io.votable.tree import VOTableFile
from astropy.table import Table
from lxml import etree
from pyvo.registry import RegistryResults
from pyvo.registry.regtap import TOKEN_SEP

__all__ = ["registry_results"]

_XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
_TEXT = (
    "ivoid", "res_type", "short_name", "res_title", "content_level", "res_description", "reference_url",
    "creator_seq", "created", "updated", "rights", "content_type", "source_format", "source_value", "waveband",
    "access_urls", "standard_ids", "intf_types", "intf_roles", "cap_descriptions",
)  # fmt: skip


def _row(resource: etree._Element) -> dict[str, object]:
    def joined(path: str) -> str:
        return "#".join(t.strip().lower() for t in resource.xpath(path))

    interfaces = [
        (
            interface.findtext("accessURL") or "",
            (capability.get("standardID") or "").lower(),
            (interface.get(_XSI_TYPE) or "").lower(),
            interface.get("role") or "",
            capability.findtext("description") or "",
        )
        for capability in resource.findall("capability")
        for interface in capability.findall("interface")
    ]
    columns = list(zip(*interfaces, strict=True)) if interfaces else [(), (), (), (), ()]
    return {
        "ivoid": (resource.findtext("identifier") or "").lower(),
        "res_type": (resource.get(_XSI_TYPE) or "").lower(),
        "short_name": resource.findtext("shortName") or "",
        "res_title": resource.findtext("title") or "",
        "content_level": joined("content/contentLevel/text()"),
        "res_description": resource.findtext("content/description") or "",
        "reference_url": resource.findtext("content/referenceURL") or "",
        "creator_seq": "",
        "created": resource.get("created") or "",
        "updated": resource.get("updated") or "",
        "rights": "",
        "content_type": joined("content/type/text()"),
        "source_format": "",
        "source_value": "",
        "region_of_regard": math.nan,
        "waveband": joined("coverage/waveband/text()"),
        **{name: TOKEN_SEP.join(values) for name, values in zip(_TEXT[-5:], columns, strict=True)},
    }


def registry_results(resources: Sequence[etree._Element]) -> RegistryResults:
    """The RegTAP answer listing ``resources`` (``ri:Resource`` elements), as pyvo's registry results."""
    rows = [_row(resource) for resource in resources]
    table = Table(
        rows=[[row[name] for name in (*_TEXT, "region_of_regard")] for row in rows],
        names=[*_TEXT, "region_of_regard"],
    )
    return RegistryResults(VOTableFile.from_table(table))
