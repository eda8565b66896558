"""OAI-PMH request arguments: what each verb takes, dates, and resumption tokens."""

from __future__ import annotations

import datetime as dt

import pytest

from vo_service.registry.oai_request import OAIError, ResumptionToken, parse_request


def _pairs(query: str) -> list[tuple[str, str]]:
    return [tuple(part.split("=", 1)) for part in query.split("&") if part]  # type: ignore[misc]


def test_list_arguments_and_dates() -> None:
    request = parse_request(
        _pairs("verb=ListRecords&metadataPrefix=ivo_vor&from=2024-01-02&until=2024-01-03&set=ivo_managed")
    )
    assert (
        request.verb == "ListRecords"
        and request.metadata_prefix == "ivo_vor"
        and request.set_spec == "ivo_managed"
    )
    assert request.start == dt.datetime(2024, 1, 2, tzinfo=dt.UTC)
    assert request.until == dt.datetime(2024, 1, 3, 23, 59, 59, tzinfo=dt.UTC)  # a day until is the whole day
    seconds = parse_request(_pairs("verb=ListIdentifiers&metadataPrefix=oai_dc&from=2024-01-02T10:11:12Z"))
    assert seconds.start == dt.datetime(2024, 1, 2, 10, 11, 12, tzinfo=dt.UTC) and seconds.until is None


def test_resumption_token_round_trip() -> None:
    token = ResumptionToken("ListRecords", "ivo_vor", "2024-01-02T00:00:00Z", None, None, "ivo://a/b", 3)
    request = parse_request([("verb", "ListRecords"), ("resumptionToken", token.encode())])
    assert request.token == token
    assert request.metadata_prefix == "ivo_vor" and request.start == dt.datetime(2024, 1, 2, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    ("query", "code"),
    [
        ("", "badVerb"),
        ("verb=Nope", "badVerb"),
        ("verb=Identify&verb=ListSets", "badVerb"),
        ("verb=Identify&metadataPrefix=ivo_vor", "badArgument"),
        ("verb=ListRecords", "badArgument"),
        ("verb=ListIdentifiers&metadataPrefix=ivo_vor&metadataPrefix=oai_dc", "badArgument"),
        ("verb=GetRecord&identifier=ivo://mmvo.example/tap", "badArgument"),
        ("verb=GetRecord&metadataPrefix=ivo_vor", "badArgument"),
        ("verb=ListRecords&metadataPrefix=ivo vor", "badArgument"),
        ("verb=ListMetadataFormats&identifier=ivo://a/100%", "badArgument"),
        ("verb=GetRecord&identifier=ivo://a/b c&metadataPrefix=ivo_vor", "badArgument"),
        ("verb=ListRecords&metadataPrefix=ivo_vor&set=a b", "badArgument"),
        ("verb=ListRecords&metadataPrefix=ivo_vor&from=yesterday", "badArgument"),
        ("verb=ListRecords&metadataPrefix=ivo_vor&from=2024-02-30", "badArgument"),
        ("verb=ListRecords&metadataPrefix=ivo_vor&from=2024-01-01&until=2024-01-02T00:00:00Z", "badArgument"),
        ("verb=ListRecords&metadataPrefix=ivo_vor&from=2024-01-02&until=2024-01-01", "badArgument"),
        ("verb=ListRecords&metadataPrefix=ivo_vor&resumptionToken=abc", "badArgument"),
        ("verb=ListRecords&resumptionToken=abc", "badResumptionToken"),
        ("verb=ListRecords&resumptionToken=WzFd", "badResumptionToken"),
        ("verb=ListSets&resumptionToken=abc", "badResumptionToken"),
        ("verb=Identify&resumptionToken=abc", "badArgument"),
    ],
)
def test_bad_requests(query: str, code: str) -> None:
    with pytest.raises(OAIError) as raised:
        parse_request(_pairs(query))
    assert raised.value.code == code


def test_tokens_are_bound_to_their_verb_and_checked() -> None:
    token = ResumptionToken("ListIdentifiers", "ivo_vor", None, None, None, "ivo://a/b", 2).encode()
    with pytest.raises(OAIError, match="for ListRecords") as raised:
        parse_request([("verb", "ListRecords"), ("resumptionToken", token)])
    assert raised.value.code == "badResumptionToken"
    damaged = ResumptionToken("ListRecords", "ivo_vor", "soon", None, None, "ivo://a/b", 2).encode()
    with pytest.raises(OAIError, match="damaged"):
        parse_request([("verb", "ListRecords"), ("resumptionToken", damaged)])
