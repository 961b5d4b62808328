"""Harvest the real records, read `lom` and `nl_lom` back from `/oai`: every leaf of every source record is there.

The store is filled by the harvest services from the real fixtures (Edurep's
OAI-PMH and SRU records, AnatomyTool, the standalone LOM documents). For each
material, its record is fetched with GetRecord from the feed and compared leaf
by leaf (`tests.unit.metadata.test_lom_tree.leaves`: path, language, text)
with the `<lom>` element its source sent. A leaf of the source that is not in
the feed fails the test, unless it is one of the repairs the feed makes
(`metadata.lom.served_tree`), each recognised here by what replaces it:

- a contribution role outside LOM's vocabulary, served as `unknown` with the
  role in the entity's vCard (`ROLE:`);
- a vocabulary source that is Edustandaard's copy of LOM's list, served as
  `LOMv1.0` with the same value;
- a copyright value that is not an NL-LOM code, served as the code the
  licence was normalised to (the API's `licence`);
- an element without text, which says nothing (with the source of an empty
  vocabulary value).

Every leaf the feed adds must be one of those replacements or a metadata
scheme NL-LOM requires. The repairs are counted, so a new kind of change fails.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from lxml import etree
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from metadata.lom import LOM_VALUES, METADATA_SCHEMES
from metadata.lom_tree import read_tree
from metadata.vcard import read_vcard_role
from metadata.vocabulary import VocabularyName
from metadata.xml_input import local_name, parse_xml
from oer.catalogue.models import Resource
from oer.harvesting.models import Provenance, Source
from tests.integration.feed.harvests import ANATOMYTOOL, EDUREP_INITIAL, SCHOOL
from tests.unit.metadata.test_lom_tree import Leaf, leaves

OAI = "{http://www.openarchives.org/OAI/2.0/}"
ROLES = LOM_VALUES[VocabularyName.CONTRIBUTE_ROLE]


def source_loms(fixtures_dir: Path) -> dict[str, Any]:
    """The `<lom>` elements of the harvested fixtures, by their tree's JSON (to find a record's source)."""
    found = {}
    for pattern in (*EDUREP_INITIAL, *ANATOMYTOOL, *SCHOOL):
        for path in sorted(fixtures_dir.glob(pattern)):
            root = parse_xml(path.read_bytes()).root
            for element in root.iter():
                if isinstance(element.tag, str) and local_name(element.tag).lower() == "lom":
                    found[json.dumps(read_tree(element), sort_keys=True)] = element
    return found


def repairs(lost: Counter[Leaf], added: Counter[Leaf], licence_code: str | None) -> Counter[str]:
    """The served repairs that account for `lost` and `added`; fails on anything else."""
    found: Counter[str] = Counter()
    for leaf in list(lost.elements()):
        path, _, text = leaf
        if not text:
            found["empty element"] += 1
        elif path[-1] == "source" and lost[((*path[:-1], "value"), None, "")]:
            pass  # the source of an empty vocabulary value (Edurep's `<value/>` end user roles)
        elif path[-2:] == ("role", "value") and text not in ROLES:
            assert added[(path, None, "unknown")] > 0, leaf
            assert any(p[-1] in ("centity", "person") and read_vcard_role(t) == text for p, _, t in added), leaf
            found["role outside LOM as unknown with ROLE"] += 1
        elif path[-1] == "source" and "_lomv1p0_" in text:
            assert added[(path, None, "LOMv1.0")] > 0, leaf
            found["LOM copy as LOMv1.0"] += 1
        elif path[-2:] == ("copyrightandotherrestrictions", "value"):
            assert added[(path, None, licence_code)] > 0, leaf
            found["licence as its NL-LOM code"] += 1
        elif path[-2:] == ("copyrightandotherrestrictions", "source"):
            assert any(p == path for p, _, _ in added), leaf  # the code's vocabulary, with the code
        elif path[-1] in ("centity", "person"):
            assert any(read_vcard_role(t) for p, _, t in added if p == path), leaf
        else:
            pytest.fail(f"lost: {leaf}")
    for leaf in list(added.elements()):
        path, _, text = leaf
        accounted = (
            (path[-1] == "metadatascheme" and text in METADATA_SCHEMES)
            or (path[-2:] == ("role", "value") and text == "unknown")
            or (path[-1] == "source" and text == "LOMv1.0")
            or (path[-1] in ("centity", "person") and read_vcard_role(text) is not None)
            or path[-2] == "copyrightandotherrestrictions"
        )
        assert accounted, f"added: {leaf}"
    return found


@pytest.mark.parametrize("prefix", ["lom", "nl_lom"])
def test_every_leaf_of_every_harvested_record_comes_back_from_the_feed(
    client: FlaskClient, store_sessions: sessionmaker[Session], fixtures_dir: Path, prefix: str,
) -> None:
    sources = source_loms(fixtures_dir)
    with store_sessions() as session:
        rows = session.execute(
            select(Resource.id, Resource.record).join(Provenance, Provenance.resource_id == Resource.id)
            .join(Source, Source.id == Provenance.source_id)
            .where(Source.name != "copies", Resource.deleted.is_(False))
        ).all()
    materials = {row.id: row.record for row in rows}
    assert len(materials) >= 30
    total: Counter[str] = Counter()
    for resource_id, record in materials.items():
        source = sources[json.dumps(record["lom"], sort_keys=True)]
        response = client.get(f"/oai?verb=GetRecord&metadataPrefix={prefix}&identifier=oai:oer.local:{resource_id}")
        assert response.status_code == 200
        [served] = etree.fromstring(response.data).iter(f"{OAI}metadata")
        source_leaves, served_leaves = Counter(leaves(source)), Counter(leaves(served[0]))
        # Elements a binding allows once are merged (Edurep's SRU records have two educational
        # categories repeating a learning time): a value the source repeats is written once.
        lost = Counter(set(source_leaves) - set(served_leaves))
        added = Counter(set(served_leaves) - set(source_leaves))
        licence = record["licence"]["code"] if record["licence"] else None
        total += repairs(lost, added, licence)
    # The repairs the real records need, in both formats alike.
    assert total == Counter({
        "LOM copy as LOMv1.0": 69,
        "empty element": 41,
        # AnatomyTool names its licences ("CC Attribution 4.0 International license"), and one Edurep
        # record says `yes` beside the Creative Commons URL its licence is read from.
        "licence as its NL-LOM code": 9,
        # Edurep's `hogeschool` and `university`.
        "role outside LOM as unknown with ROLE": 6,
    })
