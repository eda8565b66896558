"""The JEM-X plugin run as a notebook runs it: a small archive with its ScW index, the Crab in the field of
unit 2 only, products astropy opens; a unit without good time refused by name."""

from __future__ import annotations

from pathlib import Path

import pytest
from astropy.io import fits
from astropy.io.votable import parse
from astropy.wcs import WCS

from instruments.archive.base import angular_distance
from instruments.base import ProductFile
from instruments.errors import InstrumentUsageError
from instruments.integral.jemx.plugin import Jemx
from instruments.integral.previews import PNG_SIGNATURE
from instruments.integral.scw_index import write_index
from instruments.integral.time import mjd_utc_to_ijd
from instruments.local import LocalRunContext
from instruments.parameters import parse_parameters
from instruments.registry import InstrumentRegistry
from tests.instruments.integral.isgri.conftest import pointing_for
from tests.instruments.integral.jemx.conftest import CRAB_POSITION, MJD

AXES = [pointing_for(CRAB_POSITION, u, v) for u, v in ((0.0, 0.0), (1.5, -1.0), (-1.0, 2.0))]
WINDOW = {"T_format": "mjd", "T1": str(MJD - 0.01), "T2": str(MJD + 1.0)}
CRAB = {"src_name": "Crab", "RA": str(CRAB_POSITION[0]), "DEC": str(CRAB_POSITION[1])}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("jemx-plugin")
    n = len(AXES)
    write_index(
        root / "archive",
        {
            "scw_id": [f"0665{i + 1:04d}0010.001" for i in range(n)],
            "scw_type": ["POINTING"] * n,
            "revolution": [665] * n,
            "ra": [a[0] for a in AXES],
            "dec": [a[1] for a in AXES],
            "posangle": [30.0] * n,
            "t_start": [MJD + 0.05 * i for i in range(n)],
            "t_stop": [MJD + 0.05 * i + 1800.0 / 86400.0 for i in range(n)],
            "good_isgri": [1800.0] * n,
            "good_jemx1": [0.0] * n,
            "good_jemx2": [1700.0] * n,
        },
    )
    return root


def test_the_plugin_is_installed() -> None:
    registry = InstrumentRegistry.discover()
    assert registry.instruments["jemx"] is Jemx
    assert set(Jemx.products) == {"image", "spectrum", "lightcurve"}
    names = {p.name for p in Jemx.products["image"]().describe().parameters}
    assert {"RA", "DEC", "T1", "T2", "E1_keV", "E2_keV", "jemx_num", "max_pointings", "scw_list"} <= names


def test_image_of_unit_2_finds_the_crab(workdir: Path) -> None:
    image = Jemx.products["image"]()
    params = parse_parameters(image.Parameters, {**CRAB, **WINDOW, "jemx_num": "2"})
    products: dict[str, ProductFile] = {p.result_id: p for p in image.run(params, LocalRunContext(workdir))}
    assert set(products) == {"image", "catalog", "preview", "region"}
    assert (workdir / "archive" / "jemx2").is_dir() and not (workdir / "archive" / "jemx1").exists()
    with fits.open(products["image"].path) as hdus:
        assert hdus["FLUX"].header["INSTRUME"] == "JMX2"
        assert hdus["FLUX"].header["E_MIN"] == 3.0 and hdus["FLUX"].header["E_MAX"] == 20.0
        wcs = WCS(hdus["SIGNIFICANCE"].header)
        x, y = wcs.world_to_pixel_values(*CRAB_POSITION)
        assert hdus["SIGNIFICANCE"].data[round(float(y)), round(float(x))] > 100.0
    rows = parse(str(products["catalog"].path), verify="exception").get_first_table().to_table()
    crab = rows[rows["name"] == "Crab"]
    assert len(crab) == 1
    offset = angular_distance(float(crab["ra"][0]), float(crab["dec"][0]), *CRAB_POSITION) * 60.0
    print(f"jemx/image: Crab {offset:.3f} arcmin off, {float(crab['significance'][0]):.0f} sigma")
    assert offset < 0.5
    assert products["preview"].path.read_bytes().startswith(PNG_SIGNATURE)


def test_unit_without_good_time_refused(workdir: Path) -> None:
    image = Jemx.products["image"]()
    params = parse_parameters(image.Parameters, {**CRAB, **WINDOW, "jemx_num": "1"})
    with pytest.raises(InstrumentUsageError, match="JEM-X1"):
        image.run(params, LocalRunContext(workdir))


def test_spectrum_of_the_crab_with_ogip_files(workdir: Path) -> None:
    spectrum = Jemx.products["spectrum"]()
    params = parse_parameters(spectrum.Parameters, {**CRAB, **WINDOW, "jemx_num": "2"})
    products = {p.result_id: p for p in spectrum.run(params, LocalRunContext(workdir))}
    assert set(products) == {"spectrum", "arf", "rmf", "preview"}
    described = products["spectrum"].product
    assert described is not None and described.instrument == "JEM-X2" and described.s_resolution == 201.0
    assert [i.id for i in described.inputs] == ["066500010010.001", "066500020010.001", "066500030010.001"]
    assert products["preview"].path.read_bytes().startswith(PNG_SIGNATURE)
    with fits.open(products["spectrum"].path) as hdus:
        header = hdus["SPECTRUM"].header
        assert header["INSTRUME"] == "JMX2" and header["ANCRFILE"] == products["arf"].path.name
        print(
            f"jemx/spectrum: Crab index {header['PL_INDEX']:.3f}, chi2 {header['PL_CHI2']:.1f}/{header['PL_DOF']}"
        )
        assert abs(header["PL_INDEX"] - 1.98) < 0.05
        assert header["EXPOSURE"] == 3 * 1700.0


def test_lightcurve_of_the_crab_and_a_bad_time_bin(workdir: Path) -> None:
    lightcurve = Jemx.products["lightcurve"]()
    params = parse_parameters(lightcurve.Parameters, {**CRAB, **WINDOW, "jemx_num": "2", "time_bin": "300"})
    products = {p.result_id: p for p in lightcurve.run(params, LocalRunContext(workdir))}
    assert set(products) == {"lightcurve", "preview"}
    assert products["preview"].path.read_bytes().startswith(PNG_SIGNATURE)
    with fits.open(products["lightcurve"].path) as hdus:
        rate = hdus["RATE"]
        assert (
            rate.header["INSTRUME"] == "JMX2" and rate.header["E_MIN"] == 3.0 and rate.header["E_MAX"] == 20.0
        )
        assert len(rate.data) == 3 * 6  # 1700 s in 300 s bins, the last one partly exposed
        assert 0.0 < rate.data["FRACEXP"].min() < 1.0
    bad = parse_parameters(lightcurve.Parameters, {**CRAB, **WINDOW, "jemx_num": "2", "time_bin": "150"})
    with pytest.raises(InstrumentUsageError, match="time_bin"):
        lightcurve.run(bad, LocalRunContext(workdir))


def test_lightcurve_keeps_the_bins_between_t1_and_t2(workdir: Path) -> None:
    lightcurve = Jemx.products["lightcurve"]()
    # From 0.005 d into the second ScW to 0.005 d into the third: two ScWs chosen, each cut.
    window = {"T_format": "mjd", "T1": str(MJD + 0.055), "T2": str(MJD + 0.105)}
    params = parse_parameters(lightcurve.Parameters, {**CRAB, **window, "jemx_num": "2", "time_bin": "300"})
    products = {p.result_id: p for p in lightcurve.run(params, LocalRunContext(workdir))}
    with fits.open(products["lightcurve"].path) as hdus:
        time = hdus["RATE"].data["TIME"]
    start, stop = mjd_utc_to_ijd([MJD + 0.055, MJD + 0.105])
    print(f"bins kept between T1 and T2: {len(time)} of 12")
    assert 0 < len(time) < 12
    assert time.min() >= start and time.max() <= stop
    assert time.max() > start + 0.05 - 0.01  # the third ScW's first bin is there

    between = {"T_format": "mjd", "T1": str(MJD + 0.0200), "T2": str(MJD + 0.0205)}
    empty = parse_parameters(lightcurve.Parameters, {**CRAB, **between, "jemx_num": "2", "time_bin": "300"})
    with pytest.raises(InstrumentUsageError, match="T1 and T2"):
        lightcurve.run(empty, LocalRunContext(workdir))
