"""Scenario overrides of calibration items, merged by item id."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..calibration import Calibration
from ..errors import ScenarioError

__all__ = ["apply_overrides", "merge_override"]


def apply_overrides(cal: Calibration, services: dict[str, dict[str, Any]], facilities: dict[str, dict[str, Any]],
                    costs: dict[str, Any], where: str) -> Calibration:
    """Calibration with scenario overrides merged in (by item id); errors name the scenario field.

    A ``sources`` mapping in an override adds to the item's sources; every other key replaces the item's value.
    """
    data = cal.model_dump(exclude_unset=True)
    for section, item_name, overrides in (("services", "service", services), ("facilities", "facility", facilities)):
        index = {item["id"]: item for item in data[section]}
        for item_id, over in overrides.items():
            if item_id not in index:
                raise ScenarioError(f"{where}: field '{section}.{item_id}': no such {item_name}; "
                                    f"allowed: {', '.join(sorted(index))}")
            if not isinstance(over, dict):
                raise ScenarioError(f"{where}: field '{section}.{item_id}': expected a mapping of field overrides")
            index[item_id].update(merge_override(index[item_id], over, f"{where}: field '{section}.{item_id}"))
    data["costs"] = merge_override(data["costs"], costs, f"{where}: field 'costs")
    try:
        return Calibration.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ScenarioError(f"{where}: override gives an invalid calibration at '{loc}': {first['msg']}") from None


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
