"""Provenance records of the products of a real run: standard PROV (the ``prov`` library reads the JSON back
as the same document) holding the activity, its inputs and parameters, the product and who made it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from prov.model import ProvDocument

from datalink.provenance import provenance_document, provenance_json, provenance_provn
from datalink.reproduce import wire_parameters
from tests.vo_service.products.test_records import FINISHED, JOB, PARAMETERS, SCWS, STARTED, run_records

AUTHORITY = "example.org"
SERVICE = "https://mmvo.example.org"
ACTIVITY = f"mmvo:job/{JOB}"
IMAGE = f"mmvo:product/{JOB}-image"
CATALOG = f"mmvo:product/{JOB}-catalog"


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return {r.manifest["result_id"]: r.manifest for r in run_records(tmp_path_factory.mktemp("job"))}


def _record(manifest: dict[str, Any]) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(provenance_json(manifest, authority=AUTHORITY, service_url=SERVICE))
    return loaded


def _relations(record: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return list(record.get(kind, {}).values())


def test_prov_json_round_trips(manifests: dict[str, dict[str, Any]]) -> None:
    for manifest in manifests.values():
        text = provenance_json(manifest, authority=AUTHORITY, service_url=SERVICE).decode()
        back = ProvDocument.deserialize(content=text, format="json")
        assert back == provenance_document(manifest, authority=AUTHORITY, service_url=SERVICE)
        assert len(back.records) > 10


def test_namespaces(manifests: dict[str, dict[str, Any]]) -> None:
    prefixes = _record(manifests["image"])["prefix"]
    assert prefixes["mmvo"] == f"ivo://{AUTHORITY}/mmvo/"
    assert prefixes["scw"] == f"ivo://{AUTHORITY}/mmvo/scw/"
    assert prefixes["voprov"] == "http://www.ivoa.net/documents/ProvenanceDM/ns/voprov/"


def test_one_activity_with_its_times(manifests: dict[str, dict[str, Any]]) -> None:
    activities = _record(manifests["image"])["activity"]
    assert list(activities) == [ACTIVITY]
    facts = activities[ACTIVITY]
    assert dt.datetime.fromisoformat(facts["prov:startTime"]) == STARTED
    assert dt.datetime.fromisoformat(facts["prov:endTime"]) == FINISHED
    assert facts["prov:label"] == "isgri/image"
    assert facts["voprov:code_version"] == "0.1.0+g1234abc"


def test_every_input_science_window_is_used(manifests: dict[str, dict[str, Any]]) -> None:
    record = _record(manifests["image"])
    entities = record["entity"]
    windows = {k: v for k, v in entities.items() if k.startswith("scw:")}
    assert sorted(windows) == sorted(f"scw:{s.id}" for s in SCWS)
    assert {(v["voprov:id"], v["voprov:version"], v["voprov:data_version"]) for v in windows.values()} == {
        ("066500130010.001", "001", "CONS"),
        ("066500140010.001", "001", "NRT"),
        ("066500150010.001", "001", "unknown"),
    }
    used = _relations(record, "used")
    inputs = sorted(u["prov:entity"] for u in used if u.get("prov:role") == "input")
    assert inputs == sorted(windows)
    assert all(u["prov:activity"] == ACTIVITY for u in used)
    derived = {
        (d["prov:generatedEntity"], d["prov:usedEntity"]) for d in _relations(record, "wasDerivedFrom")
    }
    assert {(IMAGE, w) for w in windows} <= derived


def test_parameters_are_used_parameter_entities(manifests: dict[str, dict[str, Any]]) -> None:
    record = _record(manifests["image"])
    parameters = {k: v for k, v in record["entity"].items() if v.get("prov:type") == "voprov:Parameter"}
    # valued as the job list takes them; unset ones (None) are not parameters of the run
    assert sorted(v["prov:label"] for v in parameters.values()) == sorted(wire_parameters(PARAMETERS))
    assert all(k.startswith(f"{ACTIVITY}/parameter/") for k in parameters)
    values = {v["prov:label"]: v["prov:value"] for v in parameters.values()}
    assert values["src_name"] == "Crab" and values["E1_keV"] == "20.0"
    used = [u for u in _relations(record, "used") if u.get("prov:role") == "parameter"]
    assert sorted(u["prov:entity"] for u in used) == sorted(parameters)


def test_the_product_with_its_checksums(manifests: dict[str, dict[str, Any]]) -> None:
    image = manifests["image"]
    product = _record(image)["entity"][IMAGE]
    main = image["files"][0]
    assert product["voprov:checksum"] == main["checksum"]
    assert product["voprov:data_checksum"] == main["data_checksum"]
    assert product["voprov:content_type"] == "application/fits"
    assert product["voprov:data_version"] == "NRT"
    assert product["prov:label"] == image["title"]
    assert product["prov:location"] == f"{SERVICE}/datalink/links?ID={JOB}-image"


def test_generation_association_and_attribution(manifests: dict[str, dict[str, Any]]) -> None:
    record = _record(manifests["image"])
    (generated,) = _relations(record, "wasGeneratedBy")
    assert (generated["prov:entity"], generated["prov:activity"]) == (IMAGE, ACTIVITY)
    assert dt.datetime.fromisoformat(generated["prov:time"]) == FINISHED
    agents = record["agent"]
    assert agents["mmvo:user/alice"]["prov:type"] == "prov:Person"
    assert agents["mmvo:software"]["prov:type"] == "prov:SoftwareAgent"
    associated = {(a["prov:activity"], a["prov:agent"]) for a in _relations(record, "wasAssociatedWith")}
    assert associated == {(ACTIVITY, "mmvo:user/alice"), (ACTIVITY, "mmvo:software")}
    (attributed,) = _relations(record, "wasAttributedTo")
    assert (attributed["prov:entity"], attributed["prov:agent"]) == (IMAGE, "mmvo:user/alice")


def test_an_anonymous_owner(manifests: dict[str, dict[str, Any]]) -> None:
    image = manifests["image"]
    record = _record({**image, "activity": {**image["activity"], "owner": None}})
    (attributed,) = _relations(record, "wasAttributedTo")
    assert attributed["prov:agent"] == "mmvo:user/anonymous"
    assert record["agent"]["mmvo:user/anonymous"]["prov:label"] == "anonymous"


def test_derived_from_parent_products(manifests: dict[str, dict[str, Any]]) -> None:
    def product_sources(record: dict[str, Any], product: str) -> list[str]:
        return [
            d["prov:usedEntity"]
            for d in _relations(record, "wasDerivedFrom")
            if d["prov:generatedEntity"] == product and d["prov:usedEntity"].startswith("mmvo:product/")
        ]

    assert product_sources(_record(manifests["catalog"]), CATALOG) == [IMAGE]
    assert product_sources(_record(manifests["image"]), IMAGE) == []


def test_prov_n(manifests: dict[str, dict[str, Any]]) -> None:
    text = provenance_provn(manifests["catalog"], authority=AUTHORITY, service_url=SERVICE).decode()
    lines = [line.strip() for line in text.strip().splitlines()]
    assert lines[0] == "document" and lines[-1] == "endDocument"
    assert f"prefix mmvo <ivo://{AUTHORITY}/mmvo/>" in lines
    assert any(line.startswith(f"activity({ACTIVITY}, ") for line in lines)
    assert any(line.startswith(f"wasGeneratedBy({CATALOG}, {ACTIVITY}") for line in lines)
    assert any(line.startswith(f"wasDerivedFrom({CATALOG}, {IMAGE}") for line in lines)
    assert sum(line.startswith("entity(scw:") for line in lines) == len(SCWS)


def test_a_catalogue_input_is_not_a_science_window(manifests: dict[str, dict[str, Any]]) -> None:
    image = manifests["image"]
    catalogue = {"kind": "catalogue", "id": "isgri_cat", "version": "43", "data_version": None}
    record = _record({**image, "inputs": [*image["inputs"], catalogue]})
    windows = [
        v for v in record["entity"].values() if str(v.get("prov:label", "")).startswith("science window")
    ]
    assert len(windows) == len(SCWS)
    assert not any(k == "scw:isgri_cat" for k in record["entity"])
