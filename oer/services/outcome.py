"""What applying one harvested record did to the store. Pure; no I/O.

The store reports the harvester's own `Outcome` (the sink returns one per
record), so the two sides share one enum. Counted from the source's point of
view: CREATED means this source's record is new here (a new resource, a new
provenance on a resource another source already brought, or a record the
source had deleted and now serves again); SKIPPED is a deletion of a record
this store never had (or already deleted); FAILED is kept in the raw archive
with the reason.
"""

from harvester.outcome import Outcome

__all__ = ["Outcome"]
