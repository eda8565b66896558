"""Products found and trusted, on the running service and both engines: after an ISGRI image job of the Crab,
pyvo finds its rows in ``ivoa.obscore`` with every mandatory column filled, by identifier and by position;
DataLink gives the FITS, the preview, the input science windows and the provenance; the provenance lists every
input ScW with its version; the product's MOC covers its centre and nothing 10 degrees away."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import astropy.units as u
import httpx
import pytest
import pyvo
from astropy.coordinates import Latitude, Longitude
from astropy.io import fits
from astropy.io.votable import parse
from astropy.wcs import WCS
from mocpy import MOC

from tests.conftest import VotLint, validator_script
from tests.e2e.conftest import (
    LiveService,
    free_port,
    load_demo,
    service_environment,
    start_server,
    stop_server,
)
from tests.e2e.test_isgri import CRAB, NS, REQUEST, _job, _phase

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.usefixtures("pyvo_sockets"),
    pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning"),
]

#: hc in keV m: ObsCore wavelengths (m) from energies (keV).
HC_KEV_M = 1.239842e-9
MANDATORY = [
    "dataproduct_type",
    "calib_level",
    "obs_collection",
    "obs_id",
    "obs_publisher_did",
    "access_url",
    "access_format",
    "access_estsize",
    "target_name",
    "s_ra",
    "s_dec",
    "s_fov",
    "s_region",
    "s_resolution",
    "s_xel1",
    "s_xel2",
    "t_min",
    "t_max",
    "t_exptime",
    "t_resolution",
    "t_xel",
    "em_min",
    "em_max",
    "em_res_power",
    "em_xel",
    "o_ucd",
    "pol_states",
    "pol_xel",
    "facility_name",
    "instrument_name",
]


@dataclass(frozen=True)
class ImageJob:
    live: LiveService
    job_id: str
    results: dict[str, str]


@pytest.fixture(scope="module")
def image_job(live: LiveService) -> Iterator[ImageJob]:
    with httpx.Client(base_url=f"{live.url}/analysis/isgri/image", timeout=60) as client:
        created = client.post("", data={**REQUEST, "PHASE": "RUN"})
        assert created.status_code == 303
        job_url = str(created.headers["location"])
        job = _job(client, job_url)
        deadline = time.monotonic() + 180
        while _phase(job) not in {"COMPLETED", "ERROR", "ABORTED"} and time.monotonic() < deadline:
            job = _job(client, job_url, WAIT="10")
        assert _phase(job) == "COMPLETED"
        results = {
            str(r.get("id")): r.get(f"{{{NS['xlink']}}}href") or ""
            for r in job.findall("uws:results/uws:result", NS)
        }
        yield ImageJob(live, job_url.rstrip("/").rsplit("/", 1)[1], results)


def _obscore(job: ImageJob) -> pyvo.dal.TAPResults:
    service = pyvo.dal.TAPService(job.live.tap)
    return service.search(f"SELECT * FROM ivoa.obscore WHERE obs_id = '{job.job_id}' ORDER BY calib_level")


def test_obscore_rows_have_every_mandatory_column(image_job: ImageJob) -> None:
    rows = _obscore(image_job)
    assert len(rows) == 2  # the mosaic and its source list
    assert set(MANDATORY) <= set(rows.fieldnames)
    image, catalogue = rows[0], rows[1]
    assert (image["dataproduct_type"], image["calib_level"]) == ("image", 3)
    assert (catalogue["dataproduct_type"], catalogue["calib_level"]) == ("measurements", 4)
    assert image["obs_collection"] == "INTEGRAL/ISGRI" and image["obs_id"] == image_job.job_id
    assert image["obs_publisher_did"].endswith(f"/mmvo?{image_job.job_id}-image")
    assert image["obs_publisher_did"].startswith("ivo://")
    assert image["access_format"] == "application/x-votable+xml;content=datalink"
    assert image["access_url"].startswith(f"{image_job.live.url}/datalink/links?ID=")
    size = len(httpx.get(image_job.results["image"], timeout=30).content)
    assert image["access_estsize"] == (size + 1023) // 1024
    assert image["target_name"] == "Crab"
    assert abs(image["s_ra"] - CRAB[0]) < 0.01 and abs(image["s_dec"] - CRAB[1]) < 0.01
    assert 20.0 < image["s_fov"] < 60.0 and image["s_resolution"] == 720.0
    assert image["s_xel1"] > 100 and image["s_xel2"] > 100 and image["em_xel"] == 1
    # revolution 665: 2008-03-24T13:26 to 2008-03-27T13:12 UTC
    assert 54549.5 < image["t_min"] < image["t_max"] < 54553.0
    assert 5000.0 < image["t_exptime"] < 40000.0
    with fits.open(io.BytesIO(httpx.get(image_job.results["image"], timeout=30).content)) as hdus:
        band = (hdus["FLUX"].header["E_MIN"], hdus["FLUX"].header["E_MAX"])
    assert image["em_min"] == pytest.approx(HC_KEV_M / band[1], rel=1e-6)
    assert image["em_max"] == pytest.approx(HC_KEV_M / band[0], rel=1e-6)
    assert image["facility_name"] == "INTEGRAL" and image["instrument_name"] == "ISGRI"
    assert image["pol_xel"] == 0 and image["o_ucd"]
    print(
        f"ivoa.obscore: {image['obs_publisher_did']} ({image['dataproduct_type']}, level "
        f"{image['calib_level']}), {catalogue['obs_publisher_did']} ({catalogue['dataproduct_type']})"
    )


def test_the_image_is_found_by_position(image_job: ImageJob) -> None:
    service = pyvo.dal.TAPService(image_job.live.tap)
    query = (
        "SELECT obs_publisher_did FROM ivoa.obscore WHERE dataproduct_type = 'image' AND obs_id = '{job}' "
        "AND 1 = CONTAINS(POINT('ICRS', {ra}, {dec}), s_region)"
    )
    here = service.search(query.format(job=image_job.job_id, ra=CRAB[0], dec=CRAB[1]))
    assert [r["obs_publisher_did"] for r in here] == [f"{_did_prefix(image_job)}{image_job.job_id}-image"]
    away = service.search(query.format(job=image_job.job_id, ra=CRAB[0], dec=CRAB[1] + 40.0))
    assert len(away) == 0


def _did_prefix(job: ImageJob) -> str:
    did = str(_obscore(job)[0]["obs_publisher_did"])
    return did[: did.index("?") + 1]


def test_datalink_gives_the_file_preview_inputs_and_provenance(image_job: ImageJob) -> None:
    rows = _obscore(image_job)
    # The result carries the DataLink service descriptor, so pyvo asks for the links of every row at once.
    assert rows.get_adhocservice_by_ivoid("ivo://ivoa.net/std/DataLink#links-1.1") is not None
    image_did = rows[0]["obs_publisher_did"]
    by_semantics: dict[str, list[pyvo.dal.adhoc.DatalinkRecord]] = {}
    for links in rows.iter_datalinks():
        for link in links:
            if link["ID"] == image_did:
                by_semantics.setdefault(link.semantics, []).append(link)
    print("DataLink of the mosaic:", {k: len(v) for k, v in sorted(by_semantics.items())})
    assert {"#this", "#preview", "#progenitor", "#documentation", "#derivation", "#proc"} <= set(by_semantics)
    (this,) = by_semantics["#this"]
    with fits.open(io.BytesIO(httpx.get(this.access_url, timeout=30).content)) as hdus:
        assert WCS(hdus["FLUX"].header).has_celestial
    regions = [link for link in by_semantics["#auxiliary"] if link.access_url.endswith(".reg")]
    assert len(regions) == 1 and "circle(" in httpx.get(regions[0].access_url, timeout=30).text
    (preview,) = by_semantics["#preview"]
    assert httpx.get(preview.access_url, timeout=30).content.startswith(b"\x89PNG")
    scws = [link for link in by_semantics["#progenitor"] if "integral.scw" in link.description]
    assert len(scws) == 10
    documentation = {link.content_type: link.access_url for link in by_semantics["#documentation"]}
    record = json.loads(httpx.get(documentation["application/json"], timeout=30).content)
    used = [e for e in record["entity"].values() if e.get("prov:label", "").startswith("science window")]
    listed = sorted(re.search(r"\d{12}\.\d{3}", link.description).group(0) for link in scws)  # type: ignore[union-attr]
    assert sorted(e["voprov:id"] for e in used) == listed
    assert {e["voprov:version"] for e in used} == {"001"}
    assert record["activity"] and record["wasGeneratedBy"] and record["agent"]
    (derived,) = by_semantics["#derivation"]
    source_list = parse(io.BytesIO(httpx.get(derived.access_url, timeout=30).content), verify="exception")
    assert source_list.get_first_table().to_table()["semantics"][0] == "#this"


def test_several_ids_in_one_call_and_an_unknown_one(image_job: ImageJob) -> None:
    prefix = _did_prefix(image_job)
    ids = [
        f"{prefix}{image_job.job_id}-image",
        f"{prefix}nothing-here",
        f"{prefix}{image_job.job_id}-catalog",
    ]
    response = httpx.get(f"{image_job.live.url}/datalink/links", params=[("ID", i) for i in ids], timeout=30)
    assert response.headers["content-type"] == "application/x-votable+xml;content=datalink"
    table = parse(io.BytesIO(response.content), verify="exception").get_first_table().to_table()
    order = [str(i) for i in table["ID"]]
    assert order == sorted(order, key=ids.index)  # an ID's rows together, in the order asked
    errors = table[[bool(str(m)) for m in table["error_message"].filled("")]]
    assert list(errors["ID"]) == [ids[1]] and str(errors["error_message"][0]).startswith("NotFoundFault")


def test_product_moc_covers_its_centre_and_not_ten_degrees_away(image_job: ImageJob, tmp_path: Path) -> None:
    def fetched(path: str) -> MOC:
        fits_file = tmp_path / "moc.fits"
        fits_file.write_bytes(httpx.get(f"{image_job.live.url}{path}.fits", timeout=30).content)
        from_fits = MOC.load(fits_file, format="fits")
        from_json = MOC.from_json(httpx.get(f"{image_job.live.url}{path}.json", timeout=30).json())
        assert from_fits == from_json
        return from_fits

    def inside(m: MOC, ra: float, dec: float) -> bool:
        return bool(m.contains_lonlat(Longitude(ra * u.deg), Latitude(dec * u.deg))[0])

    moc = fetched(f"/products/{image_job.job_id}-image/moc")
    service = fetched("/coverage/moc")
    row = _obscore(image_job)[0]
    assert inside(moc, row["s_ra"], row["s_dec"]) and inside(service, row["s_ra"], row["s_dec"])
    away = row["s_dec"] - row["s_fov"] / 2.0 - 10.0
    assert not inside(moc, row["s_ra"], away)
    assert (moc - service).empty()  # the service's coverage is the union of its products'
    print(
        f"product MOC: {moc.sky_fraction * 41253:.0f} deg2; service MOC: {service.sky_fraction * 41253:.0f} deg2"
    )


def test_datalinklint_and_votlint_find_nothing(
    image_job: ImageJob, shared_dir: Path, tmp_path: Path, votlint: VotLint
) -> None:
    script = validator_script(shared_dir, "datalinklint.sh")
    prefix = _did_prefix(image_job)
    ids = [f"{prefix}{image_job.job_id}-image", f"{prefix}{image_job.job_id}-catalog", f"{prefix}missing"]
    url = f"{image_job.live.url}/datalink/links?" + "&".join(f"ID={quote(i, safe='')}" for i in ids)
    # STILTS 3.4.7 checks semantics against its own copy of the DataLink core vocabulary, which predates
    # #documentation (VEP-002, now in the vocabulary and the term for provenance records): those messages,
    # and only those, are let through.
    report = tmp_path / "report.txt"
    env = {**os.environ, "DATALINKLINT_REPORT": str(report), "DATALINKLINT_ALLOW": "E-SMCO"}
    done = subprocess.run(
        [str(script), url], capture_output=True, text=True, env=env, timeout=600, check=False
    )
    verdict = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else done.stderr
    print(verdict)
    assert done.returncode == 0, done.stdout + done.stderr
    messages = [line for line in report.read_text().splitlines() if line[:2] in {"E-", "W-", "F-"}]
    unknown = [m for m in messages if m.startswith("E-SMCO")]
    assert all("Unknown predicate 'documentation'" in m for m in unknown), unknown
    assert verdict == f"datalinklint: {len(unknown)} errors, 0 warnings, 0 failures", messages
    checked = votlint(httpx.get(url, timeout=30).content)
    print(checked)
    assert checked.startswith("votlint: 0 errors, 0 warnings")


@pytest.mark.parametrize("serialization", ["votable", "votable/b2"])
def test_obscore_results_with_their_descriptor_pass_votlint(
    image_job: ImageJob, votlint: VotLint, serialization: str
) -> None:
    query = f"SELECT * FROM ivoa.obscore WHERE obs_id = '{image_job.job_id}'"
    response = httpx.get(
        f"{image_job.live.tap}/sync",
        params={"REQUEST": "doQuery", "LANG": "ADQL", "QUERY": query, "RESPONSEFORMAT": serialization},
        timeout=30,
    )
    document = parse(io.BytesIO(response.content), verify="exception")
    (descriptor,) = [r for r in document.resources if r.type == "meta"]
    (identifier,) = descriptor.groups[0].entries
    assert identifier.name == "ID" and identifier.ref == "obs_publisher_did"
    checked = votlint(response.content)
    print(f"ivoa.obscore result ({serialization}) with its DataLink descriptor: {checked}")
    assert checked.startswith("votlint: 0 errors, 0 warnings")


def test_the_reproduce_script_makes_the_same_data_on_a_fresh_service(
    image_job: ImageJob, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """The script of the mosaic, run against another service with its own empty data directory (so nothing
    is reused), makes a FITS file whose data units are byte for byte the original's."""
    script = httpx.get(f"{image_job.live.url}/products/{image_job.job_id}-image/reproduce.py", timeout=30)
    assert script.headers["content-type"].startswith("text/x-python")
    workdir = tmp_path_factory.mktemp("reproduce")
    (workdir / "reproduce.py").write_bytes(script.content)
    data_dir = workdir / "service"
    port = free_port()
    env = service_environment(data_dir, port, None)
    load_demo(env)
    process = start_server(env, port, workdir / "server.log")
    try:
        done = subprocess.run(
            [sys.executable, "reproduce.py", f"http://127.0.0.1:{port}"],
            cwd=workdir,
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    finally:
        stop_server(process)
    print(done.stdout.strip())
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.strip().endswith("identical data")


def test_sia_finds_the_crab_image(image_job: ImageJob) -> None:
    sia = pyvo.dal.SIA2Service(f"{image_job.live.url}/sia")
    found = sia.search(pos=(83.63, 22.01, 1))
    dids = [str(r["obs_publisher_did"]) for r in found]
    print(f"SIA2Service.search(pos=(83.63, 22.01, 1)): {len(dids)} images")
    assert f"{_did_prefix(image_job)}{image_job.job_id}-image" in dids
    assert all(str(r["dataproduct_type"]) == "image" for r in found)  # not the source list
    far = sia.search(pos=(263.63, -22.01, 1))
    assert f"{_did_prefix(image_job)}{image_job.job_id}-image" not in [
        str(r["obs_publisher_did"]) for r in far
    ]
