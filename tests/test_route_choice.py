"""Route choice with capacity feedback, end to end: shares emerge from simulated generalized costs and respond to
freight, closures, congestion and seasons as shippers would. Short studies (four months, one replication per
iteration) keep it quick; the expectations are signs and physical facts, not simulated numbers."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import yaml

from sim.equilibrium import solve
from sim.executors import Executor
from sim.experiment import execute, prepare_study
from sim.results import Aggregator

ROOT = Path(__file__).resolve().parent.parent
DEFAULT = ROOT / "scenarios" / "instc_vs_suez.yaml"
NSR = ROOT / "scenarios" / "nsr_seasonal.yaml"

pytestmark = pytest.mark.slow


def short_study(tmp_path: Path, source: Path, name: str, months: int = 4, **changes):
    """A shipped study cut to ``months`` months, one replication per iteration, at most 6 iterations."""
    raw = yaml.safe_load(source.read_text(encoding="utf-8"))
    raw["end_date"] = f"2025-{1 + months:02d}-01"
    raw["warmup_days"] = min(raw.get("warmup_days", 0), 15)
    raw["drain_days"] = 120
    raw["route_choice"] = {**raw.get("route_choice", {"model": "logit"}), "max_iterations": 6,
                           "iteration_replications": 1}
    raw.update(changes)
    path = tmp_path / f"{name}.yaml"
    path.write_text(yaml.safe_dump(raw, sort_keys=False), encoding="utf-8")
    return prepare_study(path)


def flow_shares(study, outcomes) -> dict[str, dict[tuple[str, str], float]]:
    """Per variant: (flow, route) -> the flow's final share of the route (TEU-weighted over commodities/months)."""
    out = {}
    for plan in study.variants:
        choice = plan.info.choice
        table = outcomes[plan.name].shares
        out[plan.name] = {(fc.name, r): float(np.einsum("cm,cmi->i", fc.weights, table[fc.flow])[i])
                          for fc in choice.flows for i, r in enumerate(fc.routes)}
    return out


def equilibrium(study):
    with Executor([p.job for p in study.variants]) as ex:
        return solve(study, ex, study.file.base.seed, 1)


def test_two_identical_routes_get_equal_shares(tmp_path):
    """A scenario-defined copy of the Novorossiysk chain: same legs, services and costs, so shippers cannot tell
    them apart (plain logit: no overlap correction); only simulation noise may separate their shares. A third of
    today's demand, so that the one liner they share is not saturated (in a jam the spread of transit times, which
    shippers price, is noisy)."""
    study = short_study(tmp_path, DEFAULT, "twins", routes=["suez_novorossiysk", "suez_novorossiysk_twin"],
                        demand_scale=0.3,
                        route_choice={"model": "logit"}, variants={},
                        network={"routes": {"suez_novorossiysk_twin": {
                            "name": "Novorossiysk chain (copy)", "origin": "INNSA",
                            "stages": [{"to": "RUNVS", "modes": ["sea", "canal"]}, {"to": "RUMOW", "modes": ["rail"]}],
                            "avoid": ["nsr"]}}})
    shares = flow_shares(study, equilibrium(study))["base"]
    for flow in ("india_to_russia", "russia_to_india"):
        a, b = shares[(flow, "suez_novorossiysk")], shares[(flow, "suez_novorossiysk_twin")]
        assert a + b == pytest.approx(1.0)
        assert abs(a - b) < 0.1


def test_dearer_freight_lowers_a_routes_share(tmp_path):
    """Doubling the St Petersburg liner's freight raises that chain's transport cost and nothing else."""
    study = short_study(tmp_path, DEFAULT, "freight", variants={"dear_stp": {"services": {"liner_innsa_ruled": {
        "freight_usd_per_teu": 4600, "sources": {"freight_usd_per_teu": "test: twice the calibrated rate"}}}}})
    shares = flow_shares(study, equilibrium(study))
    for flow in ("india_to_russia", "russia_to_india"):
        assert shares["dear_stp"][(flow, "suez_stp")] < shares["base"][(flow, "suez_stp")]


def test_closing_the_red_sea_moves_cargo_to_the_cape_and_the_instc(tmp_path):
    """FESCO's ships go round the Cape while the Red Sea is closed (their own reroute, no second fleet): the
    Suez chains' cargo is carried round the Cape, those chains get slower and dearer, and shippers move cargo to
    the INSTC."""
    study = short_study(tmp_path, DEFAULT, "red_sea")
    outcomes = equilibrium(study)
    shares = flow_shares(study, outcomes)
    flow = "india_to_russia"
    instc = ("instc_west", "instc_caspian", "instc_east")
    assert sum(shares["red_sea_closed"][(flow, r)] for r in instc) > sum(shares["base"][(flow, r)] for r in instc)
    agg = Aggregator(baseline="suez_novorossiysk", route_km={})
    for out in execute(study, 1, 5, keep_shipments=False, shares={k: v.shares for k, v in outcomes.items()}):
        agg.add(out.variant, out.routes, out.facilities, out.services)
    cape = {r["variant"]: r["teu_share"] * r["diverted_share"] for r in agg.summary_rows()
            if r["direction"] == "forward" and r["route"] == "suez_stp"}
    assert cape["base"] == 0 and cape["red_sea_closed"] > 0  # the share of the flow carried round the Cape


#: The sea chains given room: the whole ship instead of India's slot allocation and four trains a day from the
#: ports instead of one, so that growth saturates the INSTC's finite fleets and borders first. (With today's
#: FESCO allocations and daily trains the sea chains jam first, and then the INSTC share rises: a finding about the
#: calibration, recorded in the notes, not about the mechanism tested here.)
SEA_CHAINS_WITH_ROOM = {
    **{sid: {"capacity_teu": 2471, "sources": {"capacity_teu": "test: a whole 2,471-TEU FBOL ship"}}
       for sid in ("liner_innsa_ruled", "liner_innsa_runvs")},
    **{sid: {"headway_h": 6, "sources": {"headway_h": "test: four trains a day"}}
       for sid in ("rail_ruled_rumow", "rail_runvs_rumow")}}


#: No route constants: the INSTC branches then carry about 45% of the northbound TEU, enough to run them at their
#: fleets' and ports' capacity, so that growth saturates them (with the fitted constants they carry 8% and growth
#: first fills their when-full trains faster: transit falls and their share rises, as shippers would see it)
NO_CONSTANTS = {"model": "logit", "max_iterations": 8, "iteration_replications": 1,
                "penalty_usd_per_teu": {"instc_west": 0, "instc_east": 0, "instc_caspian": 0},
                "sources": {"penalty_usd_per_teu": "test: no route constants"}}


@pytest.mark.parametrize("scale", [2.0, 3.0])
def test_demand_that_saturates_a_corridor_lowers_its_share(tmp_path, scale):
    """At higher demand the INSTC's finite fleets, single-crane Caspian ports and borders cannot carry its share
    at today's speed: its transit grows and shippers move part of its cargo to the sea chains, which have room."""
    study = short_study(tmp_path, DEFAULT, "growth", services=SEA_CHAINS_WITH_ROOM, route_choice=NO_CONSTANTS,
                        variants={"more": {"demand_scale": scale}})
    outcomes = equilibrium(study)
    shares = flow_shares(study, outcomes)
    instc = ("instc_west", "instc_caspian", "instc_east")
    flow = "india_to_russia"
    assert sum(shares["more"][(flow, r)] for r in instc) < sum(shares["base"][(flow, r)] for r in instc)


def test_nsr_gets_no_cargo_in_months_its_ships_cannot_get_through(tmp_path):
    """Eleven months of Chennai bookings: in the months when no NSR departure reached then gets through the ice
    (from the same per-day ice actions the engine uses), the NSR's chosen share is zero; for bookings that reach
    Vladivostok in the summer-autumn navigation season (published July-November) it is not."""
    study = short_study(tmp_path, NSR, "nsr", months=11, variants={})
    outcome = equilibrium(study)["base"]
    plan = study.variants[0].info.choice
    fc = next(f for f in plan.flows if f.name == "chennai_to_moscow")
    nsr = fc.routes.index("emc_nsr")
    table = outcome.shares[fc.flow]
    assert (table[:, 0:5, nsr] == 0).all()  # January - May: the Ice1 ship's season has not begun
    assert (table[:, 5:9, nsr] > 0).any()  # June - September bookings reach the open season


def test_shares_of_a_flow_sum_to_one_in_the_share_tables_and_the_results(tmp_path):
    study = short_study(tmp_path, DEFAULT, "sums", variants={})
    outcomes = equilibrium(study)
    for fc in study.variants[0].info.choice.flows:
        assert outcomes["base"].shares[fc.flow].sum(axis=2) == pytest.approx(1.0)
    agg = Aggregator(baseline="suez_novorossiysk", route_km={})
    for out in execute(study, 1, 5, keep_shipments=False, shares={"base": outcomes["base"].shares}):
        agg.add(out.variant, out.routes, out.facilities, out.services)
    for direction in ("forward", "reverse"):
        total = sum(r["teu_share"] for r in agg.summary_rows() if r["direction"] == direction)
        assert total == pytest.approx(1.0)
