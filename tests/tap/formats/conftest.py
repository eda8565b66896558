"""The VOTable XSD check for the format tests (offline; skipped when the schemas are absent)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree

from tests.xmlschema import schema


@pytest.fixture
def assert_schema_valid(schemas: Path) -> Callable[[bytes], None]:
    votable_schema = schema(schemas, "VOTable-v1.xsd")

    def check(document: bytes) -> None:
        tree = etree.fromstring(document, etree.XMLParser(huge_tree=True))
        if not votable_schema.validate(tree):
            raise AssertionError(str(votable_schema.error_log))

    return check
