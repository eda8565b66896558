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
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from instruments.base import AnalysisInfo, ParameterInfo

__all__ = ["UWS_STANDARD_ID", "Listing", "index_html", "index_json", "index_votable"]

VOTABLE_NS = "http://www.ivoa.net/xml/VOTable/v1.3"
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


def _v(parent: etree._Element, tag: str, **attributes: str) -> etree._Element:
    return etree.SubElement(parent, f"{{{VOTABLE_NS}}}{tag}", attributes)


def _description(parent: etree._Element, text: str) -> None:
    if text:
        _v(parent, "DESCRIPTION").text = text


def _input_param(group: etree._Element, p: ParameterInfo) -> None:
    attributes = {"name": p.name, "datatype": p.datatype, "value": p.default or ""}
    if p.datatype == "char" or p.multiple:
        attributes["arraysize"] = "*"
    attributes |= {k: v for k, v in (("unit", p.unit), ("ucd", p.ucd)) if v}
    param = _v(group, "PARAM", **attributes)
    note = " (several values: repeat the parameter or separate them by commas)" if p.multiple else ""
    _description(param, p.description + note)
    if p.minimum is None and p.maximum is None and not p.options:
        return
    values = _v(param, "VALUES")
    for tag, limit, inclusive in (("MIN", p.minimum, p.min_inclusive), ("MAX", p.maximum, p.max_inclusive)):
        if limit is not None:
            number = str(int(limit)) if p.datatype == "long" else format(limit, ".15g")
            _v(values, tag, value=number, inclusive="yes" if inclusive else "no")
    for option in p.options:
        _v(values, "OPTION", value=option)


def index_votable(listings: Sequence[Listing]) -> bytes:
    """A VOTable 1.4 with one DataLink service descriptor per analysis."""
    namespaces: Any = {None: VOTABLE_NS}  # the default namespace: lxml-stubs only know prefixed ones
    root = etree.Element(f"{{{VOTABLE_NS}}}VOTABLE", nsmap=namespaces, version="1.4")
    for listing in listings:
        resource = _v(root, "RESOURCE", type="meta", utype="adhoc:service", name=listing.name)
        resource.set("ID", listing.name.replace("/", "-"))
        _description(resource, ": ".join(t for t in (listing.info.title, listing.info.description) if t))
        _v(
            resource,
            "PARAM",
            name="accessURL",
            datatype="char",
            arraysize="*",
            ucd="meta.ref.url",
            value=listing.url,
        )
        _v(resource, "PARAM", name="standardID", datatype="char", arraysize="*", value=UWS_STANDARD_ID)
        group = _v(resource, "GROUP", name="inputParams")
        for p in listing.info.parameters:
            _input_param(group, p)
    if not listings:  # a VOTable needs a RESOURCE
        _v(root, "RESOURCE", type="meta")
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
