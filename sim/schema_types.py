"""Pydantic field types shared by the calibration and scenario schemas."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, BeforeValidator, Field, PlainSerializer, WithJsonSchema

from .distributions import DIST_KINDS, Dist, parse_dist
from .limits import EARLIEST_DATE, LATEST_DATE, MAX_COST_USD

__all__ = ["DistField", "DIST_JSON_SCHEMA", "check_sources", "NO_BOOL", "RangeBound", "StudyDate", "no_bool",
           "base_of"]


def no_bool(v: Any) -> Any:
    """Refuse true/false where a number is expected (pydantic would read them as 1 and 0)."""
    if isinstance(v, bool):
        raise ValueError("expected a number, not true/false")
    return v


#: Refuses true/false where a number is expected; used as ``Annotated[float, NO_BOOL, Field(ge=..., le=...)]``
#: (inf and nan are refused by the models' config, fractional ints by pydantic).
NO_BOOL = BeforeValidator(no_bool)


#: A bound of a plausible range: every calibrated number is finite, non-negative and below a billion.
RangeBound = Annotated[float, NO_BOOL, Field(ge=0, lt=MAX_COST_USD)]

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _date_only(v: Any) -> Any:
    if isinstance(v, dt.datetime):
        raise ValueError("expected a date written YYYY-MM-DD, without a time")
    if isinstance(v, dt.date):
        return v
    if isinstance(v, str) and _ISO_DATE.match(v.strip()):
        try:
            return dt.date.fromisoformat(v.strip())
        except ValueError as exc:
            raise ValueError(f"not a calendar date: {exc}") from None
    raise ValueError(f"expected a date written YYYY-MM-DD, got {v!r}")


def _date_range(v: dt.date) -> dt.date:
    if not EARLIEST_DATE <= v <= LATEST_DATE:
        raise ValueError(f"{v} is outside the allowed range {EARLIEST_DATE} to {LATEST_DATE}")
    return v


#: A calendar date written YYYY-MM-DD between EARLIEST_DATE and LATEST_DATE (numbers are not read as timestamps).
StudyDate = Annotated[dt.date, BeforeValidator(_date_only), AfterValidator(_date_range),
                      WithJsonSchema({"type": "string", "format": "date",
                                      "description": f"YYYY-MM-DD, {EARLIEST_DATE} to {LATEST_DATE}"})]


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
                                          "mode": {"type": "number", "minimum": 0},
                                          "max": {"type": "number", "minimum": 0}},
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


def _is_numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float, Dist)):
        return True
    if isinstance(value, (list, tuple)):
        return bool(value) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
    if isinstance(value, dict):
        return bool(value) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())
    return isinstance(value, BaseModel)  # a nested block of numbers (e.g. a fleet)


def base_of(value: Any) -> float | None:
    """The number a range is checked against: the value, a distribution's mean, a fleet's units; None for lists
    and mappings (their range is a multiplier, checked against 1)."""
    if isinstance(value, Dist):
        return value.mean
    if isinstance(value, (int, float)):
        return float(value)
    units = getattr(value, "units", None)
    return float(units) if units is not None else None


def check_sources(item_id: str, values: dict[str, Any], sources: dict[str, str], exempt: set[str],
                  ranges: dict[str, tuple[float, float]] | None = None) -> None:
    """Raise ValueError unless every numeric or distribution field has a non-empty entry in ``sources``, and
    every source marked ASSUMPTION has a ``ranges`` entry [low, high] around the value (for a distribution, its
    mean; for a fleet, its units; for a list or mapping of numbers, a multiplier around 1)."""
    ranges = ranges or {}
    missing, unranged, bad = [], [], []
    for key, value in values.items():
        if key in exempt or key in ("sources", "ranges") or value is None or not _is_numeric(value):
            continue
        source = str(sources.get(key, "")).strip()
        if not source:
            missing.append(key)
        elif "ASSUMPTION" in source and key not in ranges:
            unranged.append(key)
        if key in ranges:
            low, high = ranges[key]
            base = base_of(value)
            value = 1.0 if base is None else base
            # a distribution scaled to a bound has that mean only to rounding (sensitivity analysis does this)
            if not low - 1e-9 * abs(low) <= value <= high + 1e-9 * abs(high):
                bad.append(f"ranges.{key} [{low:g}, {high:g}] must contain the value "
                           f"{1.0 if base is None else base:g}{' (a multiplier)' if base is None else ''}")
    # a range of a field the item does not give (a typo, or a field left at its default) would be swept by
    # sensitivity analysis without changing anything
    stray = [k for k in ranges if k not in exempt and (values.get(k) is None or not _is_numeric(values[k]))]
    if stray:
        raise ValueError(f"'{item_id}': ranges.{', ranges.'.join(stray)}: not a number given in this item; a range "
                         f"belongs to a field the item gives")
    if missing:
        raise ValueError(f"'{item_id}': every number needs a source; add sources.{', sources.'.join(missing)}")
    if unranged:
        wanted = ", ".join(f"ranges.{k}: [low, high]" for k in unranged)
        raise ValueError(f"'{item_id}': an ASSUMPTION needs a plausible range; add {wanted}")
    if bad:
        raise ValueError(f"'{item_id}': " + "; ".join(bad))
