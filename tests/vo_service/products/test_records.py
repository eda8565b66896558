"""From a run's files to product records: ids, which files make products and which go with them, relations
between the products, checksums and the row of ``mmvo.products``.

``run_records`` (a realistic ISGRI mosaic run written as real files) is shared with the DataLink tests.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from astropy.io import fits
from matplotlib import image as mpimage

from instruments.base import ProductFile
from instruments.description import InputData, ProductDescription
from vo_service.products.records import (
    Activity,
    ProductRecord,
    data_checksum,
    file_checksum,
    product_records,
    semantics_of,
)

JOB = "6f1c2a9e04b7d3a1"
STARTED = dt.datetime(2024, 3, 5, 10, 0, 0, tzinfo=dt.UTC)
FINISHED = dt.datetime(2024, 3, 5, 10, 12, 30, tzinfo=dt.UTC)
#: The science windows of the run: consolidated, near-real-time, and one whose state is unknown.
SCWS = (
    InputData("scw", "066500130010.001", "001", "CONS"),
    InputData("scw", "066500140010.001", "001", "NRT"),
    InputData("scw", "066500150010.001", "001"),
)
#: The mosaic's outline (a WCS grid's corners around the Crab, in the order calc_footprint gives them).
MOSAIC_FOOTPRINT = ((98.5, 7.5), (98.9, 36.4), (68.4, 36.4), (68.8, 7.5))
PARAMETERS: dict[str, Any] = {
    "src_name": "Crab",
    "RA": 83.63308,
    "DEC": 22.0145,
    "scw_list": ["066500130010.001", "066500140010.001", "066500150010.001"],
    "E1_keV": 20.0,
    "E2_keV": 40.0,
    "detection_threshold": 7.0,
    "use_nrt": True,
    "max_pointings": None,
}


def activity(**changes: Any) -> Activity:
    facts: dict[str, Any] = {
        "job_id": JOB,
        "analysis": "isgri/image",
        "parameters": PARAMETERS,
        "code_version": "0.1.0+g1234abc",
        "owner": "alice",
        "started": STARTED,
        "finished": FINISHED,
    }
    return Activity(**{**facts, **changes})


def mosaic_description(**changes: Any) -> ProductDescription:
    facts: dict[str, Any] = {
        "facility": "INTEGRAL",
        "instrument": "ISGRI",
        "dataproduct_type": "image",
        "dataproduct_subtype": "mosaic",
        "calib_level": 3,
        "title": "ISGRI 20-40 keV mosaic of 3 science windows",
        "target_name": "Crab",
        "s_ra": 83.63308,
        "s_dec": 22.0145,
        "footprint": MOSAIC_FOOTPRINT,
        "s_fov": 29.8,
        "s_xel1": 180,
        "s_xel2": 176,
        "s_resolution": 720.0,
        "t_min": 54549.56,
        "t_max": 54550.12,
        "exposure": 7200.0,
        "energy_min": 20.0,
        "energy_max": 40.0,
        "em_xel": 1,
        "o_ucd": "phot.count;em.X-ray",
        "data_version": "NRT",
        "inputs": SCWS,
    }
    return ProductDescription(**{**facts, **changes})


def source_list_description() -> ProductDescription:
    return mosaic_description(
        dataproduct_type="measurements",
        dataproduct_subtype="source-list",
        calib_level=4,
        title="2 sources of the ISGRI 20-40 keV mosaic of 3 science windows",
        s_xel1=None,
        s_xel2=None,
        em_xel=None,
        derived_from=("image",),
    )


def write_fits(path: Path, data: np.ndarray, **cards: Any) -> Path:
    """A FITS file: an empty primary HDU (``cards`` in its header), the image, and a small table."""
    primary = fits.PrimaryHDU()
    for key, value in cards.items():
        primary.header[key] = value
    table = fits.BinTableHDU.from_columns([fits.Column("RATE", "E", array=np.asarray(data).ravel()[:8])])
    fits.HDUList([primary, fits.ImageHDU(data, name="FLUX"), table]).writeto(path)
    return path


def run_files(workdir: Path) -> list[ProductFile]:
    """What an ISGRI mosaic run returns: the mosaic with its preview and exposure map, a log that is only a
    result of the job, and the source list found in the mosaic with its region file."""
    workdir.mkdir(parents=True, exist_ok=True)
    flux = np.arange(176 * 180, dtype=np.float32).reshape(176, 180) / 1000.0
    mosaic = write_fits(workdir / "isgri_mosaic.fits", flux, DATE="2024-03-05T10:12:00")
    preview = workdir / "isgri_mosaic.png"
    mpimage.imsave(preview, flux[:16, :16])
    exposure = write_fits(workdir / "isgri_exposure.fits", np.full((4, 4), 7200.0))
    log = workdir / "run.log"
    log.write_text("3 science windows, 2 sources\n")
    sources = workdir / "isgri_sources.fits"
    fits.BinTableHDU.from_columns(
        [fits.Column("NAME", "16A", array=["Crab", "A0535+262"]), fits.Column("SNR", "E", array=[80.0, 9.0])]
    ).writeto(sources)
    region = workdir / "isgri_sources.reg"
    region.write_text('fk5\ncircle(83.633,22.014,0.2) # text="Crab"\n')
    return [
        ProductFile("image", mosaic, "application/fits", "ISGRI mosaic", product=mosaic_description()),
        ProductFile("preview", preview, "image/png", "Preview of the mosaic", of="image"),
        ProductFile("exposure", exposure, "application/fits", "Exposure map", of="image"),
        ProductFile("log", log, "text/plain", "Run log"),
        ProductFile("catalog", sources, "application/fits", "Source list", product=source_list_description()),
        ProductFile("regions", region, "text/x-ds9-region", "", of="catalog"),
    ]


def run_records(workdir: Path, **changes: Any) -> list[ProductRecord]:
    """The records of the run of ``run_files`` (``changes`` to its activity)."""
    return product_records(activity(**changes), run_files(workdir))


def test_products_are_the_described_files_with_job_and_result_ids(tmp_path: Path) -> None:
    records = run_records(tmp_path)
    assert [r.product_id for r in records] == [f"{JOB}-image", f"{JOB}-catalog"]
    assert [r.manifest["result_id"] for r in records] == ["image", "catalog"]
    assert [r.row["product_id"] for r in records] == [r.product_id for r in records]
    listed = {name for r in records for name, _ in r.files}
    assert "run.log" not in listed  # neither a product nor a file of one


def test_files_go_with_their_product(tmp_path: Path) -> None:
    image, catalog = run_records(tmp_path)
    assert [(f["name"], f["semantics"], f["result_id"]) for f in image.manifest["files"]] == [
        ("isgri_mosaic.fits", "#this", "image"),
        ("isgri_mosaic.png", "#preview", "preview"),
        ("isgri_exposure.fits", "#auxiliary", "exposure"),
    ]
    assert [(f["name"], f["semantics"]) for f in catalog.manifest["files"]] == [
        ("isgri_sources.fits", "#this"),
        ("isgri_sources.reg", "#auxiliary"),
    ]
    assert image.files == (
        ("isgri_mosaic.fits", tmp_path / "isgri_mosaic.fits"),
        ("isgri_mosaic.png", tmp_path / "isgri_mosaic.png"),
        ("isgri_exposure.fits", tmp_path / "isgri_exposure.fits"),
    )
    assert image.main_file == tmp_path / "isgri_mosaic.fits"
    for entry in image.manifest["files"]:
        path = tmp_path / entry["name"]
        assert entry["size"] == path.stat().st_size
        assert entry["checksum"] == file_checksum(path)
        assert entry["data_checksum"] == data_checksum(path, entry["content_type"])
    assert catalog.manifest["files"][1]["description"] == ""


@pytest.mark.parametrize(
    ("content_type", "semantics"),
    [
        ("image/png", "#preview"),
        ("image/jpeg", "#preview"),
        ("image/gif", "#preview"),
        ("application/fits", "#auxiliary"),
        ("text/plain", "#auxiliary"),
        ("application/pdf", "#auxiliary"),
    ],
)
def test_semantics_of_a_file_that_goes_with_a_product(content_type: str, semantics: str) -> None:
    assert semantics_of(ProductFile("x", Path("x"), content_type, of="image")) == semantics


def test_derived_from_gives_progenitors_and_derivations(tmp_path: Path) -> None:
    image, catalog = run_records(tmp_path)
    assert catalog.manifest["progenitors"] == [image.product_id]
    assert image.manifest["derivations"] == [catalog.product_id]
    assert image.manifest["progenitors"] == [] and catalog.manifest["derivations"] == []


def test_manifest_holds_inputs_and_activity_as_json(tmp_path: Path) -> None:
    image, _ = run_records(tmp_path)
    manifest = json.loads(json.dumps(image.manifest))  # JSON-ready: nothing lost on the way
    assert manifest == image.manifest
    assert manifest["inputs"] == [
        {"kind": "scw", "id": "066500130010.001", "version": "001", "data_version": "CONS"},
        {"kind": "scw", "id": "066500140010.001", "version": "001", "data_version": "NRT"},
        {"kind": "scw", "id": "066500150010.001", "version": "001", "data_version": None},
    ]
    assert manifest["footprint"] == [list(v) for v in MOSAIC_FOOTPRINT]
    assert (manifest["title"], manifest["dataproduct_type"], manifest["instrument"]) == (
        "ISGRI 20-40 keV mosaic of 3 science windows",
        "image",
        "ISGRI",
    )
    facts = manifest["activity"]
    assert facts["job_id"] == JOB and facts["analysis"] == "isgri/image" and facts["owner"] == "alice"
    assert facts["parameters"] == PARAMETERS
    assert dt.datetime.fromisoformat(facts["started"]) == STARTED
    assert dt.datetime.fromisoformat(facts["finished"]) == FINISHED


def test_row_of_mmvo_products(tmp_path: Path) -> None:
    image, catalog = run_records(tmp_path)
    row = image.row
    assert row["s_region"] == [98.5, 7.5, 98.9, 36.4, 68.4, 36.4, 68.8, 7.5]
    assert (row["job_id"], row["facility"], row["instrument"]) == (JOB, "INTEGRAL", "ISGRI")
    assert (row["product_type"], row["product_subtype"], row["calib_level"]) == ("image", "mosaic", 3)
    assert (row["s_ra"], row["s_dec"], row["s_xel1"], row["s_xel2"]) == (83.63308, 22.0145, 180, 176)
    assert (row["energy_min"], row["energy_max"], row["data_version"]) == (20.0, 40.0, "NRT")
    assert row["file_format"] == "application/fits"
    assert row["file_size"] == (tmp_path / "isgri_mosaic.fits").stat().st_size
    assert row["checksum"] == file_checksum(tmp_path / "isgri_mosaic.fits")
    assert (row["owner"], row["created"]) == ("alice", FINISHED)
    assert row["_path"] == f"{JOB}-image/isgri_mosaic.fits"
    assert catalog.row["_path"] == f"{JOB}-catalog/isgri_sources.fits"
    assert (catalog.row["product_type"], catalog.row["calib_level"]) == ("measurements", 4)


def test_a_file_of_something_that_is_not_a_product_is_refused(tmp_path: Path) -> None:
    files = run_files(tmp_path)
    bad = [*files, ProductFile("thumbnail", tmp_path / "isgri_mosaic.png", "image/png", of="log")]
    with pytest.raises(ValueError, match=r"thumbnail goes with log"):
        product_records(activity(), bad)
    missing = [*files, ProductFile("thumbnail", tmp_path / "isgri_mosaic.png", "image/png", of="nothing")]
    with pytest.raises(ValueError, match=r"\bnothing\b"):
        product_records(activity(), missing)


def test_derived_from_something_that_is_not_a_product_is_refused(tmp_path: Path) -> None:
    files = run_files(tmp_path)
    catalog = files[4]
    assert catalog.product is not None
    orphan = dataclasses.replace(
        catalog, product=dataclasses.replace(catalog.product, derived_from=("spectrum",))
    )
    with pytest.raises(ValueError, match=r"catalog is derived from spectrum"):
        product_records(activity(), [*files[:4], orphan])


def test_a_run_without_described_files_has_no_products(tmp_path: Path) -> None:
    files = [f for f in run_files(tmp_path) if f.product is None and f.of is None]
    assert files and product_records(activity(), files) == []


def test_data_checksum_leaves_headers_out(tmp_path: Path) -> None:
    data = np.linspace(0.0, 1.0, 64, dtype=np.float64).reshape(8, 8)
    first = write_fits(tmp_path / "a.fits", data, DATE="2024-01-01T00:00:00")
    # Another date and enough extra cards to push every data unit one header block further.
    cards = {f"NOTE{i:03d}": "x" * 40 for i in range(40)}
    second = write_fits(tmp_path / "b.fits", data, DATE="2024-06-30T12:00:00", **cards)
    other = write_fits(tmp_path / "c.fits", data * 2.0, DATE="2024-01-01T00:00:00")
    assert second.stat().st_size > first.stat().st_size
    assert file_checksum(first) != file_checksum(second)
    assert data_checksum(first, "application/fits") == data_checksum(second, "application/fits")
    assert data_checksum(first, "image/fits") == data_checksum(first, "application/fits")
    assert data_checksum(other, "application/fits") != data_checksum(first, "application/fits")


def test_checksums_are_sha256_of_the_bytes(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_bytes(b"not a FITS file\n" * 100_000)  # more than one read block
    expected = "sha256:" + hashlib.sha256(path.read_bytes()).hexdigest()
    assert file_checksum(path) == expected
    assert data_checksum(path, "text/plain") == expected
    fits_file = write_fits(tmp_path / "a.fits", np.zeros((2, 2)))
    assert data_checksum(fits_file, "application/octet-stream") == file_checksum(fits_file)
