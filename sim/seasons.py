"""Seasonal availability of legs by ice class (Northern Sea Route navigation windows).

A season is a list of rules; each rule names ice classes, the calendar windows in which they may navigate,
and the windows in which icebreaker escort is required. Windows are inclusive (month, day) pairs and may
wrap the year end (e.g. 12-01 to 01-31).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

__all__ = ["ICE_CLASSES", "Window", "SeasonRule", "Season", "parse_season"]

# Russian Maritime Register classes, weakest first; "none" is a ship without ice strengthening.
ICE_CLASSES = ("none", "ice1", "ice2", "ice3", "arc4", "arc5", "arc6", "arc7", "arc8", "arc9")


@dataclass(frozen=True)
class Window:
    """An inclusive calendar window from (month, day) to (month, day), possibly wrapping the year end."""

    start: tuple[int, int]
    end: tuple[int, int]

    def contains(self, day: dt.date) -> bool:
        """True when ``day`` falls inside the window (any year)."""
        md = (day.month, day.day)
        if self.start <= self.end:
            return self.start <= md <= self.end
        return md >= self.start or md <= self.end


@dataclass(frozen=True)
class SeasonRule:
    """Navigation windows and escort windows for a set of ice classes."""

    ice_classes: frozenset[str]
    open: tuple[Window, ...]
    escort: tuple[Window, ...]


@dataclass(frozen=True)
class Season:
    """The seasonal availability of one leg; ``source`` cites the rules it encodes."""

    rules: tuple[SeasonRule, ...]
    source: str

    def rule_for(self, ice_class: str) -> SeasonRule | None:
        """The rule covering ``ice_class``, or None when that class may never navigate the leg."""
        for rule in self.rules:
            if ice_class in rule.ice_classes:
                return rule
        return None

    def is_open(self, ice_class: str, day: dt.date) -> bool:
        """True when a ship of ``ice_class`` may navigate the leg on ``day``."""
        rule = self.rule_for(ice_class)
        return rule is not None and any(w.contains(day) for w in rule.open)

    def needs_escort(self, ice_class: str, day: dt.date) -> bool:
        """True when a ship of ``ice_class`` needs icebreaker escort on ``day``."""
        rule = self.rule_for(ice_class)
        return rule is not None and any(w.contains(day) for w in rule.escort)


def _parse_md(text: str) -> tuple[int, int]:
    month, day = (int(x) for x in str(text).split("-"))
    dt.date(2001, month, day)  # raises ValueError on an impossible date
    return month, day


def parse_season(raw: dict) -> Season:
    """Build a Season from its GeoJSON property form; raises ValueError with the offending part."""
    if not isinstance(raw, dict) or "rules" not in raw or "source" not in raw:
        raise ValueError("expected an object with 'rules' (list) and 'source' (text)")
    rules = []
    for i, r in enumerate(raw["rules"]):
        classes = frozenset(r.get("ice_classes", []))
        unknown = classes - set(ICE_CLASSES)
        if not classes or unknown:
            raise ValueError(f"rules[{i}].ice_classes: {sorted(unknown) or 'empty'}; allowed: {', '.join(ICE_CLASSES)}")
        try:
            opens = tuple(Window(_parse_md(a), _parse_md(b)) for a, b in r.get("open", []))
            escort = tuple(Window(_parse_md(a), _parse_md(b)) for a, b in r.get("escort", []))
        except (ValueError, TypeError) as exc:
            raise ValueError(f"rules[{i}]: windows must be pairs of 'MM-DD' dates ({exc})") from None
        rules.append(SeasonRule(classes, opens, escort))
    if not str(raw["source"]).strip():
        raise ValueError("'source' must cite the navigation rules")
    return Season(tuple(rules), str(raw["source"]))
