"""The JSON API's OpenAPI 3.1 description, built once from the code's own constants. Pure; reads package data.

The record schema is not repeated here: `schemas/record.schema.json` (the
contract of `Record.to_dict`) is embedded as `components/schemas/Record`, so
the API document and `oer normalize` cannot drift apart.
"""

from __future__ import annotations

import copy
import json
from functools import cache
from typing import Any

from metadata.facets import FACET_FIELDS
from metadata.licence import Condition, Permission
from metadata.licence_rules import CheckCode, Use, rules_table
from metadata.quality import AnnotatorRole
from metadata.submission import PUBLISHABLE_LICENCES
from oer.discovery.search import (
    DEFAULT_PAGE_SIZE,
    MAX_API_PAGE_SIZE,
    MAX_TEXT_LENGTH,
    SortOrder,
)
from oer.insights.figures import FigureName
from oer.publishing.models import EXTERNAL_ID_LENGTH
from oer.quality.models import ModerationState
from oer.remix.service import SETTABLE
from oer.search.document import DateKind, DatePrecision
from schemas import resources
from web.demand.openapi import demand_paths, demand_schemas
from web.publishing.api import MAX_BODY_BYTES as PUBLISH_BODY_BYTES
from web.quality.api import MAX_BODY_BYTES as ANNOTATION_BODY_BYTES
from web.remix.api import MAX_BODY_BYTES, MAX_LICENCE_LENGTH, MAX_PARTS

OPENAPI_VERSION = "3.1.0"
API_VERSION = "1.0.0"

_NULLABLE_STRING = {"type": ["string", "null"]}
_DATE_TIME = {"type": "string", "format": "date-time"}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _record_schema() -> dict[str, Any]:
    """schemas/record.schema.json with its local `$ref`s rewritten to its place in the document."""
    schema = copy.deepcopy(resources.load_json("record.schema.json"))
    schema.pop("$schema", None)
    schema.pop("$id", None)
    text = json.dumps(schema).replace('"#/$defs/', '"#/components/schemas/Record/$defs/')
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _schemas() -> dict[str, Any]:
    record_with_provenance = copy.deepcopy(_record_schema())
    record_with_provenance["properties"]["provenance"] = {
        "type": "array", "items": _ref("Provenance")}
    record_with_provenance["required"] = [*record_with_provenance["required"], "provenance"]
    record_with_provenance["title"] = "A material's normalised record plus its provenance"
    # `$defs` stay under Record; this copy refers to them there.
    record_with_provenance.pop("$defs", None)
    term = {
        "type": "object",
        "additionalProperties": False,
        "required": ["id", "label"],
        "properties": {"id": {"type": "string"}, "label": _NULLABLE_STRING},
    }
    links = {
        "type": "object",
        "additionalProperties": False,
        "required": ["self", "html"],
        "properties": {
            "self": {"type": "string", "format": "uri", "description": "This material in the API"},
            "html": {"type": "string", "format": "uri", "description": "Its page on the site"},
        },
    }
    return {
        "Record": _record_schema(),
        "ResourceDetail": record_with_provenance,
        "Provenance": {
            "type": "object",
            "description": "One source's record of the material and when it was harvested.",
            "additionalProperties": False,
            "required": ["source", "oai_identifier", "datestamp", "harvested_at", "deleted"],
            "properties": {
                "source": {"type": "string", "description": "Name of the harvest source"},
                "oai_identifier": {"type": "string"},
                "datestamp": {**_DATE_TIME, "description": "The source's datestamp of the record"},
                "harvested_at": {**_DATE_TIME, "description": "When this repository last harvested it"},
                "deleted": {"type": "boolean", "description": "The source has deleted the record"},
                "title": {"type": ["string", "null"], "description": "The title in this source's own record"},
                "languages": {"type": "array", "items": {"type": "string"},
                              "description": "The languages this source's record gives"},
                "description": {"type": ["string", "null"],
                                "description": "The description in this source's own record, as text"},
            },
        },
        "Licence": {
            "type": "object",
            "additionalProperties": False,
            "required": ["code", "label", "url", "allows", "requires"],
            "properties": {
                "code": {"type": "string", "description": "NL-LOM copyright code, e.g. cc-by-sa-40"},
                "label": {"type": "string"},
                "url": {"type": ["string", "null"], "format": "uri"},
                "allows": {
                    "description": "What the licence allows; null when it cannot be read",
                    "oneOf": [
                        {"type": "null"},
                        {
                            "type": "object",
                            "additionalProperties": False,
                            "required": [p.value for p in Permission],
                            "properties": {p.value: {"type": "boolean"} for p in Permission},
                        },
                    ],
                },
                "requires": {
                    "type": "array",
                    "items": {"enum": [c.value for c in Condition]},
                },
            },
        },
        "Term": term,
        "Links": links,
        "ResultItem": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "title", "title_html", "description", "description_html", "url",
                         "licence", "contexts", "educational_levels", "disciplines",
                         "learning_resource_types", "languages", "sources", "updated_at", "date",
                         "links"],
            "properties": {
                "id": {"type": "string"},
                "title": {"type": "string", "description": "Plain text"},
                "title_html": {
                    "type": "string",
                    "description": "The title, HTML-escaped, with <mark> around matched words",
                },
                "description": {
                    **_NULLABLE_STRING,
                    "description": "Plain-text snippet of the description (matched part or start)",
                },
                "description_html": {
                    **_NULLABLE_STRING,
                    "description": "The snippet, HTML-escaped, with <mark> around matched words",
                },
                "url": {"type": ["string", "null"], "description": "The material itself"},
                "licence": {"oneOf": [{"type": "null"}, _ref("Licence")]},
                "contexts": {"type": "array", "items": {"type": "string"}},
                "educational_levels": {"type": "array", "items": _ref("Term")},
                "disciplines": {"type": "array", "items": _ref("Term")},
                "learning_resource_types": {"type": "array", "items": {"type": "string"}},
                "languages": {"type": "array", "items": {"type": "string"}},
                "sources": {"type": "array", "items": {"type": "string"}},
                "updated_at": _DATE_TIME,
                "date": {
                    "description": "The material's own date (what results show and `sort=newest` "
                                   "orders by), written as precisely as the source gave it; "
                                   "`updated_at` is when this repository last changed the record",
                    "oneOf": [{"type": "null"}, {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["date", "kind", "precision"],
                        "properties": {
                            "date": {"type": "string",
                                     "pattern": r"^\d{4}(-\d{2}(-\d{2})?)?$",
                                     "description": "YYYY, YYYY-MM or YYYY-MM-DD, by precision"},
                            "kind": {
                                "enum": [kind.value for kind in DateKind],
                                "description": "published: the lifecycle publication date; "
                                               "changed: a later lifecycle date or the source's "
                                               "datestamp; stored: nothing from the source, when "
                                               "it last changed here",
                            },
                            "precision": {"enum": [p.value for p in DatePrecision]},
                        },
                    }],
                },
                "links": _ref("Links"),
            },
        },
        "FacetValue": {
            "type": "object",
            "additionalProperties": False,
            "required": ["value", "count", "label"],
            "properties": {
                "value": {"type": "string", "description": "Use it as a filter value"},
                "count": {"type": "integer", "minimum": 0},
                "label": {**_NULLABLE_STRING, "description": "Name of an OBK term or licence"},
            },
        },
        "SearchResponse": {
            "type": "object",
            "additionalProperties": False,
            "required": ["total", "page", "size", "items", "facets", "next_search_after",
                         "did_you_mean", "relaxed", "all_words", "corrected", "recognised",
                         "links"],
            "properties": {
                "total": {"type": "integer", "minimum": 0},
                "page": {"type": ["integer", "null"], "minimum": 1,
                         "description": "null when paging with search_after"},
                "size": {"type": "integer", "minimum": 1},
                "items": {"type": "array", "items": _ref("ResultItem")},
                "facets": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": list(FACET_FIELDS),
                    "properties": {
                        name: {"type": "array", "items": _ref("FacetValue")} for name in FACET_FIELDS
                    },
                },
                "next_search_after": {
                    **_NULLABLE_STRING,
                    "description": "Cursor for the next page; null on the last page",
                },
                "did_you_mean": {
                    **_NULLABLE_STRING,
                    "description": "A corrected q that finds materials, when this one found none",
                },
                "relaxed": {
                    "type": "boolean",
                    "description": "True when all the words of q found nothing or too little "
                                   "(fewer than 3) and these results match most of them (all but "
                                   "one from three words on, one of two); phrases and exclusions "
                                   "still hold. See all_words",
                },
                "all_words": {
                    "type": "integer",
                    "minimum": 0,
                    "description": "When relaxed: how many results, first in the list, match every "
                                   "word of q (0 when all of them found nothing); the rest match "
                                   "most of them",
                },
                "corrected": {
                    **_NULLABLE_STRING,
                    "description": "The spelling correction of q these results are for, when q as "
                                   "typed found nothing; add no_correction=1 to search q as typed",
                },
                "recognised": {
                    "type": "array",
                    "description": "Sector, level, groep and subject words of q searched as filters "
                                   "(the rest of q searches the text); give `literal=<key>` to search "
                                   "one as text, `literal=*` for all.",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["key", "kind", "text", "label", "filters"],
                        "properties": {
                            "key": {"type": "string"},
                            "kind": {"enum": ["sector", "level", "groep", "subject"]},
                            "text": {"type": "string", "description": "The words as typed"},
                            "label": {"type": "string", "description": "Its name, in Dutch"},
                            "filters": {
                                "type": "object",
                                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                            },
                        },
                    },
                },
                "links": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["self", "next"],
                    "properties": {
                        "self": {"type": "string", "format": "uri"},
                        "next": {"type": ["string", "null"], "format": "uri"},
                    },
                },
            },
        },
        "SuggestResponse": {
            "type": "object",
            "additionalProperties": False,
            "required": ["query", "suggestions"],
            "properties": {
                "query": {"type": "string"},
                "suggestions": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["text", "id", "links"],
                        "properties": {
                            "text": {"type": "string"},
                            "id": {"type": "string"},
                            "links": _ref("Links"),
                        },
                    },
                },
            },
        },
        **_licence_check_schemas(),
        **_comparison_schemas(),
        "Error": {
            "type": "object",
            "additionalProperties": False,
            "required": ["error"],
            "properties": {
                "error": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["status", "title", "detail"],
                    "properties": {
                        "status": {"type": "integer"},
                        "title": {"type": "string"},
                        "detail": {"type": "string"},
                        "problems": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "additionalProperties": False,
                                "required": ["parameter", "message"],
                                "properties": {
                                    "parameter": {"type": "string"},
                                    "message": {"type": "string"},
                                },
                            },
                        },
                    },
                },
            },
        },
    }


def _licence_check_schemas() -> dict[str, Any]:
    finding = {
        "type": "object",
        "additionalProperties": False,
        "required": ["part", "code", "message", "message_nl", "message_en", "conflicts_with"],
        "properties": {
            "part": {"type": "integer", "minimum": 0, "description": "Index of the part in `parts`"},
            "code": {"enum": [c.value for c in CheckCode]},
            "message": {"type": "string", "description": "In the request's language (Dutch by default)"},
            "message_nl": {"type": "string"},
            "message_en": {"type": "string"},
            "conflicts_with": {
                "type": "array", "items": {"type": "integer", "minimum": 0},
                "description": "For a conflict: the other adapted parts it cannot be combined with",
            },
        },
    }
    return {
        "LicenceCheckRequest": {
            "type": "object",
            "additionalProperties": False,
            "required": ["parts"],
            "properties": {
                "parts": {
                    "type": "array",
                    "maxItems": MAX_PARTS,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["licence", "use"],
                        "properties": {
                            "licence": {
                                "type": "string", "minLength": 1, "maxLength": MAX_LICENCE_LENGTH,
                                "description": "NL-LOM copyright code (cc-by-sa-40, cc0-10, yes, no, "
                                               "...); an unknown code may only be linked to",
                            },
                            "use": {"enum": [u.value for u in Use],
                                    "description": "include: unchanged; adapt: changed"},
                        },
                    },
                },
            },
        },
        "LicenceCheck": {
            "type": "object",
            "additionalProperties": False,
            "required": ["allowed", "recommended", "problems", "notices"],
            "properties": {
                "allowed": {
                    "type": "array",
                    "items": {"enum": list(rules_table().candidates)},
                    "description": "Licences the arrangement may carry, most open first; "
                                   "empty when a problem makes it impossible",
                },
                "recommended": {
                    "oneOf": [{"type": "null"}, {"enum": list(rules_table().candidates)}],
                    "description": "The most open allowed licence",
                },
                "problems": {"type": "array", "items": finding,
                             "description": "Parts that make the arrangement impossible"},
                "notices": {"type": "array", "items": finding,
                            "description": "Parts that may only be linked to (code link-only)"},
            },
        },
    }


def _publishing_schemas() -> dict[str, Any]:
    strings = {"type": "array", "items": {"type": "string"}}
    ids = {"type": "array", "items": {"type": "string"}, "description": "Term ids (OBK or SLO UUIDs)"}
    problem = {
        "type": "object",
        "additionalProperties": False,
        "required": ["field", "code", "message", "message_nl", "message_en"],
        "properties": {
            "field": {"type": "string", "description": "The member of the body the problem is about"},
            "code": {"type": "string", "description": "required, invalid, invalid-url, unknown-value, "
                                                      "unknown-field, too-long, too-many, not-changeable"},
            "message": {"type": "string", "description": "In the request's language"},
            "message_nl": {"type": "string"},
            "message_en": {"type": "string"},
        },
    }
    return {
        "Submission": {
            "type": "object",
            "description": "The fields of the record a publisher sets (Record's JSON names). Which are required "
                           "follows NL-LOM: title, languages, aggregation_level, end_user_roles, licence and "
                           "location always; contexts, disciplines and educational_levels for aggregation "
                           "level 3 or 4; typical_age_range for po, vo, so and mbo. `organisation` and "
                           "`identifier` only when creating.",
            "properties": {
                "organisation": {"type": "string", "description": "Slug of the organisation to publish for; "
                                                                  "leave out to publish in your own name"},
                "identifier": {"type": "string", "maxLength": EXTERNAL_ID_LENGTH,
                               "description": "Your own id: posting it again updates that material"},
                "title": {"type": "string"}, "description": {"type": ["string", "null"]},
                "keywords": strings, "languages": strings,
                "location": {"type": ["string", "null"], "description": "An http(s) URL"},
                "aggregation_level": {"type": "integer", "minimum": 1, "maximum": 4},
                "learning_resource_types": strings, "end_user_roles": strings, "contexts": strings,
                "educational_levels": ids, "disciplines": ids, "educational_objectives": ids,
                "typical_age_range": {"type": ["string", "null"], "examples": ["8-12", "16-"]},
                "typical_learning_time": {"type": ["integer", "null"], "description": "Minutes"},
                "licence": {"enum": list(PUBLISHABLE_LICENCES)},
                "authors": strings,
            },
        },
        "Published": {
            "type": "object",
            "additionalProperties": False,
            "required": ["id", "version", "changed", "state", "record", "links"],
            "properties": {
                "id": {"type": "string"},
                "version": {"type": "integer", "minimum": 1},
                "changed": {"type": "boolean", "description": "false when nothing changed (no new version)"},
                "state": {"enum": ["published"]},
                "record": _ref("Record"),
                "links": _ref("Links"),
            },
        },
        "SubmissionError": {
            "type": "object",
            "additionalProperties": False,
            "required": ["error"],
            "properties": {"error": {
                "type": "object",
                "additionalProperties": False,
                "required": ["status", "title", "detail", "problems"],
                "properties": {
                    "status": {"const": 422}, "title": {"type": "string"}, "detail": {"type": "string"},
                    "problems": {"type": "array", "items": problem, "minItems": 1},
                },
            }},
        },
    }


def _annotation_schemas() -> dict[str, Any]:
    roles = [role.value for role in AnnotatorRole]
    annotation = {
        "type": "object", "additionalProperties": False,
        "required": ["id", "criterion", "current_criterion", "value", "role", "justification", "framework_version",
                     "date", "annotator", "state", "reply", "reply_date"],
        "properties": {
            "id": {"type": "integer"},
            "criterion": {"type": "string", "description": "As annotated, under `framework_version`"},
            "current_criterion": {"type": ["string", "null"],
                                  "description": "Its id in the current version (null: that version dropped it)"},
            "value": {"type": "string"}, "role": {"enum": roles},
            "justification": {"type": ["string", "null"]}, "framework_version": {"type": "string"},
            "date": {"type": "string", "format": "date-time"}, "annotator": {"type": "string"},
            "state": {"enum": [state.value for state in ModerationState]},
            "reply": {"type": ["string", "null"], "description": "The author's one reply"},
            "reply_date": {"type": ["string", "null"], "format": "date-time"},
        },
    }
    return {
        "Annotation": annotation,
        "AnnotationList": {
            "type": "object", "required": ["resource", "framework_version", "annotations", "links"],
            "properties": {
                "resource": {"type": "string"}, "framework_version": {"type": "string"},
                "annotations": {"type": "array", "items": _ref("Annotation")},
                "links": {"type": "object", "required": ["html"],
                          "properties": {"html": {"type": "string", "format": "uri"}}},
            },
        },
        "AnnotationInput": {
            "type": "object", "additionalProperties": False, "required": ["criterion", "value", "role"],
            "properties": {
                "criterion": {"type": "string", "description": "A criterion id of the current framework version"},
                "value": {"type": "string", "description": "A value of the criterion's scale"},
                "role": {"enum": roles},
                "justification": {"type": ["string", "null"],
                                  "description": "Required for the lowest value of an ordinal scale"},
            },
        },
    }


def _arrangement_schemas() -> dict[str, Any]:
    nullable_int = {"type": ["integer", "null"]}
    finding = {"type": "object", "required": ["part", "code", "message"],
               "properties": {"part": {"type": "integer"}, "code": {"type": "string"}, "message": {"type": "string"}}}
    part_in = {
        "type": "object", "required": ["use"],
        "properties": {
            "use": {"enum": ["include", "adapt", "page"]},
            "resource": {"type": "string", "description": "The material's id (include, adapt)"},
            "title": {"type": "string"}, "body": {"type": "string", "description": "Markdown (adapt, page)"},
        },
    }
    return {
        "ArrangementInput": {
            "type": "object", "required": ["title", "sections"],
            "properties": {
                "title": {"type": "string"}, "description": {"type": ["string", "null"]},
                "organisation": {"type": "string", "description": "Slug; only when creating"},
                "licence": {"type": "string", "description": "One of the licences the parts allow"},
                "keywords": {"type": "array", "items": {"type": "string"}},
                "publish": {"type": "boolean", "description": "Publish it now (default false)"},
                **{name: {"description": "Overrides what the parts give (the record's field, as in Submission)"}
                   # What the remix service lets an arrangement set, but for licence and keywords above.
                   for name in sorted(SETTABLE - {"licence", "keywords"})},
                "sections": {"type": "array", "minItems": 1, "items": {
                    "type": "object", "required": ["title"],
                    "properties": {"title": {"type": "string"}, "parts": {"type": "array", "items": part_in}},
                }},
            },
        },
        "Arrangement": {
            "type": "object", "additionalProperties": False,
            "required": ["id", "state", "version", "title", "description", "made_by", "based_on", "licence",
                         "sections", "attribution", "links"],
            "properties": {
                "id": {"type": "string"}, "state": {"enum": ["draft", "published", "withdrawn"]},
                "version": {"type": "integer"}, "title": {"type": "string"},
                "description": {"type": ["string", "null"]}, "made_by": {"type": ["string", "null"]},
                "based_on": {"type": ["string", "null"], "description": "The arrangement it was forked from"},
                "licence": {
                    "type": "object", "required": ["current", "recommended", "allowed", "problems"],
                    "properties": {
                        "current": {"type": ["string", "null"]}, "recommended": {"type": ["string", "null"]},
                        "allowed": {"type": "array", "items": {"type": "string"}},
                        "problems": {"type": "array", "items": finding},
                    },
                },
                "sections": {"type": "array", "items": {
                    "type": "object", "required": ["title", "parts"],
                    "properties": {"title": {"type": "string"}, "parts": {"type": "array", "items": {
                        "type": "object",
                        "required": ["id", "use", "resource", "title", "licence", "learning_time", "status",
                                     "attribution", "url"],
                        "properties": {
                            "id": {"type": "integer"}, "use": {"enum": ["include", "adapt", "page"]},
                            "resource": {"type": ["string", "null"]}, "title": {"type": "string"},
                            "licence": {"type": ["string", "null"]}, "learning_time": nullable_int,
                            "status": {"enum": ["ok", "changed", "unavailable"]},
                            "attribution": {"type": ["string", "null"]},
                            "url": {"type": "string", "format": "uri"},
                        },
                    }}},
                }},
                "attribution": {"type": "array", "items": {"type": "string"}},
                "links": {"type": "object", "required": ["self", "html", "export_html", "export_imscp"],
                          "properties": {name: {"type": "string", "format": "uri"}
                                         for name in ("self", "html", "export_html", "export_imscp")}},
            },
        },
    }


def _account_schemas() -> dict[str, Any]:
    nullable_int = {"type": ["integer", "null"]}
    return {"Me": {
        "type": "object",
        "required": ["id", "display_name", "email", "roles", "memberships", "token"],
        "properties": {
            "id": {"type": "integer"},
            "display_name": _NULLABLE_STRING,
            "email": _NULLABLE_STRING,
            "roles": {"type": "array", "items": {
                "type": "object", "required": ["role", "discipline"],
                "properties": {"role": {"enum": ["beheerder", "redactie", "vakexpert"]},
                               "discipline": _NULLABLE_STRING},
            }},
            "memberships": {"type": "array", "items": {
                "type": "object", "required": ["organisation", "name", "role"],
                "properties": {"organisation": {"type": "string"}, "name": {"type": "string"},
                               "role": {"enum": ["lid", "redacteur", "beheerder"]}},
            }},
            "token": {"type": "object", "required": ["id", "scopes", "organisation"], "properties": {
                "id": nullable_int,
                "scopes": {"type": "array", "items": {"enum": ["publish", "annotate", "curate"]}},
                "organisation": nullable_int,
            }},
        },
    }}


def _comparison_schemas() -> dict[str, Any]:
    """`GET /compare`: two to four materials side by side (`web.discovery.compare`)."""
    terms = {"type": "array", "items": {"type": "object", "required": ["id", "label"], "properties": {
        "id": {"type": "string"}, "label": {"type": ["string", "null"]}}}}
    strings = {"type": "array", "items": {"type": "string"}}
    aspects = ["sector", "level", "subject", "objectives", "material_type", "learning_time", "licence",
               "permissions", "languages", "completeness", "used_in", "source", "date"]
    material = {
        "type": "object",
        "required": ["id", "title", "url", "contexts", "educational_levels", "disciplines", "licence",
                     "languages", "completeness", "used_in_arrangements", "origin", "sources", "updated_at"],
        "properties": {
            "id": {"type": "string"}, "title": {"type": "string"}, "url": {"type": "string", "format": "uri"},
            "contexts": strings, "educational_levels": terms, "typical_age_range": {"type": ["string", "null"]},
            "disciplines": terms, "educational_objectives": terms, "learning_resource_types": strings,
            "typical_learning_time": {"type": ["integer", "null"], "description": "Seconds"},
            "licence": {"oneOf": [{"type": "null"}, {"type": "object", "required": ["code", "allows"]}]},
            "languages": strings,
            "completeness": {"type": "number", "minimum": 0, "maximum": 1},
            "used_in_arrangements": {"type": "integer", "minimum": 0},
            "origin": {"enum": ["harvested", "published", "arranged"]},
            "sources": strings,
            "updated_at": {"type": "string", "format": "date-time"},
        },
    }
    return {"Comparison": {
        "type": "object",
        "additionalProperties": False,
        "required": ["ids", "materials", "differs", "quality"],
        "properties": {
            "ids": strings,
            "materials": {"type": "array", "minItems": 2, "maxItems": 4, "items": material},
            "differs": {"type": "object", "description": "Per aspect: whether the materials differ in it",
                        "required": aspects, "properties": {name: {"type": "boolean"} for name in aspects}},
            "quality": {"type": "array", "description": "Per criterion and role: the values each material was given",
                        "items": {"type": "object", "required": ["criterion", "framework_version", "role", "differs",
                                                                 "values"],
                                  "properties": {
                                      "criterion": {"type": "string"}, "framework_version": {"type": "string"},
                                      "role": {"type": "string"}, "differs": {"type": "boolean"},
                                      "values": {"type": "array", "description": "Per material: value -> count, or null",
                                                 "items": {"type": ["object", "null"],
                                                           "additionalProperties": {"type": "integer"}}}}}},
        },
    }}


def _insight_schemas() -> dict[str, Any]:
    """`GET /insights…`: the aggregates of /inzicht (`web.insights.api`); counts only, no personal data."""
    cell = {"type": ["string", "integer", "number", "boolean", "null"]}
    return {
        "InsightIndex": {
            "type": "object", "additionalProperties": False, "required": ["figures", "snapshots"],
            "properties": {
                "figures": {"type": "array", "items": {
                    "type": "object", "required": ["name", "public", "json", "csv"],
                    "properties": {"name": {"enum": [name.value for name in FigureName]},
                                   "public": {"type": "boolean",
                                              "description": "False: for a platform role only"},
                                   "json": {"type": "string"}, "csv": {"type": "string"}}}},
                "snapshots": {"type": "array", "description": "Dates of the stored snapshots, newest first",
                              "items": {"type": "string", "format": "date"}},
            },
        },
        "InsightFigure": {
            "type": "object", "additionalProperties": False, "required": ["name", "computed_at", "columns", "rows"],
            "properties": {
                "name": {"enum": [name.value for name in FigureName]},
                "computed_at": _DATE_TIME,
                "columns": {"type": "array", "items": {"type": "string"}},
                "rows": {"type": "array", "description": "One object per row, keyed by `columns`; with `van`, "
                                                         "each numeric column as `X_then`, `X_now`, `X_change`",
                         "items": {"type": "object", "additionalProperties": cell}},
            },
        },
    }


def _error(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": _ref("Error")}}}


def _ok(description: str, schema: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": _ref(schema)}}}


def _filter_parameter(name: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": (
            f"Only materials with this `{name}` value (a facet value); repeat to allow several "
            "(OR); different filters combine with AND."
        ),
        "schema": {"type": "array", "items": {"type": "string", "minLength": 1}},
        "style": "form",
        "explode": True,
    }


@cache
def _document() -> str:
    figure_parameter = {"name": "name", "in": "path", "required": True,
                        "schema": {"enum": [name.value for name in FigureName]}}
    van_parameter = {"name": "van", "in": "query", "required": False,
                     "description": "A date (YYYY-MM-DD): the figure now against the snapshot of that date "
                                    "or the latest before it",
                     "schema": {"type": "string", "format": "date"}}
    organisation_parameter = {"name": "organisation", "in": "query", "required": False,
                              "description": "An organisation's id or slug: a public figure computed for its "
                                             "materials only (harvested from its sources, published in its "
                                             "name); a platform role only; not with `van`",
                              "schema": {"type": "string", "minLength": 1}}
    insight_parameters = [figure_parameter, van_parameter, organisation_parameter]
    insight_responses = {
        "200": _ok("The figure", "InsightFigure"),
        "400": _error("`van` is not a date, or `organisation` with `van` or with an operators' figure"),
        "401": _error("An operators' figure or `organisation`, and no one signed in (or no API token)"),
        "403": _error("An operators' figure or `organisation`, and no platform role"),
        "404": _error("No figure of that name, no snapshot on or before `van`, or no such organisation"),
    }
    document: dict[str, Any] = {
        "openapi": OPENAPI_VERSION,
        "info": {
            "title": "OER repository API",
            "version": API_VERSION,
            "summary": "Search open learning materials for Dutch education and read their records.",
            "description": (
                "JSON API of the catalogue: search and read materials, publish your own with an API "
                "token (`publish` scope), and check licences (a computation that stores nothing). Records are normalised NL-LOM "
                "(`Record` is the same JSON `oer normalize` prints). Filters and facets use the "
                "field names of the search index; their values are vocabulary codes and OBK ids."
            ),
            "license": {"name": "MIT", "identifier": "MIT"},
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/resources": {
                "get": {
                    "operationId": "searchResources",
                    "summary": "Search materials",
                    "parameters": [
                        {"name": "q", "in": "query", "required": False,
                         "description": 'Search words (all must match; when none match, most '
                                        'of them, see `relaxed`), "quoted phrases" and '
                                        "-excluded words or phrases.",
                         "schema": {"type": "string", "maxLength": MAX_TEXT_LENGTH}},
                        *(_filter_parameter(name) for name in FACET_FIELDS),
                        {"name": "sort", "in": "query", "required": False,
                         "schema": {"enum": [o.value for o in SortOrder], "default": "relevance"}},
                        {"name": "page", "in": "query", "required": False,
                         "description": "Page number (not with search_after); pages end at result 10000.",
                         "schema": {"type": "integer", "minimum": 1, "default": 1}},
                        {"name": "size", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": MAX_API_PAGE_SIZE,
                                    "default": DEFAULT_PAGE_SIZE}},
                        {"name": "search_after", "in": "query", "required": False,
                         "description": "Cursor from `next_search_after`, for deep paging "
                                        "(not with page).",
                         "schema": {"type": "string", "minLength": 1}},
                        {"name": "no_correction", "in": "query", "required": False,
                         "description": "1: search q as typed, never a spelling correction of it "
                                        "(see `corrected`).",
                         "schema": {"enum": ["0", "1"], "default": "0"}},
                        {"name": "literal", "in": "query", "required": False,
                         "description": "The key of a `recognised` word to search as text instead "
                                        "of as a filter (repeatable), or `*` for every word.",
                         "schema": {"type": "array", "items": {"type": "string"}},
                         "style": "form", "explode": True},
                    ],
                    "responses": {
                        "200": _ok("One page of results with facet counts", "SearchResponse"),
                        "400": _error("A bad or unknown parameter (every problem is listed)"),
                        "503": _error("The search index is unavailable; retry later"),
                    },
                },
                "post": {
                    "operationId": "publishResource",
                    "summary": "Publish a material (or update the one with the same `identifier`)",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": _ref("Submission")}}},
                    "responses": {
                        "201": {**_ok("Published; `Location` is the material's API URL", "Published"),
                                "headers": {"Location": {"schema": {"type": "string", "format": "uri"}}}},
                        "200": _ok("The material with this `identifier` was updated", "Published"),
                        "400": _error("The body is not a JSON object"),
                        "401": _error("No token, or an unknown or revoked one"),
                        "403": _error("The token lacks `publish`, or may not publish for the organisation"),
                        "409": _error("The material with this `identifier` was withdrawn"),
                        "413": _error(f"The body is larger than {PUBLISH_BODY_BYTES} bytes"),
                        "422": {"description": "Every problem with the material",
                                "content": {"application/json": {"schema": _ref("SubmissionError")}}},
                        "429": _error("Too many writes with this token; see Retry-After"),
                    },
                },
            },
            "/resources/{id}/annotations": {
                "get": {
                    "operationId": "listAnnotations",
                    "summary": "A material's quality annotations (approved ones), newest first",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": _ok("The annotations and the current framework version", "AnnotationList"),
                        "404": _error("No live material with this id"),
                    },
                },
                "post": {
                    "operationId": "annotate",
                    "summary": "Annotate one criterion of a material in a role (replaces your earlier one)",
                    "security": [{"bearer": []}],
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": _ref("AnnotationInput")}}},
                    "responses": {
                        "201": _ok("The annotation as stored; `state` is `pending` when it waits for the redactie",
                                   "Annotation"),
                        "401": _error("No token, or an unknown or revoked one"),
                        "403": _error("The token lacks `annotate`, or its user may not annotate in this role"),
                        "404": _error("No live material with this id"),
                        "413": _error(f"The body is larger than {ANNOTATION_BODY_BYTES} bytes"),
                        "422": _ok("Every problem with the annotation (criterion, value, role, justification)",
                                   "SubmissionError"),
                        "429": _error("Too many writes with this token; see Retry-After"),
                    },
                },
            },
            "/resources/{id}": {
                "get": {
                    "operationId": "getResource",
                    "summary": "A material's normalised record and provenance",
                    "parameters": [
                        {"name": "id", "in": "path", "required": True,
                         "description": "The material's id (an identifier or URL of it redirects).",
                         "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": _ok("The record, plus `provenance`", "ResourceDetail"),
                        "301": {"description": "Redirect to the material's canonical id"},
                        "404": _error("No material with this id"),
                        "410": _error("The material has been withdrawn"),
                        "503": _error("The database is unavailable; retry later"),
                    },
                },
                "put": {
                    "operationId": "updateResource",
                    "summary": "Publish a new version of a material published here",
                    "security": [{"bearer": []}],
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": _ref("Submission")}}},
                    "responses": {
                        "200": _ok("The new version (or, with `changed: false`, the same one)", "Published"),
                        "400": _error("The body is not a JSON object"),
                        "401": _error("No token, or an unknown or revoked one"),
                        "403": _error("The token lacks `publish`, or may not change this material"),
                        "404": _error("No material with this id was published here"),
                        "409": _error("The material was withdrawn"),
                        "422": {"description": "Every problem with the material",
                                "content": {"application/json": {"schema": _ref("SubmissionError")}}},
                        "429": _error("Too many writes with this token; see Retry-After"),
                    },
                },
                "delete": {
                    "operationId": "withdrawResource",
                    "summary": "Withdraw a material published here (the feed shows it deleted)",
                    "security": [{"bearer": []}],
                    "parameters": [
                        {"name": "id", "in": "path", "required": True, "schema": {"type": "string"}},
                        {"name": "reason", "in": "query", "required": False, "schema": {"type": "string"},
                         "description": "Shown on the material's page"},
                    ],
                    "responses": {
                        "204": {"description": "Withdrawn"},
                        "401": _error("No token, or an unknown or revoked one"),
                        "403": _error("The token lacks `publish`, or may not change this material"),
                        "404": _error("No material with this id was published here"),
                        "409": _error("The material was withdrawn already"),
                        "429": _error("Too many writes with this token; see Retry-After"),
                    },
                },
            },
            "/suggest": {
                "get": {
                    "operationId": "suggest",
                    "summary": "Titles completing typed text (for a search box)",
                    "parameters": [
                        {"name": "q", "in": "query", "required": False, "schema": {"type": "string"},
                         "description": "The typed text; fewer than 2 characters suggest nothing"},
                        {"name": "size", "in": "query", "required": False,
                         "schema": {"type": "integer", "minimum": 1, "maximum": 20, "default": 8}},
                    ],
                    "responses": {
                        "200": _ok("Up to `size` suggestions", "SuggestResponse"),
                        "400": _error("A bad or unknown parameter"),
                        "503": _error("The search index is unavailable; retry later"),
                    },
                }
            },
            "/compare": {
                "get": {
                    "operationId": "compareMaterials",
                    "summary": "Two to four materials side by side, and where they differ",
                    "description": "The JSON form of the site's `/vergelijk?ids=a,b,c`.",
                    "parameters": [
                        {"name": "ids", "in": "query", "required": True,
                         "description": "Two to four material ids, comma-separated, each once",
                         "schema": {"type": "string"}},
                    ],
                    "responses": {
                        "200": _ok("The comparison", "Comparison"),
                        "400": _error("Fewer than 2 or more than 4 materials, or one named twice"),
                        "404": _error("An id names no material here, or a withdrawn one"),
                    },
                }
            },
            "/licences/check": {
                "post": {
                    "operationId": "checkLicences",
                    "summary": "Which licences an arrangement of parts may carry",
                    "description": (
                        "Public, no token. Creative Commons' rules: included parts keep their own "
                        "licence; `yes` and unknown licences may only be linked to; ND parts may not "
                        "be adapted; an adapted SA part forces the same licence (that version or "
                        "later), an adapted NC part an NC licence."
                    ),
                    "parameters": [
                        {"name": "Accept-Language", "in": "header", "required": False,
                         "description": "Language of `message` (nl or en; Dutch by default)",
                         "schema": {"type": "string"}},
                    ],
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": _ref("LicenceCheckRequest")}},
                    },
                    "responses": {
                        "200": _ok("The answer; an impossible combination has `allowed: []`",
                                   "LicenceCheck"),
                        "400": _error("The body is not JSON or not of the documented form "
                                      "(every problem is listed)"),
                        "413": _error(f"The body is larger than {MAX_BODY_BYTES} bytes"),
                    },
                }
            },
            "/arrangements": {
                "post": {
                    "operationId": "createArrangement",
                    "summary": "Make an arrangement of parts (and publish it with `publish: true`)",
                    "security": [{"bearer": []}],
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": _ref("ArrangementInput")}}},
                    "responses": {
                        "201": _ok("The arrangement, its licence and attribution", "Arrangement"),
                        "400": _error("The body is not of the documented form (every problem is listed)"),
                        "401": _error("No token, or an unknown or revoked one"),
                        "403": _error("The token lacks `publish`, or may not make arrangements"),
                        "404": _error("A part names a material that is not in the catalogue"),
                        "422": {"description": "A part may not be adapted, the parts cannot be shared together, "
                                               "or the record breaks NL-LOM's rules (then every problem is listed)",
                                "content": {"application/json": {"schema": {
                                    "oneOf": [_ref("Error"), _ref("SubmissionError")]}}}},
                        "429": _error("Too many writes with this token; see Retry-After"),
                    },
                },
            },
            "/arrangements/{id}": {
                "get": {
                    "operationId": "getArrangement",
                    "summary": "An arrangement: sections, parts with licence and use, its licence, attribution",
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "responses": {
                        "200": _ok("The arrangement (a draft only for a token of whoever may edit it)",
                                   "Arrangement"),
                        "404": _error("No arrangement with this id"),
                    },
                },
                "put": {
                    "operationId": "replaceArrangement",
                    "summary": "Replace an arrangement's details, sections and parts",
                    "security": [{"bearer": []}],
                    "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                    "requestBody": {"required": True,
                                    "content": {"application/json": {"schema": _ref("ArrangementInput")}}},
                    "responses": {
                        "200": _ok("The arrangement as it is now", "Arrangement"),
                        "400": _error("The body is not of the documented form (every problem is listed)"),
                        "401": _error("No token, or an unknown or revoked one"),
                        "403": _error("The token lacks `publish`, or may not change this arrangement"),
                        "404": _error("No such arrangement, or a part names an unknown material"),
                        "422": {"description": "A part may not be adapted, the parts cannot be shared together, "
                                               "or the record breaks NL-LOM's rules (then every problem is listed)",
                                "content": {"application/json": {"schema": {
                                    "oneOf": [_ref("Error"), _ref("SubmissionError")]}}}},
                        "429": _error("Too many writes with this token; see Retry-After"),
                    },
                },
            },
            "/me": {
                "get": {
                    "operationId": "me",
                    "summary": "Who the API token stands for: user, roles, memberships, token scopes",
                    "security": [{"bearer": []}],
                    "responses": {
                        "200": _ok("The token's user and what the token may do", "Me"),
                        "401": _error("No token, or an unknown or revoked one"),
                    },
                }
            },
            **demand_paths(),
            "/insights": {
                "get": {
                    "operationId": "listInsights",
                    "summary": "The figures of /inzicht and the dates of their snapshots",
                    "responses": {"200": _ok("Every figure with its downloads", "InsightIndex")},
                }
            },
            "/insights/{name}": {
                "get": {
                    "operationId": "getInsight",
                    "summary": "One figure as JSON (`harvest-health`, `organisations` and `organisation`: a platform role only)",
                    "parameters": insight_parameters,
                    "responses": insight_responses,
                }
            },
            "/insights/{name}.json": {
                "get": {
                    "operationId": "downloadInsightJson",
                    "summary": "The same JSON, as a file to save",
                    "parameters": insight_parameters,
                    "responses": insight_responses,
                }
            },
            "/insights/{name}.csv": {
                "get": {
                    "operationId": "downloadInsightCsv",
                    "summary": "One figure as CSV: a header row of `columns`, then the rows",
                    "parameters": insight_parameters,
                    "responses": {**insight_responses,
                                  "200": {"description": "The figure as CSV", "content": {"text/csv": {}}}},
                }
            },
            "/openapi.json": {
                "get": {
                    "operationId": "openapi",
                    "summary": "This document",
                    "responses": {"200": {"description": "The OpenAPI document",
                                          "content": {"application/json": {}}}},
                }
            },
        },
        "components": {
            "schemas": {**_schemas(), **_account_schemas(), **_publishing_schemas(), **_arrangement_schemas(),
                        **_annotation_schemas(), **demand_schemas(), **_insight_schemas()},
            "securitySchemes": {"bearer": {
                "type": "http", "scheme": "bearer",
                "description": "An API token made on /account/sleutels or with `oer tokens create`",
            }},
        },
    }
    return json.dumps(document)


def openapi_document() -> dict[str, Any]:
    """The OpenAPI 3.1 document of /api/v1 (a fresh copy)."""
    loaded: dict[str, Any] = json.loads(_document())
    return loaded
