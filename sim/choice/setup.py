"""A variant's route-choice set-up, as the planner compiles it and the equilibrium loop reads it."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["FlowChoice", "ChoicePlan"]


@dataclass(frozen=True, eq=False)
class FlowChoice:
    """One flow's choice: its routes (one itinerary each, in the flow's order) and what is fixed about them."""

    flow: int  # index in CompiledModel.flows
    name: str
    direction: str  # 'forward' or 'reverse' (of every route in the set)
    routes: tuple[str, ...]
    itineraries: tuple[int, ...]
    commodities: tuple[int, ...]  # model commodity indices, the flow's order
    weights: np.ndarray  # (commodities, 12): the flow's TEU by commodity and booking month, summing to 1
    penalty_usd_per_teu: np.ndarray  # (routes,)
    path_size: np.ndarray  # (routes,): 1 for plain logit
    # (commodities, routes): whether every service and facility on the route takes the commodity's handling class
    allowed: np.ndarray | None = None

    def allowed_for(self, c: int) -> np.ndarray:
        """The routes commodity ``c`` (position in ``commodities``) may use."""
        return np.ones(len(self.routes), dtype=bool) if self.allowed is None else self.allowed[c]


@dataclass(frozen=True, eq=False)
class ChoicePlan:
    """A variant's route choice: model, parameters (with sources) and the flows that choose."""

    model: str  # 'logit' or 'path_size_logit'
    scale_per_usd: float
    reliability_ratio: float
    max_iterations: int
    tolerance: float
    iteration_replications: int
    flows: tuple[FlowChoice, ...]
    value_usd_per_teu: tuple[float, ...]  # per model commodity
    time_value_per_day: tuple[float, ...]
    sources: dict[str, str]
    commodity_class: tuple[int, ...] = ()  # handling class per model commodity
