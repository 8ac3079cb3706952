"""The scenario's ``route_choice`` block: how demand flows are split over routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from ..errors import FieldError
from ..schema_types import NO_BOOL, check_sources

__all__ = ["RouteChoice"]


class RouteChoice(BaseModel):
    """How demand flows are split over routes: ``fixed`` (each flow's ``route_shares``) or chosen by generalized
    cost (``logit``, or ``path_size_logit`` where routes overlap), iterated with the simulation. Parameters not
    given come from the calibration's ``route_choice`` defaults; a number given here needs its own source."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    model: Literal["fixed", "logit", "path_size_logit"] = "fixed"
    scale_per_usd: Annotated[float, NO_BOOL, Field(gt=0, le=1)] | None = Field(
        default=None, description="logit scale: utility per USD of generalized cost per TEU")
    reliability_ratio: Annotated[float, NO_BOOL, Field(ge=0, le=10)] | None = Field(
        default=None, description="value of a day of standard deviation of transit (estimated as (p95 - p50) / 1.645) "
        "relative to a day of mean transit")
    penalty_usd_per_teu: dict[str, Annotated[float, NO_BOOL, Field(gt=-1e7, lt=1e7)]] | None = Field(
        default=None, description="route id -> route-specific constant as a cost in USD per TEU (replaces the "
        "calibration's for the routes named)")
    max_iterations: Annotated[int, NO_BOOL, Field(ge=1, le=100)] | None = Field(
        default=None, description="most choice-simulation iterations before the final run")
    tolerance: Annotated[float, NO_BOOL, Field(gt=0, lt=1)] | None = Field(
        default=None, description="converged when no flow's route share moves more than this between iterations")
    iteration_replications: Annotated[int, NO_BOOL, Field(ge=1, le=100)] | None = Field(
        default=None, description="replications simulated per iteration (common random numbers: the run's first ones)")
    sources: dict[str, str] = Field(default_factory=dict, description="field name -> source of its number")
    ranges: dict[str, tuple[float, float]] = Field(default_factory=dict, description="field -> [low, high] of an "
                                                   "ASSUMPTION")

    @model_validator(mode="after")
    def _sourced(self):
        given = {k: v for k, v in self.__dict__.items() if k in self.model_fields_set}
        try:
            check_sources("route_choice", given, self.sources,
                          {"max_iterations", "tolerance", "iteration_replications"}, self.ranges)
        except ValueError as exc:
            raise FieldError("sources", str(exc)) from None
        return self

    @property
    def chosen(self) -> bool:
        """True when shares are chosen by the model (not fixed)."""
        return self.model != "fixed"
