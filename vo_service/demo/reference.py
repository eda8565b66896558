"""The reference catalogue of the demo tables; the data live in :mod:`instruments.reference`.

The analysis cores need the same catalogue and may not import the service, so the service imports it from them.
"""

from __future__ import annotations

from instruments.reference import REFERENCE_SOURCES, ReferenceSource

__all__ = ["REFERENCE_SOURCES", "ReferenceSource"]
