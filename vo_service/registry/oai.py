"""The publishing registry at ``/oai``: OAI-PMH 2.0 as Registry Interfaces 1.1 profiles it.

Six verbs over GET and POST; metadata formats ``ivo_vor`` (the ``ri:Resource`` records) and ``oai_dc``; one
set, ``ivo_managed``, holding every record (all are of the managed authority); datestamps to the second.
Lists come in pages of ``page_size`` records with resumption tokens.  Every error is an ``OAIError`` raised by
the request parser or a verb and rendered here, in ``respond``, as an OAI-PMH error answered with HTTP 200.
``noMetadataFormats`` answers ``ListMetadataFormats`` for a deleted record (nothing of it can be disseminated);
``noSetHierarchy`` never arises, since the registry has sets.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence

from lxml import etree
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import BaseRoute, Route

from vo_service.config import Config
from vo_service.registry import oai_xml
from vo_service.registry.capabilities import OAI_PATH
from vo_service.registry.oai_request import (
    OAIError,
    OAIRequest,
    ResumptionToken,
    Verb,
    format_datestamp,
    parse_request,
)
from vo_service.registry.published import Publication, PublishedRecord, resource_element

__all__ = ["MANAGED_SET", "METADATA_FORMATS", "PAGE_SIZE", "OAIRegistry"]

#: Records per page of ListIdentifiers and ListRecords.  Small, because records carry whole tablesets.
PAGE_SIZE = 3
MANAGED_SET = "ivo_managed"
RI_NS = "http://www.ivoa.net/xml/RegistryInterface/v1.0"
#: prefix -> (schema, namespace)
METADATA_FORMATS = {
    "ivo_vor": ("http://www.ivoa.net/xml/RegistryInterface/RegistryInterface-v1.0.xsd", RI_NS),
    "oai_dc": ("http://www.openarchives.org/OAI/2.0/oai_dc.xsd", oai_xml.OAI_DC_NS),
}
_NO_ECHO = frozenset({"badVerb", "badArgument"})

Snapshot = Callable[[], Sequence[PublishedRecord]]


def _find(records: Sequence[PublishedRecord], identifier: str) -> PublishedRecord:
    for record in records:
        if record.identifier.lower() == identifier.lower():
            return record
    raise OAIError("idDoesNotExist", f"{identifier} is not the identifier of a record of this registry")


class OAIRegistry:
    """The OAI-PMH interface of the records of ``publication``; ``registry_id`` is the registry's own."""

    def __init__(
        self, *, config: Config, publication: Publication, registry_id: str, page_size: int = PAGE_SIZE
    ) -> None:
        self.base_url = config.url(OAI_PATH)
        self.admin_email = config.contact_email
        self.publication = publication
        self.registry_id = registry_id
        self.page_size = page_size
        self._verbs: dict[Verb, Callable[[OAIRequest, Snapshot], etree._Element]] = {
            "Identify": self._identify,
            "ListMetadataFormats": self._list_metadata_formats,
            "ListSets": self._list_sets,
            "ListIdentifiers": functools.partial(self._list, metadata=False),
            "ListRecords": functools.partial(self._list, metadata=True),
            "GetRecord": self._get_record,
        }

    def respond(self, items: Sequence[tuple[str, str]], now: dt.datetime | None = None) -> bytes:
        """The OAI-PMH document answering the request arguments ``items`` (errors included)."""
        now = now or dt.datetime.now(dt.UTC)
        snapshot = functools.cache(self.publication.snapshot)
        try:
            request = parse_request(items)
            body = self._verbs[request.verb](request, snapshot)
        except OAIError as error:
            echo = {} if error.code in _NO_ECHO else dict(items)
            return oai_xml.error_document(now, self.base_url, echo, error.code, error.message)
        return oai_xml.document(now, self.base_url, dict(items), body)

    def routes(self) -> list[BaseRoute]:
        """``/oai`` for GET (query string) and POST (form)."""

        async def oai(request: Request) -> Response:
            if request.method == "POST":
                items = list((await request.form()).multi_items())
            else:
                items = list(request.query_params.multi_items())
            pairs = [(name, value) for name, value in items if isinstance(value, str)]
            document = await run_in_threadpool(self.respond, pairs)
            return Response(document, media_type="text/xml; charset=utf-8")

        return [Route(OAI_PATH, oai, methods=["GET", "POST"])]

    def _identify(self, request: OAIRequest, snapshot: Snapshot) -> etree._Element:
        records = snapshot()
        registry = _find(records, self.registry_id)
        body = oai_xml.verb_element("Identify")
        oai_xml.add(
            body, "repositoryName", registry.resource.title if registry.resource else self.registry_id
        )
        oai_xml.add(body, "baseURL", self.base_url)
        oai_xml.add(body, "protocolVersion", "2.0")
        oai_xml.add(body, "adminEmail", self.admin_email)
        earliest = min(record.stamp.updated for record in records)
        oai_xml.add(body, "earliestDatestamp", format_datestamp(earliest))
        oai_xml.add(body, "deletedRecord", "transient")
        oai_xml.add(body, "granularity", "YYYY-MM-DDThh:mm:ssZ")
        if registry.resource is not None:
            oai_xml.add(body, "description", "").append(resource_element(registry.resource))
        return body

    def _list_metadata_formats(self, request: OAIRequest, snapshot: Snapshot) -> etree._Element:
        if request.identifier is not None and _find(snapshot(), request.identifier).resource is None:
            raise OAIError("noMetadataFormats", f"{request.identifier} was deleted: it has no metadata left")
        body = oai_xml.verb_element("ListMetadataFormats")
        for prefix, (schema, namespace) in METADATA_FORMATS.items():
            oai_xml.metadata_format(body, prefix, schema, namespace)
        return body

    def _list_sets(self, request: OAIRequest, snapshot: Snapshot) -> etree._Element:
        body = oai_xml.verb_element("ListSets")
        element = oai_xml.add(body, "set", "")
        oai_xml.add(element, "setSpec", MANAGED_SET)
        oai_xml.add(element, "setName", "The resources of the authorities this registry manages")
        return body

    def _get_record(self, request: OAIRequest, snapshot: Snapshot) -> etree._Element:
        assert request.identifier is not None and request.metadata_prefix is not None
        prefix = self._prefix(request.metadata_prefix)
        record = _find(snapshot(), request.identifier)
        body = oai_xml.verb_element("GetRecord")
        self._record(body, record, prefix)
        return body

    def _list(self, request: OAIRequest, snapshot: Snapshot, *, metadata: bool) -> etree._Element:
        assert request.metadata_prefix is not None
        prefix = self._prefix(request.metadata_prefix)
        if request.set_spec not in (None, MANAGED_SET):
            raise OAIError("noRecordsMatch", f"this registry has no set {request.set_spec}")
        matching = [
            record
            for record in snapshot()
            if (request.start is None or record.stamp.updated >= request.start)
            and (request.until is None or record.stamp.updated <= request.until)
        ]
        token = request.token
        remaining = [r for r in matching if token is None or r.identifier > token.after]
        if not remaining:
            raise OAIError("noRecordsMatch", "no record matches the arguments")
        page, rest = remaining[: self.page_size], remaining[self.page_size :]
        body = oai_xml.verb_element(request.verb)
        for record in page:
            if metadata:
                self._record(body, record, prefix)
            else:
                self._header(body, record)
        cursor = token.cursor if token else 0
        if rest:
            following = ResumptionToken(
                verb=request.verb,
                metadata_prefix=prefix,
                start=format_datestamp(request.start) if request.start else None,
                until=format_datestamp(request.until) if request.until else None,
                set_spec=request.set_spec,
                after=page[-1].identifier,
                cursor=cursor + len(page),
            )
            oai_xml.resumption_token(body, following.encode(), complete=len(matching), cursor=cursor)
        elif token is not None:
            oai_xml.resumption_token(body, "", complete=len(matching), cursor=cursor)
        return body

    @staticmethod
    def _prefix(prefix: str) -> str:
        if prefix not in METADATA_FORMATS:
            known = ", ".join(METADATA_FORMATS)
            raise OAIError(
                "cannotDisseminateFormat", f"metadataPrefix {prefix} is not offered (only {known})"
            )
        return prefix

    @staticmethod
    def _header(parent: etree._Element, record: PublishedRecord) -> None:
        deleted = record.resource is None
        oai_xml.header(parent, record.identifier, record.stamp.updated, deleted=deleted, sets=[MANAGED_SET])

    def _record(self, parent: etree._Element, record: PublishedRecord, prefix: str) -> None:
        element = oai_xml.add(parent, "record", "")
        self._header(element, record)
        if record.resource is None:
            return
        if prefix == "ivo_vor":
            content = resource_element(record.resource)
        else:
            content = oai_xml.dublin_core(record.resource, record.stamp.updated)
        oai_xml.add(element, "metadata", "").append(content)
