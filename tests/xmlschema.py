"""Offline validation against the official IVOA and OAI-PMH schemas in the workplace's shared folder.

The schemas import each other by remote URL (a namespace URI or a versioned file name); the resolver maps every
such reference to the local copy by target namespace or file-name stem, so validation never touches the network.
"""

from __future__ import annotations

import functools
import re
from pathlib import Path

import pytest
from lxml import etree

__all__ = ["assert_valid", "schema"]

_TARGET = re.compile(rb'targetNamespace="([^"]+)"')


@functools.cache
def _index(folder: Path) -> dict[str, Path]:
    index: dict[str, Path] = {}
    for path in sorted(folder.glob("*.xsd")):
        match = _TARGET.search(path.read_bytes()[:4000])
        if match:
            index.setdefault(match.group(1).decode(), path)
        index[path.name] = path
        index[re.sub(r"-v[\d.]+\.xsd$", "", path.name)] = path
    return index


class _LocalResolver(etree.Resolver):
    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, system_url: str, public_id: str, context: object) -> object:
        index = _index(self.folder)
        name = system_url.rsplit("/", 1)[-1]
        stem = re.sub(r"-v[\d.]+\.xsd$", "", name)
        for key in (system_url, system_url.rstrip("/"), name, stem):
            if key in index:
                return self.resolve_filename(str(index[key]), context)
        return None


@functools.cache
def schema(folder: Path, name: str) -> etree.XMLSchema:
    """The compiled schema ``name`` (a file in ``folder``), skipping the test when the folder is absent."""
    path = folder / name
    if not path.exists():
        pytest.skip(f"schema {name} not available in {folder}")
    parser = etree.XMLParser()
    parser.resolvers.add(_LocalResolver(folder))
    return etree.XMLSchema(etree.parse(str(path), parser))


def assert_valid(document: bytes, folder: Path, name: str) -> etree._Element:
    """Parses ``document`` and asserts it validates against schema ``name``; returns the root element."""
    root = etree.fromstring(document)
    compiled = schema(folder, name)
    if not compiled.validate(root):
        errors = "\n".join(str(e) for e in compiled.error_log)
        raise AssertionError(f"not valid against {name}:\n{errors}")
    return root
