"""mmvo.sources: the reference catalogue and the simulated faint population, chunk by chunk."""

from __future__ import annotations

import re
import tracemalloc

import numpy as np
import pytest

from vo_service.demo.reference import REFERENCE_SOURCES
from vo_service.demo.sky import separation
from vo_service.demo.sources import SOURCES, igr_names, source_chunks

N_REF = len(REFERENCE_SOURCES)


def _concat(total: int, seed: int, chunk_size: int) -> dict[str, np.ndarray]:
    chunks = list(source_chunks(total, seed=seed, chunk_size=chunk_size))
    return {
        k: np.ma.masked_array(
            np.concatenate([np.ma.getdata(c[k]) for c in chunks]),
            mask=np.concatenate([np.ma.getmaskarray(c[k]) for c in chunks]),
        )
        for k in chunks[0]
    }


def test_same_seed_same_rows_and_chunks_match_the_metadata() -> None:
    a = _concat(3_000, 7, 1_000)
    b = _concat(3_000, 7, 1_000)
    assert list(a) == [c.name for c in SOURCES.columns]
    for name in a:
        np.testing.assert_array_equal(np.ma.getdata(a[name]), np.ma.getdata(b[name]))
    c = _concat(3_000, 8, 1_000)
    assert not np.array_equal(a["ra"], c["ra"])


def test_counts_ids_and_prefix_stability() -> None:
    rows = _concat(2_500, 1, 1_000)
    assert len(rows["source_id"]) == 2_500
    np.testing.assert_array_equal(rows["source_id"], np.arange(1, 2_501))
    longer = _concat(3_700, 1, 1_000)
    np.testing.assert_array_equal(longer["ra"][:2_500], rows["ra"])
    assert [len(c["ra"]) for c in source_chunks(N_REF + 2_001, seed=1, chunk_size=1_000)] == [
        N_REF,
        1_000,
        1_000,
        1,
    ]


def test_value_ranges_and_population() -> None:
    rows = _concat(20_000, 3, 5_000)
    sim = np.asarray(rows["simulated"])
    ra, dec = np.asarray(rows["ra"]), np.asarray(rows["dec"])
    assert np.all((ra >= 0) & (ra < 360)) and np.all((dec >= -90) & (dec <= 90))
    flux = np.asarray(rows["flux"][sim])
    assert flux.min() >= 0.5 and flux.max() <= 5.0
    # Euclidean logN-logS: N(>S) ~ S^-1.5, so N(>1)/N(>2) = 2^1.5 within the truncation.
    expected = ((1.0 / 0.5) ** -1.5 - 0.1**1.5) / ((2.0 / 0.5) ** -1.5 - 0.1**1.5)
    assert np.count_nonzero(flux > 1) / np.count_nonzero(flux > 2) == pytest.approx(expected, rel=0.1)
    glat = np.asarray(rows["glat"][sim])
    assert np.mean(np.abs(glat) < 10) > 0.6  # concentrated towards the plane ...
    assert np.mean(np.abs(glat) > 30) > 0.15  # ... with an isotropic extragalactic part
    assert np.all(np.asarray(rows["flux_err"][sim]) > 0)
    assert set(rows["class"][sim]) >= {"HighMassXBin", "LowMassXBin", "Seyfert1", "Seyfert2"}
    pattern = re.compile(r"IGR J\d{5}[+-]\d{4}\Z")
    assert all(pattern.match(n) for n in rows["name"][sim])


def test_reference_sources_come_first_with_their_real_positions() -> None:
    first = next(source_chunks(N_REF, seed=1))
    by_name = {str(n): i for i, n in enumerate(first["name"])}
    assert len(first["name"]) == N_REF and not np.any(first["simulated"])
    for name, ra, dec, cls in [
        ("Crab", 83.6331, 22.0145, "SNRemnant"),
        ("Cyg X-1", 299.5903, 35.2016, "HighMassXBin"),
        ("V404 Cyg", 306.0159, 33.8672, "LowMassXBin"),
        ("Cen A", 201.3651, -43.0191, "Seyfert2"),
    ]:
        i = by_name[name]
        assert separation(first["ra"][i], first["dec"][i], ra, dec) < 1e-6
        assert first["class"][i] == cls
    assert first["flux"][by_name["Crab"]] == 1000.0
    assert first["transient"][by_name["V404 Cyg"]] and not first["transient"][by_name["Crab"]]
    assert np.ma.getmaskarray(first["flux"])[by_name["GRO J1655-40"]]  # no tabulated flux: NULL
    crab_l, crab_b = first["glon"][by_name["Crab"]], first["glat"][by_name["Crab"]]
    assert (crab_l, crab_b) == pytest.approx((184.5575, -5.7843), abs=1e-3)


def test_igr_names_truncate_like_the_iau_names() -> None:
    names = igr_names(np.array([247.952, 0.0, 359.999]), np.array([-48.817, -0.001, 0.5]))
    assert list(names) == ["IGR J16318-4849", "IGR J00000-0000", "IGR J23599+0030"]


def test_bad_totals_are_refused() -> None:
    with pytest.raises(ValueError, match="at least"):
        next(source_chunks(N_REF - 1, seed=1))
    with pytest.raises(ValueError, match="chunk_size"):
        next(source_chunks(100, seed=1, chunk_size=0))


def test_memory_stays_flat_in_the_number_of_rows() -> None:
    tracemalloc.start()
    try:
        rows = sum(len(c["ra"]) for c in source_chunks(40_000, seed=2, chunk_size=2_000))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert rows == 40_000
    assert peak < 4_000_000  # one chunk of 2,000 rows, far below the ~7 MB of 40,000 rows
