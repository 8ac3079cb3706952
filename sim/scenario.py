"""The scenario schema: one study (demand, routes to compare, baseline, disruptions, overrides, variants).

Loaded from YAML with ``yaml.safe_load`` and validated by pydantic; ``corridor-sim schema`` prints the JSON
Schema. A variant is a named set of overrides applied on top of the base scenario (mappings merge, lists and
values replace).
"""

from __future__ import annotations

import copy
import hashlib
import json
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from .choice.spec import RouteChoice
from .errors import FieldError, ScenarioError
from .limits import (
    MAX_DEMAND_SCALE,
    MAX_DRAIN_DAYS,
    MAX_FACTOR,
    MAX_NAME_LENGTH,
    MAX_ON_TIME_DAYS,
    MAX_REPLICATIONS,
    MAX_SEED,
    MAX_STUDY_DAYS,
    MAX_STUDY_TEU,
    MAX_TEU_PER_YEAR,
)
from .scenario_network import NetworkInput
from .schema_types import NO_BOOL, RangeBound, StudyDate
from .seasons import ICE_CLASSES  # noqa: F401  (documented in the schema through services)
from .yamlio import format_validation_error, line_of, read_yaml

__all__ = ["Demand", "Disruption", "TrialRun", "RouteChoice", "Scenario", "ScenarioFile", "load_scenario",
           "scenario_json_schema", "Target"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


Share = Annotated[float, NO_BOOL, Field(gt=0, le=MAX_FACTOR)]


class Demand(_Strict):
    """A flow of bookings from origin to destination."""

    name: str
    origin: str = Field(description="node id where cargo starts: any node one of the study's routes passes (the flow "
                        "rides the part of the route between its two nodes)")
    destination: str
    teu_per_year: Annotated[float, NO_BOOL, Field(ge=0, le=MAX_TEU_PER_YEAR)] | None = Field(
        None, description="TEU per year (give this or teu_per_week)")
    teu_per_week: Annotated[float, NO_BOOL, Field(ge=0, le=MAX_TEU_PER_YEAR * 7 / 365)] | None = Field(
        None, description="TEU per week (give this or teu_per_year)")
    source: str = Field(description="where the volume comes from (publication, or DERIVED with the arithmetic)")
    commodities: dict[str, Share] = Field(min_length=1, description="commodity id -> share (normalised)")
    sizes_teu: dict[int, Share] = Field(default_factory=lambda: {1: 0.5, 2: 0.5}, min_length=1,
                                        description="TEU per booking -> share")
    month_factor: list[Share] = Field(default_factory=lambda: [1.0] * 12, min_length=12, max_length=12,
                                      description="relative booking rate by calendar month, January first")
    route_shares: dict[str, Annotated[float, NO_BOOL, Field(ge=0, le=MAX_FACTOR)]] | None = Field(
        None, description="route id -> share of this flow; default: equal over the scenario's routes")
    ranges: dict[Literal["teu_per_year", "teu_per_week"], tuple[RangeBound, RangeBound]] = Field(
        default_factory=dict, description="teu_per_year (or teu_per_week) -> [low, high]: the plausible range of the "
        "volume, used by sensitivity analysis; required when the source is an ASSUMPTION")

    @model_validator(mode="after")
    def _one_rate(self):
        if (self.teu_per_year is None) == (self.teu_per_week is None):
            raise FieldError("teu_per_year", f"demand '{self.name}': give exactly one of teu_per_year or teu_per_week")
        rate = "teu_per_year" if self.teu_per_year is not None else "teu_per_week"
        if "ASSUMPTION" in self.source and rate not in self.ranges:
            raise FieldError("ranges", f"demand '{self.name}': an ASSUMPTION needs a plausible range; add "
                             f"ranges: {{{rate}: [low, high]}}")
        for key, (low, high) in self.ranges.items():
            value = getattr(self, key)
            if value is None:
                raise FieldError("ranges", f"demand '{self.name}': ranges.{key} is given but {key} is not")
            if not low <= value <= high:
                raise FieldError("ranges", f"demand '{self.name}': ranges.{key} [{low:g}, {high:g}] must contain "
                                 f"the value {value:g}")
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
    start: StudyDate
    end: StudyDate
    effect: Literal["close", "degrade"] = "close"
    factor: Annotated[float, NO_BOOL, Field(gt=0, le=1)] = Field(
        1.0, description="degrade: capacity or speed multiplier (0 < factor <= 1)")
    policy: Literal["wait", "reroute"] = "wait"
    reroute_to: str | None = Field(None, description="route id for bookings when their own route cannot avoid the "
                                   "closure")
    source: str = Field(description="the event this represents, with a source")

    @model_validator(mode="after")
    def _window(self):
        if self.end <= self.start:
            raise FieldError("end", f"disruption '{self.id}': end ({self.end}) must be after start ({self.start})")
        return self


class TrialRun(_Strict):
    """A dedicated consignment on a fixed departure, to compare with a trial run or pilot."""

    name: str
    route: str = Field(description="route id (one of the scenario's routes)")
    direction: Literal["forward", "reverse"] = "forward"
    date: StudyDate = Field(description="booking date (inside the study period)")
    teu: Annotated[int, NO_BOOL, Field(ge=1, le=400)] = Field(
        description="TEU of the consignment (a block train is about 80-120)")
    commodity: str
    source: str = Field(description="the trial or pilot this represents")


class Scenario(_Strict):
    """One study. Dates at input and output only; the engine works in hours from ``start_date``."""

    name: str = Field(pattern=r"^[A-Za-z0-9_\-]+$", max_length=MAX_NAME_LENGTH, description="used in output folder "
                      "names")
    description: str = ""
    start_date: StudyDate
    end_date: StudyDate = Field(description=f"after start_date, at most {MAX_STUDY_DAYS} days later")
    warmup_days: Annotated[float, NO_BOOL, Field(ge=0, le=MAX_STUDY_DAYS)] = Field(
        30, description="bookings made before this are excluded from statistics")
    seed: Annotated[int, NO_BOOL, Field(ge=0, le=MAX_SEED)]
    replications: Annotated[int, NO_BOOL, Field(ge=1, le=MAX_REPLICATIONS)] = 10
    routes: list[str] = Field(min_length=1, description="route ids to compare (geodata/routes.yaml or the scenario's "
                              "network.routes)")
    baseline: str = Field(description="the route the others are compared against")
    on_time_days: Annotated[float, NO_BOOL, Field(gt=0, le=MAX_ON_TIME_DAYS)] = Field(
        45, description="a delivery within this many days is on time")
    season_policy: Literal["wait", "refuse"] = Field(
        "wait", description="seasonal route out of season: cargo waits for the opening, or the booking is refused")
    enabled_legs: list[str] = Field(default_factory=list, description="planned legs open in this study")
    demand: list[Demand] = Field(min_length=1)
    demand_scale: Annotated[float, NO_BOOL, Field(gt=0, le=MAX_DEMAND_SCALE)] = Field(
        1.0, description="multiplies every flow's teu_per_year")
    disruptions: list[Disruption] = Field(default_factory=list)
    drain_days: Annotated[float, NO_BOOL, Field(ge=0, le=MAX_DRAIN_DAYS)] = Field(
        365, description="after end_date no booking is made and the run goes on at most this many days so "
        "that cargo in flight can arrive; what is still moving then is reported as undelivered")
    empty_returns: bool = Field(True, description="send back as empty moves the boxes the opposite flow does not "
                                "reuse (the trade imbalance), on the same route")
    trials: list[TrialRun] = Field(default_factory=list, description="dedicated consignments on fixed departures")
    ice_year: Literal["light", "normal", "heavy", "random"] = Field(
        "normal", description="NSR ice: a light, normal or heavy year everywhere, or 'random': each sector's year "
        "type drawn per replication with the probabilities in geodata/nsr_ice.yaml")
    route_choice: RouteChoice = Field(
        default_factory=lambda: RouteChoice(),
        description="how flows are split over routes: fixed route_shares, or chosen by generalized cost with capacity "
        "feedback")
    network: NetworkInput | None = Field(None, description="nodes, legs and routes this study adds to the shipped "
                                         "network (not overridable in variants; a variant may enable planned legs)")
    services: dict[str, dict[str, Any]] = Field(default_factory=dict, description="service id -> field overrides of a "
                                                "shipped service, or every field of a new one (as in "
                                                "scenarios/defaults/calibration.yaml, each number with its source)")
    facilities: dict[str, dict[str, Any]] = Field(default_factory=dict, description="facility id -> field overrides of "
                                                  "a shipped facility, or every field of a new one")
    costs: dict[str, Any] = Field(default_factory=dict, description="cost field overrides")
    variants: dict[str, dict[str, Any]] = Field(default_factory=dict, description="variant name -> overrides of the "
                                                "fields above")

    @model_validator(mode="after")
    def _consistency(self):
        if self.end_date <= self.start_date:
            raise FieldError("end_date", f"end_date ({self.end_date}) must be after start_date ({self.start_date})")
        days = (self.end_date - self.start_date).days
        if days > MAX_STUDY_DAYS:
            raise FieldError("end_date", f"the study is {days} days long (start_date {self.start_date}); "
                             f"allowed: at most {MAX_STUDY_DAYS} days")
        if self.warmup_days >= days:
            raise FieldError("warmup_days", f"warmup_days ({self.warmup_days:g}) must be shorter than the study period "
                             f"({days} days)")
        for i, rid in enumerate(self.routes):
            if rid in self.routes[:i]:
                raise FieldError(("routes", i), f"route '{rid}' is listed twice; each route may appear once")
        for i, leg in enumerate(self.enabled_legs):
            if leg in self.enabled_legs[:i]:
                raise FieldError(("enabled_legs", i), f"leg '{leg}' is listed twice; each leg may appear once")
        if self.baseline not in self.routes:
            raise FieldError("baseline", f"baseline '{self.baseline}' must be one of routes {self.routes}")
        names = [d.name for d in self.demand]
        for i, name in enumerate(names):
            if name in names[:i]:
                raise FieldError(("demand", i, "name"), f"demand name '{name}' is used twice; names must be unique")
        ids = [d.id for d in self.disruptions]
        for i, did in enumerate(ids):
            if did in ids[:i]:
                raise FieldError(("disruptions", i, "id"), f"disruption id '{did}' is used twice; ids must be unique")
        for i, d in enumerate(self.demand):
            if d.route_shares is not None:
                unknown = set(d.route_shares) - set(self.routes)
                if unknown:
                    raise FieldError(("demand", i, "route_shares"),
                                     f"demand '{d.name}': route_shares names {sorted(unknown)}, not in routes "
                                     f"{self.routes}")
                if sum(d.route_shares.values()) <= 0:
                    raise FieldError(("demand", i, "route_shares"), f"demand '{d.name}': route_shares must not all be "
                                     f"zero")
        per_year = sum(d.annual_teu for d in self.demand) * self.demand_scale
        if per_year > MAX_TEU_PER_YEAR:
            raise FieldError("demand_scale" if self.demand_scale != 1 else "demand",
                             f"{per_year:,.0f} TEU per year in all (flows x demand_scale {self.demand_scale:g}); "
                             f"allowed: at most {MAX_TEU_PER_YEAR:,.0f}")
        if per_year * days / 365.0 > MAX_STUDY_TEU:
            raise FieldError("end_date", f"{per_year * days / 365.0:,.0f} TEU booked over the {days}-day study; "
                             f"allowed: at most {MAX_STUDY_TEU:,.0f} per replication (shorten the study or the demand)")
        for i, trial in enumerate(self.trials):
            if trial.route not in self.routes:
                raise FieldError(("trials", i, "route"), f"trial '{trial.name}': route '{trial.route}' is not in "
                                 f"routes {self.routes}")
            if not self.start_date <= trial.date < self.end_date:
                raise FieldError(("trials", i, "date"), f"trial '{trial.name}': date {trial.date} is outside the "
                                 f"study period {self.start_date} to {self.end_date}")
        for name in self.variants:
            if not isinstance(name, str) or not name.replace("_", "").replace("-", "").isalnum():
                raise FieldError(("variants", name), f"variant name '{name}': letters, digits, '_' or '-' only")
            if len(name) > MAX_NAME_LENGTH:
                raise FieldError(("variants", name), f"variant name is {len(name)} characters; allowed: at most "
                                 f"{MAX_NAME_LENGTH}")
            if name == "base":
                raise FieldError(("variants", name), "'base' is the name of the study without overrides; "
                                 "give the variant another name")
        return self

    @property
    def duration_h(self) -> float:
        return (self.end_date - self.start_date).days * 24.0


VARIANT_FIELDS = set(Scenario.model_fields) - {"name", "variants", "seed", "replications", "description", "network"}


def _merge(base: Any, over: Any) -> Any:
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for k, v in over.items():
            out[k] = _merge(base.get(k), v) if k in base else copy.deepcopy(v)
        return out
    return copy.deepcopy(over)


class ScenarioFile:
    """A validated scenario file with its variants expanded. ``variants`` maps name -> Scenario; the base is
    named 'base'. ``warnings`` lists things that are allowed but probably not meant (one line each)."""

    def __init__(self, path: Path, raw: dict, text: str, base: Scenario, variants: dict[str, Scenario],
                 warnings: list[str] | None = None) -> None:
        self.path = path
        self.raw = raw
        self.text = text
        self.base = base
        self.variants = variants
        self.warnings = warnings or []

    @property
    def hash(self) -> str:
        """SHA-256 of the canonical JSON of the raw scenario (stable across YAML formatting)."""
        canon = json.dumps(self.raw, sort_keys=True, default=str, separators=(",", ":"))
        return hashlib.sha256(canon.encode()).hexdigest()

    def line(self, *loc) -> int | None:
        """The line of the field at ``loc`` in the file (or of its nearest parent)."""
        return line_of(self.text, loc)


def _disruption_warnings(path: Path, text: str, name: str, sc: Scenario, over: dict | None) -> list[str]:
    out = []
    in_variant = over is not None and "disruptions" in over
    for i, d in enumerate(sc.disruptions):
        if d.end <= sc.start_date or d.start >= sc.end_date:
            loc = ("variants", name, "disruptions", i) if in_variant else ("disruptions", i)
            field = ".".join(str(x) for x in loc)
            scope = "" if name == "base" else f" in variant '{name}'"
            out.append(f"{path}:{line_of(text, loc)}: field '{field}': disruption '{d.id}' ({d.start} to {d.end}) lies "
                       f"entirely outside the study period{scope} ({sc.start_date} to {sc.end_date}); it has no effect")
    return out


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
    warnings = _disruption_warnings(path, text, "base", base, None)
    for name, over in base.variants.items():
        if not isinstance(over, dict):
            raise ScenarioError(f"{path}:{line_of(text, ('variants', name))}: field 'variants.{name}': expected a "
                                f"mapping of overrides, got {type(over).__name__}")
        unknown = set(over) - VARIANT_FIELDS
        if unknown:
            first = sorted(unknown, key=str)[0]
            line = line_of(text, ("variants", name, first))
            raise ScenarioError(
                f"{path}:{line}: field 'variants.{name}.{first}': unknown or not overridable; "
                f"allowed: {', '.join(sorted(VARIANT_FIELDS))}"
            )
        merged = _merge({k: v for k, v in data.items() if k != "variants"}, over)
        try:
            variants[name] = Scenario.model_validate(merged)
        except ValidationError as exc:
            raise ScenarioError(format_validation_error(path, text, exc, prefix=("variants", name))) from None
        for w in _disruption_warnings(path, text, name, variants[name], over):
            if w not in warnings:
                warnings.append(w)
    return ScenarioFile(path, data, text, base, variants, warnings)


def scenario_json_schema() -> dict:
    """The JSON Schema of scenario files."""
    schema = Scenario.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "corridor-sim scenario"
    return schema
