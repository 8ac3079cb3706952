"""Every bound on user input in one place, each with its reason.

Scenario and calibration schemas, the network loaders and the command line all read these constants, and the
README's "Limits" table lists them. A value outside a limit is refused with a message naming the file, the line,
the field and the allowed range; nothing is clipped silently. The limits are generous for real studies (the
shipped ones use a fraction of each) and small enough that a run always ends in bounded time and memory.
"""

from __future__ import annotations

import datetime as dt

__all__ = [
    "EARLIEST_DATE", "LATEST_DATE", "MAX_STUDY_DAYS", "MAX_REPLICATIONS", "MAX_SEED", "MAX_TEU_PER_YEAR",
    "MAX_STUDY_TEU", "MAX_DEMAND_SCALE", "MAX_SERVERS", "MAX_CAPACITY_TEU", "MAX_VEHICLES", "MIN_HEADWAY_H",
    "MAX_HOURS", "MIN_SPEED_KMH", "MAX_SPEED_KMH", "MAX_FACTOR", "MAX_COST_USD", "MAX_NAME_LENGTH",
    "MAX_FILE_BYTES", "MAX_GEODATA_BYTES", "MAX_NESTING", "MAX_WORKERS", "MAX_APPROACH_KM", "MAX_ON_TIME_DAYS",
    "MAX_CV", "MAX_ICEBREAKERS", "MAX_SLOTS", "MAX_SCENARIO_NODES", "MAX_SCENARIO_LEGS", "MAX_SCENARIO_ROUTES",
    "MAX_LEG_POSITIONS", "MAX_ROUTED_LEGS", "MAX_ROUTED_ALTERNATIVES", "LIMITS_TABLE",
]

# ----- study period ------------------------------------------------------------------------------------------
#: Dates must lie in this window: the calibration describes today's corridors, and a typo such as 9999 or a
#: number read as a timestamp is caught instead of simulated.
EARLIEST_DATE = dt.date(2000, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
#: Longest study (10 years): events, memory and the seasonal calendar grow linearly with the horizon.
MAX_STUDY_DAYS = 3660
#: Longest on-time threshold (one year): a longer one makes on_time_share meaningless.
MAX_ON_TIME_DAYS = 365.0
#: After the last booking the run drains for at most this long (NSR cargo may wait most of a year for the season).
MAX_DRAIN_DAYS = 1830.0

# ----- replications ------------------------------------------------------------------------------------------
#: At most 10,000 replications per variant: far beyond what confidence intervals need (they shrink as
#: 1/sqrt(n)), and the task list and per-replication summaries stay small.
MAX_REPLICATIONS = 10_000
#: Seeds are non-negative integers below 2**63 (what NumPy's SeedSequence, the manifest and every tool that
#: reads it handle as a plain integer).
MAX_SEED = 2**63 - 1
#: Local worker processes: one per core is the useful maximum; 256 covers any machine this runs on.
MAX_WORKERS = 256

# ----- demand ------------------------------------------------------------------------------------------------
#: Total bookings of one variant, all flows after demand_scale: 5 million TEU a year, about 40x the whole
#: India-Russia container trade today and above the USD 100 bn 2030 target. One replication at 1 million TEU a
#: year takes about 8 s and 600 MB.
MAX_TEU_PER_YEAR = 5_000_000.0
#: TEU booked over the whole study per replication (rate x length): bounds one replication's memory (about
#: 600 MB per million TEU).
MAX_STUDY_TEU = 10_000_000.0
#: demand_scale multiplies every flow; the total above is checked as well.
MAX_DEMAND_SCALE = 1000.0
#: Relative factors (month factors, commodity, size and route shares are normalised; month speed factors <= 1).
MAX_FACTOR = 1_000_000.0

# ----- calibration -------------------------------------------------------------------------------------------
#: Servers of one facility (cranes, lanes, tracks): the largest terminals have a few hundred.
MAX_SERVERS = 1000
#: TEU per vehicle: the largest container ships carry about 24,000 TEU.
MAX_CAPACITY_TEU = 100_000.0
#: Vehicles of a fleet service per direction.
MAX_VEHICLES = 100_000
#: Shortest headway between scheduled departures: one an hour; shorter ones only add empty departures.
MIN_HEADWAY_H = 1.0
#: Any duration (service, dwell, transit, wait, headway, return trip): at most 10 years in hours.
MAX_HOURS = 87_840.0
#: Speeds (after knots are converted): a vehicle must move (>= 1 km/h at its slowest) and no freight vehicle
#: exceeds 500 km/h.
MIN_SPEED_KMH = 1.0
MAX_SPEED_KMH = 500.0
#: Coefficient of variation of a lognormal distribution.
MAX_CV = 10.0
#: Money per TEU or per TEU-km, cargo values and CO2 factors: finite and below a billion.
MAX_COST_USD = 1e9
#: Other traffic through a facility (trucks, trains a day): the busiest land borders see a few thousand.
MAX_BACKGROUND_PER_DAY = 100_000.0
#: Icebreakers and convoy sizes, canal slots.
MAX_ICEBREAKERS = 1000
MAX_SLOTS = 100_000

# ----- files -------------------------------------------------------------------------------------------------
#: Scenario, calibration and routes files: at most 1 MB (the largest shipped file is about 40 kB).
MAX_FILE_BYTES = 1_000_000
#: GeoJSON network files: at most 50 MB (the shipped legs file is about 1 MB).
MAX_GEODATA_BYTES = 50_000_000
#: Nesting depth of YAML and JSON documents (the deepest legitimate nesting is about 6 levels).
MAX_NESTING = 32
#: Names (scenario, variants) go into folder names: at most 64 characters.
MAX_NAME_LENGTH = 64
#: A port approach or narrow strait radius in nodes.geojson.
MAX_APPROACH_KM = 500.0

# ----- a scenario's own network (the `network:` block) ----------------------------------------------------------
#: Nodes, legs and routes one scenario may add: far more than a study compares, few enough that checking and
#: resolving them stays within seconds.
MAX_SCENARIO_NODES = 500
MAX_SCENARIO_LEGS = 500
MAX_SCENARIO_ROUTES = 100
#: Positions (or stations) of one drawn leg: the most detailed shipped line has about 120.
MAX_LEG_POSITIONS = 20_000
#: Sea legs without geometry, each routed on the global lane graph (about 0.1 s a path, a few paths a leg).
MAX_ROUTED_LEGS = 40
#: Alternative paths of one routed sea leg (one per combination of closable passages it can avoid, e.g. Suez,
#: the Cape, the NSR): enough for every closure a study names, bounded so that routing stays quick.
MAX_ROUTED_ALTERNATIVES = 8

#: (what, limit, why) rows for the README and `corridor-sim schema` users.
LIMITS_TABLE = (
    ("dates", f"{EARLIEST_DATE} to {LATEST_DATE}, written YYYY-MM-DD", "typos and numbers read as timestamps"),
    ("study length", f"<= {MAX_STUDY_DAYS} days", "time and memory grow with the horizon"),
    ("replications", f"1 to {MAX_REPLICATIONS:,}", "intervals shrink as 1/sqrt(n)"),
    ("seed", "0 to 2**63-1", "a plain integer everywhere"),
    ("TEU per year (all flows, after demand_scale)", f"<= {MAX_TEU_PER_YEAR:,.0f}", "memory of one replication"),
    ("TEU over the study", f"<= {MAX_STUDY_TEU:,.0f}", "memory of one replication"),
    ("demand_scale", f"> 0 and <= {MAX_DEMAND_SCALE:,.0f}", ""),
    ("servers", f"1 to {MAX_SERVERS:,}", "the largest terminals"),
    ("capacity_teu, fill_teu", f"> 0 and <= {MAX_CAPACITY_TEU:,.0f}", "the largest ships carry ~24,000 TEU"),
    ("vehicles", f"1 to {MAX_VEHICLES:,}", ""),
    ("headway_h", f">= {MIN_HEADWAY_H} h", "shorter adds only empty departures"),
    ("durations (hours)", f"finite, <= {MAX_HOURS:,.0f}", "ten years"),
    ("speeds", f"{MIN_SPEED_KMH} to {MAX_SPEED_KMH} km/h", "vehicles move, no freight vehicle is faster"),
    ("costs, values, CO2 factors", f"finite, >= 0, < {MAX_COST_USD:,.0f}", ""),
    ("every number", "finite (no .inf or .nan)", ""),
    ("files", f"<= {MAX_FILE_BYTES:,} bytes (GeoJSON {MAX_GEODATA_BYTES:,}), nesting <= {MAX_NESTING}", ""),
    ("names", f"<= {MAX_NAME_LENGTH} characters", "they become folder names"),
    ("scenario network", f"<= {MAX_SCENARIO_NODES} nodes, {MAX_SCENARIO_LEGS} legs ({MAX_ROUTED_LEGS} routed on the "
     f"sea lanes), {MAX_SCENARIO_ROUTES} routes; <= {MAX_LEG_POSITIONS:,} positions a leg", "checking stays quick"),
)
