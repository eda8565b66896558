"""From a finished run to product records: one per product the run described, with the files that go with it.

Pure computation (files are only read, to size and checksum them), so it is tested without a database.  A
record is what the store keeps of a product: the row of ``mmvo.products`` and a manifest (JSON) holding what
the table does not: its files with their DataLink semantics, the inputs and the products it was derived from,
and the activity that made it (analysis, parameters, code version, times, owner), from which DataLink and the
provenance records are built.

Product ids are ``{job_id}-{result_id}``: unique, stable and URL-safe as job ids and result ids are.  Each file
has two checksums: of its bytes (``checksum``), and of its data alone (``data_checksum``: for FITS the data
units of every HDU, so the same data with other header dates compares equal; other files their bytes).
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from astropy.io import fits

from instruments.base import ProductFile
from instruments.description import ProductDescription

__all__ = [
    "Activity",
    "ProductRecord",
    "data_checksum",
    "file_checksum",
    "product_records",
    "semantics_of",
]

_CHUNK = 1 << 20
_FITS_TYPES = frozenset({"application/fits", "image/fits"})
#: Media types shown as previews; other files that go with a product are auxiliary.
_PREVIEW_TYPES = frozenset({"image/png", "image/jpeg", "image/gif"})


@dataclass(frozen=True)
class Activity:
    """The run that made the products: which analysis, with what, by whom and when (UTC)."""

    job_id: str
    analysis: str
    parameters: Mapping[str, Any]
    code_version: str
    owner: str | None
    started: dt.datetime
    finished: dt.datetime


@dataclass(frozen=True)
class ProductRecord:
    """One product: its row of ``mmvo.products`` (``row``) and its manifest (``manifest``, JSON-ready)."""

    product_id: str
    row: dict[str, Any]
    manifest: dict[str, Any]
    files: tuple[tuple[str, Path], ...]

    @property
    def main_file(self) -> Path:
        return self.files[0][1]


def file_checksum(path: Path) -> str:
    """``sha256:<hex>`` of the file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while block := stream.read(_CHUNK):
            digest.update(block)
    return f"sha256:{digest.hexdigest()}"


def data_checksum(path: Path, content_type: str) -> str:
    """``sha256:<hex>`` of the data part: for FITS the bytes of every HDU's data unit in order, headers
    left out; for other files the whole file."""
    if content_type not in _FITS_TYPES:
        return file_checksum(path)
    digest = hashlib.sha256()
    with fits.open(path, memmap=False) as hdus, path.open("rb") as stream:
        for index in range(len(hdus)):
            info = hdus.fileinfo(index)
            assert info is not None
            stream.seek(int(info["datLoc"]))
            left = int(info["datSpan"])
            while left > 0:
                block = stream.read(min(_CHUNK, left))
                if not block:
                    break
                digest.update(block)
                left -= len(block)
    return f"sha256:{digest.hexdigest()}"


def semantics_of(file: ProductFile) -> str:
    """The DataLink term of a file that goes with a product: ``#preview`` for pictures, else ``#auxiliary``."""
    return "#preview" if file.content_type in _PREVIEW_TYPES else "#auxiliary"


def _file_entry(file: ProductFile, semantics: str) -> dict[str, Any]:
    checksum = file_checksum(file.path)
    return {
        "result_id": file.result_id,
        "name": file.path.name,
        "content_type": file.content_type,
        "size": file.path.stat().st_size,
        "semantics": semantics,
        "description": file.description,
        "checksum": checksum,
        "data_checksum": checksum
        if file.content_type not in _FITS_TYPES
        else data_checksum(file.path, file.content_type),
    }


def _row(product_id: str, activity: Activity, d: ProductDescription, main: dict[str, Any]) -> dict[str, Any]:
    return {
        "product_id": product_id,
        "job_id": activity.job_id,
        "facility": d.facility,
        "instrument": d.instrument,
        "product_type": d.dataproduct_type,
        "product_subtype": d.dataproduct_subtype,
        "target_name": d.target_name,
        "target_class": d.target_class,
        "s_ra": d.s_ra,
        "s_dec": d.s_dec,
        "s_fov": d.s_fov,
        "s_region": [v for vertex in d.footprint for v in vertex],
        "s_resolution": d.s_resolution,
        "s_xel1": d.s_xel1,
        "s_xel2": d.s_xel2,
        "t_min": d.t_min,
        "t_max": d.t_max,
        "exposure": d.exposure,
        "t_resolution": d.t_resolution,
        "t_xel": d.t_xel,
        "energy_min": d.energy_min,
        "energy_max": d.energy_max,
        "em_xel": d.em_xel,
        "em_res_power": d.em_res_power,
        "o_ucd": d.o_ucd,
        "calib_level": d.calib_level,
        "data_version": d.data_version,
        "file_format": main["content_type"],
        "file_size": main["size"],
        "checksum": main["checksum"],
        "owner": activity.owner,
        "created": activity.finished,
        "title": d.title,
        "_path": f"{product_id}/{main['name']}",
    }


def product_records(activity: Activity, files: Sequence[ProductFile]) -> list[ProductRecord]:
    """The records of the products among ``files`` (those with a ``product`` description), in order.

    Raises:
        ValueError: a file names in ``of`` or ``derived_from`` a result that is not a product of the run.
    """
    products = {f.result_id: f for f in files if f.product is not None}
    ids = {rid: f"{activity.job_id}-{rid}" for rid in products}
    derived: dict[str, list[str]] = {rid: [] for rid in products}
    for rid, file in products.items():
        assert file.product is not None
        for source in file.product.derived_from:
            if source not in products:
                raise ValueError(f"{rid} is derived from {source}, which is not a product of the run")
            derived[source].append(ids[rid])
    for file in files:
        if file.of is not None and file.of not in products:
            raise ValueError(f"{file.result_id} goes with {file.of}, which is not a product of the run")
    records = []
    for rid, file in products.items():
        description = file.product
        assert description is not None
        entries = [_file_entry(file, "#this")]
        entries += [_file_entry(f, semantics_of(f)) for f in files if f.of == rid]
        manifest = {
            "product_id": ids[rid],
            "result_id": rid,
            "title": description.title,
            "dataproduct_type": description.dataproduct_type,
            "instrument": description.instrument,
            "footprint": [list(vertex) for vertex in description.footprint],
            "files": entries,
            "inputs": [asdict(i) for i in description.inputs],
            "progenitors": [ids[source] for source in description.derived_from],
            "derivations": derived[rid],
            "data_version": description.data_version,
            "activity": {
                "job_id": activity.job_id,
                "analysis": activity.analysis,
                "parameters": dict(activity.parameters),
                "code_version": activity.code_version,
                "owner": activity.owner,
                "started": activity.started.isoformat(),
                "finished": activity.finished.isoformat(),
            },
        }
        paths = (file.path, *(f.path for f in files if f.of == rid))
        records.append(
            ProductRecord(
                ids[rid],
                _row(ids[rid], activity, description, entries[0]),
                manifest,
                tuple((e["name"], p) for e, p in zip(entries, paths, strict=True)),
            )
        )
    return records
