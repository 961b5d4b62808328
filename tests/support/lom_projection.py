"""What of a record the LOM writers carry to a reader: the record, contributors' roles aside. Pure; no I/O."""

from __future__ import annotations

from metadata.lom import LOM_VALUES, UNKNOWN_ROLE
from metadata.record import Contributor, Record
from metadata.vocabulary import VocabularyName


def lom_projection(record: Record) -> Record:
    """`record` as a reader of its `lom` or `nl_lom` payload gets it back.

    The writers never put a role outside LOM's vocabulary in `<role>`: such a
    role (Edurep's `hogeschool`, `university`) or none is written as LOM's
    `unknown`, the role itself going into the entity's vCard as ROLE, which the
    reader does not read back as the role; and a contribution that names no one
    and has no date is not written at all.
    """
    roles = LOM_VALUES[VocabularyName.CONTRIBUTE_ROLE]
    return record.with_changes(contributors=tuple(
        Contributor(c.role if c.role in roles else UNKNOWN_ROLE, c.name, c.date)
        for c in record.contributors if c.name is not None or c.date))
