"""The DataLink rows of a product, from the manifest of a real run (an ISGRI mosaic and its source list)."""

from __future__ import annotations

import re
from collections import Counter
from typing import Any
from urllib.parse import quote

import pytest

from datalink.links import DATALINK_TYPE, LinkRow, LinkUrls, error_row, product_links, rerun_descriptor_id
from tests.vo_service.products.test_records import JOB, SCWS, run_records

BASE = "https://mmvo.example.org"
DID_PREFIX = "ivo://example.org/mmvo?"
URLS = LinkUrls(
    file=lambda pid, name: f"{BASE}/products/{pid}/{name}",
    links=lambda pid: f"{BASE}/datalink/links?ID={quote(DID_PREFIX + pid, safe='')}",
    scw=lambda scw: f"{BASE}/tap/sync?QUERY=scw:{scw}",
    document=lambda pid, name: f"{BASE}/documents/{pid}/{name}",
)
#: An XML NCName, ASCII part: what an ID attribute takes.
NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The manifests of the run, by result id."""
    return {r.manifest["result_id"]: r.manifest for r in run_records(tmp_path_factory.mktemp("job"))}


def _links(manifest: dict[str, Any]) -> list[LinkRow]:
    return product_links(DID_PREFIX + manifest["product_id"], manifest, URLS)


def _by(rows: list[LinkRow], semantics: str) -> list[LinkRow]:
    return [r for r in rows if r.semantics == semantics]


def test_every_row_is_for_the_id_asked_and_has_exactly_one_target(
    manifests: dict[str, dict[str, Any]],
) -> None:
    for manifest in manifests.values():
        rows = _links(manifest)
        assert {r.id for r in rows} == {DID_PREFIX + manifest["product_id"]}
        for row in rows:
            targets = [row.access_url, row.service_def, row.error_message]
            assert sum(t is not None for t in targets) == 1, row
            assert row.description


def test_this_comes_first_and_once(manifests: dict[str, dict[str, Any]]) -> None:
    image = manifests["image"]
    rows = _links(image)
    assert [r.semantics for r in rows].count("#this") == 1
    this = rows[0]
    main = image["files"][0]
    assert this.semantics == "#this"
    assert this.access_url == f"{BASE}/products/{JOB}-image/isgri_mosaic.fits"
    assert (this.content_type, this.content_length, this.description) == (
        "application/fits",
        main["size"],
        "ISGRI mosaic",
    )


def test_files_that_go_with_the_product(manifests: dict[str, dict[str, Any]]) -> None:
    rows = _links(manifests["image"])
    (preview,) = _by(rows, "#preview")
    assert preview.access_url == f"{BASE}/products/{JOB}-image/isgri_mosaic.png"
    assert (
        preview.content_type == "image/png"
        and preview.content_length == manifests["image"]["files"][1]["size"]
    )
    files = [r for r in _by(rows, "#auxiliary") if r.access_url and "/products/" in r.access_url]
    assert [(r.access_url, r.content_type) for r in files] == [
        (f"{BASE}/products/{JOB}-image/isgri_exposure.fits", "application/fits")
    ]
    (region,) = [
        r for r in _by(_links(manifests["catalog"]), "#auxiliary") if "/products/" in str(r.access_url)
    ]
    assert region.description == "isgri_sources.reg"  # no description of its own: its name


def test_progenitors_are_the_input_science_windows_and_parent_products(
    manifests: dict[str, dict[str, Any]],
) -> None:
    image_rows, catalog_rows = _links(manifests["image"]), _links(manifests["catalog"])
    scw_rows = [r for r in _by(image_rows, "#progenitor") if r.content_type == "application/x-votable+xml"]
    assert [r.access_url for r in scw_rows] == [f"{BASE}/tap/sync?QUERY=scw:{s.id}" for s in SCWS]
    assert len(_by(image_rows, "#progenitor")) == len(SCWS)  # the mosaic has no parent product
    consolidated, near_real_time, unknown = (r.description or "" for r in scw_rows)
    assert "066500130010.001" in consolidated and "data CONS" in consolidated
    assert "data NRT" in near_real_time
    assert "066500150010.001" in unknown and ", data" not in unknown
    parents = [r for r in _by(catalog_rows, "#progenitor") if r.content_type == DATALINK_TYPE]
    assert [r.access_url for r in parents] == [URLS.links(f"{JOB}-image")]
    assert len(_by(catalog_rows, "#progenitor")) == len(SCWS) + 1


def test_only_science_windows_are_linked_as_inputs(manifests: dict[str, dict[str, Any]]) -> None:
    image = manifests["image"]
    with_catalogue = {
        **image,
        "inputs": [*image["inputs"], {"kind": "catalogue", "id": "isgri_cat", "version": "43"}],
    }
    assert _links(with_catalogue) == _links(image)


def test_derivations(manifests: dict[str, dict[str, Any]]) -> None:
    (derived,) = _by(_links(manifests["image"]), "#derivation")
    assert derived.access_url == URLS.links(f"{JOB}-catalog") and derived.content_type == DATALINK_TYPE
    assert f"{JOB}-catalog" in (derived.description or "")
    assert _by(_links(manifests["catalog"]), "#derivation") == []


def test_documentation_and_coverage(manifests: dict[str, dict[str, Any]]) -> None:
    rows = _links(manifests["image"])
    documents = _by(rows, "#documentation")
    assert [(r.access_url, r.content_type) for r in documents] == [
        (f"{BASE}/documents/{JOB}-image/provenance.json", "application/json"),
        (f"{BASE}/documents/{JOB}-image/provenance.provn", "text/provenance-notation"),
        (f"{BASE}/documents/{JOB}-image/reproduce.py", "text/x-python"),
    ]
    mocs = [r for r in _by(rows, "#auxiliary") if "/documents/" in str(r.access_url)]
    assert [(r.access_url, r.content_type) for r in mocs] == [
        (f"{BASE}/documents/{JOB}-image/moc.fits", "application/fits"),
        (f"{BASE}/documents/{JOB}-image/moc.json", "application/json"),
    ]
    assert all("MOC" in (r.description or "") for r in mocs)


def test_one_proc_row_naming_the_rerun_descriptor(manifests: dict[str, dict[str, Any]]) -> None:
    rows = _links(manifests["image"])
    (proc,) = _by(rows, "#proc")
    assert proc.service_def == rerun_descriptor_id(f"{JOB}-image")
    assert proc.access_url is None and proc.error_message is None
    assert "isgri/image" in (proc.description or "")


def test_row_counts(manifests: dict[str, dict[str, Any]]) -> None:
    counts = Counter(r.semantics for r in _links(manifests["image"]))
    assert counts == {
        "#this": 1,
        "#preview": 1,
        "#auxiliary": 1 + 2,  # the exposure map, two MOCs
        "#progenitor": len(SCWS),
        "#derivation": 1,
        "#documentation": 3,
        "#proc": 1,
    }


def test_error_row() -> None:
    row = error_row("ivo://example.org/mmvo?nothing", "NotFoundFault", "no product has that ID")
    assert row.id == "ivo://example.org/mmvo?nothing" and row.semantics == "#this"
    assert row.error_message is not None and row.error_message.startswith("NotFoundFault: ")
    assert "no product has that ID" in row.error_message
    assert (row.access_url, row.service_def, row.content_type, row.content_length) == (None, None, None, None)


@pytest.mark.parametrize(
    "product_id",
    ["6f1c2a9e04b7d3a1-image", "066500130010-image", "0-x", "job~1-image", "a.b_c-d~e", "~~"],
)
def test_rerun_descriptor_id_is_an_ncname(product_id: str) -> None:
    identifier = rerun_descriptor_id(product_id)
    assert NCNAME.fullmatch(identifier), identifier
    assert identifier.startswith("rerun-")


def test_rerun_descriptor_ids_of_different_products_differ() -> None:
    ids = [f"{JOB}-image", f"{JOB}-catalog", f"{JOB[::-1]}-image"]
    assert len({rerun_descriptor_id(i) for i in ids}) == len(ids)
