"""Numbers and sentences as people read them: the one number formatter, markdown tables and the plain-language
tables (shared by the Markdown and HTML reports and the command line)."""

from __future__ import annotations

import math

__all__ = ["number", "markdown_table"]


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
