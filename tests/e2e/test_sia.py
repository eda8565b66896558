"""SIA 2.0 on the running service and both engines: pyvo's ``SIA2Service`` finds ``/sia/query`` through
``/sia/capabilities`` and gets the images it asks for by position, band, time, instrument and MAXREC; the
documents are valid VOTables and VOSI documents.  The sample products are written into the service's own
database and removed afterwards; the service may hold other products, so only the samples are compared."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import pyvo
from astropy.io.votable import parse
from astropy.time import Time

from tests.conftest import VotLint
from tests.e2e.conftest import LiveService
from tests.vo_service.sia.samples import (
    CRAB,
    CRAB_SPECTRUM,
    CYGX1,
    GC_CUBE,
    PRODUCT_IDS,
    delete_samples,
    did,
    insert_samples,
)
from tests.xmlschema import assert_valid
from vo_service.config import Config
from vo_service.db import make_engine

pytestmark = [pytest.mark.e2e, pytest.mark.usefixtures("pyvo_sockets")]


@dataclass(frozen=True)
class Samples:
    """The service with the sample products in its database; ``dids`` by product id."""

    live: LiveService
    dids: dict[str, str]

    @property
    def query_url(self) -> str:
        return f"{self.live.url}/sia/query"

    def found(self, results: pyvo.dal.SIA2Results) -> set[str]:
        """Which samples are among the results."""
        dids = {str(d) for d in results["obs_publisher_did"]}
        return {product for product, value in self.dids.items() if value in dids}


@pytest.fixture(scope="module")
def samples(live: LiveService) -> Iterator[Samples]:
    config = Config(
        data_dir=Path(live.env["MMVO_DATA_DIR"]), database_url=live.env.get("MMVO_DATABASE_URL") or None
    )
    engine = make_engine(config)
    try:
        insert_samples(engine)
        try:
            yield Samples(live, {p: did(p, config.authority) for p in PRODUCT_IDS})
        finally:
            delete_samples(engine)
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def sia2(samples: Samples) -> pyvo.dal.SIA2Service:
    return pyvo.dal.SIA2Service(f"{samples.live.url}/sia")


def test_pyvo_finds_the_query_endpoint_through_the_capabilities(
    samples: Samples, sia2: pyvo.dal.SIA2Service
) -> None:
    assert sia2.query_ep == samples.query_url


def test_pyvo_search_by_position(samples: Samples, sia2: pyvo.dal.SIA2Service) -> None:
    results = sia2.search(pos=(83.63, 22.01, 1))
    assert samples.found(results) == {CRAB}  # not the spectrum of the same field
    record = next(r for r in results if r["obs_publisher_did"] == samples.dids[CRAB])
    assert (record["instrument_name"], record["dataproduct_type"]) == ("ISGRI", "image")
    assert samples.found(sia2.search(pos=(80.0, 90.0, 20.0, 25.0))) == {CRAB}  # a RANGE


def test_pyvo_search_by_band_time_and_instrument(samples: Samples, sia2: pyvo.dal.SIA2Service) -> None:
    assert samples.found(sia2.search(band=(1e-10, 2e-10))) == {CYGX1}
    assert samples.found(sia2.search(band=(float("-inf"), 1e-12))) == {GC_CUBE}
    window = (Time(53000.2, format="mjd"), Time(53000.8, format="mjd"))
    assert samples.found(sia2.search(time=window)) == {CRAB}
    assert samples.found(sia2.search(instrument="JEM-X1")) == {CYGX1}
    assert samples.found(sia2.search(pos=(83.63, 22.01, 1), instrument="JEM-X1")) == set()
    assert samples.found(sia2.search(publisher_did=samples.dids[CRAB_SPECTRUM])) == set()


def test_pyvo_search_with_maxrec(samples: Samples, sia2: pyvo.dal.SIA2Service) -> None:
    assert len(sia2.search(facility="INTEGRAL", maxrec=1)) == 1
    response = httpx.get(samples.query_url, params={"FACILITY": "INTEGRAL", "MAXREC": "1"})
    statuses = [
        i.value for i in parse(io.BytesIO(response.content)).resources[0].infos if i.name == "QUERY_STATUS"
    ]
    assert statuses == ["OK", "OVERFLOW"]
    assert len(sia2.search(facility="INTEGRAL", maxrec=0)) == 0


def test_documents_are_valid_votables(samples: Samples, votlint: VotLint) -> None:
    for params, status in (
        ({"POS": "CIRCLE 83.63 22.01 1", "RESPONSEFORMAT": "votable"}, 200),
        ({"MAXREC": "0"}, 200),
        ({"POS": "CIRCLE 83.63 22.01"}, 400),
        ({"DPTYPE": "spectrum"}, 400),
    ):
        response = httpx.get(samples.query_url, params=params)
        assert response.status_code == status
        document = parse(io.BytesIO(response.content), verify="exception")
        if status == 400:
            (info,) = [i for i in document.resources[0].infos if i.name == "QUERY_STATUS"]
            assert (info.value, str(info.content).split(":")[0]) == ("ERROR", "UsageFault")
        assert votlint(response.content).startswith("votlint: 0 errors"), params


def test_post_answers_as_get(samples: Samples) -> None:
    response = httpx.post(samples.query_url, data={"pos": "CIRCLE 83.63 22.01 1", "ID": samples.dids[CRAB]})
    assert response.status_code == 200
    table = parse(io.BytesIO(response.content), verify="exception").get_first_table()
    assert [str(d) for d in table.array["obs_publisher_did"]] == [samples.dids[CRAB]]


def test_vosi_documents_are_schema_valid(samples: Samples, schemas: Path) -> None:
    root = assert_valid(
        httpx.get(f"{samples.live.url}/sia/capabilities").content, schemas, "benson-ivoa-bundle.xsd"
    )
    assert {c.get("standardID") for c in root.findall("capability")} == {
        "ivo://ivoa.net/std/SIA#query-2.0",
        "ivo://ivoa.net/std/VOSI#capabilities",
        "ivo://ivoa.net/std/VOSI#availability",
    }
    availability = httpx.get(f"{samples.live.url}/sia/availability").content
    root = assert_valid(availability, schemas, "VOSIAvailability-v1.xsd")
    assert root.findtext("{http://www.ivoa.net/xml/VOSIAvailability/v1.0}available") == "true"
