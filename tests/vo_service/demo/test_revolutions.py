"""The revolution <-> date model against the ISDC anchors and the mission milestones."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from vo_service.demo.revolutions import (
    LAST_REVOLUTION,
    MODEL_SWITCH,
    REVOLUTIONS,
    revolution_at,
    revolution_chunks,
    revolution_start,
    science_window,
)

_EPOCH = dt.datetime(1858, 11, 17)


def _mjd(stamp: str) -> float:
    return (dt.datetime.fromisoformat(stamp) - _EPOCH) / dt.timedelta(days=1)


ANCHORS = {
    1559: "2015-06-30T22:00:04",
    1626: "2015-12-26T02:03:13",
    2005: "2018-09-28T21:42:24",
    2025: "2018-11-21T02:18:34",
    2068: "2019-03-15T10:09:40",
    2086: "2019-05-02T06:51:35",
    2119: "2019-07-29T00:43:24",
    2139: "2019-09-20T04:58:29",
    2146: "2019-10-08T19:36:44",
}


@pytest.mark.parametrize(("rev", "stamp"), sorted(ANCHORS.items()))
def test_report_anchors_within_30_minutes(rev: int, stamp: str) -> None:
    assert abs(float(revolution_start(rev)) - _mjd(stamp)) * 1440 < 30


def test_mission_milestones() -> None:
    end = _mjd("2025-02-28T12:00:00")
    assert revolution_start(LAST_REVOLUTION) <= end < revolution_start(LAST_REVOLUTION + 1)
    assert int(revolution_at(end)) == 2886
    assert _mjd("2002-10-17T00:00:00") < revolution_start(1) < _mjd("2002-10-18T00:00:00")
    assert _mjd("2008-03-01") <= revolution_start(665) < _mjd("2008-04-01")
    assert _mjd("2003-02-01") <= revolution_start(39) and revolution_start(46) < _mjd("2003-03-05")
    assert abs(int(revolution_at(_mjd("2012-10-18"))) - 1222) <= 2
    assert 1500 <= MODEL_SWITCH <= 1510


def test_model_is_continuous_and_monotonic() -> None:
    revs = np.arange(1, LAST_REVOLUTION + 2)
    lengths = np.diff(revolution_start(revs))
    assert np.all(lengths > 2.6) and np.all(lengths < 3.0)
    assert np.all(np.abs(np.diff(lengths)) < 0.2)  # one intermediate step where the models meet
    np.testing.assert_array_equal(revolution_at(revolution_start(revs[:-1]) + 0.5), revs[:-1])
    start, stop = science_window(revs[:-1])
    assert np.all(start > revolution_start(revs[:-1])) and np.all(stop < revolution_start(revs[1:]))


def test_revolution_rows() -> None:
    rows = next(revolution_chunks())
    assert list(rows) == [c.name for c in REVOLUTIONS.columns]
    assert len(rows["revolution"]) == LAST_REVOLUTION
    assert np.all(np.asarray(rows["t_stop"], dtype=float) > np.asarray(rows["t_start"], dtype=float))
    np.testing.assert_array_equal(rows["t_stop"][:-1], rows["t_start"][1:])
    assert rows["start_utc"][1558].startswith("2015-06-30T22:")
    assert set(rows["model"]) == {"early", "late"}
    with pytest.raises(ValueError):
        next(revolution_chunks(10, 5))
