"""The pydantic-xml models of registry records that vo-models lacks or serialises too narrowly.

vo-models 0.5 has ``vr:Service``, ``vg:Registry`` and ``vg:Authority`` but no ``vs:DataService``,
``vs:CatalogService`` or ``vs:Coverage``; those are declared here on top of its ``vr:Service``.  Its
``Service.capability`` is typed ``list[Capability]``, and pydantic-xml serialises a field by its declared
type, so a ``tr:TableAccess`` or ``vg:Harvest`` put there would lose its own elements (``language``,
``maxRecords``); every record model here therefore declares ``capability`` as the union
``vo_service.vosi.AnyCapability``, as the VOSI capabilities document does.

The tableset of a catalogue service is a raw lxml element: it is the one ``/tap/tables`` serves
(``tap.vosi_tables``), which vo-models' ``TableSet`` could not write (no ``extendedType``, ``std`` turned into a
flag), and taking the same element keeps the record and ``/tap/tables`` equal by construction.
"""

from __future__ import annotations

from typing import Literal

from lxml import etree
from pydantic import AnyUrl
from pydantic_xml import BaseXmlModel, attr, element
from vo_models.voregistry.models import Registry
from vo_models.voresource.models import ResourceName, Service

from vo_service.vosi import AnyCapability

__all__ = [
    "NSMAP",
    "CatalogService",
    "Coverage",
    "DataService",
    "PublishingRegistry",
    "ServiceReference",
]

NSMAP = {
    "ri": "http://www.ivoa.net/xml/RegistryInterface/v1.0",
    "vr": "http://www.ivoa.net/xml/VOResource/v1.0",
    "vs": "http://www.ivoa.net/xml/VODataService/v1.1",
    "vg": "http://www.ivoa.net/xml/VORegistry/v1.0",
    "tr": "http://www.ivoa.net/xml/TAPRegExt/v1.0",
    "xsi": "http://www.w3.org/2001/XMLSchema-instance",
}


class ServiceReference(BaseXmlModel):
    """``vs:ServiceReference``: the URL of a service, with the IVOID of what it offers in ``ivo-id``."""

    value: AnyUrl
    ivo_id: str | None = attr(name="ivo-id", default=None)


class Coverage(BaseXmlModel, tag="coverage"):
    """``vs:Coverage``: a footprint service and the messenger wavebands (in schema order)."""

    footprint: ServiceReference | None = element(tag="footprint", default=None)
    waveband: list[str] = element(tag="waveband", default_factory=list)


class DataService(Service, tag="Resource", ns="ri", nsmap=NSMAP):
    """``vs:DataService`` as an ``ri:Resource``: a service on data without a common tabular schema."""

    capability: list[AnyCapability] = element(tag="capability", default_factory=list)
    type: Literal["vs:DataService", "vs:CatalogService"] = attr(ns="xsi", default="vs:DataService")
    facility: list[ResourceName] = element(tag="facility", ns="", default_factory=list)
    instrument: list[ResourceName] = element(tag="instrument", ns="", default_factory=list)
    coverage: Coverage | None = element(tag="coverage", ns="", default=None)


class CatalogService(DataService, tag="Resource", ns="ri", nsmap=NSMAP, arbitrary_types_allowed=True):
    """``vs:CatalogService`` as an ``ri:Resource``; ``tableset`` is an lxml ``tableset`` element."""

    type: Literal["vs:DataService", "vs:CatalogService"] = attr(ns="xsi", default="vs:CatalogService")
    tableset: etree._Element | None = element(tag="tableset", ns="", default=None)


class PublishingRegistry(Registry, tag="Resource", ns="ri", nsmap=NSMAP):
    """``vg:Registry`` whose capabilities keep their subtypes (the ``vg:Harvest`` one has ``maxRecords``)."""

    capability: list[AnyCapability] = element(tag="capability", default_factory=list)
