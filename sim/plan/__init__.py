"""The planner: compile a scenario variant into the engine's plain arrays.

Modules, one step each: ``overrides`` (scenario overrides of calibration items and new items), ``context`` (the
variant's inputs, calendar and disruption windows), ``references`` (every id named exists), ``facilities``,
``paths`` (a service's path as chunks), ``services`` (service directions, matching to route legs, seasons),
``itineraries`` (routes as steps, refusals, booking-time reroutes), ``subroutes`` (flows on part of a route),
``flows`` (demand), ``info`` (labels for outputs) and ``compile`` (the orchestrator).
"""

from .compile import compile_model
from .info import ModelInfo
from .overrides import apply_overrides

__all__ = ["compile_model", "ModelInfo", "apply_overrides"]
