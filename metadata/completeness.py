"""How complete a record is by NL-LOM's required, conditional and recommended rules. Pure; no I/O.

Rules (NL-LOM application profile v1.01), with the paths reported as missing:

Required, always: `general/title`, `general/catalogentry` (catalog and entry),
`general/language`, `general/aggregationlevel`, `metametadata/metadatascheme`,
`educational/intendedenduserrole`, `rights/cost`,
`rights/copyrightandotherrestrictions`.

Required when a condition holds:
- `technical/location` for web content. Every resource this product handles
  is web content, so the condition always holds.
- `educational/context`, `classification/discipline` and
  `classification/educational level` when the aggregation level is 3 or 4.
- `educational/typicalagerange` when a context is PO, VO, BVE, SO, SBaO or VVE.
- `rights/description` when the copyright value is plain `yes`.

Recommended: `general/description`, `general/keyword`, `lifecycle/contribute`
(a contributor with a role and a vCard name), `lifecycle/contribute/date`,
`technical/format`, `educational/learningresourcetype`,
`educational/typicallearningtime`, `relation`. (NL-LOM also recommends
lifecycle version and status, which the record does not carry; they are not
scored.)

Score: `0.75 * R + 0.25 * C`, where R is the share of the applicable required
elements present and C the share of the recommended elements present,
rounded to three decimals. A record with every required element scores at
least 0.75; one with nothing scores 0.
"""

from __future__ import annotations

from metadata.record import Completeness, Record

REQUIRED_WEIGHT = 0.75
RECOMMENDED_WEIGHT = 0.25
AGE_RANGE_CONTEXTS = frozenset({"PO", "VO", "BVE", "SO", "SBaO", "VVE"})


# The rules are written out as one `if` per element, in the order the docstring lists
# them (which is the order of the reported paths), rather than as a table of lambdas:
# this runs for every record read, and a call per rule cost more than the checks.
_REQUIRED_ALWAYS = 9
_RECOMMENDED_COUNT = 8


def _missing_required(record: Record, has_metadata_scheme: bool,
                      has_rights_description: bool) -> tuple[list[str], int]:
    """The required paths `record` lacks, and how many required paths apply to it."""
    missing = []
    if not record.title:
        missing.append("general/title")
    for identifier in record.identifiers:
        if identifier.catalog and identifier.entry:
            break
    else:
        missing.append("general/catalogentry")
    if not record.languages:
        missing.append("general/language")
    if record.aggregation_level is None:
        missing.append("general/aggregationlevel")
    if not has_metadata_scheme:
        missing.append("metametadata/metadatascheme")
    if not record.end_user_roles:
        missing.append("educational/intendedenduserrole")
    if record.cost is None:
        missing.append("rights/cost")
    if record.licence is None:
        missing.append("rights/copyrightandotherrestrictions")
    if not record.location:
        missing.append("technical/location")
    applicable = _REQUIRED_ALWAYS
    if record.aggregation_level in (3, 4):
        applicable += 3
        if not record.contexts:
            missing.append("educational/context")
        if not record.disciplines:
            missing.append("classification/discipline")
        if not record.educational_levels:
            missing.append("classification/educational level")
    if not AGE_RANGE_CONTEXTS.isdisjoint(record.contexts):
        applicable += 1
        if not record.typical_age_range:
            missing.append("educational/typicalagerange")
    if record.licence is not None and record.licence.code == "yes":
        applicable += 1
        if not has_rights_description:
            missing.append("rights/description")
    return missing, applicable


def _missing_recommended(record: Record) -> list[str]:
    missing = []
    if not record.description:
        missing.append("general/description")
    if not record.keywords:
        missing.append("general/keyword")
    if not any(c.role and c.name for c in record.contributors):
        missing.append("lifecycle/contribute")
    if not any(c.date for c in record.contributors):
        missing.append("lifecycle/contribute/date")
    if not record.formats:
        missing.append("technical/format")
    if not record.learning_resource_types:
        missing.append("educational/learningresourcetype")
    if record.typical_learning_time is None:
        missing.append("educational/typicallearningtime")
    if not record.relations:
        missing.append("relation")
    return missing


def assess_completeness(
    record: Record,
    *,
    has_metadata_scheme: bool = True,
    has_rights_description: bool | None = None,
) -> Completeness:
    """Score `record` by the rules in this module's docstring.

    The record does not carry `metametadata/metadatascheme` or the text of
    `rights/description`; the reader says whether the source had them. The
    defaults describe a record this product writes itself: the serialisers
    always write the metadata scheme, and write the licence URL as the rights
    description (so it counts as present when the licence has a URL).
    """
    if has_rights_description is None:
        has_rights_description = record.licence is not None and record.licence.url is not None
    missing_required, applicable = _missing_required(record, has_metadata_scheme, has_rights_description)
    missing_recommended = _missing_recommended(record)
    required_share = 1 - len(missing_required) / applicable
    recommended_share = 1 - len(missing_recommended) / _RECOMMENDED_COUNT
    score = round(REQUIRED_WEIGHT * required_share + RECOMMENDED_WEIGHT * recommended_share, 3)
    return Completeness(
        score=score,
        missing_required=tuple(missing_required),
        missing_recommended=tuple(missing_recommended),
    )
