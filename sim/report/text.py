"""Numbers and sentences as people read them: the one number formatter, markdown tables and the plain-language
comparison against the baseline (shared by the Markdown and HTML reports and the command line)."""

from __future__ import annotations

import math

__all__ = ["number", "markdown_table", "comparison_sentences"]


def number(value: float | int | None, digits: int = 1, missing: str = "n/a") -> str:
    """``value`` with thousands separators and ``digits`` decimals; ``missing`` for None or NaN."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return missing
    return f"{value:,.{digits}f}"


def markdown_table(rows: list[dict], columns: list[tuple[str, str]]) -> str:
    """A GitHub-flavoured markdown table of ``rows``; ``columns`` are (key, header) pairs."""
    head = "| " + " | ".join(h for _, h in columns) + " |"
    sep = "|" + "|".join("---" for _ in columns) + "|"
    body = ["| " + " | ".join(str(r[k]) for k, _ in columns) + " |" for r in rows]
    return "\n".join([head, sep, *body])


def comparison_sentences(rows: list[dict]) -> list[str]:
    """One plain-language sentence per non-baseline route and direction (markdown bold for the variant)."""
    out = []
    for r in rows:
        if r["is_baseline"] or math.isnan(r["delta_days_p50_vs_baseline"]):
            continue
        d = r["delta_days_p50_vs_baseline"]
        lo, hi = r["delta_days_p50_ci_low"], r["delta_days_p50_ci_high"]
        faster = "faster" if d < 0 else "slower"
        sure = ""
        if not math.isnan(lo) and not math.isnan(hi):
            sure = (" (the 95% interval excludes zero)" if (lo > 0 or hi < 0)
                    else " (the 95% interval includes zero: no clear difference)")
        cost = r["delta_transport_usd_per_teu_vs_baseline"]
        cheaper = "cheaper" if cost < 0 else "dearer"
        generalized = r["delta_generalized_usd_per_teu_vs_baseline"]
        out.append(
            f"- **{r['variant']}**, {r['route']} ({r['direction']}): median transit {number(r['transit_days_p50'])} "
            f"days, {number(abs(d))} days {faster} than the baseline [95% CI {number(lo)} to {number(hi)}]{sure}; "
            f"transport {number(abs(cost), 0)} USD/TEU {cheaper} "
            f"[{number(r['delta_transport_usd_per_teu_ci_low'], 0)} to "
            f"{number(r['delta_transport_usd_per_teu_ci_high'], 0)}], generalized cost (with the cargo's time) "
            f"{number(generalized, 0)} USD/TEU; {number(100 * r['undelivered_share'], 0)}% still moving at the end."
        )
    return out
