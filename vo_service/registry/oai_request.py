"""OAI-PMH 2.0 requests: the arguments of each verb checked, dates and resumption tokens decoded.

Everything a request can get wrong by itself is refused here with an ``OAIError`` carrying the OAI error code;
the registry adds the errors that depend on its records.  Both are rendered in one place
(``vo_service.registry.oai``), inside an OAI-PMH document answered with HTTP 200, as the protocol wants.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import datetime as dt
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal, get_args

__all__ = [
    "ErrorCode",
    "OAIError",
    "OAIRequest",
    "ResumptionToken",
    "Verb",
    "format_datestamp",
    "parse_request",
]

Verb = Literal["Identify", "ListMetadataFormats", "ListSets", "ListIdentifiers", "ListRecords", "GetRecord"]
ErrorCode = Literal[
    "badVerb",
    "badArgument",
    "cannotDisseminateFormat",
    "idDoesNotExist",
    "noRecordsMatch",
    "badResumptionToken",
    "noMetadataFormats",
    "noSetHierarchy",
]


class OAIError(Exception):
    """An OAI-PMH error condition: its code and a message for the harvester's operator."""

    def __init__(self, code: ErrorCode, message: str) -> None:
        super().__init__(message)
        self.code: ErrorCode = code
        self.message = message


_LIST = (frozenset({"metadataPrefix"}), frozenset({"from", "until", "set"}), True)
#: verb -> (required arguments, optional arguments, whether a resumptionToken may replace them)
_ARGUMENTS: dict[str, tuple[frozenset[str], frozenset[str], bool]] = {
    "Identify": (frozenset(), frozenset(), False),
    "ListMetadataFormats": (frozenset(), frozenset({"identifier"}), False),
    "ListSets": (frozenset(), frozenset(), True),
    "ListIdentifiers": _LIST,
    "ListRecords": _LIST,
    "GetRecord": (frozenset({"identifier", "metadataPrefix"}), frozenset(), False),
}
#: The schema's patterns for metadataPrefix and setSpec, so that every echoed request stays valid.
_PREFIX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+")
_SET_SPEC = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*")
#: A URI as RFC 3986 writes one (no IP literals): anything else cannot be an identifier, nor be echoed as one.
_URI_CHAR = r"(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})"
_URI = re.compile(f"{_URI_CHAR}+(?:#{_URI_CHAR}*)?")
_DAY = re.compile(r"\d{4}-\d\d-\d\d")
_SECOND = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def format_datestamp(value: dt.datetime) -> str:
    """``YYYY-MM-DDThh:mm:ssZ``, the repository's granularity."""
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _parse_date(name: str, text: str, *, end_of_day: bool) -> dt.datetime:
    try:
        if _SECOND.fullmatch(text):
            return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=dt.UTC)
        if _DAY.fullmatch(text):
            day = dt.datetime.strptime(text, "%Y-%m-%d").replace(tzinfo=dt.UTC)
            return day + dt.timedelta(days=1, seconds=-1) if end_of_day else day
    except ValueError:
        pass
    raise OAIError("badArgument", f"{name} must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ, not {text!r}")


@dataclass(frozen=True)
class ResumptionToken:
    """Where a list continues: its arguments, the last identifier given and how many came before.

    Pages follow the identifiers' order and continue after the last one given, so a record changed during a
    harvest is neither given twice nor skipped.
    """

    verb: str
    metadata_prefix: str
    start: str | None
    until: str | None
    set_spec: str | None
    after: str
    cursor: int

    def encode(self) -> str:
        fields = [
            self.verb,
            self.metadata_prefix,
            self.start,
            self.until,
            self.set_spec,
            self.after,
            self.cursor,
        ]
        return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str, verb: str) -> ResumptionToken:
        """The token ``text`` given back with ``verb``; ``badResumptionToken`` unless this registry made it."""
        try:
            fields = json.loads(base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)))
            token = cls(*fields)
        except (ValueError, TypeError, binascii.Error) as exc:
            raise OAIError(
                "badResumptionToken", f"{text!r} is not a resumption token of this registry"
            ) from exc
        valid = (
            token.verb == verb
            and all(isinstance(v, str | None) for v in (token.start, token.until, token.set_spec))
            and isinstance(token.metadata_prefix, str)
            and isinstance(token.after, str)
            and isinstance(token.cursor, int)
            and token.cursor > 0
        )
        if not valid:
            raise OAIError(
                "badResumptionToken", f"{text!r} is not a resumption token of this registry for {verb}"
            )
        return token


@dataclass(frozen=True)
class OAIRequest:
    """A well-formed request; the list arguments come from the resumption token when one was given."""

    verb: Verb
    identifier: str | None = None
    metadata_prefix: str | None = None
    start: dt.datetime | None = None
    until: dt.datetime | None = None
    set_spec: str | None = None
    token: ResumptionToken | None = None


def _check_arguments(verb: str, arguments: dict[str, str]) -> None:
    required, optional, resumable = _ARGUMENTS[verb]
    given = set(arguments)
    if "resumptionToken" in given and resumable:
        if given != {"resumptionToken"}:
            raise OAIError("badArgument", "resumptionToken is an exclusive argument")
        return
    unknown = given - required - optional
    if unknown:
        raise OAIError("badArgument", f"{verb} takes no argument {', '.join(sorted(unknown))}")
    missing = required - given
    if missing:
        raise OAIError("badArgument", f"{verb} needs the argument {', '.join(sorted(missing))}")
    if "metadataPrefix" in arguments and not _PREFIX.fullmatch(arguments["metadataPrefix"]):
        raise OAIError("badArgument", f"{arguments['metadataPrefix']!r} is not a metadataPrefix")
    if "identifier" in arguments and not _URI.fullmatch(arguments["identifier"]):
        raise OAIError("badArgument", f"{arguments['identifier']!r} is not a URI")
    if "set" in arguments and not _SET_SPEC.fullmatch(arguments["set"]):
        raise OAIError("badArgument", f"{arguments['set']!r} is not a setSpec")


def _list_request(
    verb: Verb, prefix: str, start: str | None, until: str | None, set_spec: str | None
) -> OAIRequest:
    lower = _parse_date("from", start, end_of_day=False) if start else None
    upper = _parse_date("until", until, end_of_day=True) if until else None
    if start and until and len(start) != len(until):
        raise OAIError("badArgument", "from and until must have the same granularity")
    if lower and upper and lower > upper:
        raise OAIError("badArgument", "from must not be later than until")
    return OAIRequest(verb, metadata_prefix=prefix, start=lower, until=upper, set_spec=set_spec)


def parse_request(items: Sequence[tuple[str, str]]) -> OAIRequest:
    """The request of the (name, value) pairs of a GET query or POST form.

    Raises ``OAIError`` (``badVerb``, ``badArgument``, ``badResumptionToken``).
    """
    arguments: dict[str, str] = {}
    for name, value in items:
        if name in arguments:
            code: ErrorCode = "badVerb" if name == "verb" else "badArgument"
            raise OAIError(code, f"the argument {name} is repeated")
        arguments[name] = value
    verb = arguments.pop("verb", None)
    if verb is None:
        raise OAIError("badVerb", "the verb argument is missing")
    if verb not in get_args(Verb):
        raise OAIError("badVerb", f"{verb!r} is not an OAI-PMH verb")
    _check_arguments(verb, arguments)
    checked: Verb = verb  # type: ignore[assignment]  # a member of Verb, checked above
    if "resumptionToken" in arguments:
        if checked == "ListSets":
            raise OAIError("badResumptionToken", "this registry never splits the list of sets")
        token = ResumptionToken.decode(arguments["resumptionToken"], checked)
        try:
            request = _list_request(checked, token.metadata_prefix, token.start, token.until, token.set_spec)
        except OAIError as exc:
            raise OAIError("badResumptionToken", f"the resumption token is damaged: {exc.message}") from exc
        return dataclasses.replace(request, token=token)
    if checked in ("ListIdentifiers", "ListRecords"):
        prefix = arguments["metadataPrefix"]
        return _list_request(
            checked, prefix, arguments.get("from"), arguments.get("until"), arguments.get("set")
        )
    return OAIRequest(
        checked, identifier=arguments.get("identifier"), metadata_prefix=arguments.get("metadataPrefix")
    )
