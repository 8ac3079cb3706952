"""The assumptions of a study with their plausible ranges, and the inputs with chosen values applied.

A parameter is a ranged field of a calibration item (after the scenario's overrides are merged in), of the
scenario's ``route_choice`` block, or of a demand flow. Its value is the field itself for a number, the mean for a
distribution (the distribution is scaled), the units of a fleet, and a multiplier for a list or mapping of numbers
(the ranges in the calibration file use the same convention).
"""

from __future__ import annotations

import fnmatch
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from ..calibration import Calibration
from ..distributions import Dist
from ..errors import CorridorError
from ..plan.overrides import apply_overrides
from ..scenario import Scenario
from ..schema_types import base_of

__all__ = ["Parameter", "StudyInputs", "study_inputs", "list_parameters", "select", "apply_values"]

_LIST_SECTIONS = ("services", "facilities", "convoys", "escorts", "commodities")


@dataclass(frozen=True)
class Parameter:
    """One ranged assumption: ``id`` is ``section.item.field`` (``costs.field``, ``route_choice.field``)."""

    id: str
    section: str  # services, facilities, convoys, escorts, commodities, costs, route_choice, scenario_route_choice,
    #               demand
    item: str  # item id, demand name, or '' for costs and route choice
    field: str
    base: float
    low: float
    high: float
    kind: str  # 'number', 'integer', 'dist', 'fleet' or 'multiplier'
    source: str

    @property
    def label(self) -> str:
        """A short name for charts: ``item.field`` (or the field alone)."""
        return f"{self.item}.{self.field}" if self.item else self.field


@dataclass(frozen=True)
class StudyInputs:
    """What a variant compiles from, with the scenario's overrides already merged into the calibration (so a value
    applied to an overridden field is not overwritten by the override again)."""

    calibration: Calibration
    scenario: Scenario


def study_inputs(cal: Calibration, sc: Scenario, where: str = "scenario") -> StudyInputs:
    """The calibration with ``sc``'s overrides merged in, and ``sc`` without them."""
    merged = apply_overrides(cal, sc.services, sc.facilities, sc.costs, where)
    return StudyInputs(merged, sc.model_copy(update={"services": {}, "facilities": {}, "costs": {}}))


def _kind(value: Any) -> str:
    if isinstance(value, Dist):
        return "dist"
    if isinstance(value, BaseModel):
        return "fleet"
    if isinstance(value, (list, tuple, dict)):
        return "multiplier"
    return "integer" if isinstance(value, int) else "number"


def _from_item(section: str, item: BaseModel, item_id: str) -> list[Parameter]:
    out = []
    ranges: dict[str, tuple[float, float]] = getattr(item, "ranges", {})
    sources: dict[str, str] = getattr(item, "sources", None) or {f: getattr(item, "source", "") for f in ranges}
    for field, (low, high) in ranges.items():
        value = getattr(item, field, None)
        if value is None:
            continue
        base = base_of(value)
        pid = ".".join(p for p in (section.removeprefix("scenario_"), item_id, field) if p)
        out.append(Parameter(pid, section, item_id, field, 1.0 if base is None else base, float(low), float(high),
                             _kind(value), str(sources.get(field, ""))))
    return out


def list_parameters(inputs: StudyInputs) -> list[Parameter]:
    """Every ranged assumption the study's inputs carry, in file order."""
    cal, sc = inputs.calibration, inputs.scenario
    out: list[Parameter] = []
    for section in _LIST_SECTIONS:
        for item in getattr(cal, section):
            out.extend(_from_item(section, item, item.id))
    out.extend(_from_item("costs", cal.costs, ""))
    own = {k for k in sc.route_choice.model_fields_set if k not in ("sources", "ranges", "model")}
    if cal.route_choice is not None:
        out.extend(p for p in _from_item("route_choice", cal.route_choice, "") if p.field not in own)
    out.extend(_from_item("scenario_route_choice", sc.route_choice, ""))
    for d in sc.demand:
        out.extend(_from_item("demand", d, d.name))
    return out


def select(params: list[Parameter], patterns: list[str] | None) -> list[Parameter]:
    """The parameters whose id matches any of the shell-style ``patterns`` (all when none are given);
    CorridorError naming a pattern that matches nothing."""
    if not patterns:
        return params
    for pattern in patterns:
        if not any(fnmatch.fnmatchcase(p.id, pattern) for p in params):
            raise CorridorError(f"--parameters '{pattern[:100]}': matches no assumption; allowed: ids such as "
                                f"{', '.join(p.id for p in params[:3])} (shell patterns like 'services.*' work)")
    return [p for p in params if any(fnmatch.fnmatchcase(p.id, pat) for pat in patterns)]


def _set(p: Parameter, current: Any, value: float) -> Any:
    """The field's new value when the parameter takes ``value``."""
    if p.kind == "dist":
        return current.scaled(value / current.mean) if current.mean > 0 else current
    if p.kind == "fleet":
        units = max(1, round(value))
        at_origin = current.at_origin if current.at_origin is None else min(current.at_origin, units)
        return current.model_copy(update={"units": units, "at_origin": at_origin})
    if p.kind == "multiplier":
        factor = value / p.base if p.base else value
        if isinstance(current, dict):
            return {k: v * factor for k, v in current.items()}
        # month_speed_factor, the one list, holds fractions of the normal speed: a faster month stays at 1
        return [min(1.0, v * factor) for v in current]
    if p.kind == "integer":
        return max(1, round(value))
    return float(value)


def apply_values(inputs: StudyInputs, params: list[Parameter], values: dict[str, float] | None) -> StudyInputs:
    """A copy of ``inputs`` with each parameter in ``values`` (id -> value) set; the rest stay at base. The
    copies are not validated again: values inside the ranges are valid by construction."""
    if not values:
        return inputs
    by_id = {p.id: p for p in params}
    cal, sc = inputs.calibration, inputs.scenario
    updates: dict[tuple[str, str], dict[str, Any]] = {}
    for pid, value in values.items():
        p = by_id[pid]
        updates.setdefault((p.section, p.item), {})[p.field] = (p, value)
    cal_update: dict[str, Any] = {}
    sc_update: dict[str, Any] = {}
    for (section, item_id), fields in updates.items():
        if section in _LIST_SECTIONS:
            items = cal_update.get(section, list(getattr(cal, section)))
            k = next(i for i, it in enumerate(items) if it.id == item_id)
            items[k] = _updated(items[k], fields)
            cal_update[section] = items
        elif section in ("costs", "route_choice"):
            cal_update[section] = _updated(getattr(cal, section), fields)
        elif section == "scenario_route_choice":
            sc_update["route_choice"] = _updated(sc.route_choice, fields)
        else:  # demand
            flows = sc_update.get("demand", list(sc.demand))
            k = next(i for i, d in enumerate(flows) if d.name == item_id)
            flows[k] = _updated(flows[k], fields)
            sc_update["demand"] = flows
    return StudyInputs(cal.model_copy(update=cal_update), sc.model_copy(update=sc_update))


def _updated(item: BaseModel, fields: dict[str, tuple[Parameter, float]]) -> BaseModel:
    return item.model_copy(update={f: _set(p, getattr(item, f), v) for f, (p, v) in fields.items()})
