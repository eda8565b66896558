"""A product's provenance as an IVOA Provenance DM record, serialised as W3C PROV-JSON and PROV-N.

One job is one Activity (the analysis, with its start and end, its code version and its parameters); the
science windows it read are Entities it used, each with its id, version and NRT/CONS data version, as is the
reference catalogue the searches fit and name sources with; the product is the Entity it generated, derived
from those inputs and from the products of the same run it was made from; the owner is the Agent the activity
was associated with (and the product attributed to), the service's code a SoftwareAgent.  Parameters are
Entities of type ``voprov:Parameter`` used in the role ``parameter`` (PROV has no parameter of its own),
valued as the job list takes them.

The ``prov`` library writes both serialisations, so they are standard by construction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from prov.model import ProvDocument

from datalink.reproduce import wire_parameters

__all__ = ["provenance_document", "provenance_json", "provenance_provn"]

VOPROV = "http://www.ivoa.net/documents/ProvenanceDM/ns/voprov/"
#: What every product's searches compared detections with (``instruments.reference``).
REFERENCE_CATALOGUE = "reference-catalogue"


def _local(value: str) -> str:
    """A string usable as the local part of a qualified name (PROV-N forbids some characters there)."""
    return "".join(c if c.isalnum() or c in "-_." else "_" for c in value)


def provenance_document(manifest: Mapping[str, Any], *, authority: str, service_url: str) -> ProvDocument:
    """The provenance of the product ``manifest`` describes; identifiers under ``ivo://{authority}/mmvo``."""
    document = ProvDocument()
    document.add_namespace("voprov", VOPROV)
    ns = document.add_namespace("mmvo", f"ivo://{authority}/mmvo/")
    scw = document.add_namespace("scw", f"ivo://{authority}/mmvo/scw/")
    activity_facts = manifest["activity"]
    pid = str(manifest["product_id"])
    main = manifest["files"][0]

    product = document.entity(
        ns[f"product/{_local(pid)}"],
        {
            "prov:label": manifest["title"],
            "prov:type": "voprov:Entity",
            "voprov:content_type": main["content_type"],
            "voprov:checksum": main["checksum"],
            "voprov:data_checksum": main["data_checksum"],
            "voprov:data_version": manifest["data_version"],
            "prov:location": f"{service_url}/datalink/links?ID={pid}",
        },
    )
    activity = document.activity(
        ns[f"job/{_local(activity_facts['job_id'])}"],
        dt.datetime.fromisoformat(activity_facts["started"]),
        dt.datetime.fromisoformat(activity_facts["finished"]),
        {
            "prov:label": activity_facts["analysis"],
            "prov:type": "voprov:Activity",
            "voprov:code_version": activity_facts["code_version"],
        },
    )
    software = document.agent(
        ns["software"],
        {
            "prov:type": "prov:SoftwareAgent",
            "prov:label": "MMVO",
            "voprov:version": activity_facts["code_version"],
        },
    )
    owner = activity_facts.get("owner") or "anonymous"
    person = document.agent(ns[f"user/{_local(owner)}"], {"prov:type": "prov:Person", "prov:label": owner})
    document.wasAssociatedWith(activity, person)
    document.wasAssociatedWith(activity, software)
    document.wasAttributedTo(product, person)
    document.wasGeneratedBy(product, activity, dt.datetime.fromisoformat(activity_facts["finished"]))

    for name, value in sorted(wire_parameters(activity_facts["parameters"]).items()):
        parameter = document.entity(
            ns[f"job/{_local(activity_facts['job_id'])}/parameter/{_local(name)}"],
            {"prov:type": "voprov:Parameter", "prov:label": name, "prov:value": value},
        )
        document.used(activity, parameter, None, None, {"prov:role": "parameter"})
    for item in manifest["inputs"]:
        is_scw = item["kind"] == "scw"
        used = document.entity(
            scw[_local(item["id"])] if is_scw else ns[f"{_local(item['kind'])}/{_local(item['id'])}"],
            {
                "prov:type": "voprov:Entity",
                "prov:label": f"science window {item['id']}" if is_scw else f"{item['kind']} {item['id']}",
                "voprov:id": item["id"],
                "voprov:version": item["version"],
                "voprov:data_version": item.get("data_version") or "unknown",
            },
        )
        document.used(activity, used, None, None, {"prov:role": "input"})
        document.wasDerivedFrom(product, used)
    catalogue = document.entity(
        ns[REFERENCE_CATALOGUE],
        {
            "prov:type": "voprov:Entity",
            "prov:label": "reference source catalogue",
            "voprov:version": activity_facts["code_version"],
        },
    )
    document.used(activity, catalogue, None, None, {"prov:role": "catalogue"})
    for other in manifest["progenitors"]:
        document.wasDerivedFrom(product, ns[f"product/{_local(other)}"])
    return document


def provenance_json(manifest: Mapping[str, Any], *, authority: str, service_url: str) -> bytes:
    """The record as W3C PROV-JSON."""
    document = provenance_document(manifest, authority=authority, service_url=service_url)
    return str(document.serialize(format="json", indent=1)).encode()


def provenance_provn(manifest: Mapping[str, Any], *, authority: str, service_url: str) -> bytes:
    """The record as W3C PROV-N."""
    document = provenance_document(manifest, authority=authority, service_url=service_url)
    return str(document.get_provn()).encode()
