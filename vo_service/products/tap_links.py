"""The DataLink service descriptor TAP results carry when they hold product identifiers.

A result with ``obs_publisher_did`` (from ``ivoa.obscore``) or ``product_id`` (from ``mmvo.products``) gets a
``RESOURCE type="meta" utype="adhoc:service"`` whose ``ID`` parameter refers to that column's FIELD, so pyvo's
``iter_datalinks()`` and TOPCAT's DataLink window follow every row to its links.  Columns are recognised by
name and UCD together, so an unrelated column that happens to share a name is not taken for an identifier.
"""

from __future__ import annotations

from collections.abc import Sequence

from datalink.votable import DescriptorParam, ServiceDescriptor, descriptor_fragment
from tap.formats.votable import field_ids
from tap.schema import Column

__all__ = ["LINKS_STANDARD_ID", "datalink_resources"]

LINKS_STANDARD_ID = "ivo://ivoa.net/std/DataLink#links-1.1"
#: (column name, UCD) of the identifiers DataLink answers for, preferred first.
_IDENTIFIERS = (("obs_publisher_did", "meta.ref.ivoid"), ("product_id", "meta.id;meta.main"))


def datalink_resources(columns: Sequence[Column], *, links_url: str) -> list[str]:
    """The descriptor for a result with ``columns`` (none when it has no product identifier)."""
    ids = field_ids([c.name for c in columns])
    for name, ucd in _IDENTIFIERS:
        for column, field_id in zip(columns, ids, strict=True):
            if column.name.lower() == name and (column.ucd or "").lower() == ucd:
                descriptor = ServiceDescriptor(
                    id="datalink",
                    name="datalink",
                    description="DataLink: the files, previews, inputs and provenance of each product",
                    access_url=links_url,
                    standard_id=LINKS_STANDARD_ID,
                    params=(DescriptorParam("ID", "char", "", "Identifier of the product", ref=field_id),),
                )
                return [descriptor_fragment(descriptor)]
    return []
