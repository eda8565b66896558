"""mmvo ingest: FITS, VOTable and CSV files become published, position-indexed TAP tables."""

from __future__ import annotations

import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import sqlalchemy as sa
from astropy import units as u
from astropy.io import fits
from astropy.io.votable import from_table, writeto
from astropy.table import MaskedColumn
from astropy.table import Table as AstropyTable

from vo_service import db
from vo_service.errors import UsageError
from vo_service.ingest import column_metadata, ingest_file, parse_table_name, read_table, table_chunks


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[sa.Engine]:
    url = (
        f"sqlite:///{tmp_path / 'ingest.sqlite'}"
        if request.param == "sqlite"
        else request.getfixturevalue("pg_database")
    )
    engine = sa.create_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture
def sqlite_engine(tmp_path: Path) -> Iterator[sa.Engine]:
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'ingest.sqlite'}")
    try:
        yield engine
    finally:
        engine.dispose()


def _rows(engine: sa.Engine, qualified: str, order: str) -> list[Any]:
    schema, _, name = qualified.partition(".")
    target = f'"{qualified}"' if engine.dialect.name == "sqlite" else f'"{schema}"."{name}"'
    with engine.connect() as conn:
        return list(conn.execute(sa.text(f"select * from {target} order by {order}")))


@pytest.fixture(scope="module")
def benchmark_catalogue(shared_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1000 rows written by the benchmark's own generator script, run as a script."""
    script = shared_dir / "peer-dachs" / "gen_catalogue.py"
    if not script.is_file():
        pytest.skip(f"{script} is not available")
    out = tmp_path_factory.mktemp("catalogue") / "catalogue.fits"
    subprocess.run([sys.executable, str(script), str(out), "--rows", "1000"], check=True, capture_output=True)
    return out


def test_table_names() -> None:
    assert parse_table_name("MyCat.Sources") == ("mycat", "sources")
    for bad in ("sources", "a.b.c", "1cat.x", "cat.", "cat.my table", '"cat".x'):
        with pytest.raises(UsageError):
            parse_table_name(bad)
    for managed in ("tap_schema.x", "IVOA.obscore", "tap_upload.t"):
        with pytest.raises(UsageError, match="managed"):
            parse_table_name(managed)
    assert parse_table_name("ivoa.extra", allow_reserved_schemas=True) == ("ivoa", "extra")


def test_benchmark_catalogue_ingests_cleanly(engine: sa.Engine, benchmark_catalogue: Path) -> None:
    path = benchmark_catalogue
    table = ingest_file(engine, path, "synth.catalogue", chunk_rows=300)
    assert table.nrows == 1000 and table.position == ("ra", "dec")
    kinds = {c.name: (c.datatype, c.unit, c.ucd) for c in table.columns}
    assert kinds == {
        "source_id": ("long", None, None),
        "ra": ("double", "deg", "pos.eq.ra;meta.main"),
        "dec": ("double", "deg", "pos.eq.dec;meta.main"),
        "flux": ("float", "mJy", None),
        "flux_err": ("float", "mJy", None),
        "name": ("char", None, None),
        "class": ("char", None, None),
    }
    original = AstropyTable.read(path)
    rows = _rows(engine, "synth.catalogue", "source_id")
    assert len(rows) == 1000
    first = rows[0]
    assert first.source_id == original["source_id"][0] and first.ra == original["ra"][0]
    assert first.name == original["name"][0] and first.name.startswith("SYN J")
    if engine.dialect.name == "sqlite":  # the hidden HEALPix column that serves cones is filled
        assert all(row._hpx is not None for row in rows)
    published = db.load_catalog(engine).table("synth", "catalogue")
    assert published is not None and published.nrows == 1000 and published.position == ("ra", "dec")


def test_votable_metadata_nulls_and_geometry(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    source = AstropyTable(
        {
            "RAJ2000": [10.0, 20.0],
            "DEJ2000": [-5.0, 5.0],
            "Mag": MaskedColumn([12.5, 0.0], mask=[False, True]),
            "Obj": ["a", "b"],
            "pos": [[10.0, -5.0], [20.0, 5.0]],
        }
    )
    source["Mag"].unit = "mag"
    source["Mag"].description = "Visual magnitude"
    source["Mag"].meta["ucd"] = "phot.mag;em.opt.V"
    vot = from_table(source)
    vot.get_first_table().fields[4].xtype = "point"
    path = tmp_path / "stars.vot"
    writeto(vot, str(path))
    table = ingest_file(sqlite_engine, path, "stars.list", description="Two stars")
    assert table.description == "Two stars" and table.position == ("raj2000", "dej2000")
    mag = table.column("mag")
    assert mag is not None and (mag.unit, mag.ucd, mag.description) == (
        "mag",
        "phot.mag;em.opt.V",
        "Visual magnitude",
    )
    pos = table.column("pos")
    assert pos is not None and (pos.datatype, pos.arraysize, pos.xtype) == ("double", "2", "point")
    rows = _rows(sqlite_engine, "stars.list", "raj2000")
    assert [r.mag for r in rows] == [12.5, None]
    assert [tuple(float(v) for v in r.pos.split()) for r in rows] == [(10.0, -5.0), (20.0, 5.0)]


def test_stcs_regions_from_elsewhere_stay_text(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    source = AstropyTable({"id": [1, 2], "s_region": ["Circle ICRS 10 20 1", "Polygon ICRS 1 2 3 4 5 6"]})
    vot = from_table(source)
    vot.get_first_table().fields[1].xtype = "adql:region"
    path = tmp_path / "regions.vot"
    writeto(vot, str(path))
    table = ingest_file(sqlite_engine, path, "obs.regions")
    region = table.column("s_region")
    assert region is not None and (region.xtype, region.is_geometry) == (None, False)
    assert next(r.s_region for r in _rows(sqlite_engine, "obs.regions", "id")) == "Circle ICRS 10 20 1"


def test_csv_type_guessing(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    path = tmp_path / "grb.csv"
    path.write_text("Name,RA_deg,DEC_deg,T90,count\nGRB 1,10.5,-3.25,2.5,3\nGRB 2,200.0,45.0,,7\n")
    table = ingest_file(sqlite_engine, path, "grb.bursts")
    assert [(c.name, c.datatype) for c in table.columns] == [
        ("name", "char"),
        ("ra_deg", "double"),
        ("dec_deg", "double"),
        ("t90", "double"),
        ("count", "long"),
    ]
    assert table.position == ("ra_deg", "dec_deg")
    rows = _rows(sqlite_engine, "grb.bursts", "name")
    assert [(r.name, r.t90, r.count) for r in rows] == [("GRB 1", 2.5, 3), ("GRB 2", None, 7)]


def test_refusals_leave_no_table(sqlite_engine: sa.Engine, tmp_path: Path) -> None:
    bad_names = tmp_path / "bad.csv"
    bad_names.write_text("ra,dec,flux-err\n1,2,3\n")
    with pytest.raises(UsageError, match="regular identifiers"):
        ingest_file(sqlite_engine, bad_names, "bad.names")
    clash = tmp_path / "clash.csv"
    clash.write_text("Flux,flux\n1,2\n")
    with pytest.raises(UsageError, match="case"):
        ingest_file(sqlite_engine, clash, "bad.clash")
    arrays = tmp_path / "arrays.fits"
    AstropyTable({"spectrum": np.zeros((3, 4))}).write(arrays)
    with pytest.raises(UsageError, match="arrays"):
        ingest_file(sqlite_engine, arrays, "bad.arrays")
    with pytest.raises(UsageError, match="format"):
        read_table(tmp_path / "x.txt")
    assert sa.inspect(sqlite_engine).get_table_names() == []


def test_replace_and_failed_loads(
    sqlite_engine: sa.Engine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "t.csv"
    path.write_text("a,b\n1,x\n")
    ingest_file(sqlite_engine, path, "s.t")
    with pytest.raises(UsageError, match="exists"):
        ingest_file(sqlite_engine, path, "s.t")
    path.write_text("a,b\n1,x\n2,y\n")
    assert ingest_file(sqlite_engine, path, "s.t", replace=True).nrows == 2

    def broken(*_args: object) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(db, "insert_chunks", broken)
    with pytest.raises(RuntimeError):
        ingest_file(sqlite_engine, path, "s.u")
    assert "s.u" not in sa.inspect(sqlite_engine).get_table_names()


def test_units_from_fits_become_vounits(tmp_path: Path) -> None:
    path = tmp_path / "u.fits"
    cols = [
        fits.Column(name="RATE", format="E", unit="count/s", array=np.ones(2)),
        fits.Column(name="FLUX", format="E", unit="mCrab", array=np.ones(2)),
        fits.Column(name="TIME", format="D", unit="d", array=np.ones(2)),
    ]
    hdu = fits.BinTableHDU.from_columns(cols)
    hdu.header["TUCD3"] = "time.epoch"
    hdu.header.comments["TTYPE1"] = "Count rate"
    hdu.writeto(path)
    source, extra, _ = read_table(path)
    columns, position = column_metadata(source, extra)
    units = {c.name: c.unit for c in columns}
    assert units == {"rate": "count.s**-1", "flux": "'mCrab'", "time": "d"} and position is None
    for unit in units.values():
        u.Unit(unit, format="vounit")
    assert columns[0].description == "Count rate" and columns[2].ucd == "time.epoch"


def test_fits_rows_stream_in_slices(tmp_path: Path) -> None:
    n = 60_000  # 3 MB of rows, some 25 MB once loaded as Python objects
    path = tmp_path / "big.fits"
    fits.BinTableHDU.from_columns(
        [
            fits.Column(name="ra", format="D", unit="deg", array=np.linspace(0, 359, n)),
            fits.Column(name="dec", format="D", unit="deg", array=np.linspace(-89, 89, n)),
            fits.Column(name="name", format="20A", array=np.full(n, "SRC J000000+000000")),
        ]
    ).writeto(path)
    tracemalloc.start()
    try:
        source, extra, _ = read_table(path)
        columns, _ = column_metadata(source, extra)
        sizes = [len(chunk["ra"]) for chunk in table_chunks(source, columns, chunk_rows=2_000)]
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert sum(sizes) == n and max(sizes) == 2_000
    assert peak < 3_000_000  # the memory map is not copied; only one slice is converted at a time


def test_votable_datatypes_are_kept(tmp_path: Path) -> None:
    source = AstropyTable({"n": np.array([1, 2], dtype=np.int16), "s": ["ab", "c"]})
    path = tmp_path / "x.xml"
    writeto(from_table(source), str(path))
    table, extra, _ = read_table(path)
    columns, _ = column_metadata(table, extra)
    assert [(c.name, c.datatype, c.arraysize) for c in columns] == [
        ("n", "short", None),
        ("s", "unicodeChar", "*"),
    ]
