"""Every table and view of the demo data, and the SELECTs behind the views, in one place.

``demo_tables`` feeds ``vo_service.db.publish`` (TAP_SCHEMA) and anything else that needs the metadata;
``demo_views`` pairs each view with the build function ``vo_service.db.create_view`` expects.
"""

from __future__ import annotations

from dataclasses import replace
from functools import partial

from tap.schema import Table
from vo_service.config import Config
from vo_service.db.ddl import ViewBuilder
from vo_service.demo.instruments import INSTRUMENTS_TABLE
from vo_service.demo.obsplan import OBSPLAN, obsplan_select
from vo_service.demo.products import OBSCORE, PRODUCTS, obscore_select, publisher_did_prefix
from vo_service.demo.revolutions import REVOLUTIONS
from vo_service.demo.scw import SCW
from vo_service.demo.sources import SOURCES

__all__ = ["demo_tables", "demo_views"]


def _obscore(config: Config) -> Table:
    did = publisher_did_prefix(config.authority)
    return replace(OBSCORE, description=f"{OBSCORE.description}  Dataset identifiers are {did}<product_id>.")


def demo_tables(config: Config) -> list[Table]:
    """The demo's tables and views, base tables before the views built on them."""
    return [SOURCES, REVOLUTIONS, SCW, INSTRUMENTS_TABLE, PRODUCTS, OBSPLAN, _obscore(config)]


def demo_views(config: Config, *, now_mjd: float | None = None) -> list[tuple[Table, ViewBuilder]]:
    """(view metadata, build function) of ``ivoa.obsplan`` and ``ivoa.obscore``.

    ``now_mjd`` separates Performed from Scheduled pointings in the plan (None: every pointing is past);
    ``config`` gives the base URL and authority written into ObsCore identifiers and links.
    """
    return [
        (OBSPLAN, partial(obsplan_select, now_mjd=now_mjd)),
        (_obscore(config), partial(obscore_select, base_url=config.base_url, authority=config.authority)),
    ]
