"""A submission that passes NL-LOM's rules, and the site the publishing tests publish on."""

from __future__ import annotations

from typing import Any

from oer.catalogue.site import Site

SITE = Site(repository_id="oer.example.org",
            page_url=lambda resource_id: f"https://oer.example.org/resources/{resource_id}")

# PO 26 "Structuren doorzien" (breuken among them); Rekenen and Primair onderwijs (OBK).
KERNDOEL_PO_26 = "1ed1e736-c541-4b47-9061-34117d70c859"
SUBMISSION: dict[str, Any] = {
    "title": "Breuken vergelijken",
    "description": "Leerlingen vergelijken breuken met behulp van een getallenlijn.",
    "keywords": ["breuken", "getallenlijn"],
    "languages": ["nl"],
    "location": "https://lessen.school.example.org/breuken-vergelijken",
    "aggregation_level": 2,
    "learning_resource_types": ["open opdracht"],
    "end_user_roles": ["learner", "teacher"],
    "contexts": ["PO"],
    "educational_levels": ["512e4729-03a4-43a2-95ba-758071d1b725"],
    "disciplines": ["b48fa351-4561-44c7-a071-ebfd6103eec3"],
    "educational_objectives": [KERNDOEL_PO_26],
    "typical_age_range": "9-11",
    "typical_learning_time": 45,
    "licence": "cc-by-sa-40",
    "authors": ["Rik Redacteur"],
}
