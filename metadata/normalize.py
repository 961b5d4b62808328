"""Normalising harvested XML into Records: documents, OAI-PMH pages, single payloads. Pure; no I/O.

Entry points:

- `normalize_document(data)`: every record in a document, or an error.
- `normalize_records(data)`: one `RecordResult` per record of a page, so one
  broken record does not cost the rest of the page (the harvester's entry).
- `normalize_oai_record(element)`: one OAI-PMH `<record>` element (header and
  metadata), e.g. one that sickle already parsed.
- `normalize_metadata(payload)`: one metadata payload (`lom` or `oai_dc`).
- `parse_record_xml(data)`: one record's metadata XML parsed as `normalize_metadata`
  parses it, for a caller that looks at the payload before normalising it.

What a document yields:

| document | result |
|---|---|
| a bare LOM (IMS or IEEE binding) or `oai_dc:dc` document | one record |
| an OAI-PMH `ListRecords` / `GetRecord` page, or a single OAI `<record>` | one record per `<record>`; deleted records (`status="deleted"`) have only `oai_identifier`, `datestamp` and `deleted` |
| an OAI-PMH `noRecordsMatch` error page | zero records |
| any other OAI-PMH error page | `OAIResponseError` (with the error code) |
| an OAI-PMH `Identify`, `ListSets`, `ListMetadataFormats` or `ListIdentifiers` page | `UnsupportedMetadataError`: they carry no metadata |
| an SRU `searchRetrieveResponse` | one record per `recordData` payload (`oai_identifier` is the SRU `recordIdentifier`) |
| anything else, or XML that is not well-formed or is unsafe | `UnsupportedMetadataError` / `XMLInputError` |

Text is kept as the source gives it apart from whitespace and control
characters (see `metadata.text`): HTML inside a description stays in the text
and is escaped when displayed, never interpreted here.

Every record is brought within the size limits of `metadata.limits` (a cut
field gets an issue). One record's metadata XML larger than `RECORD_XML_MAX`
is refused unread by `normalize_metadata` and `parse_record_xml`
(`RecordTooLargeError`); a document of many records is bounded by whoever
fetched it (the harvester's client bounds a page).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import partial
from typing import Any

from metadata.completeness import assess_completeness
from metadata.dublin_core import read_dublin_core
from metadata.errors import (
    MetadataError,
    OAIResponseError,
    RecordError,
    UnsupportedMetadataError,
)
from metadata.issues import IssueCode, make_issue
from metadata.limits import check_record_size, limit_record
from metadata.lom import LomFacts, read_lom
from metadata.record import Issue, Record
from metadata.text import clean_line
from metadata.xml_input import ParsedXml, local_name, namespace_of, parse_xml

OAI_NAMESPACE = "http://www.openarchives.org/OAI/2.0/"
SRU_NAMESPACES = frozenset({"http://www.loc.gov/zing/srw/", "http://docs.oasis-open.org/ns/search-ws/sruResponse"})
NO_RECORDS_MATCH = "noRecordsMatch"
_ERROR = f"{{{OAI_NAMESPACE}}}error"
_RECORD = f"{{{OAI_NAMESPACE}}}record"
_HEADER = f"{{{OAI_NAMESPACE}}}header"
_IDENTIFIER = f"{{{OAI_NAMESPACE}}}identifier"
_DATESTAMP = f"{{{OAI_NAMESPACE}}}datestamp"
_METADATA = f"{{{OAI_NAMESPACE}}}metadata"
_VERBS_WITH_RECORDS = ("ListRecords", "GetRecord")
_VERBS_WITHOUT_RECORDS = ("Identify", "ListSets", "ListMetadataFormats", "ListIdentifiers")


@dataclass(frozen=True, slots=True)
class RecordResult:
    """The outcome for one record of a page: a Record, or the error that stopped it.

    `oai_identifier` and `datestamp` come from the OAI header (or the SRU record
    identifier) and are set even when the record failed, so a failure can be
    reported against the record it belongs to.
    """

    oai_identifier: str | None
    datestamp: str | None
    record: Record | None = None
    error: MetadataError | None = None

    @property
    def ok(self) -> bool:
        return self.record is not None


def normalize_document(data: bytes) -> list[Record]:
    """Every record in a document (see the module docstring for what each kind yields).

    Raises `XMLInputError` (or its subclass `UnsupportedMetadataError`) for input
    that is not a readable metadata document, `OAIResponseError` for an OAI-PMH
    error page, and `RecordError` for the first record that cannot be normalised.
    """
    records = []
    for result in normalize_records(data):
        if result.record is None:
            raise result.error or RecordError(f"record {result.oai_identifier} could not be read")
        records.append(result.record)
    return records


def normalize_records(data: bytes | ParsedXml) -> list[RecordResult]:
    """One result per record in a document; a record that fails does not stop the others.

    `data` is the document's bytes, or what `metadata.xml_input.parse_xml`
    made of them (so a caller that parsed the page already does not parse it
    twice). Errors that concern the whole document (not XML, unsafe, not a
    metadata document, an OAI-PMH error page) are raised, as by
    `normalize_document`.
    """
    parsed = data if isinstance(data, ParsedXml) else parse_xml(data)
    root = parsed.root
    namespace, name = namespace_of(root.tag), local_name(root.tag)
    if namespace == OAI_NAMESPACE and name == "OAI-PMH":
        return _read_oai_page(parsed)
    if namespace == OAI_NAMESPACE and name == "record":
        return _read_record_elements([root], parsed)
    if namespace in SRU_NAMESPACES and name == "searchRetrieveResponse":
        return _read_sru_page(parsed)
    if _payload_kind(root) is not None:
        record = _read_payload(root, _illegal_character_issues(parsed, 0, None))
        return [RecordResult(record.oai_identifier, record.datestamp, record=record)]
    raise UnsupportedMetadataError(
        f"not a metadata document: root element <{name}>"
        + (f" in namespace {namespace}" if namespace else "")
        + " is not LOM, oai_dc, OAI-PMH or SRU")


def normalize_oai_record(element: Any) -> Record:
    """Normalise one OAI-PMH `<record>` element: its header, and its metadata unless deleted."""
    return _read_oai_record(element, [], _header(element))


def normalize_metadata(
    payload: bytes | Any,
    *,
    oai_identifier: str | None = None,
    datestamp: str | None = None,
) -> Record:
    """Normalise one metadata payload: a `lom` (either binding) or `oai_dc:dc` element or document.

    The OAI header values, when the caller has them, are copied onto the record.
    """
    issues: list[Issue] = []
    if isinstance(payload, bytes):
        parsed = parse_record_xml(payload)
        issues = _illegal_character_issues(parsed, 0, None)
        payload = parsed.root
    return _read_payload(payload, issues, oai_identifier, datestamp)


def parse_record_xml(data: bytes) -> ParsedXml:
    """Parse one record's metadata XML (`parse_xml`), refusing it unread when over `RECORD_XML_MAX` bytes.

    Raises `RecordTooLargeError` (a `RecordError`: the record fails, not its
    page) or, for XML that cannot be read safely, `XMLInputError`.
    """
    check_record_size(len(data))
    return parse_xml(data)


# --- pages ---------------------------------------------------------------------------------

def _read_oai_page(parsed: ParsedXml) -> list[RecordResult]:
    root = parsed.root
    # iterchildren(tag) matches in C; the page's other children need no Python tag string.
    errors = list(root.iterchildren(_ERROR))
    if errors:
        codes = [error.get("code") or "" for error in errors]
        if all(code == NO_RECORDS_MATCH for code in codes):
            return []
        first = next(error for error in errors if error.get("code") != NO_RECORDS_MATCH)
        raise OAIResponseError(first.get("code") or "unknown", clean_line(first.text))
    for child in root:
        if not isinstance(child.tag, str) or namespace_of(child.tag) != OAI_NAMESPACE:
            continue
        verb = local_name(child.tag)
        if verb in _VERBS_WITH_RECORDS:
            return _read_record_elements(list(child.iterchildren(_RECORD)), parsed)
        if verb in _VERBS_WITHOUT_RECORDS:
            raise UnsupportedMetadataError(f"OAI-PMH {verb} response carries no metadata records")
    raise UnsupportedMetadataError("OAI-PMH response without ListRecords or GetRecord")


def _read_record_elements(elements: Sequence[Any], parsed: ParsedXml) -> list[RecordResult]:
    results = []
    for index, element in enumerate(elements):
        header = _header(element)
        identifier, datestamp, _ = header
        issues: list[Issue] = []
        if parsed.removed_characters:
            end = elements[index + 1].sourceline if index + 1 < len(elements) else None
            issues = _illegal_character_issues(parsed, element.sourceline, end)
        results.append(_isolated(identifier, datestamp, index,
                                 partial(_read_oai_record, element, issues, header)))
    return results


def _isolated(identifier: str | None, datestamp: str | None, index: int,
              read: Callable[[], Record]) -> RecordResult:
    """The result of reading one record; whatever goes wrong stays with that record."""
    try:
        return RecordResult(identifier, datestamp, record=read())
    except MetadataError as error:
        return RecordResult(identifier, datestamp, error=error)
    except Exception as error:  # noqa: BLE001 - isolates one record's failure, see below
        # A mapping bug on one record is reported as that record's failure
        # (with its identifier) instead of losing every other record of the page.
        failure = RecordError(f"record {identifier or index + 1}: {type(error).__name__}: {error}")
        failure.__cause__ = error
        return RecordResult(identifier, datestamp, error=failure)


def _read_sru_page(parsed: ParsedXml) -> list[RecordResult]:
    root = parsed.root
    results: list[RecordResult] = []
    for element in root.iter():
        if not isinstance(element.tag, str) or local_name(element.tag) != "record" \
                or namespace_of(element.tag) not in SRU_NAMESPACES:
            continue
        identifier = None
        payload = None
        for child in element:
            if not isinstance(child.tag, str):
                continue
            name = local_name(child.tag)
            if name == "recordIdentifier":
                identifier = clean_line(child.text) or None
            elif name == "recordData":
                payload = next((c for c in child if isinstance(c.tag, str)), None)
        if payload is None:
            continue
        issues = _illegal_character_issues(parsed, element.sourceline, None)
        results.append(_isolated(identifier, None, len(results),
                                 partial(_read_payload, payload, issues, identifier)))
    return results


# --- one record ----------------------------------------------------------------------------

_Header = tuple[str | None, str | None, bool]


def _header(element: Any) -> _Header:
    """`(identifier, datestamp, deleted)` from a `<record>`'s OAI header."""
    # iterchildren(tag) matches the tags in C, without a Python string per child.
    for child in element.iterchildren(_HEADER):
        identifier = datestamp = None
        for field in child.iterchildren(_IDENTIFIER, _DATESTAMP):
            if field.tag == _IDENTIFIER:
                identifier = clean_line(field.text) or None
            else:
                datestamp = clean_line(field.text) or None
        return identifier, datestamp, child.get("status") == "deleted"
    return None, None, False


def _read_oai_record(element: Any, issues: list[Issue], header: _Header) -> Record:
    identifier, datestamp, deleted = header
    if deleted:
        return Record(oai_identifier=identifier, datestamp=datestamp, deleted=True)
    payload = None
    for child in element.iterchildren(_METADATA):
        # "*" matches elements only (no comments or processing instructions), in C.
        payload = next(child.iterchildren("*"), None)
    if payload is None:
        raise RecordError(f"record {identifier or '(no identifier)'} is not deleted but has no metadata")
    return _read_payload(payload, issues, identifier, datestamp)


def _payload_kind(element: Any) -> str | None:
    """`lom` or `dc` by the payload's element name, in any namespace.

    Besides the IMS and IEEE namespaces, LOM turns up in no namespace and in
    other IMS/IEEE versions' namespaces; the reader does not depend on it.
    """
    tag = element.tag
    if not isinstance(tag, str):
        return None
    name = local_name(tag)
    if name == "lom":
        return "lom"
    if name == "dc":
        return "dc"
    return None


def _read_payload(
    element: Any,
    issues: list[Issue],
    oai_identifier: str | None = None,
    datestamp: str | None = None,
) -> Record:
    kind = _payload_kind(element)
    if kind == "lom":
        reading = read_lom(element)
        record, facts = reading.record, reading.facts
    elif kind == "dc":
        record, facts = read_dublin_core(element), LomFacts()
    else:
        tag = element.tag if isinstance(element.tag, str) else "?"
        raise UnsupportedMetadataError(
            f"metadata <{local_name(tag)}> ({namespace_of(tag) or 'no namespace'}) is neither LOM nor oai_dc")
    # Before completeness: a value too long to keep counts as missing.
    record = limit_record(record)
    completeness = assess_completeness(
        record,
        has_metadata_scheme=facts.has_metadata_scheme,
        has_rights_description=facts.has_rights_description,
    )
    missing = [_required_missing(path) for path in completeness.missing_required]
    return record.with_changes(
        oai_identifier=oai_identifier,
        datestamp=datestamp,
        completeness=completeness,
        issues=(*issues, *record.issues, *missing),
    )


@functools.cache
def _required_missing(path: str) -> Issue:
    # The few required paths recur in most records; an Issue is immutable, so one each will do.
    return make_issue(IssueCode.REQUIRED_MISSING, path, f"{path} is required by NL-LOM")


def _illegal_character_issues(parsed: ParsedXml, start: int, end: int | None) -> list[Issue]:
    """An issue for the illegal characters removed between source lines `start` and `end`."""
    lines = [(line, count) for line, count in parsed.removed_characters
             if line >= start and (end is None or line < end)]
    if not lines:
        return []
    count = sum(n for _, n in lines)
    where = ", ".join(str(line) for line, _ in lines)
    return [make_issue(
        IssueCode.ILLEGAL_XML_CHARACTERS, "",
        f"removed {count} character{'s' if count != 1 else ''} illegal in XML 1.0 (line {where})")]
