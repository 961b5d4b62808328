"""What holds for every record the normaliser produces, whatever it was given."""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft202012Validator

from metadata import limits
from metadata.formats import FORMATS, record_to_xml
from metadata.links import is_safe_target, is_web_url
from metadata.record import Record
from schemas import resources

_VALIDATOR = Draft202012Validator(resources.load_json("record.schema.json"))
# XML 1.0 section 2.2: characters no document may contain (a record must always be writable,
# and storable: PostgreSQL refuses U+0000 in text and JSON).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# Issues: those met while reading (capped), one saying how many more, the limits' own (at most a
# few per field), the missing required elements and the illegal-characters one.
_ISSUES_BOUND = limits.ISSUES_MAX + 1 + 60


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from _strings(key)
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)


def _no_control_characters(text: str, allowed: str = "") -> bool:
    return all(unicodedata.category(ch) != "Cc" or ch in allowed for ch in text)


def assert_sound(record: Record) -> None:
    """The record is safe to store, show, index and serve (see the assertions)."""
    document = record.to_dict()
    # Its JSON form is the public contract, and survives the store.
    errors = [f"{list(error.path)}: {error.message}" for error in _VALIDATOR.iter_errors(document)]
    assert errors == []
    assert Record.from_dict(json.loads(json.dumps(document))) == record
    for text in _strings(document):
        assert _NOT_XML.search(text) is None, f"character XML forbids in {text[:80]!r}"

    # Links that travel are http(s) only.
    if record.location is not None:
        assert is_web_url(record.location)
        assert urlsplit(record.location.strip()).scheme.lower() in ("http", "https")
    assert all(is_safe_target(relation.target) for relation in record.relations)

    # Text as shown: one clean line for titles, keywords and names; no control characters.
    for line in (record.title or "", *record.titles.values(), *record.keywords,
                 *(c.name for c in record.contributors if c.name)):
        assert line == line.strip() and "  " not in line
        assert _no_control_characters(line), f"control character in {line[:80]!r}"
    if record.description is not None:
        assert _no_control_characters(record.description, "\n\t")

    assert_within_limits(record)

    # Whatever is stored can be served in every format the feed offers.
    for metadata_format in FORMATS:
        record_to_xml(record, metadata_format)


def assert_within_limits(record: Record) -> None:
    """Every field within its limit in `metadata.limits`."""
    assert len(record.title or "") <= limits.TITLE_MAX
    assert len(record.titles) <= limits.LANGUAGES_MAX
    assert all(len(text) <= limits.TITLE_MAX for text in record.titles.values())
    assert len(record.description or "") <= limits.DESCRIPTION_MAX
    assert len(record.keywords) <= limits.KEYWORDS_MAX
    assert all(len(word) <= limits.KEYWORD_MAX for word in record.keywords)
    assert len(record.languages) <= limits.LANGUAGES_MAX
    assert len(record.identifiers) <= limits.IDENTIFIERS_MAX
    assert all(len(i.entry) <= limits.LINK_MAX and len(i.catalog) <= limits.VALUE_MAX
               for i in record.identifiers)
    assert len(record.location or "") <= limits.LINK_MAX
    for values in (record.formats, record.learning_resource_types, record.end_user_roles, record.contexts):
        assert len(values) <= limits.VALUES_MAX and all(len(value) <= limits.VALUE_MAX for value in values)
    for terms in (record.educational_levels, record.disciplines, record.educational_objectives):
        assert len(terms) <= limits.TERMS_MAX
        assert all(len(t.id) <= limits.VALUE_MAX and len(t.label or "") <= limits.LINE_MAX for t in terms)
    assert len(record.typical_age_range or "") <= limits.LINE_MAX
    assert len(record.access_rights or "") <= limits.VALUE_MAX
    if record.licence is not None:
        assert len(record.licence.code) <= limits.VALUE_MAX
        assert len(record.licence.url or "") <= limits.LINK_MAX
    assert len(record.contributors) <= limits.CONTRIBUTORS_MAX
    assert all(len(c.name or "") <= limits.LINE_MAX and len(c.role) <= limits.VALUE_MAX
               and len(c.date or "") <= limits.VALUE_MAX for c in record.contributors)
    assert len(record.relations) <= limits.RELATIONS_MAX
    assert all(len(r.target) <= limits.LINK_MAX and len(r.kind) <= limits.VALUE_MAX for r in record.relations)
    assert len(record.annotations) <= limits.ANNOTATIONS_MAX
    assert all(len(a.description or "") <= limits.ANNOTATION_MAX and len(a.name or "") <= limits.LINE_MAX
               for a in record.annotations)
    assert len(record.issues) <= _ISSUES_BOUND
    assert all(len(issue.message) <= limits.ISSUE_MESSAGE_MAX for issue in record.issues)
