"""The DALI ``UPLOAD`` parameter: tables a query brings along, queried as ``TAP_UPLOAD.name``.

``UPLOAD=name,URI`` may be repeated, and one value may hold several pairs separated by ``;``.  The name is a
regular identifier (compared case-insensitively, stored lower-case); the URI is ``param:part`` for a file part
of the same multipart POST, or an ``http``/``https`` URL that the service fetches.  Every upload is a VOTable,
read by :mod:`tap.upload_votable`; together the uploads may not exceed the byte limit the service declares.
Upload tables exist only for the query that brings them: they are never part of the published catalogue.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import httpx

from tap.params import DaliParams
from tap.position import find_position
from tap.schema import UPLOAD_SCHEMA, Table
from tap.upload_votable import UnreadableUpload, read_votable
from vo_service.errors import UsageError

__all__ = [
    "FETCH_TIMEOUT",
    "MAX_UPLOAD_ROWS",
    "UPLOAD_METHODS",
    "Fetch",
    "UploadTable",
    "fetch_url",
    "parse_uploads",
    "upload_references",
]

#: TAPRegExt upload methods this module implements.
UPLOAD_METHODS = (
    "ivo://ivoa.net/std/TAPRegExt#upload-inline",
    "ivo://ivoa.net/std/TAPRegExt#upload-http",
    "ivo://ivoa.net/std/TAPRegExt#upload-https",
)
#: Rows accepted in one uploaded table: a crossmatch list, not a catalogue.
MAX_UPLOAD_ROWS = 1_000_000
#: Seconds allowed to fetch an upload given by URL.
FETCH_TIMEOUT = 30.0
#: Rows per chunk handed to the database layer.
_CHUNK_ROWS = 50_000
_NAME = re.compile(r"[A-Za-z][A-Za-z0-9_]*\Z")
#: Name of the hidden HEALPix column the SQLite storage adds to tables with a position.
_HIDDEN_HPX = "_hpx"

#: Fetches a URL: ``fetch(url, limit)`` returns at most ``limit`` bytes or raises ``UsageError``.
Fetch = Callable[[str, int], bytes]


@dataclass(frozen=True)
class UploadTable:
    """One uploaded table: its name, its metadata (schema ``tap_upload``) and its rows as column chunks.

    Each chunk maps column names to equally long lists of values, as the database layer loads them.
    """

    name: str
    table: Table
    chunks: tuple[Mapping[str, Sequence[Any]], ...]


def upload_references(params: DaliParams) -> list[tuple[str, str]]:
    """The (name, URI) pairs of every UPLOAD value, names lower-cased, in the order given.

    Raises:
        UsageError: a pair without a comma, a name that is not a regular identifier, or a name given twice.
    """
    pairs: list[tuple[str, str]] = []
    seen: set[str] = set()
    for value in params.getlist("UPLOAD"):
        for item in value.split(";"):
            if not item.strip():
                continue
            name, comma, uri = (part.strip() for part in item.partition(","))
            if not comma or not uri:
                raise UsageError(f"UPLOAD {item.strip()!r} must be name,URI")
            if not _NAME.match(name):
                raise UsageError(
                    f"UPLOAD name {name!r} must be a regular identifier (a letter, then letters, digits or _)"
                )
            key = name.lower()
            if key in seen:
                raise UsageError(f"UPLOAD name {name!r} is given more than once")
            seen.add(key)
            pairs.append((key, uri))
    return pairs


def fetch_url(url: str, limit: int, *, timeout: float = FETCH_TIMEOUT) -> bytes:
    """The body of ``url`` (http or https, redirects followed), read up to ``limit`` bytes within ``timeout`` s.

    No proxy settings or ``.netrc`` credentials of the server's environment are used for these requests.

    Raises:
        UsageError: the URL cannot be fetched, answers with an error status, is larger than ``limit`` bytes or
            takes longer than ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    body = bytearray()
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, trust_env=False) as client,
            client.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                raise UsageError(f"{url} answered with HTTP status {response.status_code}")
            for block in response.iter_bytes():
                body += block
                if len(body) > limit:
                    raise UsageError(f"{url} is larger than {limit} bytes")
                if time.monotonic() > deadline:
                    raise UsageError(f"{url} took longer than {timeout:g} s to download")
    except httpx.HTTPError as exc:
        raise UsageError(f"{url} could not be fetched: {exc or type(exc).__name__}") from exc
    return bytes(body)


def _content(name: str, uri: str, params: DaliParams, limit: int, fetch: Fetch) -> bytes:
    scheme, colon, rest = uri.partition(":")
    scheme = scheme.lower()
    if not colon:
        raise UsageError(f"upload {name}: {uri!r} is not a URI; use param:part, http:// or https://")
    if scheme == "param":
        if rest not in params.files:
            raise UsageError(f"upload {name}: the request has no file part named {rest!r}")
        return params.files[rest]
    if scheme in {"http", "https"}:
        try:
            return fetch(uri, limit)
        except UsageError as exc:
            raise UsageError(f"upload {name}: {exc}") from exc
    raise UsageError(f"upload {name}: URI scheme {scheme!r} is not supported; use param:, http: or https:")


def _upload_table(name: str, data: bytes, max_rows: int) -> UploadTable:
    try:
        content = read_votable(data, max_rows=max_rows)
    except UnreadableUpload as exc:
        raise UsageError(f"upload {name}: {exc}") from exc
    columns = content.columns
    names = [c.name for c in columns]
    position = None if _HIDDEN_HPX in (n.lower() for n in names) else find_position(columns)
    table = Table(
        schema=UPLOAD_SCHEMA,
        name=name,
        columns=columns,
        description=content.description or f"Table uploaded as {name}",
        position=position,
        nrows=content.rows,
    )
    chunks = tuple(
        {
            column: values[start : start + _CHUNK_ROWS]
            for column, values in zip(names, content.values, strict=True)
        }
        for start in range(0, content.rows, _CHUNK_ROWS)
    )
    return UploadTable(name, table, chunks)


def parse_uploads(
    params: DaliParams, *, limit: int, max_rows: int = MAX_UPLOAD_ROWS, fetch: Fetch = fetch_url
) -> list[UploadTable]:
    """The tables of the request's UPLOAD parameter, read and checked (blocking: URLs are fetched).

    ``limit`` bounds the bytes of all uploads together, ``max_rows`` the rows of each.

    Raises:
        UsageError: a malformed UPLOAD value, an unknown ``param:`` part, an unsupported URI scheme, a URL
            that cannot be fetched, uploads larger than ``limit`` bytes, or a document that is not an
            acceptable VOTable; the message names the upload.
    """
    uploads: list[UploadTable] = []
    total = 0
    for name, uri in upload_references(params):
        data = _content(name, uri, params, limit - total, fetch)
        total += len(data)
        if total > limit:
            raise UsageError(f"upload {name}: the uploads are larger than {limit} bytes")
        uploads.append(_upload_table(name, data, max_rows))
    return uploads
