"""Exceptions raised by the metadata core. Pure; no I/O."""


class MetadataError(Exception):
    """Root of every error the metadata core raises."""


class XMLInputError(MetadataError):
    """The input is not well-formed XML, is unsafe (entities, DTD), or is not a metadata document."""
