"""LOM's two XML bindings, NL-LOM's IMS binding and the IEEE binding, and element names. Pure; no I/O.

Both bindings carry the same information model and differ only in spelling:
element names (`catalogentry`/`identifier`, `centity`+`vcard`/`entity`,
lower-case/camelCase), the language-string element and its language attribute
(`langstring xml:lang` / `string language`), and whether vocabulary values and
identifier entries are wrapped in language strings. A `LomBinding` holds the
differences; `logical_name` names an element of either binding, in any
namespace and case, by its logical (IMS) name.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from metadata.xml_input import local_name

IMS_NAMESPACE = "http://www.imsglobal.org/xsd/imsmd_v1p2"
IEEE_NAMESPACE = "http://ltsc.ieee.org/xsd/LOM"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"

@dataclass(frozen=True, slots=True)
class LomBinding:
    """How one XML binding of LOM spells the information model.

    `names` maps the logical element name (the IMS spelling, which NL-LOM's
    documentation and this product's issue paths use) to this binding's
    element name wherever the two differ.
    """

    name: str
    namespace: str
    # The binding's XSD, which xsi:schemaLocation names.
    schema: str
    language_attribute: str
    wrapped_vocabulary: bool
    wrapped_entity: bool
    wrapped_identifier_entry: bool
    duration_child: str
    names: Mapping[str, str] = field(default_factory=dict)
    # The namespace prefix written out (None: the default namespace). Edurep writes the IMS
    # binding with `czp:`, and consumers of Edurep's `lom` (SURF edusources) match that prefix.
    prefix: str | None = None

    @property
    def schema_location(self) -> str:
        """The xsi:schemaLocation value: the namespace and its schema."""
        return f"{self.namespace} {self.schema}"

    def element_name(self, logical: str) -> str:
        return self.names.get(logical, logical)

    def tag(self, logical: str) -> str:
        return f"{{{self.namespace}}}{self.names.get(logical, logical)}"


IMS_BINDING = LomBinding(
    name="ims",
    namespace=IMS_NAMESPACE,
    schema="http://www.imsglobal.org/xsd/imsmd_v1p2p4.xsd",
    language_attribute=XML_LANG,
    wrapped_vocabulary=True,
    wrapped_entity=True,
    wrapped_identifier_entry=True,
    duration_child="datetime",
    prefix="czp",
)

IEEE_BINDING = LomBinding(
    name="ieee",
    namespace=IEEE_NAMESPACE,
    schema="http://ltsc.ieee.org/xsd/lomv1.0/lom.xsd",
    language_attribute="language",
    wrapped_vocabulary=False,
    wrapped_entity=False,
    wrapped_identifier_entry=False,
    duration_child="duration",
    names={
        "catalogentry": "identifier",
        "aggregationlevel": "aggregationLevel",
        "lifecycle": "lifeCycle",
        "centity": "entity",
        "datetime": "dateTime",
        "metametadata": "metaMetadata",
        "metadatascheme": "metadataSchema",
        "learningresourcetype": "learningResourceType",
        "intendedenduserrole": "intendedEndUserRole",
        "typicalagerange": "typicalAgeRange",
        "typicallearningtime": "typicalLearningTime",
        "copyrightandotherrestrictions": "copyrightAndOtherRestrictions",
        "taxonpath": "taxonPath",
        "langstring": "string",
        "orcomposite": "orComposite",
        "minimumversion": "minimumVersion",
        "maximumversion": "maximumVersion",
        "installationremarks": "installationRemarks",
        "otherplatformrequirements": "otherPlatformRequirements",
        "interactivitytype": "interactivityType",
        "interactivitylevel": "interactivityLevel",
        "semanticdensity": "semanticDensity",
    },
)

BINDINGS = (IMS_BINDING, IEEE_BINDING)
LOM_NAMESPACES = frozenset(binding.namespace for binding in BINDINGS)


# --- element names when reading ---------------------------------------------------------------

# Lower-cased element name in either binding -> logical name (names not listed are their own).
READ_NAMES: dict[str, str] = {
    name.lower(): logical for binding in BINDINGS for logical, name in binding.names.items()}

# Children are listed with `getchildren()` throughout the reader: it builds the list in
# one C call, where `for child in element` creates an iterator object per element, which
# costs lxml about twice as much for the one-to-five children LOM elements have
# (reading is one child loop per element). Both list comments and processing
# instructions alike, so the tag checks below are unchanged.
TAG_CACHE: dict[Any, str] = {}
TAG_CACHE_LIMIT = 10_000
# Reading walks every element; a bound dict lookup per child is the cheapest
# way to name it (the slow path fills the cache).
known_name = TAG_CACHE.get


def logical_name(tag: Any) -> str:
    """The logical name of an element tag (cached: tags repeat across records)."""
    try:
        return TAG_CACHE[tag]
    except KeyError:
        pass
    if isinstance(tag, str):
        lowered = local_name(tag).lower()
        logical = READ_NAMES.get(lowered, lowered)
    else:
        logical = ""  # comments and processing instructions
    if len(TAG_CACHE) < TAG_CACHE_LIMIT:
        TAG_CACHE[tag] = logical
    return logical


# --- date-times in the IEEE binding ------------------------------------------------------------

# A time with seconds, an optional fraction and a zone designator (ISO 8601 extended format).
_ZONED_TIME = re.compile(r"(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)")


def ieee_datetime(date: str) -> str:
    """`date` in a form the IEEE binding's DateTimeString pattern accepts, same instant.

    The pattern (lomStrict.xsd, common/dataTypes.xsd) admits a zone designator
    (`Z`, `+01:00`) only after fractional seconds, so `2015-12-08T10:33:43Z` (SRU's
    and many sources' spelling) is refused: a zero fraction is added. To keep the
    spelling the record had, a fraction of zeros gains one more zero (`.0Z` is
    written `.00Z`) and `from_ieee_datetime` takes one off, so reading gives back
    exactly what was written from. Any other date is written as it is.
    """
    match = _ZONED_TIME.fullmatch(date)
    if match is None or (match.group(2) or "").strip("0"):
        return date
    return f"{match.group(1)}.{match.group(2) or ''}0{match.group(3)}"


def from_ieee_datetime(text: str) -> str:
    """The date-time `ieee_datetime` was given, from what it wrote."""
    match = _ZONED_TIME.fullmatch(text)
    if match is None or match.group(2) is None or match.group(2).strip("0"):
        return text
    zeros = match.group(2)[1:]
    return f"{match.group(1)}{'.' + zeros if zeros else ''}{match.group(3)}"
