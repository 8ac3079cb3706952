"""Shared fixtures: the real network, route catalogue and land mask are loaded once per test session."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.land import load_land
from sim.network import DEFAULT_GEODATA, load_network
from sim.routes import load_route_specs


@pytest.fixture(scope="session")
def network():
    return load_network()


@pytest.fixture(scope="session")
def specs(network):
    return load_route_specs(DEFAULT_GEODATA / "routes.yaml", network)


@pytest.fixture(scope="session")
def land():
    return load_land()


@pytest.fixture
def geodata_copy(tmp_path: Path) -> Path:
    """A writable copy of the network files for tests that break them on purpose."""
    for name in ("nodes.geojson", "legs.geojson", "routes.yaml"):
        shutil.copy(DEFAULT_GEODATA / name, tmp_path / name)
    return tmp_path


@pytest.fixture(scope="session")
def calibration():
    from sim.calibration import load_calibration

    return load_calibration()


@pytest.fixture(scope="session")
def compile_variant(network, specs, calibration):
    """compile_variant(path, variant='base', **updates) -> (model, info) for a shipped scenario."""
    from sim.plan import compile_model
    from sim.scenario import load_scenario

    cache = {}

    def build(path, variant="base", **updates):
        key = (str(path), variant, tuple(sorted(updates.items())))
        if key not in cache:
            sc = load_scenario(path).variants[variant]
            if updates:
                sc = sc.model_copy(update=updates)
            cache[key] = compile_model(network, specs, calibration, sc)
        return cache[key]

    return build
