"""The six verbs and per-verb validation of request arguments (spec 3.1, 4). Pure; no I/O.

`parse_request` turns the raw arguments of a GET query or POST form (every
value of every key, so repetition is visible) into an `OaiRequest`, or raises
`OaiError` with badVerb or with every badArgument problem found. What it
accepts is also safe to echo in the response's `request` element: each value
fits the type OAI-PMH.xsd gives that attribute. The one exception is an
identifier that is not a URI: the request stands (its answer is idDoesNotExist,
spec 3.6: "unknown or illegal in this repository") but the echo leaves it out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import Enum

from metadata.formats import METADATA_PREFIX_PATTERN
from oer.feed.oai.contract import SET_SPEC_PATTERN
from oer.feed.oai.datestamps import RequestDatestamp, parse_datestamp
from oer.feed.oai.errors import ErrorCode, ErrorCondition, OaiError


class Verb(Enum):
    IDENTIFY = "Identify"
    LIST_METADATA_FORMATS = "ListMetadataFormats"
    LIST_SETS = "ListSets"
    GET_RECORD = "GetRecord"
    LIST_IDENTIFIERS = "ListIdentifiers"
    LIST_RECORDS = "ListRecords"


VERB = "verb"
IDENTIFIER = "identifier"
METADATA_PREFIX = "metadataPrefix"
FROM = "from"
UNTIL = "until"
SET = "set"
RESUMPTION_TOKEN = "resumptionToken"


@dataclass(frozen=True, slots=True)
class VerbArguments:
    """The arguments a verb takes (spec section 4): required, optional, and the exclusive one."""

    required: frozenset[str] = frozenset()
    optional: frozenset[str] = frozenset()
    exclusive: str | None = None

    @property
    def allowed(self) -> frozenset[str]:
        extra = {self.exclusive} if self.exclusive else set()
        return self.required | self.optional | extra


_LIST_ARGUMENTS = VerbArguments(
    required=frozenset({METADATA_PREFIX}),
    optional=frozenset({FROM, UNTIL, SET}),
    exclusive=RESUMPTION_TOKEN,
)
VERB_ARGUMENTS: Mapping[Verb, VerbArguments] = {
    Verb.IDENTIFY: VerbArguments(),
    Verb.LIST_METADATA_FORMATS: VerbArguments(optional=frozenset({IDENTIFIER})),
    # The provider never issues ListSets tokens, but the argument is legal: one is badResumptionToken.
    Verb.LIST_SETS: VerbArguments(exclusive=RESUMPTION_TOKEN),
    Verb.GET_RECORD: VerbArguments(required=frozenset({IDENTIFIER, METADATA_PREFIX})),
    Verb.LIST_IDENTIFIERS: _LIST_ARGUMENTS,
    Verb.LIST_RECORDS: _LIST_ARGUMENTS,
}
# The order arguments are echoed in; any order is valid, a fixed one makes responses reproducible.
ARGUMENT_ORDER = (IDENTIFIER, METADATA_PREFIX, FROM, UNTIL, SET, RESUMPTION_TOKEN)

# Characters XML 1.0 cannot carry at all: such a value can be neither echoed nor meant.
_NOT_XML_CHAR = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Spec 2.4: identifiers are URIs: a scheme, then RFC 3986 characters, percent-escapes and
# IRI letters, with at most one fragment. Anything else could not be echoed as xsd:anyURI.
_URI_CHAR = r"(?:[A-Za-z0-9\-._~:/?@!$&'()*+,;=\u00a0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]|%[0-9A-Fa-f]{2})"
_IDENTIFIER_PATTERN = re.compile(rf"[A-Za-z][A-Za-z0-9+.\-]*:{_URI_CHAR}+(?:#{_URI_CHAR}*)?")
_MESSAGE_VALUE_LENGTH = 80


@dataclass(frozen=True, slots=True)
class OaiRequest:
    """A request whose verb and arguments are syntactically valid for that verb."""

    verb: Verb
    arguments: Mapping[str, str]
    identifier: str | None = None
    # False for an identifier that is not a URI (spec 2.4): it names no item, and is not echoed.
    identifier_is_uri: bool = True
    metadata_prefix: str | None = None
    set_spec: str | None = None
    from_: RequestDatestamp | None = None
    until: RequestDatestamp | None = None
    resumption_token: str | None = None

    def echo(self) -> list[tuple[str, str]]:
        """The `request` element's attributes: the verb, then the arguments in a fixed order."""
        return [(VERB, self.verb.value)] + [
            (name, self.arguments[name]) for name in ARGUMENT_ORDER if name in self.arguments
        ]


def parse_request(raw: Mapping[str, Sequence[str]]) -> OaiRequest:
    """Validate the raw arguments; raise OaiError(badVerb) or OaiError(badArgument...)."""
    verb = _parse_verb(raw.get(VERB, ()))
    rules = VERB_ARGUMENTS[verb]
    problems: list[str] = []
    arguments: dict[str, str] = {}
    for name, values in raw.items():
        if name == VERB:
            continue
        if name not in rules.allowed:
            problems.append(f"{quote_value(name)} is not an argument of {verb.value}")
        elif len(values) != 1:
            problems.append(f"{name} is repeated")
        elif not values[0]:
            problems.append(f"{name} is empty")
        elif name == IDENTIFIER:
            # Checked as a URI below (a character XML cannot carry makes it no URI either).
            arguments[name] = values[0]
        elif _NOT_XML_CHAR.search(values[0]):
            problems.append(f"{name} contains characters XML cannot carry")
        else:
            arguments[name] = values[0]
    if rules.exclusive and rules.exclusive in raw:
        # Arguments the verb does not take at all were reported above.
        others = sorted(name for name in raw if name in rules.allowed and name != rules.exclusive)
        if others:
            problems.append(f"{rules.exclusive} is exclusive; remove {', '.join(others)}")
    else:
        problems.extend(f"{verb.value} needs {name}" for name in sorted(rules.required - set(raw)))
    request = _typed_request(verb, arguments, problems)
    if problems:
        raise OaiError([ErrorCondition(ErrorCode.BAD_ARGUMENT, problem) for problem in problems])
    return request


def _parse_verb(values: Sequence[str]) -> Verb:
    if not values:
        raise OaiError.single(ErrorCode.BAD_VERB, "the verb argument is missing")
    if len(values) > 1:
        raise OaiError.single(ErrorCode.BAD_VERB, "the verb argument is repeated")
    try:
        return Verb(values[0])
    except ValueError:
        raise OaiError.single(ErrorCode.BAD_VERB, f"{quote_value(values[0])} is not an OAI-PMH verb") from None


def _typed_request(verb: Verb, arguments: Mapping[str, str], problems: list[str]) -> OaiRequest:
    """Check each value's syntax (appending to `problems`) and build the request."""
    identifier = arguments.get(IDENTIFIER)
    identifier_is_uri = identifier is None or bool(_IDENTIFIER_PATTERN.fullmatch(identifier))
    if not identifier_is_uri:
        # Spec 3.6: idDoesNotExist is for an identifier "unknown or illegal in this repository",
        # so a malformed one is answered like an unknown one; the echo (xsd:anyURI) leaves it out.
        arguments = {name: value for name, value in arguments.items() if name != IDENTIFIER}
    prefix = arguments.get(METADATA_PREFIX)
    if prefix is not None and not METADATA_PREFIX_PATTERN.fullmatch(prefix):
        problems.append(f"metadataPrefix {quote_value(prefix)} has characters a prefix cannot have")
    set_spec = arguments.get(SET)
    if set_spec is not None and not SET_SPEC_PATTERN.fullmatch(set_spec):
        problems.append(f"set {quote_value(set_spec)} is not a valid set spec")
    from_ = _datestamp(arguments, FROM, problems, end_of_day=False)
    until = _datestamp(arguments, UNTIL, problems, end_of_day=True)
    if from_ is not None and until is not None:
        # Spec 3.3.1: both bounds of one request must have the same granularity.
        if from_.granularity is not until.granularity:
            problems.append("from and until have different granularities")
        elif from_.value > until.value:
            problems.append("from is later than until")
    return OaiRequest(
        verb=verb,
        arguments=arguments,
        identifier=identifier,
        identifier_is_uri=identifier_is_uri,
        metadata_prefix=prefix,
        set_spec=set_spec,
        from_=from_,
        until=until,
        resumption_token=arguments.get(RESUMPTION_TOKEN),
    )


def _datestamp(
    arguments: Mapping[str, str], name: str, problems: list[str], *, end_of_day: bool
) -> RequestDatestamp | None:
    text = arguments.get(name)
    if text is None:
        return None
    try:
        return parse_datestamp(text, end_of_day=end_of_day)
    except ValueError:
        problems.append(f"{name} {quote_value(text)} is not a valid YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ datestamp")
        return None


def quote_value(value: str) -> str:
    """A value as an error message may show it: XML-safe and short."""
    text = _NOT_XML_CHAR.sub("\ufffd", value)
    if len(text) > _MESSAGE_VALUE_LENGTH:
        text = text[:_MESSAGE_VALUE_LENGTH] + "…"
    return repr(text)
