"""Parameter models: the MMODA names with units and limits, read from request strings, refused by name."""

from __future__ import annotations

import pytest

from instruments.errors import InstrumentUsageError
from instruments.parameters import (
    EnergyBand,
    JemxUnit,
    OsaVersion,
    ScwSelection,
    SourceDetection,
    Target,
    TimeBinning,
    TimeWindow,
    describe_parameters,
    param,
    parse_parameters,
    to_mjd,
)


class Everything(
    Target, TimeWindow, EnergyBand, ScwSelection, SourceDetection, TimeBinning, OsaVersion, JemxUnit
):
    pass


class Narrow(Target, EnergyBand):
    E1_keV: float = param(30.0, description="Lower end", unit="keV", ge=15, le=1000)


def _fails(model: type[Target], match: str, **values: object) -> None:
    with pytest.raises(InstrumentUsageError, match=match):
        parse_parameters(model, values)


def test_every_mmoda_name_is_described_with_its_unit_and_limits() -> None:
    infos = {p.name: p for p in describe_parameters(Everything)}
    assert set(infos) == {
        "src_name", "RA", "DEC", "T1", "T2", "T_format", "E1_keV", "E2_keV", "radius", "max_pointings",
        "scw_list", "detection_threshold", "time_bin", "osa_version", "jemx_num",
    }  # fmt: skip
    ra = infos["RA"]
    assert (ra.datatype, ra.unit, ra.ucd, ra.minimum, ra.maximum) == ("double", "deg", "pos.eq.ra", 0, 360)
    assert ra.min_inclusive and not ra.max_inclusive and not ra.required
    assert infos["max_pointings"].datatype == "long"
    assert infos["T_format"].options == ("isot", "mjd") and infos["T_format"].default == "isot"
    assert infos["jemx_num"].options == ("1", "2")
    assert infos["scw_list"].multiple and infos["scw_list"].default is None
    assert infos["E1_keV"].allowed() == "greater than 0 keV"
    assert infos["DEC"].allowed() == "between -90 and 90 deg"


def test_strings_become_typed_values_case_insensitively() -> None:
    p = parse_parameters(
        Everything,
        {
            "ra": "10.5",
            "Dec": "-5",
            "JEMX_NUM": "2",
            "scw_list": ["066500220010.001, 066500230010", "066500240010"],
        },
    )
    assert (p.RA, p.DEC, p.jemx_num) == (10.5, -5.0, 2)
    assert p.scw_list == ("066500220010.001", "066500230010", "066500240010")
    assert p.src_name == "Crab"  # defaults for the rest


def test_empty_values_take_the_default() -> None:
    assert parse_parameters(Everything, {"RA": " ", "scw_list": ""}).RA == 83.63308


def test_python_values_pass_as_they_are() -> None:
    assert parse_parameters(Everything, {"RA": 12, "jemx_num": 2}).RA == 12.0


def test_bad_values_are_refused_naming_the_parameter_and_its_range() -> None:
    _fails(Everything, r"parameter RA must be a number at least 0 and less than 360 deg, not '400'", RA="400")
    _fails(Everything, r"parameter DEC must be a number between -90 and 90 deg, not 'north'", DEC="north")
    _fails(Everything, r"parameter jemx_num must be one of 1, 2, not '3'", jemx_num="3")
    _fails(Everything, r"parameter max_pointings must be an integer between 1 and 5000", max_pointings="1.5")
    _fails(Everything, r"parameter scw_list: '12' is not a science window id", scw_list="12")
    _fails(Narrow, r"parameter E1_keV must be a number between 15 and 1000 keV, not '10'", E1_keV="10")


def test_every_bad_parameter_is_reported() -> None:
    _fails(Everything, r"parameter RA .*; parameter DEC ", RA="-1", DEC="100")


def test_unknown_and_repeated_parameters_are_refused() -> None:
    _fails(Everything, r"unknown parameter RAA: the parameters are .*RA", RAA="1")
    _fails(Everything, r"parameter RA takes one value, not 2", RA=["1", "2"])


def test_checks_across_parameters() -> None:
    _fails(Everything, r"parameter E2_keV \(40.0\) must be larger than E1_keV \(50.0\)", E1_keV="50")
    _fails(Everything, r"parameter T2 .* must be later than T1", T1="2003-03-17")
    _fails(Everything, r"parameter T1 must be a time written as T_format=mjd says", T_format="mjd")


def test_times_in_either_format() -> None:
    iso = parse_parameters(Everything, {"T1": "2003-03-15T00:00:00Z", "T2": "2003-03-16T12:00:00"})
    mjd = parse_parameters(Everything, {"T1": "52713", "T2": "52714.5", "T_format": "mjd"})
    assert iso.mjd_range == mjd.mjd_range == (52713.0, 52714.5)
    assert to_mjd("1858-11-17T00:00:00", "isot") == 0.0


def test_missing_required_parameters_are_named() -> None:
    class Needs(Target):
        flux: float = param(description="A flux", unit="mCrab")

    assert describe_parameters(Needs)[-1].required
    _fails(Needs, r"parameter flux is required: A flux")
