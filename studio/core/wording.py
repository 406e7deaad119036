"""Small helpers for the words of messages."""

from __future__ import annotations

from collections.abc import Iterable

LISTED = 12  # names a message lists before it says how many more there are (a 500-block model has 500 ids)


def listing(names: Iterable[object], limit: int = LISTED) -> str:
    """`a, b, c`, or `a, b, …, l and 488 more` past `limit`; `none` for nothing."""
    items = [str(n) for n in names]
    if not items:
        return "none"
    if len(items) <= limit:
        return ", ".join(items)
    return ", ".join(items[:limit]) + f" and {len(items) - limit} more"
