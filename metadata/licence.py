"""Licences: NL-LOM copyright codes, Creative Commons URLs and names, table-driven. Pure; reads package data.

NL-LOM gives the licence as a code from its copyright vocabulary
(`cc-by-sa-40`, `cc0-10`, ...) or as `yes` with the licence in
rights/description, usually a Creative Commons URL (also jurisdiction ports
such as `/licenses/by/3.0/nl/`). Both become one `Licence(code, url)` with
the canonical `https://creativecommons.org/...` URL from `schemas/licences.json`
(a port keeps its country path: it is a different legal text). The same table
says what each licence is made of (`licence_terms`: its CC elements and
version), which the combination rules in `metadata.licence_rules` build on.

What a licence lets a teacher do is said here too, for every front end:
`licence_rights` (may I share, adapt, use commercially; what must I do in
return) and `licence_family`, the "usage rights" facet a search offers.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum, StrEnum
from functools import cache
from typing import Any

from metadata.issues import IssueCode, make_issue
from metadata.record import Issue, Licence
from metadata.text import clean_line
from schemas import resources

RESERVED_CODES = ("yes", "no")

_CC_HOST = "creativecommons.org/"
# Matched on lower-cased text from the host on (found first with str.find, which is far faster).
_CC_PATH = re.compile(
    r"creativecommons\.org/(licen[cs]es|publicdomain)/([a-z-]+)/(\d+(?:\.\d+)?)"
    r"(?:/([a-z]{2}(?:-[a-z]{2})?)(?![a-z]))?")
_WORDS = re.compile(r"[a-z0-9]+(?:\.[0-9]+)?")


class LicenceElement(str, Enum):
    """The Creative Commons licence elements (https://creativecommons.org/licenses/)."""

    ATTRIBUTION = "by"
    SHARE_ALIKE = "sa"
    NON_COMMERCIAL = "nc"
    NO_DERIVATIVES = "nd"


@dataclass(frozen=True, slots=True)
class LicenceTerms:
    """What a coded licence is made of: its elements (none for CC0 and PDM) and its version."""

    elements: frozenset[LicenceElement]
    version: tuple[int, int]


@dataclass(frozen=True, slots=True)
class LicenceTable:
    source: str
    older_sources: tuple[str, ...]
    urls: Mapping[str, str]
    labels: Mapping[str, str]
    aliases: Mapping[str, str]
    terms: Mapping[str, LicenceTerms]


@cache
def licence_table() -> LicenceTable:
    """The licence codes and canonical URLs, read once from `schemas/licences.json`."""
    data: dict[str, Any] = resources.load_json("licences.json")
    return LicenceTable(
        source=data["source"],
        older_sources=tuple(data["older_sources"]),
        urls={item["code"]: item["url"] for item in data["licences"]},
        labels={**{item["code"]: item["label"] for item in data["licences"]}, **data["reserved"]},
        aliases={clean_line(alias).lower(): code for alias, code in data["aliases"].items()},
        terms={item["code"]: _terms(item) for item in data["licences"]},
    )


def _terms(item: Mapping[str, Any]) -> LicenceTerms:
    major, minor = item["version"].split(".")
    return LicenceTerms(
        elements=frozenset(LicenceElement(element) for element in item["elements"]),
        version=(int(major), int(minor)),
    )


def canonical_url(code: str) -> str | None:
    """The canonical URL of a licence code; None for `yes`/`no` and unknown codes."""
    return licence_table().urls.get(code)


def licence_terms(code: str) -> LicenceTerms | None:
    """The elements and version of a licence code; None for `yes`/`no` and unknown codes."""
    return licence_table().terms.get(code)


def licence_from_url(text: str) -> Licence | None:
    """The licence named by the first Creative Commons URL in `text`, if any.

    A URL for a licence NL-LOM has no code for (e.g. version 2.5) gives
    `Licence("yes", url)`: restrictions apply, the URL says which.
    """
    lowered = text.lower()
    start = lowered.find(_CC_HOST)
    match = None
    while start >= 0 and match is None:
        match = _CC_PATH.match(lowered, start)
        start = lowered.find(_CC_HOST, start + 1)
    if match is None:
        return None
    family, kind, version, port = match.groups()
    family = "licenses" if family.startswith("licen") else family
    if "." not in version:
        version += ".0"
    if family == "publicdomain":
        code = {"zero": "cc0-", "mark": "pdm-"}.get(kind, "?") + version.replace(".", "")
    else:
        code = f"cc-{kind}-{version.replace('.', '')}"
    url = f"https://creativecommons.org/{family}/{kind}/{version}/" + (f"{port}/" if port else "")
    if code in licence_table().urls:
        return Licence(code=code, url=url if port else canonical_url(code))
    return Licence(code="yes", url=url)


def licence_from_name(text: str) -> str | None:
    """The code for a licence written out by name (`CC BY-SA 4.0`,
    `CC Attribution-NonCommercial-ShareAlike 4.0 International license`), or None.

    Only unambiguous names are read: they must say Creative Commons (or CC)
    and give a version, and the resulting code must exist.
    """
    words = _WORDS.findall(text.lower())
    if not words:
        return None
    joined, distinct = " ".join(words), set(words)
    if "cc0" in words or ("creative" in words and "zero" in words):
        return "cc0-10"
    if "pdm" in words or "public domain mark" in joined:
        return "pdm-10"
    if not ({"cc", "creative", "creativecommons"} & distinct):
        return None
    parts: list[str] = []
    if {"by", "attribution", "naamsvermelding"} & distinct:
        parts.append("by")
    # English and Dutch licence element names, written as one word or as several.
    if {"nc", "noncommercial", "nietcommercieel"} & distinct or "non commercial" in joined \
            or "niet commercieel" in joined:
        parts.append("nc")
    if {"sa", "sharealike", "gelijkdelen"} & distinct or "share alike" in joined \
            or "gelijk delen" in joined:
        parts.append("sa")
    if {"nd", "noderivatives", "noderivs", "geenafgeleidewerken", "geenafgeleide"} & distinct \
            or "no derivatives" in joined or "geen afgeleide" in joined:
        parts.append("nd")
    versions = [word for word in words if re.fullmatch(r"\d\.\d|\d\d", word)]
    if not parts or parts[0] != "by" or not versions:
        return None
    code = "cc-" + "-".join(parts) + "-" + versions[0].replace(".", "")
    return code if code in licence_table().urls else None


def normalise_licence(
    value: str | None,
    descriptions: Iterable[str],
    path: str,
    issues: list[Issue],
) -> Licence | None:
    """Turn an NL-LOM copyright value plus the rights/description texts into one Licence.

    `path` is the copyright element's path (for issues). Rules, in order: a
    known code wins (a disagreeing URL is reported as a conflict); `yes`/`no`
    take the CC URL from the description when there is one; a licence written
    out by name is read and reported; an unknown value falls back to a URL in
    the description, or is kept verbatim and reported.
    """
    table = licence_table()
    from_url = None
    for text in descriptions:
        from_url = licence_from_url(text)
        if from_url is not None:
            break
    raw = clean_line(value)
    if not raw:
        if from_url is not None:
            issues.append(make_issue(
                IssueCode.LICENCE_REPAIRED, path,
                f"no copyright code; licence {from_url.code} taken from the URL in rights/description"))
        return from_url
    # A known code (in any case), or a listed alias such as "alle rechten voorbehouden".
    code = table.aliases.get(raw.lower(), raw.lower())
    if code in table.urls or code in RESERVED_CODES:
        if code != raw:
            issues.append(make_issue(IssueCode.LICENCE_REPAIRED, path, f"{raw!r} read as {code!r}"))
        if from_url is not None and (from_url.code == code or code in RESERVED_CODES):
            return from_url  # yes/no plus a URL, or a port that keeps its own URL
        if from_url is not None:
            issues.append(_conflict(code, from_url, path))
        return Licence(code=code, url=table.urls.get(code))
    named = licence_from_name(raw)
    if named is not None:
        issues.append(make_issue(IssueCode.LICENCE_REPAIRED, path, f"{raw!r} read as {named!r}"))
        if from_url is not None and from_url.code == named:
            return from_url
        if from_url is not None:
            issues.append(_conflict(named, from_url, path))
        return Licence(code=named, url=table.urls[named])
    if from_url is not None:
        issues.append(make_issue(
            IssueCode.LICENCE_REPAIRED, path,
            f"unknown copyright value {raw!r}; licence {from_url.code} taken from the URL in "
            "rights/description"))
        return from_url
    issues.append(make_issue(
        IssueCode.LICENCE_UNKNOWN, path, f"licence {raw!r} is not recognised; kept as given"))
    return Licence(code=raw, url=None)


def _conflict(code: str, from_url: Licence, path: str) -> Issue:
    return make_issue(
        IssueCode.LICENCE_CONFLICT, path,
        f"{code!r} disagrees with {from_url.url} in rights/description; {code!r} is kept")


def licence_from_text(text: str, path: str, issues: list[Issue]) -> Licence | None:
    """A licence from free text (Dublin Core `rights`): a CC URL, a code or a licence name.

    Text that names no licence is reported and gives None: unlike an NL-LOM
    copyright value it is prose, not a code to keep.
    """
    raw = clean_line(text)
    if not raw:
        return None
    from_url = licence_from_url(raw)
    if from_url is not None:
        return from_url
    code = raw.lower()
    if code in licence_table().urls:
        return Licence(code=code, url=canonical_url(code))
    if code in RESERVED_CODES:
        return Licence(code=code, url=None)
    named = licence_table().aliases.get(code) or licence_from_name(raw)
    if named is not None:
        issues.append(make_issue(IssueCode.LICENCE_REPAIRED, path, f"{raw!r} read as {named!r}"))
        return Licence(code=named, url=canonical_url(named))
    issues.append(make_issue(IssueCode.LICENCE_UNKNOWN, path, f"no licence recognised in {raw!r}"))
    return None


def licence_name(code: str) -> str | None:
    """The name of a licence code (`CC BY-SA 4.0`); None for `yes`/`no`, which a front end
    words itself, and for codes the table does not know."""
    if code in RESERVED_CODES:
        return None
    return licence_table().labels.get(code)


# -- what a licence allows ------------------------------------------------------------------------


class Permission(StrEnum):
    """What a licence may allow."""

    SHARE = "share"
    ADAPT = "adapt"
    COMMERCIAL = "commercial"


class Condition(StrEnum):
    """What a licence may require in return."""

    ATTRIBUTION = "attribution"
    SHARE_ALIKE = "share_alike"


@dataclass(frozen=True, slots=True)
class LicenceRights:
    """A licence as a teacher needs it: its name, what it allows and what it asks in return.

    `allows` is None when the licence is not one this product can read (then
    the source must be checked); `kind` is a short class-safe slug such as
    `cc-by-sa`, `cc0`, `pdm`, `no-restrictions`, `all-rights-reserved`,
    `unknown`.
    """

    code: str
    label: str
    url: str | None
    kind: str
    allows: Mapping[Permission, bool] | None
    requires: tuple[Condition, ...]

    def to_dict(self) -> dict[str, Any]:
        """The JSON API's `licence` object (its `kind` is the site's badge, not part of it)."""
        return {
            "code": self.code,
            "label": self.label,
            "url": self.url,
            "allows": None if self.allows is None else {p.value: v for p, v in self.allows.items()},
            "requires": [c.value for c in self.requires],
        }


_CC_URL = re.compile(r"creativecommons\.org/licen[cs]es/([a-z-]+)/(\d+(?:\.\d+)?)", re.IGNORECASE)


def licence_rights(licence: Licence | None) -> LicenceRights | None:
    """What the licence of a material allows; None when the record names none."""
    if licence is None or not licence.code:
        return None
    table = licence_table()
    code = licence.code.strip().lower()
    label = table.labels.get(code, licence.code)
    parts: list[str] | None = None
    if code.startswith("cc-"):
        parts = code.split("-")[1:-1]
    elif code == "yes" and licence.url:
        # A CC licence NL-LOM has no code for (e.g. 2.5): its URL still says what it allows.
        match = _CC_URL.search(licence.url)
        if match:
            parts = match.group(1).lower().split("-")
            label = f"CC {match.group(1).upper()} {match.group(2)}"
    everything = {Permission.SHARE: True, Permission.ADAPT: True, Permission.COMMERCIAL: True}
    if parts is not None and parts[:1] == ["by"]:
        allows = {
            Permission.SHARE: True,
            Permission.ADAPT: "nd" not in parts,
            Permission.COMMERCIAL: "nc" not in parts,
        }
        requires = (Condition.ATTRIBUTION,) + ((Condition.SHARE_ALIKE,) if "sa" in parts else ())
        return LicenceRights(code, label, licence.url, "cc-" + "-".join(parts), allows, requires)
    if code.startswith("cc0"):
        return LicenceRights(code, label, licence.url, "cc0", everything, ())
    if code.startswith("pdm"):
        return LicenceRights(code, label, licence.url, "pdm", everything, ())
    if code == "no":
        return LicenceRights(code, label, licence.url, "no-restrictions", everything, ())
    if code == "yes":
        nothing = {p: False for p in Permission}
        return LicenceRights(code, label, licence.url, "all-rights-reserved", nothing, ())
    return LicenceRights(code, licence.code, licence.url, "unknown", None, ())


# -- the usage-rights facet -----------------------------------------------------------------------


class LicenceFamily(StrEnum):
    """What a licence lets a teacher do, as a facet.

    A licence gets one family per restriction it carries, so `cc-by-nc-nd-40`
    is both NON_COMMERCIAL and NO_DERIVATIVES: filtering on either finds it,
    and OPEN means "no NC and no ND restriction" (CC0, PDM, CC BY, CC BY-SA,
    and the NL-LOM code `no`). ALL_RIGHTS_RESERVED is the NL-LOM code `yes`
    when no CC licence could be identified from the record.
    """

    OPEN = "open"
    NON_COMMERCIAL = "non-commercial"
    NO_DERIVATIVES = "no-derivatives"
    ALL_RIGHTS_RESERVED = "all-rights-reserved"


def licence_family(code: str | None) -> tuple[LicenceFamily, ...]:
    """The families of an NL-LOM copyright code (`cc-by-nc-sa-40`, `cc0-10`, `yes`, ...).

    Unknown codes get no family rather than a guess: the facet then simply
    does not count them.
    """
    if not code:
        return ()
    normalised = code.strip().lower()
    if normalised == "yes":
        return (LicenceFamily.ALL_RIGHTS_RESERVED,)
    if normalised in ("no",) or normalised.startswith(("cc0", "pdm")):
        return (LicenceFamily.OPEN,)
    parts = normalised.split("-")
    if parts[:2] != ["cc", "by"]:
        return ()
    families: list[LicenceFamily] = []
    if "nc" in parts:
        families.append(LicenceFamily.NON_COMMERCIAL)
    if "nd" in parts:
        families.append(LicenceFamily.NO_DERIVATIVES)
    return tuple(families) or (LicenceFamily.OPEN,)
