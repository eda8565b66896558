"""The OAI-PMH 2.0 documents, written with lxml.

vo-models has no OAI-PMH models (the protocol is not an IVOA one), so the envelope, headers and Dublin Core
records are written here directly; the registry records inside them are vo-models' ``ri:Resource`` elements.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from lxml import etree
from vo_models.voresource.models import Resource

from vo_service.registry.oai_request import format_datestamp

__all__ = [
    "OAI_NS",
    "add",
    "document",
    "dublin_core",
    "error_document",
    "header",
    "metadata_format",
    "resumption_token",
    "verb_element",
]

OAI_NS = "http://www.openarchives.org/OAI/2.0/"
OAI_DC_NS = "http://www.openarchives.org/OAI/2.0/oai_dc/"
DC_NS = "http://purl.org/dc/elements/1.1/"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = f"{OAI_NS} http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
_DC_SCHEMA_LOCATION = f"{OAI_DC_NS} http://www.openarchives.org/OAI/2.0/oai_dc.xsd"


def _oai(tag: str) -> str:
    return f"{{{OAI_NS}}}{tag}"


def _text(parent: etree._Element, tag: str, text: str, **attributes: str) -> etree._Element:
    element = etree.SubElement(parent, tag, attributes)
    element.text = text
    return element


def _envelope(now: dt.datetime, base_url: str, arguments: Mapping[str, str]) -> etree._Element:
    root = etree.Element(_oai("OAI-PMH"), nsmap={None: OAI_NS, "xsi": _XSI})  # type: ignore[dict-item]
    root.set(f"{{{_XSI}}}schemaLocation", _SCHEMA_LOCATION)
    _text(root, _oai("responseDate"), format_datestamp(now))
    _text(root, _oai("request"), base_url, **dict(arguments))
    return root


def _serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))


def document(now: dt.datetime, base_url: str, arguments: Mapping[str, str], body: etree._Element) -> bytes:
    """The answer to a request with ``arguments`` (echoed in ``request``): ``body`` is the verb's element."""
    root = _envelope(now, base_url, arguments)
    root.append(body)
    return _serialise(root)


def error_document(
    now: dt.datetime, base_url: str, arguments: Mapping[str, str], code: str, message: str
) -> bytes:
    """An error answer; ``arguments`` must be empty after ``badVerb`` and ``badArgument`` (OAI-PMH 3.6)."""
    root = _envelope(now, base_url, arguments)
    _text(root, _oai("error"), message, code=code)
    return _serialise(root)


def verb_element(verb: str) -> etree._Element:
    """The empty element of ``verb`` (``<ListRecords/>`` ...), to be filled by the registry."""
    return etree.Element(_oai(verb))


def add(parent: etree._Element, tag: str, text: str) -> etree._Element:
    """An OAI element ``tag`` holding ``text``."""
    return _text(parent, _oai(tag), text)


def header(
    parent: etree._Element, identifier: str, datestamp: dt.datetime, *, deleted: bool, sets: Iterable[str]
) -> etree._Element:
    """A record ``header``, ``status="deleted"`` for a deleted record."""
    element = etree.SubElement(parent, _oai("header"))
    if deleted:
        element.set("status", "deleted")
    add(element, "identifier", identifier)
    add(element, "datestamp", format_datestamp(datestamp))
    for spec in sets:
        add(element, "setSpec", spec)
    return element


def resumption_token(parent: etree._Element, token: str, *, complete: int, cursor: int) -> None:
    """The ``resumptionToken`` ending a page; an empty ``token`` ends the list."""
    element = etree.SubElement(
        parent, _oai("resumptionToken"), completeListSize=str(complete), cursor=str(cursor)
    )
    element.text = token or None


def metadata_format(parent: etree._Element, prefix: str, schema: str, namespace: str) -> None:
    """One ``metadataFormat`` of ``ListMetadataFormats``."""
    element = etree.SubElement(parent, _oai("metadataFormat"))
    add(element, "metadataPrefix", prefix)
    add(element, "schema", schema)
    add(element, "metadataNamespace", namespace)


def dublin_core(resource: Resource, datestamp: dt.datetime) -> etree._Element:
    """The ``oai_dc`` form of a record: title, identifier, description, publisher, date, subjects, types."""
    root = etree.Element(f"{{{OAI_DC_NS}}}dc", nsmap={"oai_dc": OAI_DC_NS, "dc": DC_NS, "xsi": _XSI})
    root.set(f"{{{_XSI}}}schemaLocation", _DC_SCHEMA_LOCATION)
    dc = f"{{{DC_NS}}}"
    _text(root, f"{dc}title", resource.title)
    _text(root, f"{dc}identifier", str(resource.identifier))
    _text(root, f"{dc}description", resource.content.description)
    if resource.curation.publisher.value:
        _text(root, f"{dc}publisher", resource.curation.publisher.value)
    _text(root, f"{dc}date", format_datestamp(datestamp))
    for subject in resource.content.subject:
        _text(root, f"{dc}subject", subject)
    for kind in resource.content.type or ():
        _text(root, f"{dc}type", kind)
    return root
