"""What applying one harvested record did to the store. Pure; no I/O."""

import enum


class Outcome(enum.Enum):
    """The result of one pipeline stage for one record (counted per harvest run).

    Counted from the source's point of view: CREATED means this source's record is
    new here (a new resource, or a new provenance on a resource another source
    already brought, or a record the source had deleted and now serves again).
    """

    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DELETED = "deleted"
    # Nothing to do: a deletion of a record this store never had (or already deleted).
    SKIPPED = "skipped"
    # Not usable (unparseable, wrong format, bad datestamp); kept in the raw archive with the reason.
    FAILED = "failed"
