"""The stable codes of the issues the normaliser reports, and how to make one. Pure; no I/O.

An issue is something the normaliser repaired, could not interpret, or found
missing. Codes are part of the public contract (stored with records, shown to
operators, counted per source): add new ones, never rename.

| code | meaning |
|---|---|
| `illegal-xml-characters` | characters illegal in XML 1.0 were removed from the record's XML |
| `vocabulary-repaired` | a vocabulary value was repaired (case, whitespace, known misspelling or translation) |
| `vocabulary-unknown` | a vocabulary value is in no known vocabulary; it is kept verbatim |
| `value-invalid` | a value that must have a fixed form (aggregation level, cost, duration) could not be read; the field is left empty and the message quotes the value |
| `langstring-duplicate` | two texts in the same language; the first is kept, the message quotes the other |
| `licence-repaired` | the licence was derived from a URL or a licence name instead of an NL-LOM code |
| `licence-unknown` | the licence could not be identified; the value is kept verbatim |
| `licence-conflict` | the copyright code and the licence URL in rights/description disagree; the code wins |
| `taxon-unknown` | a classification term is not in the known OBK tables; kept with the record's own label |
| `vcard-unreadable` | a vCard has no usable FN; the name falls back to N or ORG, or is empty |
| `contribute-without-role` | a lifecycle/contribute has no role; kept with an empty role |
| `relation-without-kind` | a relation has no kind; kept with an empty kind |
| `relation-without-target` | a relation names no resource; it cannot be kept |
| `required-missing` | an element NL-LOM requires (or requires in this record's situation) is absent |
| `unsafe-link` | a location or relation target is a link that is not http(s); it is not kept |
| `value-too-long` | a value is longer than its limit (`metadata.limits`): prose is cut to fit, other values are not kept; the message gives the length and the limit |
| `too-many-values` | a list has more values than its limit (`metadata.limits`): the first ones are kept; the message gives the count and the limit |
"""

from __future__ import annotations

from enum import Enum

from metadata.record import Issue


class IssueCode(str, Enum):
    ILLEGAL_XML_CHARACTERS = "illegal-xml-characters"
    VOCABULARY_REPAIRED = "vocabulary-repaired"
    VOCABULARY_UNKNOWN = "vocabulary-unknown"
    VALUE_INVALID = "value-invalid"
    LANGSTRING_DUPLICATE = "langstring-duplicate"
    LICENCE_REPAIRED = "licence-repaired"
    LICENCE_UNKNOWN = "licence-unknown"
    LICENCE_CONFLICT = "licence-conflict"
    TAXON_UNKNOWN = "taxon-unknown"
    VCARD_UNREADABLE = "vcard-unreadable"
    CONTRIBUTE_WITHOUT_ROLE = "contribute-without-role"
    RELATION_WITHOUT_KIND = "relation-without-kind"
    RELATION_WITHOUT_TARGET = "relation-without-target"
    REQUIRED_MISSING = "required-missing"
    UNSAFE_LINK = "unsafe-link"
    VALUE_TOO_LONG = "value-too-long"
    TOO_MANY_VALUES = "too-many-values"


def make_issue(code: IssueCode, path: str, message: str) -> Issue:
    return Issue(code=code.value, path=path, message=message)
