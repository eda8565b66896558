"""The reproduce script: parameters in the form a job list takes, and a Python script that submits the same
analysis with them and compares the data checksum with the original's."""

from __future__ import annotations

import ast
from typing import Any

import pytest

from datalink.reproduce import reproduce_script, wire_parameters
from tests.vo_service.products.test_records import JOB, PARAMETERS, run_records

SERVICE = "https://mmvo.example.org"


@pytest.fixture(scope="module")
def manifests(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return {r.manifest["result_id"]: r.manifest for r in run_records(tmp_path_factory.mktemp("job"))}


def test_wire_parameters() -> None:
    parameters = {
        "src_name": "Crab",
        "RA": 83.63308,
        "n_bins": 0,
        "scw_list": ["066500130010.001", "066500140010.001"],
        "bands": (20, 40),
        "empty": [],
        "use_nrt": True,
        "fit": False,
        "max_pointings": None,
    }
    assert wire_parameters(parameters) == {
        "src_name": "Crab",
        "RA": "83.63308",
        "n_bins": "0",
        "scw_list": "066500130010.001,066500140010.001",
        "bands": "20,40",
        "use_nrt": "true",
        "fit": "false",
    }
    assert wire_parameters({}) == {}


def _module(script: str) -> ast.Module:
    compile(script, "reproduce.py", "exec")
    return ast.parse(script)


def _assigned(module: ast.Module, name: str) -> Any:
    for node in module.body:
        if isinstance(node, ast.Assign) and [t.id for t in node.targets if isinstance(t, ast.Name)] == [name]:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} is not assigned")


def test_the_script_compiles_and_says_what_to_make(manifests: dict[str, dict[str, Any]]) -> None:
    image = manifests["image"]
    script = reproduce_script(image, service_url=SERVICE)
    module = _module(script)
    assert _assigned(module, "PARAMETERS") == wire_parameters(PARAMETERS)
    assert _assigned(module, "RESULT") == "image"
    assert _assigned(module, "EXPECTED") == image["files"][0]["data_checksum"]
    submits = [
        node
        for node in ast.walk(module)
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "submit"
    ]
    (submit,) = submits
    assert [ast.literal_eval(a) for a in submit.args[:2]] == ["isgri", "image"]
    assert isinstance(submit.args[2], ast.Name) and submit.args[2].id == "PARAMETERS"
    assert _assigned(module, "PRODUCT") == f"{JOB}-image" and _assigned(module, "TITLE") == image["title"]
    assert repr(SERVICE) in script  # the default service, when no URL is given
    assert "'isgri_mosaic.fits'" in script


def test_each_product_fetches_its_own_result(manifests: dict[str, dict[str, Any]]) -> None:
    catalog = manifests["catalog"]
    module = _module(reproduce_script(catalog, service_url=SERVICE))
    assert _assigned(module, "RESULT") == "catalog"
    assert _assigned(module, "EXPECTED") == catalog["files"][0]["data_checksum"]


def test_parameter_values_are_python_literals(manifests: dict[str, dict[str, Any]]) -> None:
    image = manifests["image"]
    tricky = {"src_name": "4U 1630-47 'B'", "note": 'a "quoted"\\ value\n', "scw_list": ["a", "b"]}
    manifest = {**image, "activity": {**image["activity"], "parameters": tricky}}
    module = _module(reproduce_script(manifest, service_url=SERVICE))
    assert _assigned(module, "PARAMETERS") == wire_parameters(tricky)


@pytest.mark.parametrize(
    "source",
    ['Crab """ + __import__("os").getcwd() + """', "SGR J1935+2154\\N"],
    ids=["triple-quote", "backslash"],
)
def test_a_title_cannot_break_the_script(manifests: dict[str, dict[str, Any]], source: str) -> None:
    image = manifests["image"]
    title = f"ISGRI spectrum of {source}, 7.2 ks"
    module = _module(reproduce_script({**image, "title": title}, service_url=SERVICE))
    assert not any(
        isinstance(node, ast.Call) and getattr(node.func, "id", "") == "__import__"
        for node in ast.walk(module)
    )
    assert _assigned(module, "TITLE") == title
