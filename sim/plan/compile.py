"""Compile one scenario variant into the engine's ``CompiledModel``: every graph, calendar and cost question is
answered here, once, so the engine only reads numbers."""

from __future__ import annotations

from ..calibration import Calibration
from ..ice import YEAR_TYPES
from ..model import HANDLING_CLASSES, CompiledConvoy, CompiledEscort, CompiledIce, CompiledModel
from ..network import Network
from ..routes import RouteSpec
from ..scenario import Scenario
from .choice import build_choice
from .context import KN_TO_KMH, PlanContext, make_context
from .empties import plan_empty_returns
from .facilities import FacilityTable
from .flows import build_flows, build_trials
from .info import ModelInfo
from .itineraries import ItineraryTable
from .overrides import apply_overrides
from .references import check_references
from .services import ServiceTable
from .subroutes import with_sub_routes

__all__ = ["compile_model"]


def compile_model(network: Network, specs: dict[str, RouteSpec], cal: Calibration, sc: Scenario,
                  where: str = "scenario") -> tuple[CompiledModel, ModelInfo]:
    """The engine input for scenario variant ``sc`` and its labels; ScenarioError on bad references.

    Facilities, services and itineraries are compiled as the demand's routes reach them, so their indices follow
    the order of the scenario's flows and routes.
    """
    cal = apply_overrides(cal, sc.services, sc.facilities, sc.costs, where)
    ctx = make_context(network, specs, cal, sc, where)
    check_references(ctx)  # before the routes are resolved: unknown ids are named, not met as missing nodes
    ctx = make_context(network, with_sub_routes(network, specs, sc, where), cal, sc, where)
    info = ModelInfo()
    facilities = FacilityTable(ctx)
    services = ServiceTable(ctx, facilities)
    itineraries = ItineraryTable(ctx, facilities, services, info)
    flows = build_flows(ctx, itineraries)
    trials = build_trials(ctx, itineraries)
    if sc.empty_returns:
        plan_empty_returns(itineraries, flows)
    itineraries.finish_all()
    info.facility_ids = [f.id for f in facilities.compiled]
    info.choice = build_choice(ctx, flows, info, [it.accepts for it in itineraries.compiled])
    c = ctx.cal
    model = CompiledModel(
        horizon_h=sc.duration_h,
        warmup_h=sc.warmup_days * 24.0,
        start_month=sc.start_date.month,
        start_day_of_month=sc.start_date.day,
        month_at_day=ctx.month_at_day,
        services=tuple(services.compiled),
        facilities=tuple(facilities.compiled),
        convoys=tuple(CompiledConvoy(i, v.id, v.node, v.interval_h, v.first_h, v.slots, v.background_per_convoy,
                                     v.transit_h) for i, v in enumerate(c.convoys)),
        escorts=tuple(CompiledEscort(i, e.id, e.icebreakers, e.convoy_size, e.speed_kn.scaled(KN_TO_KMH),
                                     e.pickup_wait_h) for i, e in enumerate(c.escorts)),
        itineraries=tuple(itineraries.compiled),
        flows=tuple(flows),
        commodity_names=tuple(v.id for v in c.commodities),
        commodity_value_usd_per_teu=tuple(v.value_usd_per_teu for v in c.commodities),
        commodity_time_value_per_day=tuple(v.time_value_per_day for v in c.commodities),
        commodity_class=tuple(HANDLING_CLASSES.index(v.handling) for v in c.commodities),
        holds=ctx.holds,
        drain_h=sc.drain_days * 24.0,
        fleets=tuple(services.fleets),
        trials=tuple(trials),
        ice=compile_ice(ctx),
    )
    return model, info


def compile_ice(ctx: PlanContext) -> CompiledIce | None:
    """The variant's NSR ice: codes per area, year type and day; year types fixed or drawn; ice speeds; escort."""
    ice = ctx.network.ice
    if ice is None:
        return None
    sectors = sorted(set(ice.sectors.values()))
    year = ctx.sc.ice_year
    escort = next((i for i, e in enumerate(ctx.cal.escorts) if e.chokepoint == "nsr"), 0)
    return CompiledIce(
        areas=ice.areas,
        sector=tuple(sectors.index(ice.sectors[a]) for a in ice.areas),
        probabilities=tuple(tuple(ice.year_types[s][y] for y in YEAR_TYPES) for s in sectors),  # type: ignore[misc]
        fixed=None if year == "random" else YEAR_TYPES.index(year),
        codes=ctx.ice_codes,
        speeds_kmh=(ice.speeds_kn["L"].scaled(KN_TO_KMH), ice.speeds_kn["M"].scaled(KN_TO_KMH),
                    ice.speeds_kn["H"].scaled(KN_TO_KMH)),
        escort=escort,
    )
