"""Scenario overrides of calibration items, merged by item id."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..calibration import Calibration
from ..errors import ScenarioError

__all__ = ["apply_overrides", "merge_override", "check_identity", "new_item", "IDENTITY"]

#: What makes a shipped item the item it is: an override may change anything else. A scenario item giving other
#: values here is a different item and needs an id of its own.
IDENTITY = {"services": ("mode", "origin", "destination"), "facilities": ("node",)}


def apply_overrides(cal: Calibration, services: dict[str, dict[str, Any]], facilities: dict[str, dict[str, Any]],
                    costs: dict[str, Any], where: str) -> Calibration:
    """Calibration with scenario overrides merged in (by item id); errors name the scenario field.

    An id of a shipped item overrides it: a ``sources`` mapping adds to the item's sources; every other key
    replaces the item's value. Any other id adds a new item, which gives every required field (and a source for
    every number, as in the calibration file).
    """
    data = cal.model_dump(exclude_unset=True)
    for section, overrides in (("services", services), ("facilities", facilities)):
        index = {item["id"]: item for item in data[section]}
        for item_id, over in overrides.items():
            field = f"{where}: field '{section}.{item_id}"
            if not isinstance(over, dict):
                raise ScenarioError(f"{field}': expected a mapping of fields")
            if item_id not in index:
                data[section].append(new_item(section, item_id, over, field, sorted(index)))
                continue
            check_identity(section, index[item_id], over, field)
            index[item_id].update(merge_override(index[item_id], over, field))
    data["costs"] = merge_override(data["costs"], costs, f"{where}: field 'costs")
    try:
        return Calibration.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ScenarioError(f"{where}: override gives an invalid calibration at '{loc}': {first['msg']}") from None


def new_item(section: str, item_id: str, over: dict[str, Any], field: str, shipped: list[str]) -> dict[str, Any]:
    """A scenario's new calibration item from its fields (the id is the key it is given under). Fields that only
    override (none of ``IDENTITY``) under an unknown id are a typo of a shipped id, and are refused as such."""
    singular = section[:-1].replace("ie", "y")
    if not any(key in over for key in IDENTITY[section]):
        raise ScenarioError(f"{field}': no such {singular}; allowed: {', '.join(shipped)} (a new {singular} gives "
                            f"every field of one, including {', '.join(IDENTITY[section])})")
    if "id" in over and over["id"] != item_id:
        raise ScenarioError(f"{field}.id': the id is the key '{item_id}'; leave it out or give the same")
    return {**over, "id": item_id}


def check_identity(section: str, item: dict[str, Any], over: dict[str, Any], field: str) -> None:
    """Refuse an override that would turn shipped item ``item`` into another one (see ``IDENTITY``)."""
    for key in IDENTITY[section]:
        if key in over and over[key] != item.get(key):
            what = (f"{item.get('origin')} - {item.get('destination')} by {item.get('mode')}"
                    if section == "services" else f"at {item.get('node')}")
            raise ScenarioError(f"{field}.{key}': '{item['id']}' is a shipped {section[:-1].replace('ie', 'y')} "
                                f"({what}); an override may not change its {', '.join(IDENTITY[section])}: give a "
                                f"new {section[:-1].replace('ie', 'y')} an id of its own")


def merge_override(item: dict[str, Any], over: dict[str, Any], field: str) -> dict[str, Any]:
    """The item with a scenario's override merged in: ``sources`` and ``ranges`` add to the item's; every other
    key replaces the item's value. An overridden number needs its own source (the item's described the old value),
    and the old value's range no longer applies unless the override gives one. ``field`` names the override in
    errors (e.g. "scenario.yaml: field 'services.liner_innsa_irbnd")."""
    merged = dict(item)
    sources = dict(item.get("sources") or {})
    ranges = dict(item.get("ranges") or {})
    new_sources, new_ranges = over.get("sources", {}), over.get("ranges", {})
    for key, value in over.items():
        if key in ("sources", "ranges"):
            if not isinstance(value, dict):
                raise ScenarioError(f"{field}.{key}': expected a mapping of field name to {key[:-1]}")
            continue
        merged[key] = value
        if _numeric(value) and key not in new_sources:
            raise ScenarioError(f"{field}.{key}': an overridden number needs its own source; add "
                                f"sources: {{{key}: \"...\"}} to the override")
        if key not in new_ranges:
            ranges.pop(key, None)
    sources.update(new_sources)
    ranges.update(new_ranges)
    merged["sources"], merged["ranges"] = sources, ranges
    return merged


def _numeric(value: Any) -> bool:
    if isinstance(value, bool):
        return False
    if isinstance(value, (int, float)):
        return True
    if isinstance(value, dict):  # a distribution or a fleet block
        return any(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value.values())
    return isinstance(value, list) and any(isinstance(v, (int, float)) for v in value)
