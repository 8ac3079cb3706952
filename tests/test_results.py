"""Route summaries: censoring-aware transit statistics, the undelivered share, and cost columns that add up."""

from __future__ import annotations

import numpy as np
import pytest
from test_scenarios_paths import NSR, SMALL

from sim.costs import CostRates, consignment_costs
from sim.engine import run
from sim.results import summarise_replication


def summarise(model, info, seed=3):
    rates = CostRates(45.0, model.commodity_time_value_per_day)
    result = run(model, np.random.default_rng(seed))
    return result, summarise_replication(result, model, info.itinerary_routes, rates), rates


def test_cargo_still_moving_at_the_end_is_reported_not_dropped(compile_variant):
    """Without a drain, NSR cargo booked from September waits for next July and is still moving when the run
    stops: the undelivered share says so, and the Kaplan-Meier median is not the median of the lucky ones that
    arrived (which the old delivered-only statistic reported)."""
    model, info = compile_variant(NSR, drain_days=0)
    result, summary, _ = summarise(model, info)
    nsr = summary["emc_nsr"]
    assert nsr["teu_undelivered"] > 0 and 0 < nsr["undelivered_share"] < 1
    b = result.bookings
    its = [i for i, r in enumerate(info.itinerary_routes) if r == "emc_nsr"]
    mine = np.isin(b.itinerary, its) & (b.kind == 0) & (b.created_h >= model.warmup_h)
    arrived = (result.delivered_h - b.created_h)[mine & ~np.isnan(result.delivered_h)] / 24.0
    assert nsr["transit_days_p50"] >= np.median(arrived)
    model, info = compile_variant(NSR)  # with the default drain the same cargo arrives
    _, summary, _ = summarise(model, info)
    assert summary["emc_nsr"]["undelivered_share"] == 0


def test_cost_columns_add_up(compile_variant):
    model, info = compile_variant(SMALL)
    result, summary, rates = summarise(model, info)
    for key, s in summary.items():
        assert s["generalized_cost_usd_per_teu"] == pytest.approx(s["transport_usd_per_teu"]
                                                                 + s["time_cost_usd_per_teu"]), key
        assert s["transport_usd_per_teu"] >= s["empty_cost_usd_per_teu"] >= 0, key
    costs = consignment_costs(result, rates)
    loaded = result.bookings.kind == 0
    delivered = ~np.isnan(result.delivered_h)
    # the empties' transport cost is carried by the loads whose boxes they returned, no more and no less
    empty = result.bookings.kind == 1
    assert costs.empty_usd[loaded].sum() == pytest.approx(costs.transport_usd[empty].sum())
    assert (costs.time_usd[loaded & delivered] > 0).all()


def test_a_flow_on_part_of_a_route_is_compared_with_the_same_part_of_the_baseline():
    from sim.results import METRICS, Aggregator

    def summary(p50: float) -> dict:
        return {m: (p50 if m == "transit_days_p50" else 1.0) for m in METRICS}

    agg = Aggregator(baseline="b", route_km={})
    for rep in range(3):
        agg.add("base", {"b": summary(40 + rep), "a": summary(50 + rep), "b@X-Y": summary(20 + rep),
                         "a@X-Y": summary(23 + rep), "a@X-Z": summary(30)}, [])
    rows = {r["route"]: r for r in agg.summary_rows()}
    assert rows["b@X-Y"]["is_baseline"] and rows["b"]["is_baseline"] and not rows["a@X-Y"]["is_baseline"]
    assert rows["a"]["delta_days_p50_vs_baseline"] == pytest.approx(10)
    assert rows["a@X-Y"]["delta_days_p50_vs_baseline"] == pytest.approx(3)  # not 23 - 40
    assert np.isnan(rows["a@X-Z"]["delta_days_p50_vs_baseline"])  # the baseline does not carry that part


def test_km_summary_gives_exactly_the_separate_estimates():
    from sim.survival import km_quantile, km_restricted_mean, km_summary

    rng = np.random.default_rng(3)
    for n in (0, 1, 5, 200):
        times = np.round(rng.exponential(10.0, n), 1)  # ties, as transit days have
        observed = rng.random(n) < 0.8
        weights = rng.integers(1, 5, n).astype(float)
        mean, quantiles = km_summary(times, observed, weights, (0.05, 0.5, 0.95))
        assert np.array_equal([mean, *quantiles], [km_restricted_mean(times, observed, weights),
                                                   *(km_quantile(times, observed, weights, q)
                                                     for q in (0.05, 0.5, 0.95))], equal_nan=True)
