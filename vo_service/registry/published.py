"""The records as published at one moment: each with its datestamps, deleted ones as bare identifiers.

A snapshot builds every record, digests its content (built with placeholder dates, so the digest changes only
with the content), lets the store stamp the digests, and builds the records again with their real dates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from lxml import etree
from vo_models.voresource.models import Resource

from vo_service.registry.records import PLACEHOLDER_STAMP, RecordDraft
from vo_service.registry.store import Stamp, StampStore

__all__ = ["Publication", "PublishedRecord", "resource_element"]


def resource_element(resource: Resource) -> etree._Element:
    """The ``ri:Resource`` element of a record."""
    element = resource.to_xml_tree(skip_empty=True)
    assert isinstance(element, etree._Element)  # pydantic-xml's lxml backend
    return element


def _digest(draft: RecordDraft) -> str:
    canonical = etree.tostring(resource_element(draft.build(PLACEHOLDER_STAMP)), method="c14n")
    return hashlib.sha256(canonical).hexdigest()


def _no_later_than(stamp: Stamp, now: dt.datetime) -> Stamp:
    """A stamp made by a process whose clock runs ahead of this one's, moved back to this one's present:
    VOResource dates must not lie in the future (vo-models refuses them)."""
    if stamp.updated <= now:
        return stamp
    return dataclasses.replace(stamp, created=min(stamp.created, now), updated=now)


@dataclass(frozen=True)
class PublishedRecord:
    """One identifier as a harvester sees it: its stamp, and its record unless it was deleted."""

    identifier: str
    stamp: Stamp
    resource: Resource | None


class Publication:
    """The records of ``drafts()`` (the service as it is now) with the datestamps kept by ``store``."""

    def __init__(self, drafts: Callable[[], Sequence[RecordDraft]], store: StampStore) -> None:
        self._drafts = drafts
        self._store = store

    def snapshot(self) -> list[PublishedRecord]:
        """Every identifier ever published, sorted, deleted ones included (with ``resource`` None)."""
        current = {draft.identifier: draft for draft in self._drafts()}
        stamps = self._store.stamp({identifier: _digest(draft) for identifier, draft in current.items()})
        now = dt.datetime.now(dt.UTC)
        published = []
        for identifier in sorted(stamps):
            stamp = _no_later_than(stamps[identifier], now)
            draft = current.get(identifier)
            resource = draft.build(stamp) if draft is not None and not stamp.deleted else None
            published.append(PublishedRecord(identifier, stamp, resource))
        return published
