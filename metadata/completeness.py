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

from collections.abc import Callable
from dataclasses import dataclass

from metadata.record import Completeness, Record

REQUIRED_WEIGHT = 0.75
RECOMMENDED_WEIGHT = 0.25
AGE_RANGE_CONTEXTS = frozenset({"PO", "VO", "BVE", "SO", "SBaO", "VVE"})


@dataclass(frozen=True, slots=True)
class _Source:
    has_metadata_scheme: bool
    has_rights_description: bool


_Rule = tuple[str, Callable[[Record, _Source], bool]]

_REQUIRED: tuple[_Rule, ...] = (
    ("general/title", lambda r, s: bool(r.title)),
    ("general/catalogentry", lambda r, s: any(i.catalog and i.entry for i in r.identifiers)),
    ("general/language", lambda r, s: bool(r.languages)),
    ("general/aggregationlevel", lambda r, s: r.aggregation_level is not None),
    ("metametadata/metadatascheme", lambda r, s: s.has_metadata_scheme),
    ("educational/intendedenduserrole", lambda r, s: bool(r.end_user_roles)),
    ("rights/cost", lambda r, s: r.cost is not None),
    ("rights/copyrightandotherrestrictions", lambda r, s: r.licence is not None),
    ("technical/location", lambda r, s: bool(r.location)),
)

# Each conditional rule: (applies?, (path, present?)).
_CONDITIONAL: tuple[tuple[Callable[[Record], bool], _Rule], ...] = (
    (lambda r: r.aggregation_level in (3, 4), ("educational/context", lambda r, s: bool(r.contexts))),
    (lambda r: r.aggregation_level in (3, 4),
     ("classification/discipline", lambda r, s: bool(r.disciplines))),
    (lambda r: r.aggregation_level in (3, 4),
     ("classification/educational level", lambda r, s: bool(r.educational_levels))),
    (lambda r: bool(AGE_RANGE_CONTEXTS.intersection(r.contexts)),
     ("educational/typicalagerange", lambda r, s: bool(r.typical_age_range))),
    (lambda r: r.licence is not None and r.licence.code == "yes",
     ("rights/description", lambda r, s: s.has_rights_description)),
)

_RECOMMENDED: tuple[_Rule, ...] = (
    ("general/description", lambda r, s: bool(r.description)),
    ("general/keyword", lambda r, s: bool(r.keywords)),
    ("lifecycle/contribute", lambda r, s: any(c.role and c.name for c in r.contributors)),
    ("lifecycle/contribute/date", lambda r, s: any(c.date for c in r.contributors)),
    ("technical/format", lambda r, s: bool(r.formats)),
    ("educational/learningresourcetype", lambda r, s: bool(r.learning_resource_types)),
    ("educational/typicallearningtime", lambda r, s: r.typical_learning_time is not None),
    ("relation", lambda r, s: bool(r.relations)),
)


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
    source = _Source(has_metadata_scheme, has_rights_description)
    required = list(_REQUIRED) + [rule for applies, rule in _CONDITIONAL if applies(record)]
    missing_required = [path for path, present in required if not present(record, source)]
    missing_recommended = [path for path, present in _RECOMMENDED if not present(record, source)]
    required_share = 1 - len(missing_required) / len(required)
    recommended_share = 1 - len(missing_recommended) / len(_RECOMMENDED)
    score = round(REQUIRED_WEIGHT * required_share + RECOMMENDED_WEIGHT * recommended_share, 3)
    return Completeness(
        score=score,
        missing_required=tuple(missing_required),
        missing_recommended=tuple(missing_recommended),
    )
