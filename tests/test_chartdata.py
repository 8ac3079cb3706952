"""Chart data: what a worker reduces its replication to agrees with the shipments table the run writes, stays the
same size however many replications are added, and does not depend on the order they arrive in."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from sim.chartdata import CENTRES, EDGES, ChartData, bin_index
from sim.experiment import prepare_study, run_replication

SMALL = Path(__file__).parent / "data" / "small.yaml"
NSR = Path(__file__).parent.parent / "scenarios" / "nsr_seasonal.yaml"
HALF_BIN = float(np.sqrt(EDGES[1] / EDGES[0]))  # a bin's centre is within this factor of anything in the bin


@pytest.fixture(scope="module", params=[(SMALL, "busy", None), (NSR, "refuse_out_of_season", "dropped:season_closed"),
                                        ("undrained", "busy", "in_transit")], ids=["small", "nsr", "undrained"])
def replication(request, tmp_path_factory):
    """One replication's shipments (as pandas) and chart data, with its study's start date: the small study, the
    NSR study refusing bookings out of season, and the small study stopped at its end date (cargo still moving)."""
    path, variant, expect = request.param
    if path == "undrained":
        path = tmp_path_factory.mktemp("undrained") / "small.yaml"
        path.write_text(SMALL.read_text(encoding="utf-8") + "\ndrain_days: 0\n", encoding="utf-8")
    study = prepare_study(path)
    plan = next(p for p in study.variants if p.name == variant)
    out = run_replication(plan, 0, 3, keep_shipments=True)
    data = ChartData()
    data.add(variant, out.charts)
    return out.shipments.to_pandas(), data, variant, plan.scenario.start_date, expect


def _forward(ships: pd.DataFrame, start) -> pd.DataFrame:
    """What the transit charts select, with the booking month as the charts used to compute it from the table."""
    sub = ships[~ships.in_warmup & (ships.direction == "forward")]
    created = pd.to_datetime(start) + pd.to_timedelta(sub.created_h, unit="h")
    return sub.assign(month=created.dt.month.to_numpy())


def test_counts_by_route_and_month_equal_the_shipments_table(replication):
    ships, data, variant, start, _ = replication
    sub = _forward(ships, start)
    assert (sub.status == "delivered").any()
    for (route, month), rows in sub.groupby(["route", "month"]):
        hist = data.hist[(variant, route)][month - 1]
        moving, refused, booked = data.status[(variant, route)][month - 1]
        assert int(hist.sum()) == int((rows.status == "delivered").sum())
        assert (moving, refused, booked) == ((rows.status == "in_transit").sum(),
                                             (rows.status == "dropped:season_closed").sum(), len(rows))
        days = rows.transit_days[rows.status == "delivered"].to_numpy()
        assert np.array_equal(np.flatnonzero(hist), np.unique(bin_index(days)))
    booked = sum(int(t[:, 2].sum()) for (v, _), t in data.status.items() if v == variant)
    assert booked == len(sub)


def test_the_studies_have_the_statuses_the_counts_are_checked_on(replication):
    """Cargo refused out of season in the NSR study and still moving in the undrained one: else the counts above
    would prove little."""
    ships, _, _, start, expect = replication
    statuses = set(_forward(ships, start).status)
    assert "delivered" in statuses and (expect is None or expect in statuses)


def test_flow_teu_per_itinerary_equals_the_shipments_table(replication):
    ships, data, variant, _, _ = replication
    after = ships[~ships.in_warmup]
    flows = data.flows[variant]
    by = after.groupby("itinerary")
    assert np.flatnonzero(flows[1]).tolist() == sorted(by.groups)
    for it, rows in by:
        assert flows[0, it] == rows.teu.sum() and flows[1, it] == len(rows)
        assert flows[2, it] == rows.teu[rows.diverted].sum()


def test_binned_medians_and_curves_are_within_half_a_bin_of_the_exact_ones(replication):
    ships, data, variant, start, _ = replication
    live = _forward(ships, start)
    live = live[live.status.isin(("delivered", "in_transit"))]
    for route, rows in live.groupby("route"):
        days = np.sort(np.where(rows.status == "delivered", rows.transit_days, np.inf))
        x, share, median, left = data.ecdf(variant, route)
        exact = float(np.quantile(days, 0.5, method="inverted_cdf"))
        assert (median == exact == np.inf) or exact / HALF_BIN <= median <= exact * HALF_BIN
        assert left == pytest.approx(np.isinf(days).mean())
        # at each drawn point, the share delivered by the top of its bin
        top = EDGES[np.searchsorted(CENTRES, x) + 1]
        assert np.allclose(share, np.searchsorted(days, top, side="right") / len(days))


def test_size_does_not_grow_with_replications_and_order_does_not_matter():
    study = prepare_study(SMALL)
    plan = study.variants[0]
    parts = [run_replication(plan, r, 5, keep_shipments=True).charts for r in range(3)]
    one, many, reverse = ChartData(), ChartData(), ChartData()
    one.add(plan.name, parts[0])
    for k in range(60):
        many.add(plan.name, parts[k % 3])
    for part in reversed(parts):
        reverse.add(plan.name, part)
    forward = ChartData()
    for part in parts:
        forward.add(plan.name, part)
    assert many.nbytes == one.nbytes > 0
    assert many.replications[plan.name] == 60
    for key, hist in forward.hist.items():
        assert np.array_equal(hist, reverse.hist[key])
        assert np.array_equal(forward.status[key], reverse.status[key])
    assert np.array_equal(forward.flows[plan.name], reverse.flows[plan.name])


def test_quantiles_count_cargo_still_moving_as_slower_than_any_arrival():
    data = ChartData()
    hist = np.zeros((12, len(CENTRES)), dtype=np.int64)
    hist[0, bin_index(np.array([10.0]))] = 3  # three arrivals at 10 days in January, four still moving
    data.hist[("v", "r")] = hist
    data.status[("v", "r")] = np.zeros((12, 3), dtype=np.int64)
    data.status[("v", "r")][0] = (4, 0, 7)
    (jan,) = data.by_month("v", "r")
    assert jan.live == 7 and jan.low == pytest.approx(10.0, rel=HALF_BIN - 1) and jan.median == np.inf
    *_, median, left = data.ecdf("v", "r")
    assert median == np.inf and left == pytest.approx(4 / 7)
