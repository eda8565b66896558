"""The product store: product files kept apart from the jobs, their manifests, and the ``mmvo.products`` rows.

Registering a product hard-links its files (copies across file systems) into ``products/{product_id}/`` under
the data directory and writes its manifest there (``product.json``, atomically) before its row is written, so
a row never points at missing files; deleting or destroying the job later takes nothing away.  Rows are
replaced by product id in one transaction, so registering again (a job re-run after a crash) is harmless.

Everything that reads products (DataLink, provenance, MOCs) goes through here: the manifest is the product's
truth beyond what the table holds.  The service's coverage (the union of the products' MOCs) is kept in a file
extended at each registration under a lock, so serving it never reads every manifest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from mocpy import MOC

from tap.schema import Dialect
from vo_service.db.ddl import sa_table
from vo_service.db.load import insert_rows
from vo_service.demo.products import PRODUCTS
from vo_service.products.coverage import footprint_moc, moc_json, union
from vo_service.products.records import ProductRecord

__all__ = ["MANIFEST", "ProductStore"]

MANIFEST = "product.json"
#: The service's coverage (MOC JSON), beside the products: hidden, so never taken for a product.
COVERAGE = ".coverage.json"
_PRODUCT_ID = re.compile(r"[A-Za-z0-9._~-]{1,200}")


class ProductStore:
    """Products under ``root`` (``data_dir/products``) and in ``mmvo.products`` of ``engine``'s database."""

    def __init__(self, engine: sa.Engine, root: Path) -> None:
        self.engine = engine
        self.root = root

    def register(self, records: Sequence[ProductRecord]) -> None:
        """Keeps the files and manifests of ``records`` and replaces their rows (see the module docstring)."""
        if not records:
            return
        for record in records:
            directory = self.root / record.product_id
            directory.mkdir(parents=True, exist_ok=True)
            for name, source in record.files:
                _link(source, directory / name)
            temporary = directory / f".{MANIFEST}.part"
            temporary.write_text(json.dumps(record.manifest, indent=1, sort_keys=True))
            temporary.replace(directory / MANIFEST)
        self._extend_coverage(records)
        dialect: Dialect = "postgresql" if self.engine.dialect.name == "postgresql" else "sqlite"
        table = sa_table(PRODUCTS, dialect)
        ids = [r.product_id for r in records]
        chunk = {c.name: [r.row.get(c.name) for r in records] for c in PRODUCTS.columns}
        with self.engine.begin() as conn:
            conn.execute(sa.delete(table).where(table.c.product_id.in_(ids)))
            insert_rows(conn.connection.driver_connection, PRODUCTS, dialect, [chunk])

    def manifest(self, product_id: str) -> dict[str, Any] | None:
        """The manifest of a product, or None when there is no such product (or the id cannot be one)."""
        if not _PRODUCT_ID.fullmatch(product_id) or product_id.startswith("."):
            return None
        try:
            loaded: dict[str, Any] = json.loads((self.root / product_id / MANIFEST).read_text())
        except (FileNotFoundError, NotADirectoryError, json.JSONDecodeError):
            return None
        return loaded

    def file(self, product_id: str, name: str, manifest: dict[str, Any] | None = None) -> Path | None:
        """The path of a file of a product (by its name in the manifest, read unless given), or None."""
        manifest = manifest if manifest is not None else self.manifest(product_id)
        if manifest is None or name not in {f["name"] for f in manifest["files"]}:
            return None
        path = self.root / product_id / name
        return path if path.is_file() else None

    def coverage(self) -> MOC:
        """The union of every product's MOC (the service's coverage), from the file ``register`` keeps up to
        date; rebuilt from the manifests when that file is missing."""
        with self._coverage_lock():
            moc = self._read_coverage()
            if moc is None:
                moc = self._rebuild_coverage()
            return moc

    def _extend_coverage(self, records: Sequence[ProductRecord]) -> None:
        with self._coverage_lock():
            moc = self._read_coverage()
            if moc is None:  # the new manifests are already written: the rebuild includes them
                self._rebuild_coverage()
                return
            added = union(footprint_moc(r.manifest["footprint"]) for r in records)
            self._write_coverage(moc.union(added))

    def _rebuild_coverage(self) -> MOC:
        manifests = (self.manifest(pid) for pid in self.product_ids())
        moc = union(footprint_moc(m["footprint"]) for m in manifests if m is not None)
        self._write_coverage(moc)
        return moc

    def _read_coverage(self) -> MOC | None:
        try:
            return MOC.from_json(json.loads((self.root / COVERAGE).read_text()))
        except (FileNotFoundError, json.JSONDecodeError):
            return None

    def _write_coverage(self, moc: MOC) -> None:
        temporary = self.root / f"{COVERAGE}.part"
        temporary.write_bytes(moc_json(moc))
        temporary.replace(self.root / COVERAGE)

    @contextlib.contextmanager
    def _coverage_lock(self) -> Iterator[None]:
        """One writer of the coverage file at a time, across the processes (workers) sharing the store."""
        self.root.mkdir(parents=True, exist_ok=True)
        with (self.root / f"{COVERAGE}.lock").open("a") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def product_ids(self) -> Iterator[str]:
        """Every product id with a manifest, in no particular order."""
        with contextlib.suppress(FileNotFoundError):
            for entry in os.scandir(self.root):
                if entry.is_dir() and os.path.exists(os.path.join(entry.path, MANIFEST)):
                    yield entry.name


def _link(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)
