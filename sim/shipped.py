"""The studies shipped in scenarios/: what each asks, read from the files without compiling them."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import yaml

__all__ = ["ShippedStudy", "shipped_studies", "SHIPPED_DIR"]

SHIPPED_DIR = Path(__file__).resolve().parent.parent / "scenarios"


@dataclass
class ShippedStudy:
    """One shipped scenario file: its name, description (the question it asks), variants and routes."""

    name: str
    file: Path
    description: str
    variants: list[str]
    routes: list[str]


def shipped_studies(folder: Path = SHIPPED_DIR) -> list[ShippedStudy]:
    """Every ``*.yaml`` study in ``folder`` (not the defaults or validation sub-folders), by file name."""
    out = []
    for path in sorted(folder.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        baseline = data.get("baseline")
        routes = list(data.get("routes", []))
        routes.sort(key=lambda r: r != baseline)  # baseline first
        out.append(ShippedStudy(name=str(data.get("name", path.stem)), file=path,
                                description=" ".join(str(data.get("description", "")).split()),
                                variants=["base", *(data.get("variants") or {})], routes=routes))
    return out
