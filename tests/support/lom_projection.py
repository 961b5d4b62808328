"""What of a record the LOM writers carry to a reader: the record, contributions without a role aside. Pure; no I/O.

The writers never put an empty role or a role outside LOM's vocabulary in
`<role>`: either is written as LOM's `unknown`. A role outside LOM (Edurep's
`hogeschool`, `university`) goes into each entity's vCard as ROLE and the
reader takes it back from there, so it survives wherever the contribution
names someone; what cannot come back is a missing role (nothing to carry:
it is read as `unknown`) and an outside role on a contribution without an
entity (no vCard to carry it). A contribution that names no one and has no
date is not written at all.
"""

from __future__ import annotations

from metadata.lom import LOM_VALUES, UNKNOWN_ROLE
from metadata.record import Contributor, Record
from metadata.vocabulary import VocabularyName


def lom_projection(record: Record) -> Record:
    """`record` as a reader of its `lom` or `nl_lom` payload gets it back."""
    roles = LOM_VALUES[VocabularyName.CONTRIBUTE_ROLE]

    def role_read(contributor: Contributor) -> str:
        carried = contributor.role in roles or (contributor.role and contributor.name is not None)
        return contributor.role if carried else UNKNOWN_ROLE

    return record.with_changes(contributors=tuple(
        Contributor(role_read(c), c.name, c.date)
        for c in record.contributors if c.name is not None or c.date))
