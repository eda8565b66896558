"""The DataLink rows of a product, from its manifest (``vo_service.products``): pure, so tested on its own.

Per product: ``#this`` (the main file), ``#preview`` and ``#auxiliary`` (the files that go with it),
``#progenitor`` (the science windows it was made from, as rows of the ScW index through TAP, and the products
of the same run it was derived from), ``#derivation`` (products made from it), ``#documentation`` (the
provenance record as W3C PROV-JSON and PROV-N, and a Python script that makes the product again: the DataLink
vocabulary has no provenance term), ``#auxiliary`` coverage MOCs, and ``#proc`` with the service descriptor
that runs the analysis again with the product's parameters as defaults.

Where things are is the caller's business (``LinkUrls``): this module only decides what is linked and how.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["DATALINK_TYPE", "LinkRow", "LinkUrls", "error_row", "product_links", "rerun_descriptor_id"]

DATALINK_TYPE = "application/x-votable+xml;content=datalink"
VOTABLE_TYPE = "application/x-votable+xml"


@dataclass(frozen=True)
class LinkRow:
    """One row of a {links} response: exactly one of access_url, service_def and error_message is set."""

    id: str
    semantics: str
    access_url: str | None = None
    service_def: str | None = None
    error_message: str | None = None
    description: str | None = None
    content_type: str | None = None
    content_length: int | None = None


@dataclass(frozen=True)
class LinkUrls:
    """Where a product's things are: ``file(product_id, name)``, ``links(product_id)`` (its DataLink
    document), ``scw(scw_id)`` (a science window's row of the index), ``document(product_id, name)``
    (provenance and script files)."""

    file: Callable[[str, str], str]
    links: Callable[[str], str]
    scw: Callable[[str], str]
    document: Callable[[str, str], str]


#: Provenance and reproduction documents: (name, media type, description).
DOCUMENTS: tuple[tuple[str, str, str], ...] = (
    ("provenance.json", "application/json", "Provenance record (IVOA Provenance DM as W3C PROV-JSON)"),
    ("provenance.provn", "text/provenance-notation", "Provenance record (IVOA Provenance DM as W3C PROV-N)"),
    (
        "reproduce.py",
        "text/x-python",
        "Python script that makes this product again with the service's client",
    ),
)
#: Coverage MOCs: (name, media type, description).
MOCS: tuple[tuple[str, str, str], ...] = (
    ("moc.fits", "application/fits", "Sky coverage of the product as a MOC 2.0 (FITS)"),
    ("moc.json", "application/json", "Sky coverage of the product as a MOC 2.0 (JSON)"),
)


def rerun_descriptor_id(product_id: str) -> str:
    """The XML ID of the service descriptor that runs a product's analysis again (an NCName)."""
    return "rerun-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in product_id)


def product_links(identifier: str, manifest: Mapping[str, Any], urls: LinkUrls) -> list[LinkRow]:
    """Every link of the product ``manifest`` describes, each row carrying ``identifier`` (the ID asked for);
    the ``#proc`` row refers to the descriptor ``rerun_descriptor_id(product_id)``."""
    pid = str(manifest["product_id"])
    rows: list[LinkRow] = []
    for entry in manifest["files"]:
        rows.append(
            LinkRow(
                identifier,
                entry["semantics"],
                access_url=urls.file(pid, entry["name"]),
                description=entry["description"] or entry["name"],
                content_type=entry["content_type"],
                content_length=int(entry["size"]),
            )
        )
    for item in manifest["inputs"]:
        if item["kind"] == "scw":
            version = f", data {item['data_version']}" if item.get("data_version") else ""
            rows.append(
                LinkRow(
                    identifier,
                    "#progenitor",
                    access_url=urls.scw(item["id"]),
                    description=f"Input science window {item['id']}{version} (its row of integral.scw)",
                    content_type=VOTABLE_TYPE,
                )
            )
    for relation, semantics, what in (
        ("progenitors", "#progenitor", "Product this one was made from"),
        ("derivations", "#derivation", "Product made from this one"),
    ):
        for other in manifest[relation]:
            rows.append(
                LinkRow(
                    identifier,
                    semantics,
                    access_url=urls.links(other),
                    description=f"{what}: {other} (its DataLink document)",
                    content_type=DATALINK_TYPE,
                )
            )
    for documents, semantics in ((DOCUMENTS, "#documentation"), (MOCS, "#auxiliary")):
        for name, media_type, description in documents:
            rows.append(
                LinkRow(
                    identifier,
                    semantics,
                    access_url=urls.document(pid, name),
                    description=description,
                    content_type=media_type,
                )
            )
    rows.append(
        LinkRow(
            identifier,
            "#proc",
            service_def=rerun_descriptor_id(pid),
            description=f"Run {manifest['activity']['analysis']} again, this product's parameters as defaults",
        )
    )
    return rows


def error_row(identifier: str, fault: str, message: str) -> LinkRow:
    """The row of an ID that has no links: ``fault`` is a DataLink fault name (``NotFoundFault``...)."""
    return LinkRow(identifier, "#this", error_message=f"{fault}: {message}")
