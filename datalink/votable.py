"""The {links} response as a VOTable 1.4 document, with the service descriptors its rows refer to.

Written with lxml rather than astropy's VOTable classes: the document is small and of one fixed shape, and
DataLink wants exact control of things astropy's writer makes awkward (the ``standardID`` INFO inside the
results RESOURCE, ``adhoc:service`` meta resources whose PARAMs carry defaults and limits in an
``inputParams`` GROUP).  The table is TABLEDATA, which DataLink requires clients to read.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from datalink.links import LinkRow

__all__ = [
    "DescriptorParam",
    "ServiceDescriptor",
    "append_descriptor",
    "descriptor_fragment",
    "descriptors_document",
    "links_document",
    "new_votable",
    "serialise",
]

VOTABLE_NS = "http://www.ivoa.net/xml/VOTable/v1.3"
LINKS_STANDARD = "ivo://ivoa.net/std/DataLink#links-1.1"

#: The columns of a {links} table: name, datatype, arraysize, UCD, unit, description.
_COLUMNS: tuple[tuple[str, str, str | None, str, str | None, str], ...] = (
    ("ID", "char", "*", "meta.id;meta.main", None, "Identifier the links are for"),
    ("access_url", "char", "*", "meta.ref.url", None, "URL of the linked resource"),
    ("service_def", "char", "*", "meta.ref", None, "Reference to a service descriptor resource"),
    ("error_message", "char", "*", "meta.code.error", None, "Why there is no link for this ID"),
    ("description", "char", "*", "meta.note", None, "What the link is"),
    ("semantics", "char", "*", "meta.code", None, "Relation of the link to the ID (DataLink vocabulary)"),
    ("content_type", "char", "*", "meta.code.mime", None, "Media type of the linked resource"),
    ("content_length", "long", None, "phys.size;meta.file", "byte", "Size of the linked resource"),
)


@dataclass(frozen=True)
class DescriptorParam:
    """One input parameter of a service descriptor: a default ``value`` and, when known, its limits
    (``minimum``/``maximum`` as text, inclusive unless said otherwise) or its ``options``."""

    name: str
    datatype: str
    value: str
    description: str = ""
    unit: str | None = None
    ucd: str | None = None
    arraysize: str | None = None
    minimum: str | None = None
    maximum: str | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    options: tuple[str, ...] = ()
    ref: str | None = None


@dataclass(frozen=True)
class ServiceDescriptor:
    """An ``adhoc:service`` resource: a service clients can call, with its input parameters."""

    id: str
    name: str
    description: str
    access_url: str
    standard_id: str | None = None
    params: Sequence[DescriptorParam] = field(default_factory=tuple)


def _element(parent: etree._Element, tag: str, **attributes: str | None) -> etree._Element:
    return etree.SubElement(
        parent, f"{{{VOTABLE_NS}}}{tag}", {k: v for k, v in attributes.items() if v is not None}
    )


def _param(
    parent: etree._Element,
    name: str,
    value: str,
    *,
    datatype: str = "char",
    arraysize: str | None = None,
    unit: str | None = None,
    ucd: str | None = None,
    ref: str | None = None,
) -> etree._Element:
    if datatype == "char" and arraysize is None:
        arraysize = "*"
    return _element(
        parent,
        "PARAM",
        name=name,
        datatype=datatype,
        arraysize=arraysize,
        value=value,
        unit=unit,
        ucd=ucd,
        ref=ref,
    )


def append_descriptor(parent: etree._Element, descriptor: ServiceDescriptor) -> None:
    """Adds ``descriptor`` to ``parent`` (a VOTABLE element) as a ``RESOURCE type="meta"``."""
    resource = _element(parent, "RESOURCE", type="meta", utype="adhoc:service", ID=descriptor.id)
    resource.set("name", descriptor.name)
    if descriptor.description:
        _element(resource, "DESCRIPTION").text = descriptor.description
    _param(resource, "accessURL", descriptor.access_url, ucd="meta.ref.url")
    if descriptor.standard_id is not None:
        _param(resource, "standardID", descriptor.standard_id)
    group = _element(resource, "GROUP", name="inputParams")
    for p in descriptor.params:
        param = _param(
            group,
            p.name,
            p.value,
            datatype=p.datatype,
            arraysize=p.arraysize,
            unit=p.unit,
            ucd=p.ucd,
            ref=p.ref,
        )
        if p.description:
            _element(param, "DESCRIPTION").text = p.description
        if p.minimum is None and p.maximum is None and not p.options:
            continue
        values = _element(param, "VALUES")
        for tag, limit, inclusive in (
            ("MIN", p.minimum, p.min_inclusive),
            ("MAX", p.maximum, p.max_inclusive),
        ):
            if limit is not None:
                _element(values, tag, value=limit, inclusive="yes" if inclusive else "no")
        for option in p.options:
            _element(values, "OPTION", value=option)


def new_votable() -> etree._Element:
    """An empty VOTABLE 1.4 element in the VOTable namespace."""
    namespaces: Any = {None: VOTABLE_NS}  # the default namespace: lxml-stubs only know prefixed ones
    return etree.Element(f"{{{VOTABLE_NS}}}VOTABLE", nsmap=namespaces, version="1.4")


def serialise(root: etree._Element) -> bytes:
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))


def descriptor_fragment(descriptor: ServiceDescriptor) -> str:
    """``descriptor`` as a RESOURCE element (text) to be added to a VOTable written elsewhere (a TAP result),
    in that document's default namespace."""
    holder = new_votable()
    append_descriptor(holder, descriptor)
    text = etree.tostring(holder[0], encoding="unicode")
    # The host document declares the VOTable namespace as its default: the fragment inherits it, and a
    # repeated declaration on RESOURCE is one that VOTable readers (astropy) flag as an unknown attribute.
    return text.replace(f' xmlns="{VOTABLE_NS}"', "", 1) + "\n"


def descriptors_document(descriptors: Sequence[ServiceDescriptor]) -> bytes:
    """A VOTable of service descriptors only (a VOTable needs a RESOURCE: an empty meta one when none)."""
    root = new_votable()
    for descriptor in descriptors:
        append_descriptor(root, descriptor)
    if not descriptors:
        _element(root, "RESOURCE", type="meta")
    return serialise(root)


def _cell(row: LinkRow, name: str) -> str | None:
    value = getattr(row, name.lower() if name == "ID" else name)
    return None if value is None else str(value)


def links_document(
    rows: Sequence[LinkRow], descriptors: Sequence[ServiceDescriptor] = (), *, overflow: bool = False
) -> bytes:
    """The {links} VOTable of ``rows``, then ``descriptors``; ``overflow`` says the ID limit cut the list."""
    root = new_votable()
    results = _element(root, "RESOURCE", type="results")
    _element(results, "INFO", name="standardID", value=LINKS_STANDARD)
    table = _element(results, "TABLE", name="links")
    for name, datatype, arraysize, ucd, unit, description in _COLUMNS:
        column = _element(
            table, "FIELD", name=name, ID=name, datatype=datatype, arraysize=arraysize, ucd=ucd, unit=unit
        )
        _element(column, "DESCRIPTION").text = description
    data = _element(_element(table, "DATA"), "TABLEDATA")
    for row in rows:
        tr = _element(data, "TR")
        for name, *_ in _COLUMNS:
            _element(tr, "TD").text = _cell(row, name)
    _element(results, "INFO", name="QUERY_STATUS", value="OVERFLOW" if overflow else "OK")
    for descriptor in descriptors:
        append_descriptor(root, descriptor)
    return serialise(root)
