"""Exceptions raised by the metadata core. Pure; no I/O."""


class MetadataError(Exception):
    """Root of every error the metadata core raises."""


class XMLInputError(MetadataError):
    """The input is not well-formed XML, is unsafe (entities, DTD), or is not a metadata document."""


class UnsupportedMetadataError(XMLInputError):
    """Well-formed XML that carries no metadata this core reads (not LOM, oai_dc, OAI-PMH or SRU)."""


class OAIResponseError(MetadataError):
    """An OAI-PMH page that reports a protocol error (`<error code=...>`) instead of records."""

    def __init__(self, code: str, message: str) -> None:
        self.code = code
        super().__init__(f"OAI-PMH error response ({code}): {message}" if message else
                         f"OAI-PMH error response ({code})")


class RecordError(MetadataError):
    """One record of a page could not be normalised; the rest of the page is unaffected."""


class RecordTooLargeError(RecordError):
    """A record's metadata XML is larger than `metadata.limits.RECORD_XML_MAX`; it is refused unread."""
