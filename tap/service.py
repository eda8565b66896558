"""The TAP query service: from DALI parameters to a result ready to stream, independent of HTTP.

Sync queries and (next) async jobs both go through ``TapService.prepare``/``start``, so validation, MAXREC and
the echoed INFOs are the same whichever way a query arrives.  A prepared query carries its uploaded tables: the
query is translated against the published catalogue plus them, and the cursor it runs on has them.  A query
without uploads may be read as Arrow record batches when the service has a batch source (see
:mod:`tap.runner`); uploads exist only on the row path's connection.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from typing import Any, Protocol

from tap.adql.translate import translate
from tap.formats import resolve_format
from tap.formats.base import Info, OutputFormat
from tap.params import DaliParams, parse_maxrec
from tap.runner import BatchSource, QueryRows, run_query
from tap.schema import Catalog, Column, Dialect, StaticCatalog
from tap.uploads import Fetch, UploadTable, fetch_url, parse_uploads
from vo_service.errors import UsageError

__all__ = ["ADQL_LANGS", "PreparedQuery", "TapService", "TapSettings", "UploadCursorFactory"]

#: LANG values accepted (compared case-insensitively).
ADQL_LANGS = frozenset({"adql", "adql-2.0", "adql-2.1"})
TAP_STANDARD_ID = "ivo://ivoa.net/std/TAP"


@dataclass(frozen=True)
class TapSettings:
    """The limits a TAP service applies (from the service configuration)."""

    maxrec_default: int
    maxrec_hard: int
    timeout: float
    #: Bytes of all the uploads of one query together.
    upload_limit: int


class UploadCursorFactory(Protocol):
    """Opens a read-only DB-API cursor that stops its query after ``timeout`` seconds and on whose connection
    the ``uploads`` exist as the tables their ``Table.sql_name`` names."""

    def __call__(
        self, timeout: float, uploads: Sequence[UploadTable] = ()
    ) -> AbstractContextManager[Any]: ...


@dataclass(frozen=True)
class PreparedQuery:
    """A checked query: its SQL, result columns, output format, the INFOs to echo and its uploaded tables."""

    sql: str
    columns: tuple[Column, ...]
    output: OutputFormat
    maxrec: int
    infos: tuple[Info, ...]
    uploads: tuple[UploadTable, ...] = ()
    #: VOTable RESOURCE fragments to follow the results (DataLink service descriptors for its rows).
    resources: tuple[str, ...] = ()

    def stream(self, rows: QueryRows) -> Iterator[bytes]:
        """The result document of ``rows`` (see ``OutputFormat.stream``) with this query's INFOs and RESOURCEs."""
        return self.output.stream(
            rows.columns, rows.chunks, status=rows.status, infos=self.infos, extra_resources=self.resources
        )


def _with_uploads(catalog: Catalog, uploads: Sequence[UploadTable]) -> Catalog:
    """The catalogue a query is translated against: the published tables plus its own uploads."""
    if not uploads:
        return catalog
    base = catalog if isinstance(catalog, StaticCatalog) else StaticCatalog(catalog.tables())
    return base.with_tables(u.table for u in uploads)


class TapService:
    """Checks and runs ADQL queries against the published catalogue."""

    def __init__(
        self,
        *,
        settings: TapSettings,
        dialect: Dialect,
        catalog: Callable[[], Catalog],
        cursor_factory: UploadCursorFactory,
        fetch: Fetch = fetch_url,
        batch_source: BatchSource | None = None,
        result_resources: Callable[[Sequence[Column]], Sequence[str]] | None = None,
    ) -> None:
        """``result_resources`` gives, for a result's columns, the RESOURCE fragments its VOTable should
        carry after the results (such as a DataLink service descriptor referring to an identifier column)."""
        self.settings = settings
        self._result_resources = result_resources
        self.dialect = dialect
        self._catalog = catalog
        self._cursor_factory = cursor_factory
        self._fetch = fetch
        self._batch_source = batch_source

    def prepare(self, params: DaliParams) -> PreparedQuery:
        """Validates the parameters, reads the uploads and translates the query; no database access, but
        blocking when an upload is fetched from a URL (call from a worker thread).

        Raises:
            UsageError: a missing or bad parameter (named in the message), a refused upload (named, with the
                reason), or an invalid query.
        """
        request = params.get("REQUEST")
        if request is not None and request.lower() != "doquery":
            raise UsageError(f"REQUEST={request} is not supported; use REQUEST=doQuery or leave it out")
        lang = params.get("LANG")
        if lang is None:
            raise UsageError("parameter LANG is missing; use LANG=ADQL")
        if lang.strip().lower() not in ADQL_LANGS:
            raise UsageError(f"unknown query language LANG={lang}; this service accepts ADQL (2.0 and 2.1)")
        query = params.get("QUERY")
        if query is None or not query.strip():
            raise UsageError("parameter QUERY is missing or empty")
        output = self._output_format(params)
        maxrec = parse_maxrec(
            params.get("MAXREC"), default=self.settings.maxrec_default, hard=self.settings.maxrec_hard
        )
        uploads = tuple(parse_uploads(params, limit=self.settings.upload_limit, fetch=self._fetch))
        catalog = _with_uploads(self._catalog(), uploads)
        translation = translate(query, catalog=catalog, dialect=self.dialect, limit=maxrec + 1)
        infos = (
            Info("QUERY_STATUS", "OK"),
            Info("standardID", TAP_STANDARD_ID),
            Info("request_date", dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S")),
            Info("LANG", lang),
            Info("QUERY", "", query),
            Info("MAXREC", str(maxrec)),
        )
        resources = tuple(self._result_resources(translation.columns)) if self._result_resources else ()
        return PreparedQuery(translation.sql, translation.columns, output, maxrec, infos, uploads, resources)

    def _output_format(self, params: DaliParams) -> OutputFormat:
        response_format = params.get("RESPONSEFORMAT")
        alias = params.get("FORMAT")
        if response_format is not None and alias is not None and response_format != alias:
            raise UsageError("give RESPONSEFORMAT or FORMAT, not both with different values")
        return resolve_format(response_format if response_format is not None else alias)

    def start(self, prepared: PreparedQuery, *, timeout: float | None = None) -> QueryRows:
        """Runs the query up to its first chunk (blocking; call from a worker thread).

        ``timeout`` (seconds) shortens the service's query timeout, e.g. to what is left of an async job's
        execution duration.

        Raises:
            UsageError: the database refused the query.
            QueryTimeoutError: the query ran out of time before its first rows.
        """
        return run_query(
            functools.partial(self._cursor_factory, uploads=prepared.uploads),
            prepared.sql,
            prepared.columns,
            maxrec=prepared.maxrec,
            timeout=self.settings.timeout if timeout is None else min(timeout, self.settings.timeout),
            batch_source=None if prepared.uploads else self._batch_source,
        )
