"""Typed parameter descriptions shared by the block, optimizer and dataset catalogues.

A `Param` declares a parameter: its type, default, range or choices and help. Checking is pydantic's: each
Param turns into an annotated type (`Param.annotation`), a tuple of them into a model (`params_model`);
`Param.coerce` and `coerce_params` return values in canonical form or raise `ParamError` with a message in
the Keras style: what was expected, what was received.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cache
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StrictBool,
    StrictStr,
    TypeAdapter,
    ValidationError,
    create_model,
)
from pydantic_core import PydanticCustomError

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
    default: Any = field(hash=False)  # may be a list
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
    extra: dict[str, Any] = field(default_factory=dict, hash=False)

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
        if hi is None:
            return "" if lo is None else f" {'>' if self.exclusive_min else '≥'} {_num(lo)}"
        if lo is None:
            return f" {'<' if self.exclusive_max else '≤'} {_num(hi)}"
        left = "(" if self.exclusive_min else "["
        right = ")" if self.exclusive_max else "]"
        return f" in {left}{_num(lo)}, {_num(hi)}{right}"

    # ------------------------------------------------------------------ checking
    def fail(self, value: Any) -> ParamError:
        return ParamError(f"Invalid value for `{self.name}`: expected {self.expectation()}, received {shown(value)}")

    def refusal(self, value: Any) -> ParamError:
        """The Keras-style message for a `value` pydantic refused: non-finite and absurdly large numbers get
        their own words, everything else says what was expected."""
        if self.kind in ("int", "float") and isinstance(value, (int, float)) and not isinstance(value, bool):
            if isinstance(value, float) and not math.isfinite(value):
                return ParamError(f"Invalid value for `{self.name}`: must be a finite number "
                                  f"(expected {self.expectation()}), received {value!r}")
            lo, hi = self._limits()
            if (value > hi and self.maximum is None) or (value < lo and self.minimum is None):
                return ParamError(f"Invalid value for `{self.name}`: expected {self.expectation()} and at most "
                                  f"{_num(max(abs(lo), abs(hi)))} in size, received {shown(value)}")
        return self.fail(value)

    def coerce(self, value: Any) -> Any:
        """`value` checked by pydantic and in canonical form (3.0 → 3 for an int, 5 → [5, 5] for a pair)."""
        try:
            return _adapter(self).validate_python(value)
        except ValidationError:
            raise self.refusal(value) from None

    # ------------------------------------------------------------------ the pydantic type
    def annotation(self) -> Any:
        """The pydantic type this parameter declares: strict scalars (no "3" for 3, no True for 1), bounds as
        Field constraints, Literal choices, fixed-length lists; `| None` when optional."""
        kind = self.kind
        if kind == "bool":
            out: Any = StrictBool
        elif kind == "choice":
            out = Literal[self.choices]
        elif kind == "str":
            out = StrictStr
        elif kind == "list":
            out = Annotated[list[Any], BeforeValidator(_list_or_tuple), Field(min_length=1)]
        elif kind in ("int", "float"):
            out = self._number_type(kind)
        else:
            item = self._number_type("int" if kind == "ints" else "float")
            if self.extra.get("none_items"):
                item = item | None
            out = Annotated[list[item], BeforeValidator(self._repeat_number),  # type: ignore[valid-type]
                            Field(min_length=self.length or 1, max_length=self.length)]
        return out | None if self.optional else out

    def _number_type(self, kind: str) -> Any:
        lo, hi = self._limits()
        bounds = Field(gt=lo if self.exclusive_min else None, ge=None if self.exclusive_min else lo,
                       lt=hi if self.exclusive_max else None, le=None if self.exclusive_max else hi)
        if kind == "int":
            return Annotated[int, BeforeValidator(_whole_float_to_int), Strict(), bounds]
        return Annotated[float, Strict(), Field(allow_inf_nan=False), bounds]

    def _repeat_number(self, value: Any) -> Any:
        """A bare number stands for every entry of a fixed-length list (kernel_size=3 → [3, 3])."""
        if isinstance(value, (int, float)) and not isinstance(value, bool) and self.length:
            return [value] * self.length
        return _list_or_tuple(value)


def _whole_float_to_int(value: Any) -> Any:
    """JSON writes 3 as 3.0 at times: accept a whole float for an int (the bounds then refuse 1e300)."""
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    return value


def _list_or_tuple(value: Any) -> Any:
    if not isinstance(value, (list, tuple)):
        raise PydanticCustomError("list_type", "expected a list or tuple")
    return list(value)


@cache
def _adapter(param: Param) -> TypeAdapter:
    return TypeAdapter(param.annotation())


@cache
def params_model(params: tuple[Param, ...]) -> type[BaseModel]:
    """A pydantic model of `params`: one field each (aliased, so a name like `schema` cannot clash with
    BaseModel), unknown names forbidden, defaults kept as declared."""
    fields: dict[str, Any] = {f"p{i}": (p.annotation(), Field(default=p.default, alias=p.name))
                              for i, p in enumerate(params)}
    return create_model("Params", __config__=ConfigDict(extra="forbid", populate_by_name=False), **fields)


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(x)


def coerce_params(params: tuple[Param, ...], given: dict[str, Any], owner: str) -> dict[str, Any]:
    """Check `given` against `params` with their pydantic model; return every parameter with defaults filled in.

    Raises ParamError naming `owner` for unknown names or bad values (the first one, in declaration order).
    """
    if not isinstance(given, dict):
        raise ParamError(f"{owner} expects its parameters as a mapping of names to values, received {shown(given)}")
    try:
        checked = params_model(params).model_validate(given)
    except ValidationError as exc:
        errors = exc.errors()
        known = {p.name: p for p in params}
        unknown = [e["loc"][0] for e in errors if e["type"] == "extra_forbidden"]
        if unknown:
            names = ", ".join(sorted(known)) or "none"
            raise ParamError(f"{owner} has no parameter `{unknown[0]}`; its parameters are: {names}") from None
        name = str(errors[0]["loc"][0])  # a top-level field's alias: the parameter's name
        raise known[name].refusal(given[name]) from None
    return checked.model_dump(by_alias=True)
