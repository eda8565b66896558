"""The declared optional features: their type IVOIDs as clients recognise them, and the lookup by IVOID."""

from __future__ import annotations

from tap.adql import features as feat


def test_feature_types_are_spelled_as_tapregext_spells_them() -> None:
    # STILTS 3.4 (taplint, TOPCAT) compares these case-sensitively: any other spelling reads as "custom"
    assert feat.GEOMETRY == "ivo://ivoa.net/std/TAPRegExt#features-adqlgeo"
    expected = {
        "ivo://ivoa.net/std/TAPRegExt#features-" + suffix
        for suffix in (
            "adqlgeo",
            "adql-string",
            "adql-common-table",
            "adql-sets",
            "adql-type",
            "adql-offset",
            "udf",
        )
    }
    # ... except the key STILTS 3.4 does not know: in ADQL 2.1's lower case it is a custom feature to taplint
    # (a warning), in TAPRegExt's spelling an unknown standard key (an error)
    expected.add("ivo://ivoa.net/std/tapregext#features-adql-conditional")
    assert {f.type for f in feat.language_features()} == expected


def test_conditional_feature_is_the_same_ivoid_in_either_case() -> None:
    assert feat.is_declared("ivo://ivoa.net/std/TAPRegExt#features-adql-conditional", "COALESCE")
    assert feat.is_declared(feat.CONDITIONAL, "case")


def test_declared_features_are_looked_up_case_insensitively() -> None:
    for feature_type in (feat.GEOMETRY, feat.GEOMETRY.lower(), feat.GEOMETRY.upper()):
        assert feat.is_declared(feature_type, "contains")
    assert feat.is_declared("ivo://ivoa.net/std/tapregext#features-adql-sets", "UNION")
    assert not feat.is_declared(feat.GEOMETRY, "REGION")
    assert not feat.is_declared(feat.UNIT, "IN_UNIT")
