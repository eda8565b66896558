"""One schema for whole OAI-PMH answers: both bundles of the official schemas together.

OAI-PMH processes ``metadata`` and ``description`` contents strictly, so an answer carrying ``ri:Resource``
records validates only against a schema that knows the OAI envelope and the registry types at once;
``benson-oai-bundle.xsd`` knows only the first.  The composite includes both bundles, from a folder of links
to the schemas so that ``tests.xmlschema`` resolves the schemas' remote imports to the same local files.
"""

from __future__ import annotations

from pathlib import Path

from lxml import etree

from tests.xmlschema import schema

__all__ = ["assert_valid_with", "registry_schema"]

_COMPOSITE = """<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema">
  <xs:include schemaLocation="benson-ivoa-bundle.xsd"/>
  <xs:include schemaLocation="benson-oai-bundle.xsd"/>
</xs:schema>
"""


def registry_schema(schemas: Path, workdir: Path) -> etree.XMLSchema:
    """The composite schema, built in ``workdir`` over the official schemas in ``schemas``."""
    for path in sorted(schemas.glob("*.xsd")):
        link = workdir / path.name
        if not link.exists():
            link.symlink_to(path.resolve())
    (workdir / "registry-bundle.xsd").write_text(_COMPOSITE)
    return schema(workdir, "registry-bundle.xsd")


def assert_valid_with(compiled: etree.XMLSchema, document: bytes) -> etree._Element:
    """Parses ``document``, asserts it is valid against ``compiled`` and returns its root."""
    root = etree.fromstring(document)
    if not compiled.validate(root):
        errors = "\n".join(str(e) for e in compiled.error_log)
        raise AssertionError(f"not schema-valid:\n{errors}")
    return root
