"""The OAI-PMH client against a real loopback server: pages, errors and every transport fault."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest

from harvester.backoff import RetryPolicy
from harvester.errors import (
    AccessForbiddenError,
    BadResumptionTokenError,
    MalformedResponseError,
    OaiRequestError,
    SourceHttpError,
    SourceTimeoutError,
    SourceUnavailableError,
)
from harvester.oai_client import OaiClient
from harvester.records import DeletedRecordPolicy
from harvester.replay_pages import (
    GeneratedCorpus,
    PageSource,
    RecordedPages,
    ReplayRequest,
    Reply,
)
from harvester.replay_server import OaiReplayServer
from metadata.oai import Granularity
from tests.fixtures.oai_server import (
    EDUREP_TOKEN,
    OAI_FIXTURES,
    FaultPlan,
    body,
    cut_connection,
    edurep_pages,
    expired_token,
    first_page,
    gzipped,
    replace_bytes,
    slow,
    status,
    too_many_requests,
    unavailable,
    unavailable_until,
)
from tests.support.harvester_client import FIXED_NOW, RecordingSleep

StartServer = Callable[[PageSource], OaiReplayServer]
MakeClient = Callable[..., OaiClient]
SICKLE = OAI_FIXTURES / "sickle"


def test_edurep_pages_become_plain_records(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(edurep_pages())
    client = make_client(server.url)
    page = client.list_records(metadata_prefix="lom", set_spec="surf")
    assert page.response_date == "2020-02-06T18:10:23Z"
    assert page.resumption_token == EDUREP_TOKEN
    assert len(page.records) == 9
    deleted = page.records[0]
    assert deleted.deleted and deleted.metadata_xml is None and deleted.problem is None
    assert deleted.oai_identifier == "surfsharekit:oai:surfsharekit.nl:3d2940a0-9573-412e-8fa2-067c55e2a72f"
    assert deleted.datestamp == "2019-11-05T00:06:37Z"
    assert deleted.set_specs == ("surfsharekit",)
    record = page.records[1]
    assert not record.deleted and record.problem is None
    assert record.metadata_xml is not None and record.metadata_xml.startswith(b"<czp:lom")
    assert b"imsmd_v1p2" in record.metadata_xml
    assert record.raw_xml.startswith(b"<record") and b"<provenance" in record.raw_xml
    assert len(record.sha256) == 64
    assert server.received[-1].arguments == {"verb": "ListRecords", "metadataPrefix": "lom", "set": "surf"}

    last = client.resume_list(page.resumption_token)
    assert len(last.records) == 3
    assert last.resumption_token is None


def test_anatomytool_page_with_cursor_and_list_size(oai_server: StartServer, make_client: MakeClient) -> None:
    page_file = OAI_FIXTURES / "anatomytool" / "anatomy-tool-oaipmh.initial.0.xml"
    server = oai_server(RecordedPages.from_files([page_file]))
    page = make_client(server.url).list_records(metadata_prefix="nl_lom")
    assert len(page.records) == 10
    assert (page.cursor, page.complete_list_size) == (0, 3712)
    assert page.resumption_token == "63dee2213b993cf13abbb33de8d842c0"
    assert page.expiration_date == "2021-10-07T09:01:03Z"
    assert all(record.metadata_xml and b"http://ltsc.ieee.org/xsd/LOM" in record.metadata_xml
               for record in page.records)


def test_identify(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(RecordedPages([b"<x/>"], identify=(SICKLE / "Identify.xml").read_bytes()))
    info = make_client(server.url).identify()
    assert info.name == "A Test Repository"
    assert info.granularity is Granularity.DAY
    assert info.earliest_datestamp == "1970-01-01T00:00:00Z"
    assert info.deleted_record is DeletedRecordPolicy.PERSISTENT
    assert info.protocol_version == "2.0"


def test_identify_of_a_generated_corpus_has_second_granularity(oai_server: StartServer,
                                                               make_client: MakeClient) -> None:
    info = make_client(oai_server(GeneratedCorpus(5)).url).identify()
    assert info.granularity is Granularity.SECOND


def test_no_records_match_is_an_empty_last_page(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(GeneratedCorpus(10))
    page = make_client(server.url).list_records(metadata_prefix="lom", from_date="2999-01-01T00:00:00Z")
    assert page.records == () and page.resumption_token is None
    assert page.response_date


def test_sickle_no_records_match_fixture(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(RecordedPages([(SICKLE / "noRecordsMatch.xml").read_bytes()]))
    page = make_client(server.url).list_records(metadata_prefix="olac")
    assert page.records == () and page.resumption_token is None
    assert page.response_date == "2002-02-08T14:27:19Z"


@pytest.mark.parametrize(
    ("fixture", "code"),
    [("badArgument.xml", "badArgument"), ("cannotDisseminateFormat.xml", "cannotDisseminateFormat"),
     ("noSetHierarchy.xml", "noSetHierarchy"), ("undefinedError.xml", "undefinedError")],
)
def test_oai_errors_become_oai_request_errors(oai_server: StartServer, make_client: MakeClient,
                                              fixture: str, code: str) -> None:
    server = oai_server(RecordedPages([(SICKLE / fixture).read_bytes()]))
    with pytest.raises(OaiRequestError) as caught:
        make_client(server.url).list_records(metadata_prefix="lom")
    assert caught.value.code == code
    assert not isinstance(caught.value, BadResumptionTokenError)


def test_bad_resumption_token(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(expired_token()))
    with pytest.raises(BadResumptionTokenError):
        make_client(server.url).resume_list(EDUREP_TOKEN)


def test_sickle_pages_with_a_header_missing_its_identifier(oai_server: StartServer,
                                                           make_client: MakeClient) -> None:
    server = oai_server(RecordedPages([(SICKLE / "ListRecords4.xml").read_bytes()]))
    page = make_client(server.url).list_records(metadata_prefix="oai_dc")
    broken, fine = page.records
    assert broken.oai_identifier == "" and broken.problem == "record header has no identifier"
    assert fine.problem is None and fine.oai_identifier == "oai:test.example.com:1585322"


# -- retries ---------------------------------------------------------------


def test_503_with_retry_after_seconds_is_retried_after_that_delay(
        oai_server: StartServer, make_client: MakeClient, sleeps: RecordingSleep) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(unavailable("7"), times=2))
    page = make_client(server.url).list_records(metadata_prefix="lom")
    assert len(page.records) == 9
    assert sleeps.delays == [7.0, 7.0]
    assert len(server.received) == 3


def test_503_with_retry_after_http_date(oai_server: StartServer, make_client: MakeClient,
                                        sleeps: RecordingSleep) -> None:
    plan = FaultPlan(edurep_pages()).add(unavailable_until(FIXED_NOW + timedelta(seconds=42)))
    page = make_client(oai_server(plan).url).list_records(metadata_prefix="lom")
    assert len(page.records) == 9
    assert sleeps.delays == [42.0]


def test_retry_after_is_capped(oai_server: StartServer, make_client: MakeClient, sleeps: RecordingSleep) -> None:
    plan = FaultPlan(edurep_pages()).add(unavailable("86400"))
    make_client(oai_server(plan).url).list_records(metadata_prefix="lom")
    assert sleeps.delays == [300.0]


def test_429_without_retry_after_uses_exponential_backoff(
        oai_server: StartServer, make_client: MakeClient, sleeps: RecordingSleep) -> None:
    plan = FaultPlan(edurep_pages()).add(too_many_requests(), times=3)
    page = make_client(oai_server(plan).url).list_records(metadata_prefix="lom")
    assert len(page.records) == 9
    # random() is fixed at 1.0: the upper bound of equal jitter, 1 s doubling.
    assert sleeps.delays == [1.0, 2.0, 4.0]


@pytest.mark.parametrize("code", [500, 502, 504])
def test_other_5xx_are_retried(oai_server: StartServer, make_client: MakeClient, code: int) -> None:
    plan = FaultPlan(edurep_pages()).add(status(code))
    assert len(make_client(oai_server(plan).url).list_records(metadata_prefix="lom").records) == 9


def test_a_source_that_stays_down_gives_up_after_max_attempts(
        oai_server: StartServer, make_client: MakeClient, sleeps: RecordingSleep) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(unavailable("1"), times=None))
    with pytest.raises(SourceHttpError, match="after 4 attempts: HTTP 503") as caught:
        make_client(server.url).list_records(metadata_prefix="lom")
    assert caught.value.status == 503
    assert len(server.received) == 4
    assert len(sleeps.delays) == 3


def test_403_stops_at_once(oai_server: StartServer, make_client: MakeClient, sleeps: RecordingSleep) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(status(403), times=None))
    with pytest.raises(AccessForbiddenError, match="HTTP 403"):
        make_client(server.url).list_records(metadata_prefix="lom")
    assert len(server.received) == 1 and sleeps.delays == []


def test_404_is_not_retried(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(status(404), times=None))
    with pytest.raises(SourceHttpError, match="HTTP 404") as caught:
        make_client(server.url).list_records(metadata_prefix="lom")
    assert caught.value.status == 404
    assert len(server.received) == 1


def test_an_oai_error_sent_with_a_4xx_status_is_read_as_the_oai_error(
        oai_server: StartServer, make_client: MakeClient) -> None:
    def invenio_style(request: ReplayRequest, reply: Reply) -> Reply:
        return Reply(body=(SICKLE / "badArgument.xml").read_bytes(), status=422)

    server = oai_server(FaultPlan(edurep_pages()).add(invenio_style))
    with pytest.raises(OaiRequestError) as caught:
        make_client(server.url).list_records(metadata_prefix="lom")
    assert caught.value.code == "badArgument"


@pytest.mark.parametrize("announce_length", [True, False])
def test_connection_dropped_mid_page_is_retried(oai_server: StartServer, make_client: MakeClient,
                                                announce_length: bool) -> None:
    plan = FaultPlan(edurep_pages()).add(cut_connection(0.5, announce_length=announce_length))
    server = oai_server(plan)
    page = make_client(server.url).list_records(metadata_prefix="lom")
    assert len(page.records) == 9 and page.resumption_token == EDUREP_TOKEN
    assert len(server.received) == 2


def test_a_truncated_page_never_passes_as_a_short_list(oai_server: StartServer, make_client: MakeClient) -> None:
    plan = FaultPlan(edurep_pages()).add(cut_connection(0.6, announce_length=False), times=None)
    with pytest.raises(MalformedResponseError, match="after 4 attempts"):
        make_client(oai_server(plan).url).list_records(metadata_prefix="lom")


def test_read_timeout_is_retried(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(slow(1.5)))
    page = make_client(server.url, read_timeout=0.3).list_records(metadata_prefix="lom")
    assert len(page.records) == 9
    assert len(server.received) == 2


def test_a_source_that_never_answers_in_time_is_a_timeout(oai_server: StartServer,
                                                          make_client: MakeClient) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(slow(1.0), times=None))
    with pytest.raises(SourceTimeoutError, match=r"after 2 attempts: connection to 127\.0\.0\.1:\d+ failed: "
                                                 r"Read timed out\. \(read timeout=0\.2\)$"):
        make_client(server.url, read_timeout=0.2, retry=RetryPolicy(max_attempts=2)).list_records(
            metadata_prefix="lom")


def test_connection_refused_is_retried_then_reported(make_client: MakeClient, sleeps: RecordingSleep) -> None:
    with OaiReplayServer(edurep_pages()) as server:
        url = server.url
    # One line an operator reads, not urllib3's chain of reprs.
    with pytest.raises(SourceUnavailableError,
                       match=r"^source unavailable after 4 attempts: connection to 127\.0\.0\.1:\d+ failed: "
                             r"Connection refused$") as caught:
        make_client(url).list_records(metadata_prefix="lom")
    # Neither a timeout nor an HTTP status: nothing answered at all.
    assert type(caught.value) is SourceUnavailableError
    assert len(sleeps.delays) == 3


def test_a_page_that_is_not_xml_is_retried_then_refused(oai_server: StartServer, make_client: MakeClient) -> None:
    broken = (SICKLE / "ListRecordsBroken.xml").read_bytes()
    server = oai_server(FaultPlan(edurep_pages()).add(body(broken), times=None))
    with pytest.raises(MalformedResponseError, match="malformed response"):
        make_client(server.url).list_records(metadata_prefix="lom")
    assert len(server.received) == 4


def test_a_malformed_page_once_is_cured_by_a_retry(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(body(b"<OAI-PMH><ListRecords><record>")))
    assert len(make_client(server.url).list_records(metadata_prefix="lom").records) == 9


def test_an_html_error_page_is_not_oai(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(body(b"<html><body>Maintenance</body></html>"), times=None))
    with pytest.raises(MalformedResponseError, match="not an OAI-PMH response"):
        make_client(server.url).list_records(metadata_prefix="lom")


# -- what real repositories send -----------------------------------------------


@pytest.mark.parametrize("advertised", [True, False])
def test_gzip_bodies(oai_server: StartServer, make_client: MakeClient, advertised: bool) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(gzipped(advertised=advertised)))
    page = make_client(server.url).list_records(metadata_prefix="lom")
    assert len(page.records) == 9


def test_characters_illegal_in_xml_are_removed(oai_server: StartServer, make_client: MakeClient) -> None:
    plan = FaultPlan(edurep_pages()).add(
        replace_bytes(b"Fifth exercises of the course", b"Fifth\x01 exercises\x0b of&#x1F; the course"))
    page = make_client(oai_server(plan).url).list_records(metadata_prefix="lom")
    record = page.records[1]
    assert record.metadata_xml is not None
    assert b"Fifth exercises of the course" in record.metadata_xml
    assert page.removed_characters == 3


def test_bom_and_leading_whitespace_are_tolerated(oai_server: StartServer, make_client: MakeClient) -> None:
    def with_preamble(request: ReplayRequest, reply: Reply) -> Reply:
        return Reply(body=b"\xef\xbb\xbf\n  " + reply.body)

    server = oai_server(FaultPlan(edurep_pages()).add(with_preamble))
    assert len(make_client(server.url).list_records(metadata_prefix="lom").records) == 9


def test_one_broken_record_is_isolated_and_the_rest_of_the_page_kept(
        oai_server: StartServer, make_client: MakeClient) -> None:
    plan = FaultPlan(edurep_pages()).add(
        replace_bytes(b"Fifth exercises of the course", b"Fifth <b>exercises & of the course"))
    server = oai_server(plan)
    page = make_client(server.url).list_records(metadata_prefix="lom")
    assert len(server.received) == 1, "a complete but broken page is not worth retrying"
    assert len(page.records) == 9
    assert page.resumption_token == EDUREP_TOKEN
    assert page.response_date == "2020-02-06T18:10:23Z"
    broken = [record for record in page.records if record.problem]
    assert len(broken) == 1
    assert broken[0].oai_identifier == "surfsharekit:oai:surfsharekit.nl:5af0e26f-c4d2-4ddd-94ab-7dd0bd531751"
    assert broken[0].datestamp == "2019-12-11T13:06:21Z"
    assert broken[0].problem is not None and broken[0].problem.startswith("record is not well-formed XML")
    assert b"Fifth <b>exercises & of" in broken[0].raw_xml and broken[0].metadata_xml is None
    others = [record for record in page.records if not record.problem]
    assert sum(record.deleted for record in others) == 1
    assert all(record.metadata_xml for record in others if not record.deleted)


def test_a_broken_envelope_is_refused(oai_server: StartServer, make_client: MakeClient) -> None:
    plan = FaultPlan(edurep_pages()).add(replace_bytes(b"<responseDate>", b"<responseDate><"), times=None)
    with pytest.raises(MalformedResponseError, match="outside its records"):
        make_client(oai_server(plan).url).list_records(metadata_prefix="lom")


def test_user_agent_names_the_product_and_a_contact(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(edurep_pages())
    make_client(server.url, contact_url="https://school.example/harvest").list_records(metadata_prefix="lom")
    agent = server.received[0].headers["user-agent"]
    assert agent.startswith("oer-repository/")
    assert "+https://school.example/harvest" in agent


def test_post_requests(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(edurep_pages())
    client = make_client(server.url, http_method="POST")
    page = client.list_records(metadata_prefix="lom", set_spec="surf")
    client.resume_list(page.resumption_token or "")
    assert [request.method for request in server.received] == ["POST", "POST"]
    assert server.received[1].resumption_token == EDUREP_TOKEN


def test_token_is_sent_as_the_only_argument(oai_server: StartServer, make_client: MakeClient) -> None:
    server = oai_server(FaultPlan(edurep_pages()).add(slow(0), when=first_page))
    make_client(server.url).resume_list(EDUREP_TOKEN)
    assert server.received[0].arguments == {"verb": "ListRecords", "resumptionToken": EDUREP_TOKEN}


def test_fixture_files_exist() -> None:
    # Guards the tests above against a moved fixture directory (they would fail confusingly).
    assert Path(SICKLE / "Identify.xml").is_file()
