"""HTTP handlers of ``/tap``: sync queries, VOSI capabilities/availability/tables, examples, the root page.

Handlers only translate between HTTP and ``TapService``; errors propagate as typed exceptions to the one
renderer the application installs.
"""

from __future__ import annotations

import html
import zlib
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from tap.examples import examples_document
from tap.params import DaliParams
from tap.schema import Catalog, normalise_identifier
from tap.service import TapService
from tap.vosi_tables import table_document, tableset_document
from vo_service.errors import NotFoundError, UsageError

__all__ = ["TapEndpoint", "accepts_gzip", "gzip_blocks", "read_params", "tap_routes"]

XML = "text/xml"


@dataclass
class TapEndpoint:
    """What the /tap handlers need from the application."""

    service: TapService
    catalog: Callable[[], Catalog]
    capabilities: Callable[[], bytes]
    availability: Callable[[], bytes]
    schema_descriptions: dict[str, str]
    upload_limit: int


async def read_params(request: Request, *, upload_limit: int) -> DaliParams:
    """The request's DALI parameters: query string, plus the form body of a POST (inline uploads kept apart).

    Raises:
        UsageError: an uploaded part is larger than the service accepts.
    """
    pairs = list(request.query_params.multi_items())
    files: dict[str, bytes] = {}
    if request.method == "POST":
        form = await request.form(max_part_size=upload_limit)
        for name, value in form.multi_items():
            if isinstance(value, UploadFile):
                content = await value.read(upload_limit + 1)
                if len(content) > upload_limit:
                    raise UsageError(f"uploaded part {name} is larger than {upload_limit} bytes")
                files[name] = content
            else:
                pairs.append((name, value))
    return DaliParams.from_pairs(pairs, files)


#: zlib level for compressed results: level 1 keeps up with the encoders (about 100 MB/s per core) and still
#: halves BINARY2 and quarters TABLEDATA; higher levels would make the compressor the bottleneck.
GZIP_LEVEL = 1


def accepts_gzip(request: Request) -> bool:
    """Whether the client lists gzip (without ``q=0``) in Accept-Encoding."""
    for item in request.headers.get("accept-encoding", "").split(","):
        coding, _, params = item.strip().partition(";")
        if coding.strip().lower() == "gzip":
            return params.replace(" ", "") not in {"q=0", "q=0.0", "q=0.00", "q=0.000"}
    return False


def gzip_blocks(blocks: Iterator[bytes], level: int = GZIP_LEVEL) -> Iterator[bytes]:
    """``blocks`` compressed as one gzip stream, compressed where they are produced (a worker thread)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    try:
        for block in blocks:
            compressed = compressor.compress(block)
            if compressed:
                yield compressed
        yield compressor.flush()
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:
            close()


async def _stream(blocks: Iterator[bytes]) -> AsyncIterator[bytes]:
    """Pulls blocks in worker threads (they run the database cursor and the encoder) and always closes them."""
    try:
        while True:
            block = await run_in_threadpool(next, blocks, None)
            if block is None:
                return
            yield block
    finally:
        close = getattr(blocks, "close", None)
        if close is not None:
            await run_in_threadpool(close)


def tap_routes(endpoint: TapEndpoint) -> list[BaseRoute]:
    """The routes under ``/tap`` (to be mounted there)."""

    async def sync(request: Request) -> Response:
        params = await read_params(request, upload_limit=endpoint.upload_limit)
        prepared = await run_in_threadpool(endpoint.service.prepare, params)  # uploads may be fetched
        rows = await run_in_threadpool(endpoint.service.start, prepared)
        blocks = prepared.stream(rows)
        headers = {"Vary": "Accept-Encoding"}
        if accepts_gzip(request):
            blocks = gzip_blocks(blocks)
            headers["Content-Encoding"] = "gzip"
        return StreamingResponse(_stream(blocks), media_type=prepared.output.mime, headers=headers)

    async def capabilities(request: Request) -> Response:
        return Response(endpoint.capabilities(), media_type=XML)

    async def availability(request: Request) -> Response:
        return Response(await run_in_threadpool(endpoint.availability), media_type=XML)

    async def tables(request: Request) -> Response:
        detail = request.query_params.get("detail", "max").lower()
        if detail not in {"min", "max"}:
            raise UsageError(f"detail must be min or max, not {detail!r}")
        document = tableset_document(
            endpoint.catalog().tables(),
            detail="min" if detail == "min" else "max",
            descriptions=endpoint.schema_descriptions,
        )
        return Response(document, media_type=XML)

    async def table(request: Request) -> Response:
        name = request.path_params["name"]
        schema, _, table_name = name.rpartition(".")
        found = endpoint.catalog().table(
            normalise_identifier(schema) if schema else None, normalise_identifier(table_name)
        )
        if found is None:
            raise NotFoundError(f"no table named {name}")
        return Response(table_document(found), media_type=XML)

    async def examples(request: Request) -> Response:
        return Response(examples_document(), media_type="application/xhtml+xml")

    async def root(request: Request) -> Response:
        return HTMLResponse(_root_page(str(request.url_for("tap_root")).rstrip("/")))

    return [
        Route("/", root, methods=["GET"], name="tap_root"),
        Route("/sync", sync, methods=["GET", "POST"]),
        Route("/capabilities", capabilities, methods=["GET"]),
        Route("/availability", availability, methods=["GET"]),
        Route("/tables", tables, methods=["GET"]),
        Route("/tables/{name:path}", table, methods=["GET"]),
        Route("/examples", examples, methods=["GET"]),
    ]


def _root_page(base: str) -> str:
    links = "".join(
        f'<li><a href="{html.escape(base)}/{path}">{html.escape(label)}</a></li>'
        for path, label in (
            ("capabilities", "Capabilities (VOSI)"),
            ("availability", "Availability (VOSI)"),
            ("tables", "Tables (VOSI)"),
            ("examples", "Example queries"),
        )
    )
    return (
        "<!DOCTYPE html><html><head><title>MMVO TAP service</title></head><body>"
        "<h1>MMVO TAP service</h1>"
        f"<p>TAP 1.1 with ADQL 2.1. Point TOPCAT or pyvo at <code>{html.escape(base)}</code>.</p>"
        f"<ul>{links}</ul></body></html>"
    )
