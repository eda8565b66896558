"""HTTP access to the products: DataLink ``{links}``, the files, provenance records, scripts and MOCs.

- ``/datalink/links?ID=...`` (GET or POST, ``ID`` repeatable): the links of every ID in order, one error row
  (``NotFoundFault``) per unknown one; past ``ID_LIMIT`` IDs the answer stops with ``QUERY_STATUS=OVERFLOW``.
  An ID is a product's ``obs_publisher_did`` (``ivo://{authority}/mmvo?{product_id}``) or the bare product id.
- ``/products/{product_id}/{name}``: a file of the product (as its manifest lists it), or one of the documents
  made on request from the manifest: ``provenance.json`` / ``provenance.provn`` (``datalink.provenance``),
  ``reproduce.py`` (``datalink.reproduce``), ``moc.fits`` / ``moc.json`` (``coverage``).
- ``/coverage/moc.fits`` and ``/coverage/moc.json``: the union of every product's MOC, the service's coverage.

The pure work (rows, documents) lives in ``datalink``; this module finds products and says where things are.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import FileResponse, Response
from starlette.routing import BaseRoute, Route

from datalink.links import DATALINK_TYPE, LinkRow, LinkUrls, error_row, product_links, rerun_descriptor_id
from datalink.provenance import provenance_json, provenance_provn
from datalink.reproduce import reproduce_script, wire_parameters
from datalink.votable import ServiceDescriptor, links_document
from tap.handlers import read_params
from vo_service.analysis.documents import Listing, service_descriptor
from vo_service.config import Config
from vo_service.demo.products import publisher_did_prefix
from vo_service.errors import NotFoundError, UsageError
from vo_service.products.coverage import footprint_moc, moc_fits, moc_json
from vo_service.products.store import ProductStore

__all__ = ["ID_LIMIT", "ProductEndpoints"]

#: The most IDs one {links} request is answered for.
ID_LIMIT = 1000
_RESPONSE_FORMATS = frozenset({"votable", "application/x-votable+xml", DATALINK_TYPE})


class ProductEndpoints:
    """The product routes of one service (see the module docstring); ``listings`` are the analyses by name,
    for the descriptors that run a product's analysis again."""

    def __init__(self, *, config: Config, store: ProductStore, listings: Mapping[str, Listing]) -> None:
        self.config = config
        self.store = store
        self.listings = listings
        self._did_prefix = publisher_did_prefix(config.authority)

        def product_url(pid: str, name: str) -> str:  # files and documents alike
            return config.url(f"/products/{quote(pid)}/{quote(name)}")

        self.urls = LinkUrls(
            file=product_url,
            links=lambda pid: config.url(f"/datalink/links?ID={quote(self._did_prefix + pid, safe='')}"),
            scw=self._scw_url,
            document=product_url,
        )
        self._documents: dict[str, tuple[str, Callable[[dict[str, Any]], bytes]]] = {
            "provenance.json": ("application/json", self._provenance_json),
            "provenance.provn": ("text/provenance-notation; charset=utf-8", self._provenance_provn),
            "reproduce.py": ("text/x-python; charset=utf-8", self._reproduce),
            "moc.fits": ("application/fits", lambda m: moc_fits(footprint_moc(m["footprint"]))),
            "moc.json": ("application/json", lambda m: moc_json(footprint_moc(m["footprint"]))),
        }

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/datalink/links", self.links, methods=["GET", "POST"]),
            Route("/products/{product_id}/{name}", self.file, methods=["GET"]),
            Route("/coverage/moc.fits", self.coverage_fits, methods=["GET"]),
            Route("/coverage/moc.json", self.coverage_json, methods=["GET"]),
        ]

    # ------------------------------------------------------------------ DataLink

    def product_id(self, identifier: str) -> str:
        """The product id an ID names: the part after the DID prefix (compared case-insensitively), or the
        ID itself."""
        if identifier.lower().startswith(self._did_prefix.lower()):
            return identifier[len(self._did_prefix) :]
        return identifier

    async def links(self, request: Request) -> Response:
        params = await read_params(request, upload_limit=self.config.upload_limit_bytes)
        response_format = params.get("RESPONSEFORMAT")
        if response_format is not None and response_format.replace(" ", "") not in _RESPONSE_FORMATS:
            raise UsageError(
                f"parameter RESPONSEFORMAT: {response_format!r} is not offered; the links come as "
                f"{DATALINK_TYPE} (RESPONSEFORMAT votable)"
            )
        identifiers = params.getlist("ID")
        document = await asyncio.to_thread(self._links_document, identifiers)
        return Response(document, media_type=DATALINK_TYPE)

    def _links_document(self, identifiers: tuple[str, ...]) -> bytes:
        rows: list[LinkRow] = []
        descriptors: dict[str, ServiceDescriptor] = {}
        for identifier in identifiers[:ID_LIMIT]:
            manifest = self.store.manifest(self.product_id(identifier))
            if manifest is None:
                rows.append(error_row(identifier, "NotFoundFault", f"no product has the ID {identifier}"))
                continue
            links = product_links(identifier, manifest, self.urls)
            descriptor = self._rerun(manifest)
            if descriptor is None:  # the analysis is gone from this service: nothing to run again
                links = [r for r in links if r.service_def is None]
            else:
                descriptors[descriptor.id] = descriptor
            rows += links
        return links_document(rows, list(descriptors.values()), overflow=len(identifiers) > ID_LIMIT)

    def _rerun(self, manifest: dict[str, Any]) -> ServiceDescriptor | None:
        activity = manifest["activity"]
        listing = self.listings.get(activity["analysis"])
        if listing is None:
            return None
        return service_descriptor(
            listing,
            defaults=wire_parameters(activity["parameters"]),
            id=rerun_descriptor_id(str(manifest["product_id"])),
            name=f"{listing.name} again for {manifest['product_id']}",
        )

    def _scw_url(self, scw_id: str) -> str:
        query = f"SELECT * FROM integral.scw WHERE scw_id = '{scw_id.replace(chr(39), '')}'"
        return self.config.url(f"/tap/sync?REQUEST=doQuery&LANG=ADQL&QUERY={quote(query, safe='')}")

    # ------------------------------------------------------------------ files and documents

    async def file(self, request: Request) -> Response:
        pid, name = request.path_params["product_id"], request.path_params["name"]
        manifest = await asyncio.to_thread(self.store.manifest, pid)
        if manifest is None:
            raise NotFoundError(f"no product {pid}")
        made = self._documents.get(name)
        if made is not None:
            media_type, make = made
            return Response(await asyncio.to_thread(make, manifest), media_type=media_type)
        path = self.store.file(pid, name, manifest)
        entry = next((f for f in manifest["files"] if f["name"] == name), None)
        if path is None or entry is None:
            raise NotFoundError(f"product {pid} has no file {name}")
        return FileResponse(path, media_type=entry["content_type"], filename=name)

    def _provenance_json(self, manifest: dict[str, Any]) -> bytes:
        return provenance_json(manifest, authority=self.config.authority, service_url=self.config.base_url)

    def _provenance_provn(self, manifest: dict[str, Any]) -> bytes:
        return provenance_provn(manifest, authority=self.config.authority, service_url=self.config.base_url)

    def _reproduce(self, manifest: dict[str, Any]) -> bytes:
        return reproduce_script(manifest, service_url=self.config.base_url).encode()

    # ------------------------------------------------------------------ coverage

    async def coverage_fits(self, request: Request) -> Response:
        moc = await asyncio.to_thread(self.store.coverage)
        return Response(moc_fits(moc), media_type="application/fits")

    async def coverage_json(self, request: Request) -> Response:
        moc = await asyncio.to_thread(self.store.coverage)
        return Response(moc_json(moc), media_type="application/json")
