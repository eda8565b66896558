"""Validators for the format tests: the VOTable XSD (offline) and STILTS votlint, both skipped when absent."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest
from lxml import etree


class _LocalSchemas(etree.Resolver):
    """Resolves schema imports naming remote locations to the copies in the shared schema folder."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self._folder = folder

    # lxml calls resolve(url, public_id, context); its stubs omit the context and resolve_filename.
    def resolve(self, system_url: str, public_id: str, context: object) -> object:  # type: ignore[override]
        local = self._folder / system_url.rstrip("/").rsplit("/", 1)[-1]
        if local.is_file():
            return self.resolve_filename(str(local), context)  # type: ignore[attr-defined]
        return None


@pytest.fixture(scope="session")
def votable_schema(shared_dir: Path) -> etree.XMLSchema:
    folder = shared_dir / "data" / "ivoa-schemas"
    xsd = folder / "VOTable-v1.xsd"
    if not xsd.is_file():
        pytest.skip(f"VOTable schema not found in {folder}")
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_LocalSchemas(folder))
    return etree.XMLSchema(etree.parse(str(xsd), parser))


@pytest.fixture
def assert_schema_valid(votable_schema: etree.XMLSchema) -> Callable[[bytes], None]:
    def check(document: bytes) -> None:
        tree = etree.fromstring(document, etree.XMLParser(huge_tree=True))
        if not votable_schema.validate(tree):
            raise AssertionError(str(votable_schema.error_log))

    return check


VotLint = Callable[[bytes], str]


@pytest.fixture
def votlint(shared_dir: Path, tmp_path: Path) -> VotLint:
    """Runs ``votlint.sh`` on a document and returns its summary line (``votlint: N errors, N warnings``)."""
    script = shared_dir / "validators" / "votlint.sh"
    if not script.is_file() or shutil.which("stilts") is None:
        pytest.skip("votlint.sh or stilts not available")

    def run(document: bytes) -> str:
        path = tmp_path / f"doc{len(list(tmp_path.glob('doc*')))}.vot"
        path.write_bytes(document)
        env = {**os.environ, "VOTLINT_REPORT": str(path.with_suffix(".report")), "VOTLINT_SHOW": "20"}
        done = subprocess.run(
            [str(script), str(path)], capture_output=True, text=True, env=env, timeout=300, check=False
        )
        lines = done.stdout.strip().splitlines()
        print(done.stdout)  # shown by pytest on failure, with -s or -rA
        return lines[-1] if lines else done.stderr

    return run
