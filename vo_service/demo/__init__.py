"""The demo data: table metadata and deterministic generators of the demo tables, and ``load_demo``.

Everything here except :mod:`vo_service.demo.load` is pure (metadata and numpy chunks); loading goes through
``vo_service.db``.
"""

from vo_service.demo.load import DEFAULT_SEED, load_demo
from vo_service.demo.tables import demo_tables, demo_views

__all__ = ["DEFAULT_SEED", "demo_tables", "demo_views", "load_demo"]
