"""What of a record the LOM writers carry to a reader: the record, contributions without a role aside. Pure; no I/O.

The writers never put an empty role or a role outside LOM's vocabulary in
`<role>`: either is written as LOM's `unknown`. A role outside LOM (Edurep's
`hogeschool`, `university`) goes into each entity's vCard as ROLE and the
reader takes it back from there, so it survives wherever the contribution
names someone; what cannot come back is a missing role (nothing to carry:
it is read as `unknown`) and an outside role on a contribution without an
entity (no vCard to carry it). A contribution that names no one and has no
date is not written at all, unless the source's LOM gave it with a role.

The record's LOM comes back as `served_tree` writes it: the source's own, with
the repairs that function lists, or, for a record not read from LOM, the one
its fields make, with what the binding allows once merged (`fitted`); and
its locations as written (the record's, else its one).
"""

from __future__ import annotations

from metadata.lom import LOM_VALUES, UNKNOWN_ROLE, served_tree
from metadata.lom_bindings import IMS_BINDING, LomBinding
from metadata.lom_tree import fitted
from metadata.record import Contributor, Record
from metadata.vocabulary import VocabularyName


def lom_projection(record: Record, binding: LomBinding = IMS_BINDING) -> Record:
    """`record` as a reader of its payload in `binding` (`lom`: IMS, `nl_lom`: IEEE) gets it back."""
    roles = LOM_VALUES[VocabularyName.CONTRIBUTE_ROLE]

    def role_read(contributor: Contributor) -> str:
        carried = contributor.role in roles or (contributor.role and contributor.name is not None)
        return contributor.role if carried else UNKNOWN_ROLE

    def written(contributor: Contributor) -> bool:
        # From the source's LOM, a contribution is left out only when it has no role either.
        said = contributor.name is not None or bool(contributor.date)
        return said or (record.lom is not None and bool(contributor.role))

    return record.with_changes(
        contributors=tuple(Contributor(role_read(c), c.name, c.date) for c in record.contributors if written(c)),
        locations=record.locations or ((record.location,) if record.location else ()),
        lom=fitted(served_tree(record), binding))
