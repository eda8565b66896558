"""The TAP capability (TAPRegExt ``tr:TableAccess``) and the capabilities document of ``/tap``.

Language features and output formats are passed in from the registries that implement them (the ADQL
translator's feature list, the formats' registry), so what the service declares is what it does.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from vo_models.tapregext.models import (
    DataLimit,
    DataLimits,
    DataModelType,
    Language,
    LanguageFeature,
    LanguageFeatureList,
    OutputFormat,
    TableAccess,
    TimeLimits,
    UploadMethod,
    Version,
)
from vo_models.voresource.models import Capability

from vo_service.vosi import examples_capability, param_http, vosi_capabilities

__all__ = ["FeatureDecl", "FormatDecl", "TapLimits", "tap_capabilities", "tap_capability"]

OBSCORE_MODEL = "ivo://ivoa.net/std/ObsCore#core-1.1"


@dataclass(frozen=True)
class FeatureDecl:
    """One ``languageFeatures`` entry: feature type IVOID, form and description."""

    type: str
    form: str
    description: str


@dataclass(frozen=True)
class FormatDecl:
    """One ``outputFormat``: MIME type, aliases and (for standard formats) an IVOID."""

    mime: str
    aliases: tuple[str, ...]
    ivo_id: str | None


@dataclass(frozen=True)
class TapLimits:
    """The limits declared in TAPRegExt (rows, seconds, bytes)."""

    maxrec_default: int
    maxrec_hard: int
    retention_default: int
    retention_hard: int
    execution_default: int
    execution_hard: int
    upload_bytes: int | None


def _languages(features: Iterable[FeatureDecl]) -> list[Language]:
    grouped: dict[str, list[LanguageFeature]] = {}
    for feature in features:
        grouped.setdefault(feature.type, []).append(
            LanguageFeature(form=feature.form, description=feature.description or None)
        )
    versions = [
        Version(value="2.0", ivo_id="ivo://ivoa.net/std/ADQL#v2.0"),
        Version(value="2.1", ivo_id="ivo://ivoa.net/std/ADQL#v2.1"),
    ]
    return [
        Language(
            name="ADQL",
            version=versions,
            description="ADQL 2.1 (2.0 queries are accepted too)",
            language_features=[LanguageFeatureList(type=t, feature=f) for t, f in grouped.items()],
        )
    ]


def tap_capability(
    tap_url: str,
    *,
    features: Iterable[FeatureDecl],
    formats: Iterable[FormatDecl],
    limits: TapLimits,
    upload_methods: Sequence[str] = (),
    obscore: bool = False,
) -> TableAccess:
    """The ``tr:TableAccess`` capability of the TAP service at ``tap_url``."""
    upload_limit = (
        DataLimits(hard=DataLimit(value=limits.upload_bytes, unit="byte"))
        if upload_methods and limits.upload_bytes
        else None
    )
    return TableAccess(
        interface=[param_http(tap_url, use="base", role="std", version="1.1")],
        data_model=[DataModelType(value="ObsCore-1.1", ivo_id=OBSCORE_MODEL)] if obscore else [],
        language=_languages(features),
        output_format=[OutputFormat(mime=f.mime, alias=list(f.aliases), ivo_id=f.ivo_id) for f in formats],
        upload_method=[UploadMethod(ivo_id=m) for m in upload_methods],
        retention_period=TimeLimits(default=limits.retention_default, hard=limits.retention_hard),
        execution_duration=TimeLimits(default=limits.execution_default, hard=limits.execution_hard),
        output_limit=DataLimits(
            default=DataLimit(value=limits.maxrec_default, unit="row"),
            hard=DataLimit(value=limits.maxrec_hard, unit="row"),
        ),
        upload_limit=upload_limit,
    )


def tap_capabilities(tap_url: str, table_access: TableAccess) -> list[Capability]:
    """Every capability ``/tap/capabilities`` lists: TAP, the VOSI endpoints and the examples."""
    return [
        table_access,
        *vosi_capabilities(tap_url, tables=True),
        examples_capability(f"{tap_url}/examples"),
    ]
