"""OAI-PMH error conditions (spec 3.6) as values, and the exception that carries them. Pure; no I/O."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class ErrorCode(Enum):
    """The eight error codes of OAI-PMH 2.0, spelled as the spec spells them."""

    BAD_ARGUMENT = "badArgument"
    BAD_RESUMPTION_TOKEN = "badResumptionToken"
    BAD_VERB = "badVerb"
    CANNOT_DISSEMINATE_FORMAT = "cannotDisseminateFormat"
    ID_DOES_NOT_EXIST = "idDoesNotExist"
    NO_RECORDS_MATCH = "noRecordsMatch"
    NO_METADATA_FORMATS = "noMetadataFormats"
    NO_SET_HIERARCHY = "noSetHierarchy"

    @property
    def hides_arguments(self) -> bool:
        """True when the `request` element must carry the base URL only (spec 3.2)."""
        return self in (ErrorCode.BAD_VERB, ErrorCode.BAD_ARGUMENT)


@dataclass(frozen=True, slots=True)
class ErrorCondition:
    """One `<error code="...">message</error>` of a response (spec 3.6: an error condition).

    A value the provider writes, not an exception; the harvester's
    `harvester.errors.ProtocolError` is the client's exception for a source that
    does not speak OAI-PMH.
    """

    code: ErrorCode
    message: str


class OaiError(Exception):
    """A request the provider answers with one or more OAI-PMH errors (in an HTTP 200 body).

    Raised inside the provider and turned into an error response there; it never
    leaves `OaiProvider.handle`.
    """

    def __init__(self, errors: list[ErrorCondition]) -> None:
        if not errors:
            raise ValueError("an OaiError needs at least one error")
        super().__init__("; ".join(f"{e.code.value}: {e.message}" for e in errors))
        self.errors = tuple(errors)

    @classmethod
    def single(cls, code: ErrorCode, message: str) -> OaiError:
        return cls([ErrorCondition(code, message)])
