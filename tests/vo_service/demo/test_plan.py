"""The simulated pointing plan: ScW ids, timing, campaigns, visibility and determinism."""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pytest

from vo_service.demo.fields import CAMPAIGNS, campaign_for, default_revolutions
from vo_service.demo.plan import NRT_FROM, plan_revolution, scw_chunks
from vo_service.demo.revolutions import revolution_start, science_window
from vo_service.demo.scw import SCW
from vo_service.demo.sky import separation, sun_radec

SEED = 20021017
SCW_ID = re.compile(r"(\d{4})(\d{4})(\d{3})([01])\.(\d{3})\Z")
_EPOCH = dt.datetime(1858, 11, 17)


@pytest.fixture(scope="module")
def plan() -> dict[str, np.ndarray]:
    chunks = list(scw_chunks(default_revolutions(), seed=SEED))
    return {k: np.concatenate([c[k] for c in chunks]) for k in chunks[0]}


def _month(mjd: float) -> int:
    return (_EPOCH + dt.timedelta(days=mjd)).month


def test_default_plan_size_and_columns(plan: dict[str, np.ndarray]) -> None:
    assert set(plan) == {c.name for c in SCW.columns}
    assert 10_000 <= len(plan["scw_id"]) <= 100_000
    assert len(set(plan["scw_id"])) == len(plan["scw_id"])
    assert 250 <= len(set(plan["revolution"].tolist())) <= 400


def test_scw_ids_encode_revolution_type_and_version(plan: dict[str, np.ndarray]) -> None:
    for scw_id, rev, kind, version in zip(
        plan["scw_id"], plan["revolution"], plan["scw_type"], plan["data_version"], strict=True
    ):
        m = SCW_ID.match(scw_id)
        assert m is not None, scw_id
        assert int(m[1]) == rev and int(m[3]) >= 1
        assert m[4] == ("0" if kind == "POINTING" else "1")
        assert (m[5], version) == (("000", "NRT") if rev >= NRT_FROM else ("001", "CONS"))


def test_times_exposures_and_windows(plan: dict[str, np.ndarray]) -> None:
    start, stop, exposure = plan["t_start"], plan["t_stop"], plan["exposure"]
    assert np.all(stop > start)
    np.testing.assert_allclose((stop - start) * 86_400, exposure, atol=0.01)
    win_start, win_stop = science_window(plan["revolution"])
    assert np.all(start >= win_start - 1e-9) and np.all(stop <= win_stop + 1e-9)
    pointing = plan["scw_type"] == "POINTING"
    assert np.all((exposure[pointing] >= 1000) & (exposure[pointing] <= 3600))
    assert 1900 <= np.median(exposure[pointing]) <= 2300
    assert np.all((exposure[~pointing] >= 120) & (exposure[~pointing] <= 1800))
    for good in ("good_isgri", "good_jemx1", "good_jemx2", "good_spi"):
        assert np.all(plan[good] <= exposure) and np.all(plan[good][~pointing] == 0)
    same_rev = plan["revolution"][1:] == plan["revolution"][:-1]
    assert np.all(start[1:][same_rev] >= stop[:-1][same_rev] - 1e-9)  # no overlaps, in time order
    ra, dec = plan["ra"], plan["dec"]
    assert np.all((ra >= 0) & (ra < 360)) and np.all((dec >= -90) & (dec <= 90))


def test_the_mmoda_example_scw_is_a_crab_pointing(plan: dict[str, np.ndarray]) -> None:
    (i,) = np.flatnonzero(plan["scw_id"] == "066500220010.001")
    assert plan["target"][i] == "Crab" and plan["scw_type"][i] == "POINTING"
    assert separation(plan["ra"][i], plan["dec"][i], 83.6331, 22.0145) < 5.0
    assert _month(plan["t_start"][i]) == 3 and plan["t_start"][i] < 54600  # March 2008


def test_campaigns(plan: dict[str, np.ndarray]) -> None:
    v404 = (plan["target"] == "V404 Cyg") & (plan["scw_type"] == "POINTING")
    june_2015 = (plan["t_start"] >= 57174.0) & (plan["t_start"] < 57204.0)
    assert np.count_nonzero(v404 & june_2015) > 100
    assert set(plan["revolution"][v404].tolist()) <= set(range(1554, 1562))
    assert set(plan["obs_type"][v404]) == {"TOO"}
    crab_cal = (plan["target"] == "Crab") & (plan["revolution"] <= 45)
    assert set(plan["revolution"][crab_cal].tolist()) == set(range(39, 46))
    assert all(campaign_for(r) is not None for c in CAMPAIGNS for r in c.revolutions)


def test_crab_and_all_regular_fields_respect_the_solar_aspect(plan: dict[str, np.ndarray]) -> None:
    regular = np.array([campaign_for(int(r)) is None for r in plan["revolution"]])
    crab = regular & (plan["target"] == "Crab")
    assert np.count_nonzero(crab) > 50
    assert {_month(t) for t in plan["t_start"][crab]} <= {2, 3, 4, 8, 9, 10}
    point = regular & (plan["scw_type"] == "POINTING")
    sun_ra, sun_dec = sun_radec(plan["t_start"][point])
    # The constraint holds for the field centre at the block start; dithers add at most ~6 deg, a block ~1 deg.
    angle = separation(plan["ra"][point], plan["dec"][point], sun_ra, sun_dec)
    assert angle.min() > 40 and angle.max() < 140


def test_revolutions_are_planned_independently() -> None:
    alone = plan_revolution(665, seed=SEED)
    together = next(scw_chunks([664, 665, 666], seed=SEED))
    mask = together["revolution"] == 665
    np.testing.assert_array_equal(alone["scw_id"], together["scw_id"][mask])
    np.testing.assert_array_equal(alone["ra"], together["ra"][mask])
    other = plan_revolution(665, seed=SEED + 1)
    assert not np.array_equal(other["ra"][: len(alone["ra"])], alone["ra"][: len(other["ra"])])
    assert alone["t_start"][0] > revolution_start(665)


def test_bad_arguments() -> None:
    with pytest.raises(ValueError):
        plan_revolution(0, seed=1)
    with pytest.raises(ValueError):
        next(scw_chunks([10], seed=1, per_chunk=0))
    with pytest.raises(ValueError):
        default_revolutions(0)
