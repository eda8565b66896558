"""The ADQL an SIA request becomes: images and cubes only, OR within a parameter and AND across, values only
as literals, and a query the translator takes on both engines."""

from __future__ import annotations

import pytest

from tap.adql.translate import translate
from tap.params import DaliParams
from tap.schema import Dialect, StaticCatalog
from vo_service.demo.products import OBSCORE, PRODUCTS
from vo_service.errors import UsageError
from vo_service.sia.query import CONDITIONS, constraints, sia_query

BASE = "SELECT * FROM ivoa.obscore WHERE dataproduct_type IN ('image', 'cube')"
EVERY_PARAMETER = [
    ("POS", "CIRCLE 83.63 22.01 1"),
    ("POS", "RANGE 0 360 -2 2"),
    ("POS", "POLYGON 82 21 85 21 85 23"),
    ("BAND", "1e-11 +Inf"),
    ("TIME", "53000 53001"),
    ("POL", "I"),
    ("FOV", "1 20"),
    ("SPATRES", "-Inf 720"),
    ("EXPTIME", "1000 +Inf"),
    ("TIMERES", "1"),
    ("SPECRP", "-Inf +Inf"),
    ("ID", "ivo://mmvo.example/mmvo?x"),
    ("COLLECTION", "INTEGRAL/ISGRI"),
    ("FACILITY", "INTEGRAL"),
    ("INSTRUMENT", "ISGRI"),
    ("DPTYPE", "image"),
    ("CALIB", "3"),
    ("TARGET", "Crab"),
    ("FORMAT", "application/fits"),
]


def _query(*pairs: tuple[str, str]) -> str:
    return sia_query(DaliParams.from_pairs(pairs))


def test_no_parameter_asks_for_images_and_cubes() -> None:
    assert _query() == BASE
    assert _query(("RUNID", "x"), ("UPLOAD", "t,http://x"), ("LANG", "SQL")) == BASE


def test_values_of_one_parameter_are_ored_and_parameters_anded() -> None:
    query = _query(("INSTRUMENT", "ISGRI"), ("instrument", "SPI"), ("Calib", "2"))
    assert query == f"{BASE} AND (instrument_name = 'ISGRI' OR instrument_name = 'SPI') AND calib_level = 2"


@pytest.mark.parametrize(
    ("pair", "condition"),
    [
        (("BAND", "1e-10 2e-10"), "(em_min <= 2e-10 AND em_max >= 1e-10)"),
        (("BAND", "-Inf 0.21"), "(em_min <= 0.21 AND em_max IS NOT NULL)"),
        (("TIME", "55678.123456"), "(t_min <= 55678.123456 AND t_max >= 55678.123456)"),
        (("FOV", "1.0 +Inf"), "s_fov >= 1.0"),
        (("SPECRP", "-Inf +Inf"), "em_res_power IS NOT NULL"),
        (("EXPTIME", "-5 5"), "(t_exptime >= -5.0 AND t_exptime <= 5.0)"),
        (("ID", "ivo://A/b?c"), "LOWER(obs_publisher_did) = LOWER('ivo://A/b?c')"),
        (("TARGET", "Crab's nebula"), "target_name = 'Crab''s nebula'"),
        (("POL", "RR"), "pol_states LIKE '%/RR/%'"),
        (("POS", "CIRCLE 10 -20 0.5"), "1 = INTERSECTS(s_region, CIRCLE(10.0, -20.0, 0.5))"),
        (("POS", "RANGE -Inf +Inf -Inf +Inf"), "s_region IS NOT NULL"),
    ],
)
def test_conditions(pair: tuple[str, str], condition: str) -> None:
    assert _query(pair) == f"{BASE} AND {condition}"


def test_a_range_is_bounded_then_centred_or_celled() -> None:
    query = _query(("POS", "RANGE 80 90 20 25"))
    bound, rest = query.removeprefix(f"{BASE} AND (").split(" AND ", 1)
    assert bound.startswith("1 = INTERSECTS(s_region, CIRCLE(85.0, 22.5, ")
    centre = "(s_ra >= 80.0 AND s_ra <= 90.0 AND s_dec >= 20.0 AND s_dec <= 25.0"
    assert rest.startswith(f"({centre} AND 1 = CONTAINS(POINT(s_ra, s_dec), s_region)) OR ")
    assert rest.count("1 = INTERSECTS(s_region, POLYGON(") == 1


@pytest.mark.parametrize("dialect", ["sqlite", "postgresql"])
def test_every_parameter_translates(dialect: Dialect) -> None:
    assert {name for name, _ in EVERY_PARAMETER} == set(CONDITIONS)
    catalog = StaticCatalog([PRODUCTS, OBSCORE])
    translation = translate(_query(*EVERY_PARAMETER), catalog=catalog, dialect=dialect, limit=11)
    assert [c.name for c in translation.columns] == [c.name for c in OBSCORE.columns]


def test_constraints_are_the_sia_parameters_in_order() -> None:
    params = DaliParams.from_pairs([("TIME", "1"), ("FOO", "x"), ("POS", "CIRCLE 1 2 3"), ("MAXREC", "2")])
    assert constraints(params) == [("POS", "CIRCLE 1 2 3"), ("TIME", "1")]


@pytest.mark.parametrize(
    "pair",
    [
        ("DPTYPE", "spectrum"),
        ("DPTYPE", "Image"),
        ("CALIB", "-1"),
        ("POL", "i"),
        ("TARGET", ""),
        ("ID", "a\x00b"),
    ],
)
def test_refused_values_name_their_parameter(pair: tuple[str, str]) -> None:
    with pytest.raises(UsageError, match=f"^parameter {pair[0]} "):
        _query(pair)
