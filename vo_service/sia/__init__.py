"""SIA 2.0: image and cube discovery over ``ivoa.obscore`` at ``/sia/query``, answered through the TAP service
(see :mod:`vo_service.sia.service` for why), with VOSI capabilities and availability beside it."""

from vo_service.sia.http import sia_routes
from vo_service.sia.service import SiaService

__all__ = ["SiaService", "sia_routes"]
