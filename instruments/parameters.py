"""Analysis parameters: pydantic models whose fields carry the names MMODA users know, with units and limits.

An analysis declares its ``Parameters``: a subclass of ``AnalysisParameters``, usually combining the building
blocks here (``Target``, ``TimeWindow``, ``EnergyBand``, ``ScwSelection``, ``SourceDetection``,
``TimeBinning``, ``OsaVersion``, ``JemxUnit``).  An instrument narrows a limit by declaring the field again
with ``param(...)`` (ISGRI starts at 15 keV, not at 0).

The fields are the only description of the parameters: ``describe_parameters`` turns them into
``ParameterInfo`` records (the service's index, service descriptors and forms are built from those), and
``parse_parameters`` reads the strings of a request into a model, refusing bad input with an
``InstrumentUsageError`` that names the parameter and what it allows.
"""

from __future__ import annotations

import datetime as dt
import re
import types
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal, TypeVar, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails, PydanticUndefined

from instruments.errors import InstrumentUsageError

__all__ = [
    "AnalysisParameters",
    "EnergyBand",
    "JemxUnit",
    "OsaVersion",
    "ParameterInfo",
    "ScwSelection",
    "SourceDetection",
    "Target",
    "TimeBinning",
    "TimeWindow",
    "describe_parameters",
    "param",
    "parse_parameters",
    "to_mjd",
]

Datatype = Literal["double", "long", "boolean", "char"]
M = TypeVar("M", bound=BaseModel)

_MJD_ZERO = dt.datetime(1858, 11, 17, tzinfo=dt.UTC)
_SCW_ID = re.compile(r"\d{12}(\.\d{3})?")
_WORDS: Mapping[str, str] = {"double": "a number", "long": "an integer", "boolean": "true or false"}


def param(
    default: Any = ...,
    *,
    description: str,
    unit: str | None = None,
    ucd: str | None = None,
    ge: float | None = None,
    gt: float | None = None,
    le: float | None = None,
    lt: float | None = None,
) -> Any:
    """A parameter field: ``pydantic.Field`` with the unit (VOUnit) and UCD kept for the descriptions.

    Without ``default`` the parameter is required.
    """
    extra: dict[str, Any] = {key: value for key, value in (("unit", unit), ("ucd", ucd)) if value is not None}
    return Field(
        default, description=description, ge=ge, gt=gt, le=le, lt=lt, json_schema_extra=extra or None
    )


def _number(value: float) -> str:
    return format(value, ".15g")


@dataclass(frozen=True)
class ParameterInfo:
    """One parameter as clients see it: VOTable datatype, unit, UCD, default (as text) and limits.

    ``multiple``: several values, repeated or comma-separated (``scw_list``).
    """

    name: str
    datatype: Datatype
    description: str
    unit: str | None = None
    ucd: str | None = None
    default: str | None = None
    minimum: float | None = None
    maximum: float | None = None
    min_inclusive: bool = True
    max_inclusive: bool = True
    options: tuple[str, ...] = ()
    required: bool = False
    multiple: bool = False

    def allowed(self) -> str:
        """What the parameter allows in words: ``between 0 and 360 deg``, ``one of isot, mjd``, or ``""``."""
        if self.options:
            return "one of " + ", ".join(self.options)
        low, high = self.minimum, self.maximum
        if low is not None and high is not None and self.min_inclusive and self.max_inclusive:
            bounds = f"between {_number(low)} and {_number(high)}"
        else:
            lower = (
                None
                if low is None
                else f"{'at least' if self.min_inclusive else 'greater than'} {_number(low)}"
            )
            upper = (
                None
                if high is None
                else f"{'at most' if self.max_inclusive else 'less than'} {_number(high)}"
            )
            bounds = " and ".join(b for b in (lower, upper) if b)
        return f"{bounds} {self.unit}" if bounds and self.unit else bounds

    def expected(self) -> str:
        """What a value must be: ``a number between 0 and 360 deg``."""
        if self.options:
            return self.allowed()
        return " ".join(part for part in (_WORDS.get(self.datatype, "text"), self.allowed()) if part)


# ----------------------------------------------------------------------------- describing


def _unwrap(annotation: Any) -> tuple[Any, bool]:
    """The annotation without ``None`` in a union, and whether it takes several values."""
    if get_origin(annotation) in (Union, types.UnionType):
        members = [a for a in get_args(annotation) if a is not type(None)]
        annotation = members[0] if len(members) == 1 else str
    if get_origin(annotation) in (list, tuple, frozenset, set):
        return get_args(annotation)[0], True
    return annotation, False


def _datatype(annotation: Any) -> tuple[Datatype, tuple[Any, ...]]:
    """VOTable datatype and the allowed values (of a ``Literal``)."""
    options: tuple[Any, ...] = ()
    if get_origin(annotation) is Literal:
        options = get_args(annotation)
        annotation = type(options[0])
    if annotation is bool:
        return "boolean", options
    if annotation is int:
        return "long", options
    if annotation is float:
        return "double", options
    return "char", options


def _text(value: Any) -> str | None:
    if value is None or value is PydanticUndefined:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return _number(value)
    if isinstance(value, list | tuple | frozenset | set):
        return ",".join(str(v) for v in value)
    return str(value)


def _limits(field: FieldInfo) -> dict[str, Any]:
    limits: dict[str, Any] = {}
    for item in field.metadata:
        if isinstance(item, annotated_types.Ge):
            limits |= {"minimum": float(item.ge), "min_inclusive": True}  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Gt):
            limits |= {"minimum": float(item.gt), "min_inclusive": False}  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Le):
            limits |= {"maximum": float(item.le), "max_inclusive": True}  # type: ignore[arg-type]
        elif isinstance(item, annotated_types.Lt):
            limits |= {"maximum": float(item.lt), "max_inclusive": False}  # type: ignore[arg-type]
    return limits


def _info(name: str, field: FieldInfo) -> ParameterInfo:
    annotation, multiple = _unwrap(field.annotation)
    datatype, options = _datatype(annotation)
    extra = field.json_schema_extra if isinstance(field.json_schema_extra, dict) else {}
    unit, ucd = extra.get("unit"), extra.get("ucd")
    return ParameterInfo(
        name=name,
        datatype=datatype,
        description=field.description or "",
        unit=unit if isinstance(unit, str) else None,
        ucd=ucd if isinstance(ucd, str) else None,
        default=_text(field.get_default(call_default_factory=True)) if not field.is_required() else None,
        options=tuple(str(o) for o in options),
        required=field.is_required(),
        multiple=multiple,
        **_limits(field),
    )


def describe_parameters(model: type[BaseModel]) -> tuple[ParameterInfo, ...]:
    """The parameters of ``model``, in declaration order (building blocks first)."""
    return tuple(_info(name, field) for name, field in model.model_fields.items())


# ----------------------------------------------------------------------------- reading


def _option(model: type[BaseModel], name: str, value: str) -> Any:
    """A ``Literal`` option given as text (``jemx_num=2``) as the option itself; other values unchanged."""
    annotation, _ = _unwrap(model.model_fields[name].annotation)
    if get_origin(annotation) is Literal:
        return next((o for o in get_args(annotation) if str(o) == value), value)
    return value


def _message(error: ErrorDetails, infos: Mapping[str, ParameterInfo]) -> str:
    loc = error["loc"]
    info = infos.get(str(loc[0])) if loc else None
    cause = (error.get("ctx") or {}).get("error")
    if info is None:  # a check across parameters: its message names them
        return str(cause) if cause is not None else error["msg"]
    if error["type"] == "missing":
        return f"parameter {info.name} is required: {info.description}"
    if cause is not None:
        return f"parameter {info.name}: {cause}"
    return f"parameter {info.name} must be {info.expected()}, not {error.get('input')!r}"


def parse_parameters(model: type[M], values: Mapping[str, object]) -> M:
    """Reads request values into ``model``: names case-insensitive, strings converted, empty strings absent.

    A value is a string, a sequence of strings (a repeated parameter; comma-separated values are split for
    parameters that take several) or, from Python, a value of the field's own type.

    Raises:
        InstrumentUsageError: an unknown parameter, several values for one that takes one, a missing or bad
            value; the message names the parameter and what it allows.
    """
    infos = {info.name: info for info in describe_parameters(model)}
    by_upper = {name.upper(): info for name, info in infos.items()}
    data: dict[str, Any] = {}
    for given, value in values.items():
        info = by_upper.get(given.upper())
        if info is None:
            known = ", ".join(infos)
            raise InstrumentUsageError(f"unknown parameter {given}: the parameters are {known}")
        texts = [value] if isinstance(value, str) else list(value) if isinstance(value, Sequence) else None
        if texts is None or not all(isinstance(t, str) for t in texts):
            data[info.name] = value
        elif info.multiple:
            parts = [part.strip() for text in texts for part in str(text).split(",") if part.strip()]
            if parts:
                data[info.name] = parts
        elif len(texts) > 1:
            raise InstrumentUsageError(f"parameter {info.name} takes one value, not {len(texts)}")
        elif texts and str(texts[0]).strip():
            data[info.name] = _option(model, info.name, str(texts[0]).strip())
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise InstrumentUsageError("; ".join(_message(e, infos) for e in exc.errors())) from None


# ----------------------------------------------------------------------------- building blocks


def to_mjd(value: str, time_format: str) -> float:
    """A time given as ISO 8601 (UTC when no zone is given) or MJD, as MJD (UTC; leap seconds ignored).

    Raises:
        ValueError: the text is not a time in that format.
    """
    if time_format == "mjd":
        mjd = float(value)
        if mjd != mjd or mjd in (float("inf"), float("-inf")):
            raise ValueError(f"{value!r} is not a finite MJD")
        return mjd
    parsed = dt.datetime.fromisoformat(value.strip())
    parsed = parsed.replace(tzinfo=dt.UTC) if parsed.tzinfo is None else parsed.astimezone(dt.UTC)
    return (parsed - _MJD_ZERO).total_seconds() / 86400.0


class AnalysisParameters(BaseModel):
    """Base of every parameter model: unknown names refused, values frozen once validated."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Target(AnalysisParameters):
    """The source of interest and the centre of the field (ICRS)."""

    src_name: str = param("Crab", description="Name of the source of interest", ucd="meta.id;meta.main")
    RA: float = param(
        83.63308,
        description="Right ascension of the source (ICRS)",
        unit="deg",
        ucd="pos.eq.ra",
        ge=0,
        lt=360,
    )
    DEC: float = param(
        22.0145, description="Declination of the source (ICRS)", unit="deg", ucd="pos.eq.dec", ge=-90, le=90
    )


class TimeWindow(AnalysisParameters):
    """The time range, as ISO 8601 (UTC) or MJD according to ``T_format``; ``mjd_range`` gives MJD (UTC)."""

    T1: str = param(
        "2003-03-15T23:27:40.0",
        description="Start of the time range (ISO 8601 UTC, or MJD)",
        ucd="time.start",
    )
    T2: str = param(
        "2003-03-16T00:03:12.0", description="End of the time range (ISO 8601 UTC, or MJD)", ucd="time.end"
    )
    T_format: Literal["isot", "mjd"] = param("isot", description="How T1 and T2 are written: isot or mjd")

    @model_validator(mode="after")
    def _times_ordered(self) -> TimeWindow:
        start, stop = self.mjd_range
        if stop <= start:
            raise ValueError(f"parameter T2 ({self.T2}) must be later than T1 ({self.T1})")
        return self

    @property
    def mjd_range(self) -> tuple[float, float]:
        """(start, stop) in MJD (UTC).

        Raises:
            ValueError: T1 or T2 is not a time in ``T_format`` (never for a validated model).
        """
        times = []
        for name in ("T1", "T2"):
            value = getattr(self, name)
            try:
                times.append(to_mjd(value, self.T_format))
            except ValueError:
                example = "2003-03-15T23:27:40" if self.T_format == "isot" else "52713.98"
                raise ValueError(
                    f"parameter {name} must be a time written as T_format={self.T_format} "
                    f"says (such as {example}), not {value!r}"
                ) from None
        return times[0], times[1]


class EnergyBand(AnalysisParameters):
    """The energy band, in keV."""

    E1_keV: float = param(28.0, description="Lower end of the energy band", unit="keV", ucd="em.energy", gt=0)
    E2_keV: float = param(40.0, description="Upper end of the energy band", unit="keV", ucd="em.energy", gt=0)

    @model_validator(mode="after")
    def _band_ordered(self) -> EnergyBand:
        if self.E2_keV <= self.E1_keV:
            raise ValueError(f"parameter E2_keV ({self.E2_keV}) must be larger than E1_keV ({self.E1_keV})")
        return self


class ScwSelection(AnalysisParameters):
    """Which INTEGRAL science windows (ScW) to use: by distance from the target, or an explicit list."""

    radius: float = param(
        5.0, description="Largest distance of a pointing from the target", unit="deg", ge=0, le=30
    )
    max_pointings: int = param(500, description="Largest number of pointings used", ge=1, le=5000)
    scw_list: tuple[str, ...] | None = param(
        None, description="Science windows to use instead of a selection (RRRRPPPPSSSF or RRRRPPPPSSSF.VVV)"
    )

    @field_validator("scw_list")
    @classmethod
    def _scw_ids(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        for scw in value or ():
            if not _SCW_ID.fullmatch(scw):
                raise ValueError(f"{scw!r} is not a science window id such as 066500220010.001")
        return value or None


class SourceDetection(AnalysisParameters):
    """The significance above which a new source is reported."""

    detection_threshold: float = param(
        7.0, description="Significance (sigma) of the faintest reported source", ucd="stat.snr", ge=3, le=100
    )


class TimeBinning(AnalysisParameters):
    """The bin width of light curves."""

    time_bin: float = param(1000.0, description="Width of the time bins", unit="s", ucd="time.interval", ge=1)


class OsaVersion(AnalysisParameters):
    """The version of the INTEGRAL analysis software (and calibration) to reproduce."""

    osa_version: Literal["OSA10.2", "OSA11.2"] = param("OSA11.2", description="INTEGRAL analysis software")


class JemxUnit(AnalysisParameters):
    """Which of the two JEM-X units."""

    jemx_num: Literal[1, 2] = param(1, description="JEM-X unit: 1 or 2")
