"""Discovery of instrument plugins through entry points (group ``mmvo.instruments``).

A package declares its instrument in its own metadata::

    [project.entry-points."mmvo.instruments"]
    isgri = "instruments.integral.isgri:Isgri"

and the service finds it at start-up, with no change to the service.  The entry point's name is the
instrument's name.  A plugin that cannot be loaded or does not follow the protocol is left out and the reason
kept in ``problems`` (and logged): one broken third-party package must not take the service down.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from importlib.metadata import EntryPoint, entry_points

from pydantic import BaseModel

from instruments.base import NAME, Analysis, Instrument

__all__ = ["GROUP", "AnalysisEntry", "InstrumentRegistry"]

GROUP = "mmvo.instruments"
_log = logging.getLogger("mmvo.instruments")


@dataclass(frozen=True)
class AnalysisEntry:
    """One analysis of one instrument; ``name`` is ``instrument/product`` (the job kind of its job list)."""

    instrument: str
    product: str
    analysis: type[Analysis]

    @property
    def name(self) -> str:
        return f"{self.instrument}/{self.product}"


def _problem(name: str, instrument: object) -> str | None:
    """Why ``instrument`` cannot be served under ``name``, or None when it follows the protocol."""
    if getattr(instrument, "name", None) != name:
        return f"its name {getattr(instrument, 'name', None)!r} is not the entry point's name {name!r}"
    if not NAME.fullmatch(name):
        return f"the name {name!r} is not lower-case letters, digits and _"
    products = getattr(instrument, "products", None)
    if not isinstance(products, Mapping) or not products:
        return "it has no products mapping"
    for product, analysis in products.items():
        if not isinstance(product, str) or not NAME.fullmatch(product):
            return f"the product name {product!r} is not lower-case letters, digits and _"
        parameters = getattr(analysis, "Parameters", None)
        if not (isinstance(parameters, type) and issubclass(parameters, BaseModel)):
            return f"analysis {product!r} has no pydantic Parameters model"
        if not (callable(getattr(analysis, "describe", None)) and callable(getattr(analysis, "run", None))):
            return f"analysis {product!r} lacks describe() or run()"
    return None


class InstrumentRegistry:
    """The instruments a service offers, by name, and their analyses."""

    def __init__(self, instruments: Iterable[Instrument] = ()) -> None:
        self._instruments: dict[str, Instrument] = {}
        self.problems: list[str] = []
        for instrument in instruments:
            self.add(instrument.name, instrument)

    @classmethod
    def discover(cls, group: str = GROUP) -> InstrumentRegistry:
        """The instruments of every installed package declaring an entry point in ``group``."""
        return cls.from_entry_points(entry_points(group=group))

    @classmethod
    def from_entry_points(cls, found: Iterable[EntryPoint]) -> InstrumentRegistry:
        """The instruments named by ``found`` (in name order); broken ones are kept out, see ``problems``."""
        registry = cls()
        for entry in sorted(found, key=lambda e: (e.name, e.value)):
            try:
                instrument = entry.load()
            except Exception as exc:  # a third-party import can fail in any way
                registry._refuse(entry.name, f"loading {entry.value} failed: {type(exc).__name__}: {exc}")
                continue
            registry.add(entry.name, instrument)
        return registry

    def add(self, name: str, instrument: object) -> bool:
        """Adds ``instrument`` under ``name`` if it follows the protocol and the name is free; else notes why."""
        problem = _problem(name, instrument)
        if problem is None and name in self._instruments and self._instruments[name] is not instrument:
            problem = "another instrument has that name"
        if problem is not None:
            self._refuse(name, problem)
            return False
        assert isinstance(instrument, Instrument)
        self._instruments[name] = instrument
        return True

    def _refuse(self, name: str, why: str) -> None:
        message = f"instrument plugin {name!r} left out: {why}"
        _log.error("%s", message)
        self.problems.append(message)

    @property
    def instruments(self) -> Mapping[str, Instrument]:
        return dict(self._instruments)

    def analyses(self) -> list[AnalysisEntry]:
        """Every analysis, ordered by instrument then product."""
        return [
            AnalysisEntry(name, product, analysis)
            for name in sorted(self._instruments)
            for product, analysis in sorted(self._instruments[name].products.items())
        ]

    def analysis(self, instrument: str, product: str) -> type[Analysis]:
        """The analysis class of ``instrument/product``.

        Raises:
            KeyError: no such instrument or product.
        """
        return self._instruments[instrument].products[product]
