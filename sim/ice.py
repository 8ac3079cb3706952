"""Northern Sea Route ice: the ice a ship meets in each water area by half-month and year type, what each ice class
may do in it (sail on its own, with icebreaker escort, or not at all) and speeds in ice.

Loaded from ``geodata/nsr_ice.yaml``; the planner turns it into per-day codes and actions. Ice codes: F ice-free,
L light, M medium, H heavy. Year types: light, normal, heavy, drawn per sector (west, centre, east) when a
scenario asks for ``ice_year: random``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .schema_types import DistField
from .seasons import ICE_CLASSES

__all__ = ["IceData", "IceRule", "load_ice", "CODES", "YEAR_TYPES", "INDEPENDENT", "ESCORT", "CLOSED", "half_month"]

CODES = "FLMH"  # ice-free, light, medium, heavy
YEAR_TYPES = ("light", "normal", "heavy")
INDEPENDENT, ESCORT, CLOSED = 0, 1, 2
ACTIONS = {"independent": INDEPENDENT, "escort": ESCORT, "closed": CLOSED}
MonthDay = Annotated[str, Field(pattern=r"^(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$")]


def half_month(day: dt.date) -> int:
    """0 for 1-15 January, 1 for 16-31 January, ... 23 for 16-31 December."""
    return 2 * (day.month - 1) + (0 if day.day <= 15 else 1)


class IceRule(BaseModel):
    """What a ship may do in the given ice codes, within a calendar window and optionally only in some areas."""

    model_config = ConfigDict(extra="forbid")
    codes: list[Literal["F", "L", "M", "H"]] = Field(min_length=1)
    action: Literal["independent", "escort", "closed"]
    from_: MonthDay = Field("01-01", alias="from")
    to: MonthDay = "12-31"
    areas: list[str] | None = None

    def applies(self, code: str, day: dt.date, area: str) -> bool:
        """Whether the rule covers ``code`` on ``day`` in ``area`` (windows are inclusive, within one year)."""
        md = f"{day.month:02d}-{day.day:02d}"
        return code in self.codes and self.from_ <= md <= self.to and (self.areas is None or area in self.areas)


class IceData(BaseModel):
    """The ice file: leg segments by water area, sectors, year-type probabilities, conditions, rules, speeds."""

    model_config = ConfigDict(extra="forbid")
    sources: dict[str, str]
    segments: dict[str, list[tuple[str, float]]]
    sectors: dict[str, Literal["west", "centre", "east"]]
    year_types: dict[Literal["west", "centre", "east"], dict[str, float]]  # year type -> probability
    conditions: dict[str, dict[str, str]]  # area -> year type -> 24 codes
    classes: dict[str, list[IceRule]]
    speeds_kn: dict[Literal["L", "M", "H"], DistField]

    @field_validator("conditions")
    @classmethod
    def _rows(cls, v: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        for area, rows in v.items():
            if set(rows) != set(YEAR_TYPES):
                raise ValueError(f"conditions.{area}: give a row for each year type: {', '.join(YEAR_TYPES)}")
            for year, row in rows.items():
                codes = row.replace(" ", "")
                if len(codes) != 24 or set(codes) - set(CODES):
                    raise ValueError(f"conditions.{area}.{year}: 24 codes (two a month, January first) from "
                                     f"{', '.join(CODES)}; got {row!r}")
        return v

    @model_validator(mode="after")
    def _consistent(self) -> IceData:
        areas = set(self.conditions)
        for leg, parts in self.segments.items():
            unknown = {a for a, _ in parts} - areas
            if unknown:
                raise ValueError(f"segments.{leg}: areas {sorted(unknown)} have no conditions")
            if abs(sum(share for _, share in parts) - 1.0) > 1e-6 or any(share <= 0 for _, share in parts):
                raise ValueError(f"segments.{leg}: shares must be positive and add up to 1")
        if set(self.sectors) != areas:
            raise ValueError(f"sectors: give the sector of every area: {', '.join(sorted(areas))}")
        for sector, p in self.year_types.items():
            if set(p) != set(YEAR_TYPES) or abs(sum(p.values()) - 1.0) > 1e-6 or min(p.values()) < 0:
                raise ValueError(f"year_types.{sector}: probabilities of {', '.join(YEAR_TYPES)} adding up to 1")
        if set(self.classes) != set(ICE_CLASSES):
            raise ValueError(f"classes: give rules for every ice class: {', '.join(ICE_CLASSES)}")
        return self

    @property
    def areas(self) -> tuple[str, ...]:
        """Water areas in file order."""
        return tuple(self.conditions)

    def code(self, area: str, year: str, day: dt.date) -> str:
        """The ice code in ``area`` on ``day`` in a ``year`` (light, normal, heavy) year."""
        return self.conditions[area][year].replace(" ", "")[half_month(day)]

    def action(self, ice_class: str, code: str, day: dt.date, area: str) -> int:
        """INDEPENDENT, ESCORT or CLOSED for a ship of ``ice_class`` meeting ``code`` in ``area`` on ``day``."""
        for rule in self.classes[ice_class]:
            if rule.applies(code, day, area):
                return ACTIONS[rule.action]
        return CLOSED


def load_ice(path: Path | str) -> IceData:
    """Read and validate the ice file; ScenarioError names the file, line and field."""
    from .yamlio import validate_yaml

    return validate_yaml(IceData, Path(path))  # type: ignore[return-value]
