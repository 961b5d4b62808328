"""ListIdentifiers and ListRecords: selection, deleted items, paging and resumption tokens (spec 3.5, 4.3, 4.5)."""

from __future__ import annotations

from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from lxml import etree

from metadata.formats import MetadataFormats
from metadata.record import Record
from oer.feed.oai.datestamps import format_datestamp
from oer.feed.oai.provider import OaiProvider
from oer.feed.oai.tokens import ResumptionTokens
from tests.support.oai_requests import (
    SECRET,
    FakeClock,
    arguments_of,
    follow,
    headers_of,
    token_of,
)
from tests.unit.oai.memory_feed import (
    START,
    InMemoryFeedRepository,
    StoredItem,
    identifier_for,
)
from tests.unit.oai.stand_ins import stand_in_formats
from tests.unit.oai.validation import NS, error_codes, validate_response

LIST_VERBS = ["ListRecords", "ListIdentifiers"]


def expected_headers(
    repository: InMemoryFeedRepository,
    set_spec: str | None = None,
    from_: datetime | None = None,
    until: datetime | None = None,
) -> list[tuple[str, str, bool]]:
    items = repository.list_items(set_spec, from_, until, None, 10**9)
    return [(item.oai_identifier, format_datestamp(item.datestamp), item.deleted) for item in items]


def ask_token(provider: OaiProvider, repository: InMemoryFeedRepository, verb: str, token: str) -> etree._Element:
    query = urlencode({"verb": verb, "resumptionToken": token})
    return validate_response(provider.handle(repository, arguments_of(query)))


def record_elements(root: etree._Element) -> list[bytes]:
    return [etree.tostring(e) for e in root.xpath("oai:*/oai:record | oai:*/oai:header", namespaces=NS)]


class TestCompleteHarvest:
    @pytest.mark.parametrize("verb", LIST_VERBS)
    @pytest.mark.parametrize("set_spec", [None, "curated", "sector:PO", "source:school-a"])
    def test_tokens_deliver_every_item_exactly_once_in_order(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, verb: str, set_spec: str | None
    ) -> None:
        query = f"verb={verb}&metadataPrefix=lom" + (f"&set={set_spec}" if set_spec else "")
        pages = follow(provider, repository, query)
        expected = expected_headers(repository, set_spec)
        assert headers_of(pages) == expected
        assert len({identifier for identifier, _, _ in expected}) == len(expected)
        assert len(pages) == -(-len(expected) // 100)

    def test_whole_feed_includes_tombstones_as_deleted_headers(
        self, provider: OaiProvider, repository: InMemoryFeedRepository
    ) -> None:
        pages = follow(provider, repository, "verb=ListRecords&metadataPrefix=nl_lom")
        records = [r for page in pages for r in page.iterfind("oai:ListRecords/oai:record", NS)]
        assert len(records) == len(repository.items)
        deleted = [r for r in records if r.find("oai:header", NS).get("status") == "deleted"]
        assert {r.findtext("oai:header/oai:identifier", namespaces=NS) for r in deleted} == {
            i.oai_identifier for i in repository.items.values() if i.record is None
        }
        assert all(r.find("oai:metadata", NS) is None for r in deleted)
        live = [r for r in records if r not in deleted]
        assert all(r.find("oai:metadata/ieee:lom", NS) is not None for r in live)

    def test_items_that_left_a_set_are_deleted_in_that_set_only(
        self, provider: OaiProvider, repository: InMemoryFeedRepository
    ) -> None:
        left = {i.oai_identifier for i in repository.items.values() if "curated" in i.left_sets and i.record}
        assert left, "the corpus must have live items that left curated"
        in_set = {h[0]: h[2] for h in headers_of(follow(provider, repository, "verb=ListIdentifiers&metadataPrefix=lom&set=curated"))}
        everywhere = {h[0]: h[2] for h in headers_of(follow(provider, repository, "verb=ListIdentifiers&metadataPrefix=lom"))}
        assert all(in_set[identifier] for identifier in left)
        assert not any(everywhere[identifier] for identifier in left)

    def test_list_identifiers_has_headers_only(self, provider: OaiProvider, repository: InMemoryFeedRepository) -> None:
        root = validate_response(provider.handle(repository, arguments_of("verb=ListIdentifiers&metadataPrefix=oai_dc")))
        assert len(root.findall("oai:ListIdentifiers/oai:header", NS)) == 100
        assert root.find(".//oai:record", NS) is None and root.find(".//oai:metadata", NS) is None


class TestPages:
    @pytest.mark.parametrize("verb", LIST_VERBS)
    def test_every_page_carries_size_and_cursor_and_the_last_an_empty_token(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, clock: FakeClock, verb: str
    ) -> None:
        pages = follow(provider, repository, f"verb={verb}&metadataPrefix=oai_dc")
        total = len(repository.items)
        tokens = [token_of(page) for page in pages]
        assert all(token is not None for token in tokens)
        assert [int(t.get("cursor")) for t in tokens] == [0, 100, 200, 300, 400]
        assert {int(t.get("completeListSize")) for t in tokens} == {total}
        expiry = format_datestamp(clock.now + timedelta(hours=24))
        assert [t.get("expirationDate") for t in tokens[:-1]] == [expiry] * 4
        last = tokens[-1]
        assert not last.text and last.get("expirationDate") is None
        assert len(headers_of(pages[-1:])) == total - 400

    def test_list_that_fits_one_page_has_no_token(self, provider: OaiProvider) -> None:
        repository = corpus_of_size(100)
        root = validate_response(provider.handle(repository, arguments_of("verb=ListIdentifiers&metadataPrefix=lom")))
        assert len(headers_of([root])) == 100
        assert token_of(root) is None

    def test_one_more_than_a_page_gives_two_pages(self, provider: OaiProvider) -> None:
        pages = follow(provider, corpus_of_size(101), "verb=ListIdentifiers&metadataPrefix=lom")
        assert [len(headers_of([page])) for page in pages] == [100, 1]
        last = token_of(pages[1])
        assert (last.text, last.get("cursor"), last.get("completeListSize")) == (None, "100", "101")

    @pytest.mark.parametrize("page_size", [100, 200, 500])
    def test_page_size_is_configurable(self, clock: FakeClock, page_size: int) -> None:
        provider = OaiProvider(stand_in_formats(), ResumptionTokens(SECRET), page_size=page_size, clock=clock)
        repository = corpus_of_size(1001)
        pages = follow(provider, repository, "verb=ListIdentifiers&metadataPrefix=lom")
        assert [len(headers_of([p])) for p in pages[:-1]] == [page_size] * (len(pages) - 1)
        assert len(headers_of(pages)) == 1001

    @pytest.mark.parametrize("page_size", [0, 99, 501])
    def test_page_size_outside_100_to_500_is_refused(self, page_size: int) -> None:
        with pytest.raises(ValueError, match="page size"):
            OaiProvider(stand_in_formats(), ResumptionTokens(SECRET), page_size=page_size)


class TestSelection:
    @pytest.mark.parametrize(
        "query",
        [
            "verb=ListRecords&metadataPrefix=lom&set=collection:empty",
            "verb=ListRecords&metadataPrefix=lom&set=no:such:set",
            "verb=ListIdentifiers&metadataPrefix=lom&from=2030-01-01",
            "verb=ListIdentifiers&metadataPrefix=lom&until=2023-12-31T23:59:59Z",
        ],
        ids=["empty-set", "unknown-set", "from-in-the-future", "until-before-earliest"],
    )
    def test_empty_selection_is_no_records_match(self, provider: OaiProvider, repository: InMemoryFeedRepository, query: str) -> None:
        root = validate_response(provider.handle(repository, arguments_of(query)))
        assert error_codes(root) == ["noRecordsMatch"]

    @pytest.mark.parametrize("verb", LIST_VERBS)
    def test_unknown_format_is_cannot_disseminate_format(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, verb: str
    ) -> None:
        root = validate_response(provider.handle(repository, arguments_of(f"verb={verb}&metadataPrefix=mods")))
        assert error_codes(root) == ["cannotDisseminateFormat"]

    def test_set_and_window_combine(self, provider: OaiProvider, repository: InMemoryFeedRepository) -> None:
        query = "verb=ListIdentifiers&metadataPrefix=lom&set=sector:VO&from=2024-01-02T00:00:00Z&until=2024-01-05T08:00:10Z"
        pages = follow(provider, repository, query)
        expected = expected_headers(
            repository, "sector:VO", datetime.fromisoformat("2024-01-02T00:00:00+00:00"),
            datetime.fromisoformat("2024-01-05T08:00:10+00:00"),
        )
        assert expected and headers_of(pages) == expected


class TestTokens:
    def first_token(self, provider: OaiProvider, repository: InMemoryFeedRepository, verb: str = "ListRecords") -> str:
        root = validate_response(provider.handle(repository, arguments_of(f"verb={verb}&metadataPrefix=lom")))
        token = token_of(root)
        assert token is not None and token.text
        return token.text

    def test_same_token_returns_the_same_page(self, provider: OaiProvider, repository: InMemoryFeedRepository) -> None:
        token = self.first_token(provider, repository)
        first = provider.handle(repository, arguments_of(urlencode({"verb": "ListRecords", "resumptionToken": token})))
        second = provider.handle(repository, arguments_of(urlencode({"verb": "ListRecords", "resumptionToken": token})))
        assert first == second

    def test_same_page_later_even_after_new_items_arrive(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, clock: FakeClock
    ) -> None:
        token = self.first_token(provider, repository)
        before = ask_token(provider, repository, "ListRecords", token)
        clock.advance(hours=3)
        add_items(repository, 50, at=clock.now)
        after = ask_token(provider, repository, "ListRecords", token)
        assert record_elements(after) == record_elements(before)
        assert token_of(after).get("completeListSize") == token_of(before).get("completeListSize")
        assert token_of(after).get("cursor") == token_of(before).get("cursor") == "100"

    def test_token_is_valid_for_24_hours(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, clock: FakeClock
    ) -> None:
        token = self.first_token(provider, repository)
        clock.advance(hours=24, seconds=-1)
        assert error_codes(ask_token(provider, repository, "ListRecords", token)) == []
        clock.advance(seconds=1)
        root = ask_token(provider, repository, "ListRecords", token)
        assert error_codes(root) == ["badResumptionToken"]
        assert "expired" in root.findtext("oai:error", namespaces=NS)

    def test_lifetime_shorter_than_a_day_is_refused(self) -> None:
        with pytest.raises(ValueError, match="at least"):
            ResumptionTokens(SECRET, lifetime=timedelta(hours=23))

    def test_longer_lifetime_moves_the_expiration_date(self, repository: InMemoryFeedRepository, clock: FakeClock) -> None:
        provider = OaiProvider(stand_in_formats(), ResumptionTokens(SECRET, lifetime=timedelta(days=7)), clock=clock)
        root = validate_response(provider.handle(repository, arguments_of("verb=ListIdentifiers&metadataPrefix=lom")))
        assert token_of(root).get("expirationDate") == format_datestamp(clock.now + timedelta(days=7))

    @pytest.mark.parametrize("position", [0, 10, 40, -5, -1])
    def test_altered_token_is_bad_resumption_token(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, position: int
    ) -> None:
        token = self.first_token(provider, repository)
        replacement = "A" if token[position] != "A" else "B"
        altered = token[:position] + replacement + token[position + 1 :] if position != -1 else token[:-1] + replacement
        assert altered != token
        assert error_codes(ask_token(provider, repository, "ListRecords", altered)) == ["badResumptionToken"]

    @pytest.mark.parametrize("garbage", ["x", "....", "e30", "W10.abc", "%%%", "é" * 40, "a" * 5000])
    def test_garbage_token_is_bad_resumption_token(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, garbage: str
    ) -> None:
        assert error_codes(ask_token(provider, repository, "ListIdentifiers", garbage)) == ["badResumptionToken"]

    def test_token_signed_with_another_key_is_bad_resumption_token(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, clock: FakeClock
    ) -> None:
        other = OaiProvider(stand_in_formats(), ResumptionTokens("another secret"), clock=clock)
        token = self.first_token(other, repository)
        assert error_codes(ask_token(provider, repository, "ListRecords", token)) == ["badResumptionToken"]

    def test_token_of_the_other_list_verb_is_bad_resumption_token(
        self, provider: OaiProvider, repository: InMemoryFeedRepository
    ) -> None:
        token = self.first_token(provider, repository, "ListIdentifiers")
        assert error_codes(ask_token(provider, repository, "ListRecords", token)) == ["badResumptionToken"]
        assert error_codes(ask_token(provider, repository, "ListIdentifiers", token)) == []

    def test_token_for_a_format_no_longer_offered_is_bad_resumption_token(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, clock: FakeClock
    ) -> None:
        token = self.first_token(provider, repository)
        without_lom = MetadataFormats([f for f in stand_in_formats() if f.prefix != "lom"])
        narrowed = OaiProvider(without_lom, ResumptionTokens(SECRET), page_size=100, clock=clock)
        assert error_codes(ask_token(narrowed, repository, "ListRecords", token)) == ["badResumptionToken"]

    def test_token_request_echoes_verb_and_token_only(
        self, provider: OaiProvider, repository: InMemoryFeedRepository
    ) -> None:
        token = self.first_token(provider, repository)
        root = ask_token(provider, repository, "ListRecords", token)
        assert dict(root.find("oai:request", NS).attrib) == {"verb": "ListRecords", "resumptionToken": token}


class TestChangesDuringHarvest:
    def test_changed_items_are_never_repeated_and_the_next_harvest_gets_them(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, clock: FakeClock
    ) -> None:
        first = validate_response(provider.handle(repository, arguments_of("verb=ListIdentifiers&metadataPrefix=lom")))
        started = first.findtext("oai:responseDate", namespaces=NS)
        delivered = headers_of([first])
        ordered = expected_headers(repository)
        clock.advance(minutes=5)
        seen, unseen = ordered[3][0], ordered[250][0]
        gone, touched = ordered[300][0], ordered[320][0]
        record = repository.items[identifier_for(0)].record
        assert record is not None
        repository.put(seen, record, {"curated"}, clock.now.replace(microsecond=0))
        repository.put(unseen, record, {"curated"}, clock.now.replace(microsecond=0))
        repository.delete(gone, clock.now.replace(microsecond=0))
        repository.items[touched].datestamp = clock.now.replace(microsecond=0)
        token = token_of(first).text
        pages = [first, *follow_token(provider, repository, "ListIdentifiers", token)]
        harvested = [h[0] for h in headers_of(pages)]
        assert len(harvested) == len(set(harvested))
        assert {unseen, gone, touched}.isdisjoint(harvested[len(delivered):])
        clock.advance(minutes=5)
        incremental = headers_of(follow(provider, repository, f"verb=ListIdentifiers&metadataPrefix=lom&from={started}"))
        assert {h[0] for h in incremental} == {seen, unseen, gone, touched}
        assert next(h for h in incremental if h[0] == gone)[2] is True

    def test_until_in_the_future_is_frozen_at_the_first_request_too(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, clock: FakeClock
    ) -> None:
        query = "verb=ListIdentifiers&metadataPrefix=lom&until=2099-12-31"
        first = validate_response(provider.handle(repository, arguments_of(query)))
        delivered = headers_of([first])[0][0]
        clock.advance(minutes=1)
        record = Record(oai_identifier=delivered, title="changed")
        repository.put(delivered, record, {"curated"}, clock.now.replace(microsecond=0))
        pages = [first, *follow_token(provider, repository, "ListIdentifiers", token_of(first).text)]
        harvested = [h[0] for h in headers_of(pages)]
        assert harvested.count(delivered) == 1
        assert sorted(harvested) == sorted(repository.items)

    def test_item_leaving_a_set_shows_as_deleted_to_the_selective_harvester(
        self, provider: OaiProvider, repository: InMemoryFeedRepository, clock: FakeClock
    ) -> None:
        member = next(i for i in repository.items.values() if "curated" in i.set_specs and i.record)
        clock.advance(days=1)
        at = clock.now.replace(microsecond=0)
        repository.leave_set(member.oai_identifier, "curated", at)
        query = f"verb=ListRecords&metadataPrefix=lom&set=curated&from={format_datestamp(at)}"
        root = validate_response(provider.handle(repository, arguments_of(query)))
        (record,) = root.iterfind("oai:ListRecords/oai:record", NS)
        assert record.findtext("oai:header/oai:identifier", namespaces=NS) == member.oai_identifier
        assert record.find("oai:header", NS).get("status") == "deleted"
        assert record.find("oai:metadata", NS) is None


def follow_token(provider: OaiProvider, repository: InMemoryFeedRepository, verb: str, token: str) -> list[etree._Element]:
    pages = []
    while token:
        pages.append(ask_token(provider, repository, verb, token))
        element = token_of(pages[-1])
        token = element.text if element is not None and element.text else ""
    return pages


def corpus_of_size(count: int) -> InMemoryFeedRepository:
    repository = InMemoryFeedRepository()
    add_items(repository, count, at=START)
    return repository


def add_items(repository: InMemoryFeedRepository, count: int, *, at: datetime) -> None:
    at = at.replace(microsecond=0)
    first = len(repository.items)
    for number in range(first, first + count):
        identifier = identifier_for(10_000 + number)
        record = Record(oai_identifier=identifier, title=f"Nieuw {number}")
        repository.items[identifier] = StoredItem(identifier, at + timedelta(seconds=number % 7), record, {"curated"})
