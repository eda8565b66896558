"""Finding products: an ObsCore cone over 10^6 product rows, and DataLink for 100 IDs, per engine.

The product table of the TAP benchmark's catalogue (``benchmarks.tap_service``: ``build/bench`` and the
PostgreSQL database ``mmvo_bench_<rows>``, kept between runs) is filled with synthetic rows (seeded positions
over the sky, 2 deg square footprints, times, bands: what the view needs); 100 more products get real files
and manifests in the product store.  A server is
started on that data and measured over HTTP:

* ObsCore cone: ``SELECT * FROM ivoa.obscore WHERE 1=CONTAINS(POINT(s_ra, s_dec), CIRCLE(ra, dec, 0.5))``
  and the same cone as SIA matches footprints, ``1=INTERSECTS(s_region, CIRCLE(...))``; p50 and p95.  The
  reference, in the same run and server, is the same position cone on ``mmvo.sources`` (10^6 rows too), the
  plain table TAP cones are tuned for.
* DataLink: one ``/datalink/links`` request with 100 IDs, p50; the reference is the same 100 IDs asked one
  request each (what a client without batching pays).

Usage: ``python -m benchmarks.products [--rows 1000000] [--engines sqlite postgresql]``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

import httpx
import numpy as np
import sqlalchemy as sa
from astropy.io import fits

from benchmarks.tap_service import _environment, _free_port, _percentile, _positions, _server
from instruments.base import ProductFile
from instruments.description import InputData, ProductDescription
from vo_service.db.ddl import sa_table
from vo_service.db.load import insert_chunks
from vo_service.demo.products import PRODUCTS
from vo_service.products import Activity, ProductStore, product_records

__all__ = ["main"]

CONE = "SELECT * FROM {table} WHERE 1 = CONTAINS(POINT('ICRS', {ra_col}, {dec_col}), CIRCLE('ICRS', {{ra}}, {{dec}}, 0.5))"
FOOTPRINT = "SELECT * FROM ivoa.obscore WHERE 1 = INTERSECTS(s_region, CIRCLE('ICRS', {ra}, {dec}, 0.5))"
CHUNK = 100_000
STORED = 100


def _engine(env: dict[str, str]) -> sa.Engine:
    url = env.get("MMVO_DATABASE_URL") or f"sqlite:///{Path(env['MMVO_DATA_DIR']) / 'mmvo.sqlite'}"
    return sa.create_engine(url)


def _count(engine: sa.Engine) -> int:
    dialect = "postgresql" if engine.dialect.name == "postgresql" else "sqlite"
    table = sa_table(PRODUCTS, dialect)
    with engine.connect() as conn:
        return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def _chunk(rng: np.random.Generator, start: int, n: int) -> dict[str, object]:
    ra = rng.uniform(0.0, 360.0, n)
    dec = np.degrees(np.arcsin(rng.uniform(-1.0, 1.0, n)))
    half = 1.0 / np.cos(np.radians(np.clip(dec, -80, 80)))
    regions = [
        [r - h, d - 1, r + h, d - 1, r + h, d + 1, r - h, d + 1]
        for r, d, h in zip(ra.tolist(), np.clip(dec, -88, 88).tolist(), half.tolist(), strict=True)
    ]
    t_min = rng.uniform(52640.0, 60000.0, n)
    return {
        "product_id": [f"bench-{start + i:07d}" for i in range(n)],
        "job_id": [f"bench{(start + i) // 3:07d}" for i in range(n)],
        "facility": ["INTEGRAL"] * n,
        "instrument": ["ISGRI"] * n,
        "product_type": ["image"] * n,
        "target_name": [f"field {start + i}" for i in range(n)],
        "s_ra": ra,
        "s_dec": dec,
        "s_fov": np.full(n, 2.8),
        "s_region": regions,
        "t_min": t_min,
        "t_max": t_min + 0.03,
        "exposure": np.full(n, 2000.0),
        "energy_min": np.full(n, 20.0),
        "energy_max": np.full(n, 40.0),
        "calib_level": np.full(n, 3),
        "data_version": ["CONS"] * n,
        "file_format": ["application/fits"] * n,
        "file_size": np.full(n, 4_000_000),
        "created": [dt.datetime(2026, 1, 1)] * n,
        "_path": [f"bench-{start + i:07d}/image.fits" for i in range(n)],
    }


def _fill(engine: sa.Engine, rows: int) -> None:
    have = _count(engine)
    if have >= rows:
        return
    rng = np.random.default_rng(have)
    started = time.monotonic()
    for start in range(have, rows, CHUNK):
        insert_chunks(engine, PRODUCTS, [_chunk(rng, start, min(CHUNK, rows - start))])
    print(f"  {rows - have:,} product rows written in {time.monotonic() - started:.0f} s")


def _stored(engine: sa.Engine, data_dir: Path) -> list[str]:
    """``STORED`` products with files and manifests (made once), their ids."""
    store = ProductStore(engine, data_dir / "products")
    ids = [f"stored{i:03d}-image" for i in range(STORED)]
    if all(store.manifest(pid) is not None for pid in ids):
        return ids
    scratch = data_dir / "bench-files"
    scratch.mkdir(parents=True, exist_ok=True)
    image = scratch / "image.fits"
    fits.PrimaryHDU(np.zeros((64, 64), dtype=np.float32)).writeto(image, overwrite=True)
    preview = scratch / "image.png"
    preview.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(1000))
    now = dt.datetime.now(dt.UTC)
    for i in range(STORED):
        description = ProductDescription(
            facility="INTEGRAL",
            instrument="ISGRI",
            dataproduct_type="image",
            calib_level=3,
            title=f"benchmark mosaic {i}",
            s_ra=83.6,
            s_dec=22.0,
            footprint=((82.0, 21.0), (85.0, 21.0), (85.0, 23.0), (82.0, 23.0)),
            s_fov=3.0,
            t_min=54550.0,
            t_max=54551.0,
            exposure=20000.0,
            energy_min=20.0,
            energy_max=40.0,
            data_version="CONS",
            inputs=tuple(InputData("scw", f"0665{k:04d}0010.001", "001", "CONS") for k in range(10)),
        )
        files = [
            ProductFile("image", image, "application/fits", "mosaic", product=description),
            ProductFile("preview", preview, "image/png", "preview", of="image"),
        ]
        activity = Activity(f"stored{i:03d}", "isgri/image", {"src_name": "Crab"}, "bench", None, now, now)
        store.register(product_records(activity, files))
    return ids


def _timed_get(client: httpx.Client, url: str, **params: object) -> float:
    started = time.perf_counter()
    response = client.get(url, params=params)  # type: ignore[arg-type]
    elapsed = time.perf_counter() - started
    if response.status_code != 200 or b'value="ERROR"' in response.content:
        raise RuntimeError(f"{url} failed: {response.status_code} {response.text[:300]}")
    return elapsed


def _cones(client: httpx.Client, tap: str, query: str, runs: int, warm: int = 5) -> tuple[float, float]:
    for ra, dec in _positions(warm, 1):
        _timed_get(client, f"{tap}/sync", LANG="ADQL", QUERY=query.format(ra=ra, dec=dec))
    times = [
        _timed_get(client, f"{tap}/sync", LANG="ADQL", QUERY=query.format(ra=ra, dec=dec))
        for ra, dec in _positions(runs, 2)
    ]
    return _percentile(times, 50), _percentile(times, 95)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.products")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--engines", nargs="+", default=["sqlite", "postgresql"])
    parser.add_argument("--runs", type=int, default=100)
    args = parser.parse_args(argv)
    print("command: python -m benchmarks.products " + " ".join(argv or []))
    for engine_name in args.engines:
        port = _free_port()
        env = _environment(engine_name, args.rows, port)
        if env is None:
            continue
        print(f"{engine_name}, {args.rows:,} product rows:")
        with _server(env, port) as tap:
            engine = _engine(env)
            _fill(engine, args.rows)
            ids = _stored(engine, Path(env["MMVO_DATA_DIR"]))
            engine.dispose()
            base = tap.removesuffix("/tap")
            with httpx.Client(timeout=120) as client:
                obscore = _cones(
                    client, tap, CONE.format(table="ivoa.obscore", ra_col="s_ra", dec_col="s_dec"), args.runs
                )
                # no index serves footprint tests on SQLite (a scan): a few runs say enough
                footprint = (
                    _cones(client, tap, FOOTPRINT, args.runs)
                    if engine_name == "postgresql"
                    else _cones(client, tap, FOOTPRINT, 3, warm=1)
                )
                sources = _cones(
                    client, tap, CONE.format(table="mmvo.sources", ra_col="ra", dec_col="dec"), args.runs
                )
                batch = [_timed_get(client, f"{base}/datalink/links", ID=ids) for _ in range(20)]
                single = [
                    sum(_timed_get(client, f"{base}/datalink/links", ID=pid) for pid in ids) for _ in range(3)
                ]
            print(
                f"  ObsCore position cone 0.5 deg: p50 {obscore[0] * 1000:.1f} ms, p95 {obscore[1] * 1000:.1f} ms"
            )
            print(
                f"  ObsCore footprint INTERSECTS: p50 {footprint[0] * 1000:.1f} ms, p95 {footprint[1] * 1000:.1f} ms"
            )
            print(
                f"  reference, mmvo.sources cone: p50 {sources[0] * 1000:.1f} ms "
                f"(ObsCore / sources: {obscore[0] / sources[0]:.2f})"
            )
            p50, per_id = _percentile(batch, 50), _percentile(single, 50)
            print(f"  DataLink, 100 IDs in one request: p50 {p50 * 1000:.1f} ms")
            print(f"  reference, the 100 IDs one request each: {per_id * 1000:.0f} ms ({per_id / p50:.1f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
