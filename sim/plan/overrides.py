"""Scenario overrides of calibration items, merged by item id."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from ..calibration import Calibration
from ..errors import ScenarioError

__all__ = ["apply_overrides"]


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
            _merge_item(index[item_id], over)
    _merge_item(data["costs"], costs)
    try:
        return Calibration.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(x) for x in first["loc"])
        raise ScenarioError(f"{where}: override gives an invalid calibration at '{loc}': {first['msg']}") from None


def _merge_item(item: dict[str, Any], over: dict[str, Any]) -> None:
    for key, value in over.items():
        if key == "sources" and isinstance(value, dict):
            item.setdefault("sources", {}).update(value)
        else:
            item[key] = value
