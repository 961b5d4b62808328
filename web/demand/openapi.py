"""The demand endpoint's part of the OpenAPI document (`web.api.openapi` merges it). Pure; no I/O."""

from __future__ import annotations

from typing import Any

from web.demand.api import MAX_LIMIT


def demand_paths() -> dict[str, Any]:
    return {"/insights/demand": {"get": {
        "operationId": "demandGaps",
        "summary": "The most asked-for gaps: searches that find few or no materials",
        "description": ("Searches that found few or no materials, counted per day by normalised text, sector "
                        "and subject without who searched, summed over the retention period. A query appears "
                        "only once at least `threshold` searches asked it (k-anonymity)."),
        "parameters": [
            {"name": "limit", "in": "query", "required": False,
             "schema": {"type": "integer", "minimum": 1, "maximum": MAX_LIMIT, "default": 50}},
            {"name": "format", "in": "query", "required": False,
             "description": "`csv` for CSV (or ask for text/csv in Accept); JSON otherwise",
             "schema": {"enum": ["json", "csv"]}},
        ],
        "responses": {
            "200": {"description": "The gaps, most asked first",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/DemandGaps"}},
                                "text/csv": {"schema": {"type": "string"}}}},
            "400": {"description": "A bad limit",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
            "429": {"description": "Too many requests; see Retry-After",
                    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
        },
    }}}


def demand_schemas() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    gap = {"type": "object", "additionalProperties": False,
           "required": ["query", "sector", "subject", "searches", "empty", "first_day", "last_day"],
           "properties": {
               "query": {"type": "string", "description": "The search text, normalised"},
               "sector": {**nullable, "description": "The sector filter(s) searched with, comma-separated"},
               "subject": {**nullable, "description": "The subject filter(s) (OBK ids), comma-separated"},
               "searches": {"type": "integer", "minimum": 1},
               "empty": {"type": "integer", "minimum": 0, "description": "Of those, how many found nothing"},
               "first_day": {"type": "string", "format": "date"},
               "last_day": {"type": "string", "format": "date"},
           }}
    return {"DemandGaps": {
        "type": "object", "additionalProperties": False, "required": ["threshold", "retention_days", "gaps"],
        "properties": {"threshold": {"type": "integer", "minimum": 2},
                       "retention_days": {"type": "integer", "minimum": 1},
                       "gaps": {"type": "array", "items": gap}},
    }}
