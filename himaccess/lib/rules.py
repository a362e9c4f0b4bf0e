"""Eligibility rules as data: a small JSON expression tree over named attributes.

A rule is one of::

    {"all": [rule, ...]}          every part holds (an empty list holds)
    {"any": [rule, ...]}          at least one part holds (an empty list fails)
    {"not": rule}                 the part fails
    {"attr": NAME, "op": OP, "value": VALUE}

where NAME is an attribute of a fixed vocabulary (each with a type: integer,
yes/no or one of a set of codes) and OP one of ``== != < <= > >= in between``.
``between`` takes ``[low, high]`` (both included) and ``in`` a list. Nothing
else is accepted: a rule is never code or SQL, so it is safe to let an
administrator write one, and it can be both explained and compiled.

This module knows the shape of rules and nothing of the register. It offers:

1. ``validate(rule, vocabulary)``: every error with its position
   (``all[2].not.value``), in the reader's language;
2. ``evaluate(rule, values)``: the result with an explanation of every clause
   (whether it holds, the value it looked at), for one person;
3. ``fold(rule, leaf, all_, any_, not_)``: the tree rebuilt with the caller's
   constructors, which the compilers to Django ``Q`` and to DuckDB SQL use;
4. age comparisons turned into ranges of dates of birth (``age_ranges``), so
   that a population query uses an index on the date of birth instead of
   computing everyone's age.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from django.utils.translation import gettext as _

INT, BOOL, CHOICE = "int", "bool", "choice"
OPERATORS = ("==", "!=", "<", "<=", ">", ">=", "in", "between")
OPERATORS_FOR_TYPE = {
    INT: frozenset(OPERATORS),
    BOOL: frozenset({"==", "!="}),
    CHOICE: frozenset({"==", "!=", "in"}),
}
MAX_DEPTH = 12
MAX_NODES = 400
INT_RANGE = (-1_000_000_000, 1_000_000_000)

Rule = Mapping[str, Any]
T = TypeVar("T")


@dataclass(frozen=True)
class AttributeSpec:
    """What validation needs to know of an attribute: its type and allowed codes."""

    name: str
    type: str
    choices: tuple[Any, ...] = ()
    minimum: int | None = None
    maximum: int | None = None


@dataclass(frozen=True)
class RuleError:
    position: str
    message: str
    code: str

    def __str__(self) -> str:
        return f"{self.position or _('rule')}: {self.message}"


class InvalidRule(ValueError):
    def __init__(self, errors: list[RuleError]) -> None:
        super().__init__("; ".join(str(e) for e in errors))
        self.errors = errors


def _type_name(kind: str) -> str:
    return {
        INT: _("a whole number"),
        BOOL: _("yes/no (true or false)"),
        CHOICE: _("one of the listed codes"),
    }[kind]


def _check_scalar(spec: AttributeSpec, value: Any, position: str, errors: list[RuleError]) -> None:
    if spec.type == INT:
        ok = isinstance(value, int) and not isinstance(value, bool)
        low = spec.minimum if spec.minimum is not None else INT_RANGE[0]
        high = spec.maximum if spec.maximum is not None else INT_RANGE[1]
        if ok and not (low <= value <= high):
            message = _("%(attribute)s must be between %(low)s and %(high)s (got %(value)s).") % {
                "attribute": spec.name,
                "low": low,
                "high": high,
                "value": value,
            }
            errors.append(RuleError(position, message, "out_of_range"))
            return
    elif spec.type == BOOL:
        ok = isinstance(value, bool)
    else:
        ok = (isinstance(value, str | int) and not isinstance(value, bool)) and value in spec.choices
    if not ok:
        if spec.type == CHOICE:
            message = _("%(attribute)s must be one of: %(choices)s (got %(value)s).") % {
                "attribute": spec.name,
                "choices": ", ".join(str(c) for c in spec.choices),
                "value": _display(value),
            }
            errors.append(RuleError(position, message, "bad_choice"))
        else:
            message = _("%(attribute)s takes %(type)s, not %(value)s.") % {
                "attribute": spec.name,
                "type": _type_name(spec.type),
                "value": _display(value),
            }
            errors.append(RuleError(position, message, "wrong_type"))


def _display(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def validate(rule: Any, vocabulary: Mapping[str, AttributeSpec]) -> None:
    """Raise ``InvalidRule`` listing every error of ``rule`` with its position."""
    errors: list[RuleError] = []
    count = [0]
    _validate(rule, vocabulary, "", 0, errors, count)
    if count[0] > MAX_NODES:
        errors.append(
            RuleError("", _("The rule is too large (more than %(n)s parts).") % {"n": MAX_NODES}, "too_large")
        )
    if errors:
        raise InvalidRule(errors)


def _join(position: str, part: str) -> str:
    return f"{position}.{part}" if position and not part.startswith("[") else f"{position}{part}"


def _validate(
    node: Any,
    vocabulary: Mapping[str, AttributeSpec],
    position: str,
    depth: int,
    errors: list[RuleError],
    count: list[int],
) -> None:
    count[0] += 1
    if depth > MAX_DEPTH:
        errors.append(RuleError(position, _("The rule nests too deeply."), "too_deep"))
        return
    if not isinstance(node, Mapping):
        errors.append(RuleError(position, _('Expected an object such as {"all": [...]}.'), "not_object"))
        return
    keys = set(node)
    if keys in ({"all"}, {"any"}):
        key = next(iter(keys))
        parts = node[key]
        if not isinstance(parts, list):
            errors.append(RuleError(_join(position, key), _("Expected a list of conditions."), "not_list"))
            return
        for index, part in enumerate(parts):
            _validate(part, vocabulary, _join(_join(position, key), f"[{index}]"), depth + 1, errors, count)
        return
    if keys == {"not"}:
        _validate(node["not"], vocabulary, _join(position, "not"), depth + 1, errors, count)
        return
    if keys != {"attr", "op", "value"}:
        errors.append(
            RuleError(
                position,
                _("Expected all, any, not, or a comparison with attr, op and value (got keys: %(keys)s).")
                % {"keys": ", ".join(sorted(str(k) for k in keys)) or "—"},
                "bad_node",
            )
        )
        return
    name, op, value = node["attr"], node["op"], node["value"]
    spec = vocabulary.get(name) if isinstance(name, str) else None
    if spec is None:
        errors.append(
            RuleError(
                _join(position, "attr"),
                _("Unknown attribute %(name)s. Known attributes: %(known)s.")
                % {"name": _display(name), "known": ", ".join(sorted(vocabulary))},
                "unknown_attribute",
            )
        )
        return
    if op not in OPERATORS_FOR_TYPE[spec.type]:
        errors.append(
            RuleError(
                _join(position, "op"),
                _("Operator %(op)s cannot be used with %(attribute)s; use one of: %(ops)s.")
                % {
                    "op": _display(op),
                    "attribute": name,
                    "ops": " ".join(o for o in OPERATORS if o in OPERATORS_FOR_TYPE[spec.type]),
                },
                "bad_operator",
            )
        )
        return
    where = _join(position, "value")
    if op == "between":
        if not (isinstance(value, list) and len(value) == 2):
            errors.append(
                RuleError(where, _("between takes a list of two numbers: [low, high]."), "bad_between")
            )
            return
        for index, item in enumerate(value):
            _check_scalar(spec, item, f"{where}[{index}]", errors)
        if all(isinstance(v, int) and not isinstance(v, bool) for v in value) and value[0] > value[1]:
            errors.append(
                RuleError(where, _("In between, the low end is above the high end."), "empty_between")
            )
    elif op == "in":
        if not (isinstance(value, list) and value):
            errors.append(RuleError(where, _("in takes a non-empty list of values."), "bad_in"))
            return
        for index, item in enumerate(value):
            _check_scalar(spec, item, f"{where}[{index}]", errors)
    else:
        _check_scalar(spec, value, where, errors)


# ---------------------------------------------------------------- Python


def compare(actual: Any, op: str, value: Any) -> bool:
    if op == "==":
        return bool(actual == value)
    if op == "!=":
        return bool(actual != value)
    if op == "<":
        return bool(actual < value)
    if op == "<=":
        return bool(actual <= value)
    if op == ">":
        return bool(actual > value)
    if op == ">=":
        return bool(actual >= value)
    if op == "in":
        return actual in value
    if op == "between":
        return bool(value[0] <= actual <= value[1])
    raise ValueError(op)


@dataclass
class Clause:
    """One evaluated node: what it is, whether it holds, and its parts."""

    kind: str  # all | any | not | compare
    holds: bool
    parts: list[Clause] = field(default_factory=list)
    attr: str = ""
    op: str = ""
    value: Any = None
    actual: Any = None

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"kind": self.kind, "holds": self.holds}
        if self.kind == "compare":
            data.update(attr=self.attr, op=self.op, value=self.value, actual=self.actual)
        else:
            data["parts"] = [part.as_dict() for part in self.parts]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Clause:
        return cls(
            kind=data["kind"],
            holds=data["holds"],
            parts=[cls.from_dict(p) for p in data.get("parts", [])],
            attr=data.get("attr", ""),
            op=data.get("op", ""),
            value=data.get("value"),
            actual=data.get("actual"),
        )

    def failing(self, negated: bool = False) -> list[tuple[Clause, bool]]:
        """The comparisons that make this clause fail, each with whether it sits under a ``not``."""
        if self.holds:
            return []
        if self.kind == "compare":
            return [(self, negated)]
        if self.kind == "not":
            return self.parts[0].holding(not negated)
        return [leaf for part in self.parts for leaf in part.failing(negated)]

    def holding(self, negated: bool = False) -> list[tuple[Clause, bool]]:
        if not self.holds:
            return []
        if self.kind == "compare":
            return [(self, negated)]
        if self.kind == "not":
            return self.parts[0].failing(not negated)
        return [leaf for part in self.parts if part.holds for leaf in part.holding(negated)]


def evaluate(rule: Rule, values: Mapping[str, Any]) -> Clause:
    """Evaluate every clause (no short-circuit, so each can be explained)."""
    if "all" in rule:
        parts = [evaluate(part, values) for part in rule["all"]]
        return Clause("all", all(p.holds for p in parts), parts)
    if "any" in rule:
        parts = [evaluate(part, values) for part in rule["any"]]
        return Clause("any", any(p.holds for p in parts), parts)
    if "not" in rule:
        inner = evaluate(rule["not"], values)
        return Clause("not", not inner.holds, [inner])
    actual = values[rule["attr"]]
    return Clause(
        "compare",
        compare(actual, rule["op"], rule["value"]),
        attr=rule["attr"],
        op=rule["op"],
        value=rule["value"],
        actual=actual,
    )


def attributes_of(rule: Rule) -> set[str]:
    if "all" in rule or "any" in rule:
        return {name for part in rule.get("all", rule.get("any", [])) for name in attributes_of(part)}
    if "not" in rule:
        return attributes_of(rule["not"])
    return {rule["attr"]}


def age_thresholds(rule: Rule) -> set[int]:
    """Ages at which a person may cross this rule's age conditions."""
    if "all" in rule or "any" in rule:
        return {age for part in rule.get("all", rule.get("any", [])) for age in age_thresholds(part)}
    if "not" in rule:
        return age_thresholds(rule["not"])
    if rule["attr"] != "age":
        return set()
    values = rule["value"] if isinstance(rule["value"], list) else [rule["value"]]
    return {v for value in values for v in (value, value + 1)}


def fold(
    rule: Rule,
    leaf: Callable[[str, str, Any], T],
    all_: Callable[[Sequence[T]], T],
    any_: Callable[[Sequence[T]], T],
    not_: Callable[[T], T],
) -> T:
    """Rebuild the tree bottom-up with the caller's constructors (the compilers)."""
    if "all" in rule:
        return all_([fold(part, leaf, all_, any_, not_) for part in rule["all"]])
    if "any" in rule:
        return any_([fold(part, leaf, all_, any_, not_) for part in rule["any"]])
    if "not" in rule:
        return not_(fold(rule["not"], leaf, all_, any_, not_))
    return leaf(rule["attr"], rule["op"], rule["value"])


# ----------------------------------------------------------------- ages


def age_on(date_of_birth: date, on: date) -> int:
    """Completed years on ``on``; one born on 29 February turns a year older on 1 March."""
    years = on.year - date_of_birth.year
    if (on.month, on.day) < (date_of_birth.month, date_of_birth.day):
        years -= 1
    return years


def born_by(on: date, years: int) -> date:
    """The latest date of birth of someone at least ``years`` old on ``on``."""
    year = on.year - years
    if year < 1:
        return date.min
    if on.month == 2 and on.day == 29:
        try:
            return date(year, 2, 29)
        except ValueError:
            return date(year, 2, 28)
    return date(year, on.month, on.day)


@dataclass(frozen=True)
class DateRange:
    """Dates of birth ``after < dob <= upto`` (either end open when None)."""

    after: date | None
    upto: date | None


def age_ranges(op: str, value: Any, on: date) -> tuple[list[DateRange], bool]:
    """An age comparison as ranges of dates of birth; the flag says the ranges are negated.

    age >= n  ⇔  dob <= born_by(on, n); every other operator follows from it.
    """

    def at_least(n: int) -> DateRange:
        return DateRange(None, born_by(on, n))

    def below(n: int) -> DateRange:
        return DateRange(born_by(on, n), None)

    def exactly(n: int) -> DateRange:
        return DateRange(born_by(on, n + 1), born_by(on, n))

    if op == ">=":
        return [at_least(value)], False
    if op == ">":
        return [at_least(value + 1)], False
    if op == "<":
        return [below(value)], False
    if op == "<=":
        return [below(value + 1)], False
    if op == "==":
        return [exactly(value)], False
    if op == "!=":
        return [exactly(value)], True
    if op == "between":
        return [DateRange(born_by(on, value[1] + 1), born_by(on, value[0]))], False
    if op == "in":
        return [exactly(v) for v in value], False
    raise ValueError(op)
