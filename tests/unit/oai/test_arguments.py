"""Per-verb argument validation (spec 3.1, 3.6, 4) and the echo rules of the request element (spec 3.2)."""

from __future__ import annotations

from urllib.parse import urlencode

import pytest

from oer.feed.oai.arguments import VERB_ARGUMENTS, Verb, parse_request
from oer.feed.oai.errors import ErrorCode, OaiError
from tests.support.oai_requests import Ask
from tests.unit.oai.memory_feed import BASE_URL, identifier_for
from tests.unit.oai.validation import NS, error_codes, request_echo

ALL_ARGUMENTS = ("identifier", "metadataPrefix", "from", "until", "set", "resumptionToken")
KNOWN_ID = identifier_for(0)


def only_error(ask: Ask, query: str) -> tuple[str, dict[str, str], str]:
    """The single error code of the response, the request echo, and its base URL."""
    root = ask(query)
    codes = error_codes(root)
    assert len(codes) == 1, codes
    attributes, base_url = request_echo(root)
    return codes[0], attributes, base_url


class TestBadVerb:
    @pytest.mark.parametrize(
        "query",
        ["", "metadataPrefix=lom", "verb=", "verb=ListAll", "verb=identify", "verb=Identify&verb=Identify",
         "verb=Identify&verb=ListSets"],
        ids=["no-arguments", "no-verb", "empty", "unknown", "wrong-case", "repeated-same", "repeated-different"],
    )
    def test_missing_illegal_or_repeated_verb_is_bad_verb_with_bare_request(self, ask: Ask, query: str) -> None:
        code, attributes, base_url = only_error(ask, query)
        assert code == "badVerb"
        assert attributes == {}
        assert base_url == BASE_URL


class TestBadArgument:
    @pytest.mark.parametrize("verb", list(Verb))
    def test_an_argument_the_verb_does_not_take_is_bad_argument(self, ask: Ask, verb: Verb) -> None:
        for name in [*(a for a in ALL_ARGUMENTS if a not in VERB_ARGUMENTS[verb].allowed), "foo"]:
            root = ask(urlencode({"verb": verb.value, name: "x"}))
            assert "badArgument" in error_codes(root), (verb, name)
            assert request_echo(root)[0] == {}

    @pytest.mark.parametrize(
        "query",
        [
            "verb=GetRecord&metadataPrefix=lom",
            f"verb=GetRecord&identifier={KNOWN_ID}",
            "verb=ListRecords",
            "verb=ListIdentifiers&set=curated",
        ],
    )
    def test_missing_required_argument_is_bad_argument(self, ask: Ask, query: str) -> None:
        code, attributes, _ = only_error(ask, query)
        assert (code, attributes) == ("badArgument", {})

    @pytest.mark.parametrize(
        "query",
        [
            "verb=ListRecords&metadataPrefix=lom&metadataPrefix=lom",
            "verb=ListRecords&metadataPrefix=lom&set=curated&set=sector:PO",
            f"verb=GetRecord&metadataPrefix=lom&identifier={KNOWN_ID}&identifier={KNOWN_ID}",
            "verb=ListMetadataFormats&identifier=a:b&identifier=a:c",
        ],
    )
    def test_repeated_argument_is_bad_argument(self, ask: Ask, query: str) -> None:
        code, attributes, _ = only_error(ask, query)
        assert (code, attributes) == ("badArgument", {})

    @pytest.mark.parametrize("verb", ["ListRecords", "ListIdentifiers", "ListSets"])
    @pytest.mark.parametrize("other", ["metadataPrefix=lom", "set=curated", "from=2024-01-01", "until=2024-01-01"])
    def test_resumption_token_with_another_argument_is_bad_argument(self, ask: Ask, verb: str, other: str) -> None:
        root = ask(f"verb={verb}&resumptionToken=abc&{other}")
        assert error_codes(root) == ["badArgument"]
        assert request_echo(root)[0] == {}

    @pytest.mark.parametrize(
        "query",
        [
            "verb=ListRecords&metadataPrefix=",
            "verb=ListRecords&metadataPrefix=lom&set=",
            "verb=ListRecords&resumptionToken=",
            "verb=ListMetadataFormats&identifier=",
        ],
    )
    def test_empty_value_is_bad_argument(self, ask: Ask, query: str) -> None:
        code, attributes, _ = only_error(ask, query)
        assert (code, attributes) == ("badArgument", {})

    @pytest.mark.parametrize(
        "arguments",
        [
            {"verb": "GetRecord", "metadataPrefix": "l o m", "identifier": KNOWN_ID},
            {"verb": "GetRecord", "metadataPrefix": "l o m", "identifier": "has space"},
            {"verb": "ListRecords", "metadataPrefix": "lom", "set": "curated:"},
            {"verb": "ListRecords", "metadataPrefix": "lom", "set": "a b"},
            {"verb": "ListRecords", "metadataPrefix": "lom", "set": "x\x00y"},
            {"verb": "ListRecords", "resumptionToken": "abc\x01"},
        ],
        ids=["prefix-space", "prefix-space-and-bad-id", "set-trailing-colon", "set-space", "nul", "control-char-token"],
    )
    def test_value_of_illegal_syntax_is_bad_argument(self, ask: Ask, arguments: dict[str, str]) -> None:
        code, attributes, _ = only_error(ask, urlencode(arguments))
        assert (code, attributes) == ("badArgument", {})

    @pytest.mark.parametrize(
        "identifier",
        ["has space", "oai:x:%zz", "oai:x:[1]", "12345", 'invalid"id', "oai:x:\x00", "\ufffe"],
        ids=["space", "bad-escape", "bracket", "no-scheme", "quote", "nul", "non-character"],
    )
    @pytest.mark.parametrize("verb", ["GetRecord", "ListMetadataFormats"])
    def test_identifier_that_is_no_uri_does_not_exist(self, ask: Ask, verb: str, identifier: str) -> None:
        # Spec 3.6: idDoesNotExist is for an identifier "unknown or illegal in this repository";
        # badArgument would say the request itself is malformed. It is not echoed (xsd:anyURI).
        arguments = {"verb": verb, "identifier": identifier}
        if verb == "GetRecord":
            arguments["metadataPrefix"] = "lom"
        code, attributes, _ = only_error(ask, urlencode(arguments))
        del arguments["identifier"]
        assert (code, attributes) == ("idDoesNotExist", arguments)

    def test_every_problem_is_reported(self, ask: Ask) -> None:
        root = ask("verb=ListRecords&from=yesterday&until=2024-01-01&bogus=1&set=a%20b")
        messages = [e.text for e in root.iterfind("oai:error", NS)]
        assert error_codes(root) == ["badArgument"] * 4
        assert any("bogus" in m for m in messages)
        assert any("needs metadataPrefix" in m for m in messages)
        assert any("from" in m for m in messages)

    def test_message_quotes_hostile_values_safely(self, ask: Ask) -> None:
        root = ask(urlencode({"verb": "Identify", "x\x07" + "y" * 500: "1"}))
        (message,) = [e.text for e in root.iterfind("oai:error", NS)]
        assert "\ufffd" in message and len(message) < 200


class TestEcho:
    def test_successful_request_echoes_every_argument(self, ask: Ask) -> None:
        query = "verb=ListIdentifiers&metadataPrefix=oai_dc&set=curated&from=2024-01-01&until=2024-12-31"
        attributes, base_url = request_echo(ask(query))
        assert attributes == {
            "verb": "ListIdentifiers",
            "metadataPrefix": "oai_dc",
            "set": "curated",
            "from": "2024-01-01",
            "until": "2024-12-31",
        }
        assert base_url == BASE_URL

    @pytest.mark.parametrize(
        ("query", "code"),
        [
            ("verb=ListRecords&metadataPrefix=marc21", "cannotDisseminateFormat"),
            ("verb=GetRecord&metadataPrefix=lom&identifier=oai:nowhere:1", "idDoesNotExist"),
            ("verb=ListRecords&metadataPrefix=lom&set=no:such:set", "noRecordsMatch"),
            ("verb=ListRecords&resumptionToken=not-a-token", "badResumptionToken"),
            ("verb=ListMetadataFormats&identifier=oai:nowhere:1", "idDoesNotExist"),
        ],
    )
    def test_other_errors_echo_the_arguments(self, ask: Ask, query: str, code: str) -> None:
        found, attributes, base_url = only_error(ask, query)
        assert found == code
        expected = dict(pair.split("=", 1) for pair in query.split("&"))
        assert attributes == expected
        assert base_url == BASE_URL


class TestParseRequest:
    def test_day_bounds_cover_whole_days(self) -> None:
        request = parse_request({"verb": ["ListRecords"], "metadataPrefix": ["lom"],
                                 "from": ["2024-02-29"], "until": ["2024-02-29"]})
        assert request.from_ is not None and request.until is not None
        assert request.from_.value.isoformat() == "2024-02-29T00:00:00+00:00"
        assert request.until.value.isoformat() == "2024-02-29T23:59:59+00:00"

    def test_error_carries_every_problem(self) -> None:
        with pytest.raises(OaiError) as raised:
            parse_request({"verb": ["GetRecord"], "foo": ["1"]})
        assert [e.code for e in raised.value.errors] == [ErrorCode.BAD_ARGUMENT] * 3
