"""Pydantic field types shared by the calibration and scenario schemas."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import BeforeValidator, PlainSerializer, WithJsonSchema

from .distributions import DIST_KINDS, Dist, parse_dist

__all__ = ["DistField", "DIST_JSON_SCHEMA", "check_sources"]


def _to_dist(v: Any) -> Dist:
    if isinstance(v, Dist):
        return v
    return parse_dist(v)


def _dist_to_plain(d: Dist) -> dict:
    if d.kind == "fixed":
        return {"dist": "fixed", "value": d.a}
    if d.kind == "uniform":
        return {"dist": "uniform", "min": d.a, "max": d.b}
    if d.kind == "triangular":
        return {"dist": "triangular", "min": d.a, "mode": d.c, "max": d.b}
    if d.kind == "exponential":
        return {"dist": "exponential", "mean": d.a}
    return {"dist": "lognormal", "mean": d.a, "cv": d.b}


DIST_JSON_SCHEMA = {
    "description": "A number (fixed) or a distribution: " + ", ".join(DIST_KINDS),
    "anyOf": [
        {"type": "number", "minimum": 0},
        {"type": "object", "properties": {"dist": {"const": "fixed"}, "value": {"type": "number", "minimum": 0}},
         "required": ["dist", "value"], "additionalProperties": False},
        {"type": "object", "properties": {"dist": {"const": "uniform"}, "min": {"type": "number", "minimum": 0},
                                          "max": {"type": "number", "minimum": 0}},
         "required": ["dist", "min", "max"], "additionalProperties": False},
        {"type": "object", "properties": {"dist": {"const": "triangular"}, "min": {"type": "number", "minimum": 0},
                                          "mode": {"type": "number", "minimum": 0}, "max": {"type": "number", "minimum": 0}},
         "required": ["dist", "min", "mode", "max"], "additionalProperties": False},
        {"type": "object", "properties": {"dist": {"const": "exponential"}, "mean": {"type": "number", "minimum": 0}},
         "required": ["dist", "mean"], "additionalProperties": False},
        {"type": "object", "properties": {"dist": {"const": "lognormal"}, "mean": {"type": "number", "minimum": 0},
                                          "cv": {"type": "number", "minimum": 0}},
         "required": ["dist", "mean", "cv"], "additionalProperties": False},
    ],
}

DistField = Annotated[
    Dist,
    BeforeValidator(_to_dist),
    PlainSerializer(_dist_to_plain, return_type=dict),
    WithJsonSchema(DIST_JSON_SCHEMA),
]


def check_sources(item_id: str, values: dict[str, Any], sources: dict[str, str], exempt: set[str]) -> None:
    """Raise ValueError unless every numeric or distribution field has a non-empty entry in ``sources``."""
    missing = []
    for key, value in values.items():
        if key in exempt or key == "sources" or value is None:
            continue
        numeric = isinstance(value, (int, float, Dist)) and not isinstance(value, bool)
        numeric = numeric or (isinstance(value, (list, tuple)) and bool(value)
                              and all(isinstance(v, (int, float)) for v in value))
        if numeric and not str(sources.get(key, "")).strip():
            missing.append(key)
    if missing:
        raise ValueError(f"'{item_id}': every number needs a source; add sources.{', sources.'.join(missing)}")
