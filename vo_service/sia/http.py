"""HTTP handlers of ``/sia``: the SIA 2.0 ``{query}`` endpoint (DALI-sync, GET and POST) and its VOSI
capabilities and availability, siblings of it as DALI wants.

Handlers only move parameters and bytes: the query is the service's (:mod:`vo_service.sia.service`), the
errors are typed and prefixed for SIA (:mod:`vo_service.sia.faults`), the documents are written elsewhere.
Compression is the application's middleware's: SIA answers list products, small next to TAP results, which
compress their blocks in the worker threads instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterator

from starlette.concurrency import iterate_in_threadpool, run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from tap.handlers import read_params
from tap.runner import QueryRows
from tap.service import TapService
from vo_service.config import Config
from vo_service.registry.capabilities import SIA_PATH, sia_capability
from vo_service.sia.faults import fault_chunks, sia_faults
from vo_service.sia.service import SiaService
from vo_service.vosi import capabilities_document, vosi_capabilities

__all__ = ["sia_routes"]

XML = "text/xml"


async def _pulled(blocks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """The blocks, each produced in a worker thread (they run the cursor and the encoder); closed in the end
    even when the client goes away, which releases the cursor."""
    try:
        async for block in iterate_in_threadpool(blocks):
            yield block
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:
            await run_in_threadpool(close)


def sia_routes(tap: TapService, *, config: Config, availability: Callable[[], bytes]) -> list[BaseRoute]:
    """The routes under ``/sia`` (to be mounted there): ``query``, ``capabilities`` and ``availability``.

    ``tap`` runs the queries; ``availability`` gives the service's VOSI availability document.
    """
    service = SiaService(tap, access_url=config.url(SIA_PATH))
    capabilities = capabilities_document(
        [sia_capability(config), *vosi_capabilities(config.url("/sia"), tables=False)]
    )

    async def query(request: Request) -> Response:
        with sia_faults():
            params = await read_params(request, upload_limit=config.upload_limit_bytes)
            prepared = await run_in_threadpool(service.prepare, params)
            rows = await run_in_threadpool(service.start, prepared)
        blocks = prepared.stream(QueryRows(rows.columns, fault_chunks(rows.chunks), rows.status))
        return StreamingResponse(_pulled(blocks), media_type=prepared.output.mime)

    async def capabilities_endpoint(request: Request) -> Response:
        return Response(capabilities, media_type=XML)

    async def availability_endpoint(request: Request) -> Response:
        return Response(await run_in_threadpool(availability), media_type=XML)

    return [
        Route("/query", query, methods=["GET", "POST"]),
        Route("/capabilities", capabilities_endpoint, methods=["GET"]),
        Route("/availability", availability_endpoint, methods=["GET"]),
    ]
