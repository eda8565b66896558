"""The ISGRI plugin run as a notebook runs it: a small archive with its ScW index, the Crab in the field, and
products that astropy opens; bad requests refused by the name of the parameter to change."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits
from astropy.io.votable import parse
from astropy.wcs import WCS

from instruments.archive.base import ChunkInfo, angular_distance
from instruments.base import ProductFile
from instruments.errors import InstrumentFatalError, InstrumentUsageError
from instruments.integral.isgri.analyses import Image, Lightcurve, Spectrum
from instruments.integral.isgri.plugin import Isgri
from instruments.integral.isgri.selection import choose_pointings
from instruments.integral.previews import PNG_SIGNATURE
from instruments.integral.scw_index import write_index
from instruments.local import LocalRunContext, run_analysis
from instruments.parameters import parse_parameters
from instruments.registry import InstrumentRegistry
from tests.instruments.integral.isgri.conftest import CRAB_POSITION, MJD, pointing_for

AXES = [pointing_for(CRAB_POSITION, u, v) for u, v in ((0.0, 0.0), (2.0, -1.0), (-1.5, 2.5))]
WINDOW = {"T_format": "mjd", "T1": str(MJD - 0.01), "T2": str(MJD + 1.0)}
CRAB = {"src_name": "Crab", "RA": str(CRAB_POSITION[0]), "DEC": str(CRAB_POSITION[1])}


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A work directory whose ``archive`` holds the index of three Crab pointings (and one far away)."""
    root = tmp_path_factory.mktemp("isgri-plugin")
    axes = [*AXES, (200.0, -40.0)]
    n = len(axes)
    write_index(
        root / "archive",
        {
            "scw_id": [f"0665{i + 1:04d}0010.001" for i in range(n)],
            "scw_type": ["POINTING"] * n,
            "revolution": [665] * n,
            "ra": [a[0] for a in axes],
            "dec": [a[1] for a in axes],
            "posangle": [30.0] * n,
            "t_start": [MJD + 0.05 * i for i in range(n)],
            "t_stop": [MJD + 0.05 * i + 1800.0 / 86400.0 for i in range(n)],
            "good_isgri": [1800.0] * n,
            "good_jemx1": [0.0] * n,
            "good_jemx2": [0.0] * n,
        },
    )
    return root


def _by_id(products: list[ProductFile]) -> dict[str, ProductFile]:
    return {p.result_id: p for p in products}


def test_the_plugin_is_installed() -> None:
    registry = InstrumentRegistry.discover()
    assert registry.instruments["isgri"] is Isgri
    assert [e.name for e in registry.analyses() if e.instrument == "isgri"] == [
        "isgri/image",
        "isgri/lightcurve",
        "isgri/spectrum",
    ]
    names = [p.name for p in Image().describe().parameters]
    assert {"RA", "DEC", "T1", "T2", "E1_keV", "E2_keV", "radius", "max_pointings", "scw_list"} <= set(names)


def test_image_finds_the_crab_and_writes_fits_votable_and_png(workdir: Path) -> None:
    ctx = LocalRunContext(workdir)
    params = parse_parameters(Image.Parameters, {**CRAB, **WINDOW, "E1_keV": "20", "E2_keV": "40"})
    products = _by_id(Image().run(params, ctx))
    assert set(products) == {"image", "catalog", "preview", "region"}
    assert [f for f, _ in ctx.reports][:3] == [0.0, pytest.approx(0.8 / 3), pytest.approx(1.6 / 3)]

    with fits.open(products["image"].path) as hdus:
        assert [h.name for h in hdus[1:]] == ["FLUX", "VARIANCE", "SIGNIFICANCE", "EXPOSURE"]
        header = hdus["FLUX"].header
        assert (header["BUNIT"], header["TIMESYS"], header["MJDREF"]) == ("count/s", "TT", 51544.0)
        assert header["TSTART"] < header["TSTOP"] and (header["E_MIN"], header["E_MAX"]) == (20.0, 40.0)
        assert header["HIERARCH MMVO PARAM src_name"] == "Crab"
        assert hdus[0].header["NSCW"] == 3
        wcs = WCS(header)
        assert wcs.has_celestial and wcs.wcs.ctype[0] == "RA---TAN"
        x, y = wcs.world_to_pixel_values(*CRAB_POSITION)
        significance = hdus["SIGNIFICANCE"].data
        assert significance[round(float(y)), round(float(x))] > 50.0
        assert np.nanmax(hdus["EXPOSURE"].data) > 3000.0

    table = parse(str(products["catalog"].path), verify="exception").get_first_table()
    assert table.get_field_by_id("flux").ucd == "arith.rate;phot.count"
    assert str(table.get_field_by_id("ra").unit) == "deg"
    rows = table.to_table()
    crab = rows[rows["name"] == "Crab"]
    assert len(crab) == 1 and not crab["new_source"][0]
    offset = angular_distance(float(crab["ra"][0]), float(crab["dec"][0]), *CRAB_POSITION) * 60.0
    assert offset < 1.0 and crab["significance"][0] > 50.0
    assert products["preview"].path.read_bytes().startswith(PNG_SIGNATURE)
    region = products["region"].path.read_text().splitlines()
    assert region[0] == "# Region file format: DS9 version 4.1" and region[2] == "icrs"
    assert any(line.startswith("circle(") and "text={Crab}" in line for line in region[3:])
    assert len(region) == 3 + len(rows) and products["region"].of == "image"

    # What the service publishes: the mosaic and its source list as products, the preview with the mosaic.
    image, listed = products["image"].product, products["catalog"].product
    assert image is not None and listed is not None and products["preview"].of == "image"
    assert (image.dataproduct_type, image.calib_level, image.instrument) == ("image", 3, "ISGRI")
    assert (image.energy_min, image.energy_max, image.target_name) == (20.0, 40.0, "Crab")
    assert image.s_xel1 == image.s_xel2 and image.s_fov > 20.0 and len(image.footprint) == 4
    assert angular_distance(image.s_ra, image.s_dec, *CRAB_POSITION) < 0.01
    assert MJD - 0.1 < image.t_min < image.t_max < MJD + 2.0 and image.exposure == 3 * 1800.0
    assert [i.id for i in image.inputs] == [f"0665{n:04d}0010.001" for n in (1, 2, 3)]
    assert {i.version for i in image.inputs} == {"001"}
    assert (listed.dataproduct_type, listed.calib_level, listed.derived_from) == (
        "measurements",
        4,
        ("image",),
    )


def test_spectrum_with_response_and_lightcurve(workdir: Path) -> None:
    spectrum = _by_id(run_analysis(Spectrum, workdir, **CRAB, **WINDOW, max_pointings="2"))
    assert set(spectrum) == {"spectrum", "arf", "rmf", "preview"}
    with fits.open(spectrum["spectrum"].path) as hdus:
        header = hdus["SPECTRUM"].header
        assert header["RESPFILE"] == spectrum["rmf"].path.name
        assert header["ANCRFILE"] == spectrum["arf"].path.name
        assert 1.8 < header["PL_INDEX"] < 2.4 and header["OBJECT"] == "Crab"
        assert np.all(hdus["SPECTRUM"].data["RATE"][:4] > 0.0)
        channels = len(hdus["SPECTRUM"].data)
    assert spectrum["preview"].path.read_bytes().startswith(PNG_SIGNATURE)
    described = spectrum["spectrum"].product
    assert described is not None and {spectrum[k].of for k in ("arf", "rmf", "preview")} == {"spectrum"}
    assert (described.dataproduct_type, described.em_xel, described.target_name) == (
        "spectrum",
        channels,
        "Crab",
    )
    with fits.open(spectrum["rmf"].path) as hdus:
        bounds = hdus["EBOUNDS"].data
        assert (described.energy_min, described.energy_max) == (bounds["E_MIN"][0], bounds["E_MAX"][-1])
    assert len(described.inputs) == 2

    curve = _by_id(run_analysis(Lightcurve, workdir, **CRAB, **WINDOW, max_pointings="2", time_bin="600"))
    with fits.open(curve["lightcurve"].path) as hdus:
        rate = hdus["RATE"]
        assert rate.header["TIMESYS"] == "TT" and rate.header["E_MIN"] == 20.0
        assert len(rate.data) == 6 and np.all(rate.data["RATE"] > 100.0)
    assert curve["preview"].path.read_bytes().startswith(PNG_SIGNATURE)
    timeseries = curve["lightcurve"].product
    assert timeseries is not None and curve["preview"].of == "lightcurve"
    assert (timeseries.dataproduct_type, timeseries.dataproduct_subtype) == ("timeseries", "light-curve")
    assert (timeseries.t_xel, timeseries.t_resolution, timeseries.energy_min) == (6, 600.0, 20.0)


@pytest.mark.parametrize(
    ("analysis", "values", "named"),
    [
        (Image, {"DEC": "95"}, "parameter DEC"),
        (Image, {"T1": str(MJD + 5.0), "T2": str(MJD + 6.0)}, "change T1 and T2"),
        (Image, {"radius": "0.5", "RA": "90"}, "widen radius"),
        (Image, {"scw_list": "066500090010.001,066500010010"}, "parameter scw_list: 066500090010"),
        (Image, {"E1_keV": "400", "E2_keV": "900"}, "parameters E1_keV and E2_keV"),
        (Lightcurve, {"time_bin": "150"}, "parameter time_bin"),
        (Lightcurve, {"E1_keV": "150", "E2_keV": "300"}, "parameters E1_keV and E2_keV"),
    ],
)
def test_bad_requests_name_the_parameter(
    workdir: Path, analysis: type[Image], values: dict[str, str], named: str
) -> None:
    with pytest.raises(InstrumentUsageError, match=named):
        run_analysis(analysis, workdir, **{**CRAB, **WINDOW, **values})


def test_an_aborted_run_stops_between_science_windows(workdir: Path) -> None:
    params = parse_parameters(Image.Parameters, {**CRAB, **WINDOW})
    with pytest.raises(InstrumentFatalError, match="stopped after 0 of 3"):
        Image().run(params, LocalRunContext(workdir, deadline=0.0))


def _chunk(scw_id: str, ra: float, t: float) -> ChunkInfo:
    return ChunkInfo("isgri", scw_id, ra, 0.0, 0.0, t, t + 0.02, 1800.0)


def test_selection_nearest_first_or_an_explicit_list() -> None:
    index = [_chunk("066500010010.001", 3.0, 1.0), _chunk("066500020010.001", 1.0, 2.0)]
    index += [_chunk("066500030010.001", 2.0, 3.0), _chunk("066500040010.001", 0.5, 9.0)]
    near = choose_pointings(index, ra=0.0, dec=0.0, mjd_range=(0.0, 5.0), radius=2.5, max_pointings=1)
    assert [c.chunk_id for c in near] == ["066500020010.001"]
    both = choose_pointings(index, ra=0.0, dec=0.0, mjd_range=(0.0, 5.0), radius=2.5, max_pointings=5)
    assert [c.chunk_id for c in both] == ["066500020010.001", "066500030010.001"]  # in time order
    listed = choose_pointings(
        index,
        ra=0.0,
        dec=0.0,
        mjd_range=(0.0, 0.1),
        radius=0.0,
        max_pointings=1,
        scw_list=["066500040010", "066500010010.001"],
    )
    assert [c.chunk_id for c in listed] == ["066500010010.001", "066500040010.001"]
