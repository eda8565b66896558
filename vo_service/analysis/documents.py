"""The index of analyses (``GET /analysis``) as JSON, HTML and a VOTable of DataLink service descriptors.

All three come from the same ``Listing``s: the analysis's ``describe()`` and the URL of its job list.  In the
VOTable each analysis is a DataLink 1.1 service descriptor (``RESOURCE type="meta" utype="adhoc:service"``)
whose ``accessURL`` is the UWS job list (``standardID`` UWS 1.1) and whose ``inputParams`` group carries each
parameter with its datatype, unit, UCD, default and limits (``VALUES`` with ``MIN``/``MAX``/``OPTION``), which
is what a VO client needs to build a form or a request.
"""

from __future__ import annotations

import dataclasses
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from datalink.votable import DescriptorParam, ServiceDescriptor, descriptors_document
from instruments.base import AnalysisInfo, ParameterInfo

__all__ = ["UWS_STANDARD_ID", "Listing", "index_html", "index_json", "index_votable", "service_descriptor"]

UWS_STANDARD_ID = "ivo://ivoa.net/std/UWS#rest-1.1"


@dataclass(frozen=True)
class Listing:
    """One analysis as the index shows it: ``name`` is ``instrument/product``, ``url`` its job list."""

    name: str
    url: str
    info: AnalysisInfo


def index_json(listings: Sequence[Listing]) -> bytes:
    """``{"analyses": [{name, url, title, description, parameters: [{name, datatype, unit, ...}]}]}``."""
    analyses = [
        {
            "name": listing.name,
            "url": listing.url,
            "title": listing.info.title,
            "description": listing.info.description,
            "parameters": [dataclasses.asdict(p) for p in listing.info.parameters],
        }
        for listing in listings
    ]
    return json.dumps({"analyses": analyses}, indent=1).encode()


def _html_row(p: ParameterInfo) -> str:
    allowed = p.allowed() or ("required" if p.required else "")
    kind = p.datatype + (" (several)" if p.multiple else "")
    cells = (p.name, kind, p.unit or "", p.default or "", allowed, p.description)
    return "<tr>" + "".join(f"<td>{html.escape(c)}</td>" for c in cells) + "</tr>"


def index_html(listings: Sequence[Listing]) -> str:
    """A page listing every analysis, its job list and a table of its parameters."""
    parts = [
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>MMVO analyses</title></head><body>",
        "<h1>Analyses</h1><p>Each analysis is a UWS 1.1 job list: POST parameters to its URL to create a job.</p>",
    ]
    for listing in listings:
        url, name = html.escape(listing.url, quote=True), html.escape(listing.name)
        parts.append(f"<h2 id='{html.escape(listing.name.replace('/', '-'), quote=True)}'>{name}: ")
        parts.append(f"{html.escape(listing.info.title)}</h2><p>{html.escape(listing.info.description)}</p>")
        parts.append(f"<p>Job list: <a href='{url}'>{url}</a></p><table><tr><th>parameter</th><th>type</th>")
        parts.append("<th>unit</th><th>default</th><th>allowed</th><th>description</th></tr>")
        parts.extend(_html_row(p) for p in listing.info.parameters)
        parts.append("</table>")
    parts.append("</body></html>")
    return "".join(parts)


def _descriptor_param(p: ParameterInfo, default: str | None) -> DescriptorParam:
    def number(limit: float | None) -> str | None:
        if limit is None:
            return None
        return str(int(limit)) if p.datatype == "long" else format(limit, ".15g")

    note = " (several values: repeat the parameter or separate them by commas)" if p.multiple else ""
    return DescriptorParam(
        name=p.name,
        datatype=p.datatype,
        value=default if default is not None else (p.default or ""),
        description=p.description + note,
        unit=p.unit or None,
        ucd=p.ucd or None,
        arraysize="*" if p.datatype == "char" or p.multiple else None,
        minimum=number(p.minimum),
        maximum=number(p.maximum),
        min_inclusive=p.min_inclusive,
        max_inclusive=p.max_inclusive,
        options=p.options,
    )


def service_descriptor(
    listing: Listing,
    *,
    defaults: Mapping[str, str] | None = None,
    id: str | None = None,
    name: str | None = None,
) -> ServiceDescriptor:
    """The DataLink service descriptor of an analysis: its job list with every parameter, defaults from
    ``defaults`` where given (a product's own parameters, to run it again) else the analysis's."""
    given = {k.upper(): v for k, v in (defaults or {}).items()}
    return ServiceDescriptor(
        id=id or listing.name.replace("/", "-"),
        name=name or listing.name,
        description=": ".join(t for t in (listing.info.title, listing.info.description) if t),
        access_url=listing.url,
        standard_id=UWS_STANDARD_ID,
        params=tuple(_descriptor_param(p, given.get(p.name.upper())) for p in listing.info.parameters),
    )


def index_votable(listings: Sequence[Listing]) -> bytes:
    """A VOTable 1.4 with one DataLink service descriptor per analysis."""
    return descriptors_document([service_descriptor(listing) for listing in listings])
