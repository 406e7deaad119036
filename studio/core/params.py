"""Typed parameter descriptions shared by the block, optimizer and dataset catalogues.

A `Param` knows its type, default, range or choices and help; `Param.coerce` checks a value and returns it
in canonical form, or raises `ParamError` with a message in the Keras style: what was expected, what
was received.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

Kind = Literal["int", "float", "bool", "choice", "ints", "floats", "str", "list"]


class ParamError(ValueError):
    """A parameter value that does not fit its description."""


# Sane limits for numbers whose Param names none: a size of 1e30 is a typo, not a wish, and must be refused
# at check time rather than as an out-of-memory crash after the data has loaded.
INT_LIMIT = 1_000_000
FLOAT_LIMIT = 1e9


def shown(value: Any, limit: int = 60) -> str:
    """`repr(value)` cut to `limit` characters; safe for integers too long to print (over 4,300 digits)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10 ** 30:
        return f"an integer of {len(str(abs(value))) if value.bit_length() < 14_000 else 'over 4,300'} digits"
    try:
        text = repr(value)
    except (ValueError, RecursionError):
        return f"a {type(value).__name__}"
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Param:
    name: str
    kind: Kind
    default: Any
    help: str
    minimum: float | None = None
    maximum: float | None = None
    exclusive_min: bool = False
    exclusive_max: bool = False
    choices: tuple[Any, ...] = ()
    length: int | None = None  # exact length for "ints"/"floats" (a bare number is repeated to it)
    optional: bool = False  # None is accepted and means "not set"
    unit: str = ""
    advanced: bool = False  # shown folded in the inspector
    extra: dict[str, Any] = field(default_factory=dict)

    # ------------------------------------------------------------------ description
    def expectation(self) -> str:
        """Human words for what this parameter accepts, e.g. 'a float in [0, 1)'."""
        if self.kind == "bool":
            text = "true or false"
        elif self.kind == "choice":
            text = "one of " + ", ".join(repr(c) for c in self.choices)
        elif self.kind == "str":
            text = "a text"
        elif self.kind == "list":
            text = "a non-empty list"
        else:
            noun = {"int": "an integer", "float": "a float", "ints": "a list of integers",
                    "floats": "a list of floats"}[self.kind]
            if self.kind in ("ints", "floats") and self.length:
                noun = f"{noun} of length {self.length}"
            text = noun + self._range_text()
        if self.optional:
            text += " (or null)"
        return text

    def _limits(self) -> tuple[float, float]:
        """The range checked: the Param's own, or the sane limits where it names none."""
        cap = INT_LIMIT if self.kind in ("int", "ints") else FLOAT_LIMIT
        lo = self.minimum if self.minimum is not None else -cap
        hi = self.maximum if self.maximum is not None else cap
        return lo, hi

    def _range_text(self) -> str:
        lo, hi = self.minimum, self.maximum
        if lo is not None and hi is not None:
            left = "(" if self.exclusive_min else "["
            right = ")" if self.exclusive_max else "]"
            return f" in {left}{_num(lo)}, {_num(hi)}{right}"
        if lo is not None:
            return f" {'>' if self.exclusive_min else '≥'} {_num(lo)}"
        if hi is not None:
            return f" {'<' if self.exclusive_max else '≤'} {_num(hi)}"
        return ""

    # ------------------------------------------------------------------ checking
    def fail(self, value: Any) -> ParamError:
        return ParamError(f"Invalid value for `{self.name}`: expected {self.expectation()}, received {shown(value)}")

    def coerce(self, value: Any) -> Any:
        if value is None:
            if self.optional:
                return None
            raise self.fail(value)
        kind = self.kind
        if kind == "bool":
            if isinstance(value, bool):
                return value
            raise self.fail(value)
        if kind == "choice":
            if value in self.choices:
                return value
            raise self.fail(value)
        if kind == "str":
            if isinstance(value, str):
                return value
            raise self.fail(value)
        if kind in ("int", "float"):
            return self._number(value, value)
        if kind == "list":
            if isinstance(value, (list, tuple)) and len(value) > 0:
                return list(value)
            raise self.fail(value)
        # sequences
        items = value
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if not self.length:
                raise self.fail(value)
            items = [value] * self.length
        if not isinstance(items, (list, tuple)) or (self.length and len(items) != self.length) or not items:
            raise self.fail(value)
        scalar = Param(self.name, "int" if kind == "ints" else "float", None, "", self.minimum,
                       self.maximum, self.exclusive_min, self.exclusive_max,
                       optional=self.extra.get("none_items", False))
        out = []
        for item in items:
            try:
                out.append(scalar._number(item, value) if item is not None else scalar.coerce(None))
            except ParamError:
                raise self.fail(value) from None
        return out

    def _number(self, value: Any, given: Any) -> int | float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise self.fail(given)
        if isinstance(value, float) and not math.isfinite(value):
            raise ParamError(f"Invalid value for `{self.name}`: must be a finite number "
                             f"(expected {self.expectation()}), received {value!r}")
        lo, hi = self._limits()
        if not lo <= value <= hi:  # before int(): 1e300 is a float no one means as a size
            if (value > hi and self.maximum is None) or (value < lo and self.minimum is None):
                raise ParamError(f"Invalid value for `{self.name}`: expected {self.expectation()} and at most "
                                 f"{_num(max(abs(lo), abs(hi)))} in size, received {shown(given)}")
            raise self.fail(given)
        if self.kind in ("int", "ints"):
            if isinstance(value, float):
                if not value.is_integer():
                    raise self.fail(given)
                value = int(value)
        else:
            value = float(value)
        if lo is not None and (value < lo or (self.exclusive_min and value == lo)):
            raise self.fail(given)
        if hi is not None and (value > hi or (self.exclusive_max and value == hi)):
            raise self.fail(given)
        return value


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def coerce_params(params: tuple[Param, ...], given: dict[str, Any], owner: str) -> dict[str, Any]:
    """Check `given` against `params`; return every parameter with defaults filled in.

    Raises ParamError naming `owner` for unknown names or bad values.
    """
    known = {p.name: p for p in params}
    unknown = [k for k in given if k not in known]
    if unknown:
        names = ", ".join(sorted(known)) or "none"
        raise ParamError(f"{owner} has no parameter `{unknown[0]}`; its parameters are: {names}")
    out: dict[str, Any] = {}
    for p in params:
        out[p.name] = p.coerce(given[p.name]) if p.name in given else p.default
    return out
