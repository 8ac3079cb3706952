"""The scenario schema: one study (demand, routes to compare, baseline, disruptions, overrides, variants).

Loaded from YAML with ``yaml.safe_load`` and validated by pydantic; ``corridor-sim schema`` prints the JSON
Schema. A variant is a named set of overrides applied on top of the base scenario (mappings merge, lists and
values replace).
"""

from __future__ import annotations

import copy
import datetime as dt
import hashlib
import json
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    NonNegativeFloat,
    PositiveFloat,
    PositiveInt,
    ValidationError,
    field_validator,
    model_validator,
)

from .errors import ScenarioError
from .seasons import ICE_CLASSES  # noqa: F401  (documented in the schema through services)
from .yamlio import format_validation_error, read_yaml

__all__ = ["Demand", "Disruption", "TrialRun", "Scenario", "ScenarioFile", "load_scenario", "scenario_json_schema", "Target"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Demand(_Strict):
    """A flow of bookings from origin to destination."""

    name: str
    origin: str = Field(description="node id where cargo starts (a route origin or destination)")
    destination: str
    teu_per_year: NonNegativeFloat | None = Field(None, description="TEU per year (give this or teu_per_week)")
    teu_per_week: NonNegativeFloat | None = Field(None, description="TEU per week (give this or teu_per_year)")
    source: str = Field(description="where the volume comes from (publication, or DERIVED with the arithmetic)")
    commodities: dict[str, PositiveFloat] = Field(description="commodity id -> share (normalised)")
    sizes_teu: dict[int, PositiveFloat] = Field(default_factory=lambda: {1: 0.5, 2: 0.5}, description="TEU per booking -> share")
    month_factor: list[PositiveFloat] = Field(default_factory=lambda: [1.0] * 12, min_length=12, max_length=12,
                                              description="relative booking rate by calendar month, January first")
    route_shares: dict[str, NonNegativeFloat] | None = Field(
        None, description="route id -> share of this flow; default: equal over the scenario's routes")

    @model_validator(mode="after")
    def _one_rate(self):
        if (self.teu_per_year is None) == (self.teu_per_week is None):
            raise ValueError(f"demand '{self.name}': give exactly one of teu_per_year or teu_per_week")
        return self

    @property
    def annual_teu(self) -> float:
        """The flow in TEU per year (52.18 weeks a year when given per week)."""
        if self.teu_per_year is not None:
            return self.teu_per_year
        assert self.teu_per_week is not None  # exactly one of the two is given (validated)
        return self.teu_per_week * 365.0 / 7.0

    @field_validator("sizes_teu")
    @classmethod
    def _sizes(cls, v: dict[int, float]) -> dict[int, float]:
        if not v or any(k < 1 or k > 40 for k in v):
            raise ValueError("booking sizes must be whole TEU between 1 and 40")
        return v


class Target(_Strict):
    """What a disruption acts on: exactly one of a node, a leg, a chokepoint tag, a service or a facility."""

    node: str | None = None
    leg: str | None = None
    chokepoint: str | None = None
    service: str | None = None
    facility: str | None = None

    @model_validator(mode="after")
    def _exactly_one(self):
        given = [k for k, v in self.__dict__.items() if v is not None]
        if len(given) != 1:
            raise ValueError("give exactly one of node, leg, chokepoint, service, facility")
        return self

    @property
    def kind(self) -> str:
        return next(k for k, v in self.__dict__.items() if v is not None)

    @property
    def value(self) -> str:
        return next(v for v in self.__dict__.values() if v is not None)


class Disruption(_Strict):
    """A time window that closes or degrades something."""

    id: str
    description: str = ""
    target: Target
    start: dt.date
    end: dt.date
    effect: Literal["close", "degrade"] = "close"
    factor: PositiveFloat = Field(1.0, description="degrade: capacity or speed multiplier (0 < factor <= 1)")
    policy: Literal["wait", "reroute"] = "wait"
    reroute_to: str | None = Field(None, description="route id for bookings when their own route cannot avoid the closure")
    source: str = Field(description="the event this represents, with a source")

    @model_validator(mode="after")
    def _window(self):
        if self.end <= self.start:
            raise ValueError(f"disruption '{self.id}': end ({self.end}) must be after start ({self.start})")
        if self.effect == "degrade" and not 0 < self.factor <= 1:
            raise ValueError(f"disruption '{self.id}': degrade factor must be in (0, 1]")
        return self


class TrialRun(_Strict):
    """A dedicated consignment on a fixed departure, to compare with a trial run or pilot."""

    name: str
    route: str = Field(description="route id (one of the scenario's routes)")
    direction: Literal["forward", "reverse"] = "forward"
    date: dt.date = Field(description="booking date (inside the study period)")
    teu: PositiveInt = Field(le=400, description="TEU of the consignment (a block train is about 80-120)")
    commodity: str
    source: str = Field(description="the trial or pilot this represents")


class Scenario(_Strict):
    """One study. Dates at input and output only; the engine works in hours from ``start_date``."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$", description="used in output folder names")
    description: str = ""
    start_date: dt.date
    end_date: dt.date
    warmup_days: NonNegativeFloat = Field(30, description="bookings made before this are excluded from statistics")
    seed: int = Field(ge=0)
    replications: PositiveInt = 10
    routes: list[str] = Field(min_length=1, description="route ids to compare (geodata/routes.yaml)")
    baseline: str = Field(description="the route the others are compared against")
    on_time_days: PositiveFloat = Field(45, description="a delivery within this many days is on time")
    season_policy: Literal["wait", "refuse"] = Field(
        "wait", description="seasonal route out of season: cargo waits for the opening, or the booking is refused")
    enabled_legs: list[str] = Field(default_factory=list, description="planned legs open in this study")
    demand: list[Demand] = Field(min_length=1)
    demand_scale: PositiveFloat = Field(1.0, description="multiplies every flow's teu_per_year")
    disruptions: list[Disruption] = Field(default_factory=list)
    drain_days: NonNegativeFloat = Field(
        365, le=3650, description="after end_date no booking is made and the run goes on at most this many days so "
        "that cargo in flight can arrive; what is still moving then is reported as undelivered")
    empty_returns: bool = Field(True, description="send back as empty moves the boxes the opposite flow does not "
                                "reuse (the trade imbalance), on the same route")
    trials: list[TrialRun] = Field(default_factory=list, description="dedicated consignments on fixed departures")
    services: dict[str, dict[str, Any]] = Field(default_factory=dict, description="service id -> field overrides")
    facilities: dict[str, dict[str, Any]] = Field(default_factory=dict, description="facility id -> field overrides")
    costs: dict[str, Any] = Field(default_factory=dict, description="cost field overrides")
    variants: dict[str, dict[str, Any]] = Field(default_factory=dict, description="variant name -> overrides of the fields above")

    @model_validator(mode="after")
    def _consistency(self):
        if self.end_date <= self.start_date:
            raise ValueError(f"end_date ({self.end_date}) must be after start_date ({self.start_date})")
        if self.warmup_days >= (self.end_date - self.start_date).days:
            raise ValueError("warmup_days must be shorter than the study period")
        if self.baseline not in self.routes:
            raise ValueError(f"baseline '{self.baseline}' must be one of routes {self.routes}")
        names = [d.name for d in self.demand]
        if len(set(names)) != len(names):
            raise ValueError("demand names must be unique")
        for d in self.demand:
            if d.route_shares is not None:
                unknown = set(d.route_shares) - set(self.routes)
                if unknown:
                    raise ValueError(f"demand '{d.name}': route_shares names {sorted(unknown)}, not in routes {self.routes}")
                if sum(d.route_shares.values()) <= 0:
                    raise ValueError(f"demand '{d.name}': route_shares must not all be zero")
        for t in self.trials:
            if t.route not in self.routes:
                raise ValueError(f"trial '{t.name}': route '{t.route}' is not in routes {self.routes}")
            if not self.start_date <= t.date < self.end_date:
                raise ValueError(f"trial '{t.name}': date {t.date} is outside the study period")
        bad = [v for v in self.variants if not v.replace("_", "").replace("-", "").isalnum()]
        if bad:
            raise ValueError(f"variant names must be letters, digits, '_' or '-': {bad}")
        return self

    @property
    def duration_h(self) -> float:
        return (self.end_date - self.start_date).days * 24.0


VARIANT_FIELDS = set(Scenario.model_fields) - {"name", "variants", "seed", "replications", "description"}


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


class ScenarioFile:
    """A validated scenario file with its variants expanded. ``variants`` maps name -> Scenario; the base is
    named 'base'."""

    def __init__(self, path: Path, raw: dict, text: str, base: Scenario, variants: dict[str, Scenario]) -> None:
        self.path = path
        self.raw = raw
        self.text = text
        self.base = base
        self.variants = variants

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON of the raw scenario (stable across YAML formatting)."""
        canon = json.dumps(self.raw, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(canon.encode()).hexdigest()


def load_scenario(path: Path | str) -> ScenarioFile:
    """Read, validate and expand a scenario; ScenarioError names the file, line and field."""
    path = Path(path)
    data, text = read_yaml(path)
    if not isinstance(data, dict):
        raise ScenarioError(f"{path}: expected a mapping of scenario fields, got {type(data).__name__}")
    try:
        base = Scenario.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(path, text, exc)) from None
    variants = {"base": base}
    for name, over in base.variants.items():
        if not isinstance(over, dict):
            raise ScenarioError(f"{path}: field 'variants.{name}': expected a mapping of overrides")
        unknown = set(over) - VARIANT_FIELDS
        if unknown:
            from .yamlio import line_of

            line = line_of(text, ("variants", name, sorted(unknown)[0]))
            raise ScenarioError(
                f"{path}:{line}: field 'variants.{name}.{sorted(unknown)[0]}': unknown or not overridable; "
                f"allowed: {', '.join(sorted(VARIANT_FIELDS))}"
            )
        merged = _merge({k: v for k, v in data.items() if k != "variants"}, over)
        try:
            variants[name] = Scenario.model_validate(merged)
        except ValidationError as exc:
            raise ScenarioError(format_validation_error(path, text, exc, prefix=("variants", name))) from None
    return ScenarioFile(path, data, text, base, variants)


def scenario_json_schema() -> dict:
    """The JSON Schema of scenario files."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "corridor-sim scenario"
    return schema
