"""Maintenance rules and the matcher that says which service items are due for a car.

Standard library only. Everything here is a pure function of its arguments except
`bundled_rules()`, which reads the rules file shipped in `marketplace/data/maintenance/`.
Results are structured (codes, numbers, dates); the web layer words them.
"""

from __future__ import annotations

import calendar
import csv
import enum
import functools
import io
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ..powertrain import FuelType, Transmission


class Item(enum.StrEnum):
    ENGINE_OIL = "engine_oil"
    OIL_FILTER = "oil_filter"
    AIR_FILTER = "air_filter"
    CABIN_FILTER = "cabin_filter"
    HEPA_FILTER = "hepa_filter"
    SPARK_PLUGS = "spark_plugs"
    BRAKE_FLUID = "brake_fluid"
    COOLANT = "coolant"
    TRANSMISSION_FLUID = "transmission_fluid"
    REDUCER_OIL = "reducer_oil"
    TIMING_BELT = "timing_belt"
    FUEL_FILTER = "fuel_filter"
    TIRE_ROTATION = "tire_rotation"
    BRAKE_INSPECTION = "brake_inspection"
    BRAKE_CALIPER_SERVICE = "brake_caliper_service"
    BATTERY_CHECK = "battery_check"


class Condition(enum.StrEnum):
    NORMAL = "normal"
    SEVERE = "severe"


class MatchStatus(enum.StrEnum):
    OVERDUE = "overdue"
    DUE = "due"
    UPCOMING = "upcoming"
    OK = "ok"
    UNKNOWN = "unknown"


ITEMS: tuple[str, ...] = tuple(Item)
FUEL_TYPES: tuple[str, ...] = tuple(FuelType)
TRANSMISSIONS: tuple[str, ...] = tuple(Transmission)
CONDITIONS: tuple[str, ...] = tuple(Condition)
STATUSES: tuple[str, ...] = tuple(MatchStatus)
URGENCY: Mapping[str, int] = {"ok": 0, "upcoming": 1, "due": 2, "overdue": 3}
"""Rank of the measurable statuses; `unknown` has no rank."""

EV_EXCLUDED: frozenset[str] = frozenset(
    {"engine_oil", "oil_filter", "air_filter", "spark_plugs", "timing_belt", "fuel_filter"}
)
"""Items a battery-electric car does not have (no engine, no intake, no fuel system)."""

CSV_COLUMNS: tuple[str, ...] = (
    "key",
    "item",
    "every_km",
    "every_months",
    "first_km",
    "first_months",
    "condition",
    "fuel_types",
    "transmissions",
    "brand",
    "series",
    "source",
    "source_url",
    "note",
    "market",
    "source_zh",
    "note_zh",
)
MARKETS: tuple[str, ...] = ("", "cn", "us", "eu", "jp", "global")
"""Where a rule's figure applies: "" for the generic defaults, else the market of the manual
or page it comes from ("global": the maker gives one schedule for every market)."""
RULES_CSV = Path(__file__).resolve().parent.parent / "data" / "maintenance" / "rules.csv"

DUE_PERCENT, UPCOMING_PERCENT = 10, 25
DUE_MONTHS, UPCOMING_MONTHS = 1, 3

_INTERVAL_FIELDS = ("every_km", "every_months", "first_km", "first_months")
_WHOLE = re.compile(r"[0-9]+")


@dataclass(frozen=True, kw_only=True)
class Rule:
    """One interval for one item: whichever of km and months comes first.

    `first_km`/`first_months` give the first service from new where it differs. Empty
    `fuel_types`/`transmissions` mean any; `brand`/`series` narrow the rule to catalog names.
    """

    key: str
    item: str
    every_km: int | None = None
    every_months: int | None = None
    first_km: int | None = None
    first_months: int | None = None
    condition: str = "normal"
    fuel_types: frozenset[str] = frozenset()
    transmissions: frozenset[str] = frozenset()
    brand: str | None = None
    series: str | None = None
    source: str
    source_url: str | None = None
    note: str = ""
    market: str = ""
    source_zh: str = ""
    note_zh: str = ""

    def source_in(self, language: str) -> str:
        """The source in `language` ("zh…" gives the Chinese text where there is one)."""
        return self.source_zh if language.startswith("zh") and self.source_zh else self.source

    def note_in(self, language: str) -> str:
        return self.note_zh if language.startswith("zh") and self.note_zh else self.note

    def __post_init__(self) -> None:
        for name in ("fuel_types", "transmissions"):
            value = getattr(self, name)
            if isinstance(value, str):
                raise TypeError(f"{name} must be a set of codes, not a string")
            object.__setattr__(self, name, frozenset(value))
        problems = [f"{field}: {message}" for field, message in _field_problems(self.__dict__)]
        if problems:
            raise ValueError(f"rule {self.key!r}: " + "; ".join(problems))


def _field_problems(rule: Mapping[str, object]) -> list[tuple[str, str]]:
    """(field, message) for each invalid field of a rule given as a mapping of its fields."""
    problems = []
    if not str(rule["key"]).strip():
        problems.append(("key", "must not be blank"))
    if rule["item"] not in ITEMS:
        problems.append(("item", f"unknown item {rule['item']!r}; use one of {', '.join(ITEMS)}"))
    for name in _INTERVAL_FIELDS:
        value = rule[name]
        if value is not None and (type(value) is not int or value <= 0):
            problems.append((name, "must be a positive whole number"))
    if all(rule[name] is None for name in _INTERVAL_FIELDS):
        problems.append(
            ("every_km", "a rule needs every_km, every_months, first_km or first_months")
        )
    if rule["condition"] not in CONDITIONS:
        problems.append(("condition", f"must be one of {', '.join(CONDITIONS)}"))
    for name, allowed in (("fuel_types", FUEL_TYPES), ("transmissions", TRANSMISSIONS)):
        if bad := sorted(set(rule[name]) - set(allowed)):  # type: ignore[call-overload]
            problems.append((name, f"unknown {', '.join(bad)}; use {'|'.join(allowed)}"))
    if rule["series"] and not rule["brand"]:
        problems.append(("series", "a series-scoped rule needs its brand"))
    if not str(rule["source"]).strip():
        problems.append(("source", "must not be blank: say where the interval comes from"))
    if rule.get("market", "") not in MARKETS:
        problems.append(("market", f"must be one of {'|'.join(m or '(empty)' for m in MARKETS)}"))
    return problems


class RulesFileError(ValueError):
    """A rules file that cannot be imported; `problems` names each row and field."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"{len(problems)} problem(s) in the rules file: " + "; ".join(problems))


def parse_rules_csv(text: str) -> list[Rule]:
    """Parse rules in the import format (see `CSV_COLUMNS` and the data README).

    All problems are collected and raised together as `RulesFileError`; nothing is returned
    unless every row is valid. Rows are numbered as a spreadsheet shows them (header = 1).
    """
    try:
        rows = list(csv.reader(io.StringIO(text.removeprefix("\ufeff"))))
    except csv.Error as exc:
        raise RulesFileError([f"row 1, file: not readable as CSV ({exc})"]) from exc
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise RulesFileError(["row 1, header: the file is empty"])
    header = [cell.strip().lower() for cell in rows[0]]
    optional = ("market", "source_zh", "note_zh")  # files written before these columns load too
    problems = [
        f"row 1, {name}: missing column"
        for name in CSV_COLUMNS
        if name not in header and name not in optional
    ]
    problems += [f"row 1, {name}: unknown column" for name in header if name not in CSV_COLUMNS]
    problems += [
        f"row 1, {name}: column appears twice"
        for name in dict.fromkeys(header)
        if header.count(name) > 1
    ]
    if problems:
        raise RulesFileError(problems)

    rules: list[Rule] = []
    seen: dict[str, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            problems.append(f"row {number}, columns: expected {len(header)} values, got {len(row)}")
            continue
        values = dict.fromkeys(CSV_COLUMNS, "")
        values.update(zip(header, (cell.strip() for cell in row), strict=True))
        rule, row_problems = _parse_row(values)
        problems += [f"row {number}, {field}: {message}" for field, message in row_problems]
        if values["key"] and values["key"] in seen:
            problems.append(f"row {number}, key: duplicate of row {seen[values['key']]}")
        seen.setdefault(values["key"], number)
        if rule is not None:
            rules.append(rule)
    if not rules and not problems:
        problems.append("row 2, key: the file has no rules")
    if problems:
        raise RulesFileError(problems)
    return rules


def _parse_row(values: dict[str, str]) -> tuple[Rule | None, list[tuple[str, str]]]:
    problems: list[tuple[str, str]] = []
    intervals: dict[str, int | None] = {}
    for name in _INTERVAL_FIELDS:
        raw = values[name]
        if raw and (not _WHOLE.fullmatch(raw) or int(raw) == 0):
            problems.append((name, f"must be a positive whole number (got {raw!r})"))
            intervals[name] = 1  # placeholder: reported once, not again as "no interval"
        else:
            intervals[name] = int(raw) if raw else None
    fields: dict[str, object] = {
        "key": values["key"],
        "item": values["item"].lower(),
        "condition": values["condition"].lower() or "normal",
        "fuel_types": _codes(values["fuel_types"]),
        "transmissions": _codes(values["transmissions"]),
        "brand": values["brand"] or None,
        "series": values["series"] or None,
        "source": values["source"],
        "source_url": values["source_url"] or None,
        "note": values["note"],
        "market": values["market"].lower(),
        "source_zh": values["source_zh"],
        "note_zh": values["note_zh"],
    }
    url = fields["source_url"]
    if url and not url.startswith(("https://", "http://")):
        problems.append(("source_url", "must start with https:// or http://"))
    if fields["item"] in EV_EXCLUDED and "bev" in fields["fuel_types"]:
        problems.append(("fuel_types", f"a bev has no {fields['item']}"))
    problems += _field_problems(fields | intervals)
    if problems:
        return None, problems
    return Rule(**fields, **intervals), []  # type: ignore[arg-type]


def _codes(raw: str) -> frozenset[str]:
    return frozenset(part.strip().lower() for part in raw.split("|") if part.strip())


@functools.cache
def bundled_rules() -> tuple[Rule, ...]:
    """The rules shipped with the app (`marketplace/data/maintenance/rules.csv`)."""
    return tuple(parse_rules_csv(RULES_CSV.read_text(encoding="utf-8")))


def select_rules(
    rules: Iterable[Rule],
    *,
    fuel_type: str | None,
    transmission: str | None,
    brand: str | None = None,
    series: str | None = None,
    condition: str = "normal",
    market: str | None = None,
) -> dict[str, Rule]:
    """Pick, per item, the rule that fits this car best; keys in `ITEMS` order.

    A rule applies when its fuel types and transmissions are empty or contain the car's
    (an unknown car value matches only empty lists) and its brand/series, if set, equal the
    car's. Among applicable rules the best is, in order: the requested condition (under
    "severe" a severe rule beats any normal one; under "normal" severe rules never apply),
    series-scoped over brand-scoped over generic, transmission-specific over any, fewer
    fuel types over more, then the shorter interval (km, then months), then the key. With a
    `market` (the marketplace's, e.g. "cn"), a rule from that market's manuals beats a
    foreign one for the same item, however specific the foreign one is.
    A BEV never gets an item in `EV_EXCLUDED`, whatever the rules say.
    """
    if condition not in CONDITIONS:
        raise ValueError(f"condition must be one of {', '.join(CONDITIONS)}")
    if fuel_type is not None and fuel_type not in FUEL_TYPES:
        raise ValueError(f"unknown fuel type {fuel_type!r}")
    if transmission is not None and transmission not in TRANSMISSIONS:
        raise ValueError(f"unknown transmission {transmission!r}")
    best: dict[str, Rule] = {}
    for rule in rules:
        if fuel_type == "bev" and rule.item in EV_EXCLUDED:
            continue
        if condition == "normal" and rule.condition != "normal":
            continue
        if rule.fuel_types and fuel_type not in rule.fuel_types:
            continue
        if rule.transmissions and transmission not in rule.transmissions:
            continue
        if rule.brand is not None and rule.brand != brand:
            continue
        if rule.series is not None and rule.series != series:
            continue
        current = best.get(rule.item)
        if current is None or _rank(rule, condition, market) < _rank(current, condition, market):
            best[rule.item] = rule
    return {item: best[item] for item in ITEMS if item in best}


def _rank(rule: Rule, condition: str, market: str | None = None) -> tuple:
    never = 10**12
    return (
        rule.condition != condition,
        not (market and rule.market == market),
        0 if rule.series else 1 if rule.brand else 2,
        not rule.transmissions,
        len(rule.fuel_types) or len(FUEL_TYPES) + 1,
        rule.every_km or rule.first_km or never,
        rule.every_months or rule.first_months or never,
        rule.key,
    )


@dataclass(frozen=True)
class ServiceRecord:
    """An item serviced at an odometer reading and/or on a date (either may be unknown)."""

    item: str
    km: int | None
    on: date | None


class Basis(enum.StrEnum):
    """What an item's status is counted from."""

    HISTORY = "history"  # a recorded service (the garage's, or the owner's answer)
    FROM_NEW = "from_new"  # no scheduled point reached yet: nothing could be due before
    FIRST_SERVICE = "first_service"  # the first point was just reached: due unless done there
    UNKNOWN_HISTORY = "unknown_history"  # a point passed long ago, nothing known since
    UNMEASURABLE = "unmeasurable"  # the rule's interval is in a dimension we cannot measure


@dataclass(frozen=True)
class ItemResult:
    """The matcher's answer for one item. `basis` says what it is counted from; without
    history `point_km`/`point_on` is the last scheduled point the car has passed."""

    item: str
    status: str
    rule: Rule
    next_due_km: int | None
    next_due_on: date | None
    last_km: int | None
    last_on: date | None
    assumed: bool
    km_left: int | None
    days_left: int | None
    basis: str = Basis.HISTORY
    point_km: int | None = None
    point_on: date | None = None
    at_point: bool = False
    """Without history: the car is within the due window of that last scheduled point."""


RANK: Mapping[str, float] = {**URGENCY, "unknown": 2.5}
"""Without history an item that may have been due long ago is unknown, which says more than
"due" and less than "overdue"; the laws (tests) compare statuses in this order."""


def match_maintenance(
    rules: Mapping[str, Rule] | Iterable[Rule],
    *,
    odometer_km: int,
    age_months: int | None = None,
    registered_on: date | None = None,
    today: date,
    history: Sequence[ServiceRecord] = (),
) -> list[ItemResult]:
    """Say for each rule's item how due it is; results in `ITEMS` order.

    `rules` is one rule per item, e.g. from `select_rules`. The car's age comes from
    `registered_on` (preferred) or `age_months`; without either, month intervals cannot be
    measured. Each interval is "whichever comes first": km and months are followed
    separately and the more urgent answer wins.

    With history, the last service of an item is its highest recorded km and latest
    recorded date, and the next is one interval later in each dimension; a reached due
    point is due, not done.

    Without history nothing is assumed done. Before the first scheduled point (first
    interval, else every interval) the item counts from new. From the first point until its
    due window has passed (10% of the interval, or a month) it is due — unless it was done
    at that service (`Basis.FIRST_SERVICE`). Later it is unknown (`Basis.UNKNOWN_HISTORY`):
    it may have been due for a long time, and one answer (when it was last done) settles it;
    `point_km`/`point_on` name the last scheduled point passed.

    Status per dimension, from the distance to the next due point: overdue once past it;
    due within 10% of the interval (km) or 1 month (date), the point itself included;
    upcoming within 25% or 3 months; ok otherwise. An item is "unknown" when no dimension
    gives a next due point, or without history as above. More km or a later `today` never
    makes an item less due in the order ok < upcoming < due < unknown < overdue.
    """
    if odometer_km < 0:
        raise ValueError("odometer_km must not be negative")
    if age_months is not None and age_months < 0:
        raise ValueError("age_months must not be negative")
    if registered_on is not None and registered_on > today:
        raise ValueError("registered_on must not be after today")
    chosen = list(rules.values()) if isinstance(rules, Mapping) else list(rules)
    items = [rule.item for rule in chosen]
    if len(set(items)) != len(items):
        raise ValueError("more than one rule for an item: choose one per item (select_rules)")

    start = registered_on
    if start is None and age_months is not None:
        start = add_months(today, -age_months)
    age = months_between(start, today) if start is not None else None
    results = [
        _match_item(rule, odometer_km, start, age, today, _records(history, rule.item))
        for rule in chosen
    ]
    return sorted(results, key=lambda result: ITEMS.index(result.item))


def _records(history: Sequence[ServiceRecord], item: str) -> list[ServiceRecord]:
    return [r for r in history if r.item == item and (r.km is not None or r.on is not None)]


@dataclass(frozen=True)
class _Reading:
    """One dimension's answer: its status, what it counts from, its next point."""

    status: str
    basis: str
    next_point: object = None
    point: object = None
    recent: bool = False


def _match_item(
    rule: Rule,
    odometer_km: int,
    start: date | None,
    age: int | None,
    today: date,
    records: list[ServiceRecord],
) -> ItemResult:
    has_km = rule.every_km is not None or rule.first_km is not None
    has_months = rule.every_months is not None or rule.first_months is not None
    last_km = last_on = None
    km: _Reading | None = None
    months: _Reading | None = None
    if records:
        last_km = max((r.km for r in records if r.km is not None), default=None)
        last_on = max((r.on for r in records if r.on is not None), default=None)
        if has_km and last_km is not None and rule.every_km is not None:
            due_km = last_km + rule.every_km
            km = _Reading(_km_status(due_km - odometer_km, rule.every_km), Basis.HISTORY, due_km)
        if has_months and last_on is not None and rule.every_months is not None:
            due_on = add_months(last_on, rule.every_months)
            months = _Reading(_date_status(due_on, today), Basis.HISTORY, due_on)
    else:
        if has_km:
            km = _unrecorded_km(rule, odometer_km)
        if has_months and start is not None and age is not None:
            months = _unrecorded_months(rule, start, age, today)
    readings = [r for r in (km, months) if r is not None]
    if readings:
        worst = max(readings, key=lambda r: RANK[r.status])
        status, basis = worst.status, worst.basis
    else:
        status, basis = "unknown", Basis.HISTORY if records else Basis.UNMEASURABLE
    next_km = km.next_point if km is not None else None
    next_on = months.next_point if months is not None else None
    if status == "unknown" and basis == Basis.UNKNOWN_HISTORY:
        next_km = next_on = None  # not known: it may have been due since the point passed
    return ItemResult(
        item=rule.item,
        status=status,
        rule=rule,
        next_due_km=next_km,
        next_due_on=next_on,
        last_km=last_km,
        last_on=last_on,
        assumed=not records,
        km_left=next_km - odometer_km if next_km is not None else None,
        days_left=(next_on - today).days if next_on is not None else None,
        basis=basis,
        point_km=km.point if km is not None and not records else None,
        point_on=months.point if months is not None and not records else None,
        at_point=any(r.recent for r in readings),
    )


def _unrecorded_km(rule: Rule, odometer_km: int) -> _Reading | None:
    first = rule.first_km if rule.first_km is not None else rule.every_km
    if first is None:
        return None
    if odometer_km < first:
        return _Reading(_km_status(first - odometer_km, first), Basis.FROM_NEW, first)
    window = (rule.every_km or first) * DUE_PERCENT // 100
    if odometer_km - first <= window:
        return _Reading("due", Basis.FIRST_SERVICE, first, first, recent=True)
    last = _last_point(odometer_km, first, rule.every_km)
    recent = odometer_km - last <= window
    return _Reading("unknown", Basis.UNKNOWN_HISTORY, None, last, recent=recent)


def _unrecorded_months(rule: Rule, start: date, age: int, today: date) -> _Reading | None:
    first = rule.first_months if rule.first_months is not None else rule.every_months
    if first is None:
        return None
    first_on = add_months(start, first)
    if age < first:
        return _Reading(_date_status(first_on, today), Basis.FROM_NEW, first_on)
    last = add_months(start, _last_point(age, first, rule.every_months))
    if today <= add_months(first_on, DUE_MONTHS):
        return _Reading("due", Basis.FIRST_SERVICE, first_on, first_on, recent=True)
    recent = today <= add_months(last, DUE_MONTHS)
    return _Reading("unknown", Basis.UNKNOWN_HISTORY, None, last, recent=recent)


def point_day(result: ItemResult, odometer_km: int | None, registered_on, today: date):
    """The day of the scheduled point an item without history passed: its month point, else
    the day the car was at the km point if its odometer grew evenly since registration."""
    if result.point_on is not None:
        return result.point_on
    if result.point_km is None or registered_on is None or not odometer_km:
        return None
    return registered_on + (today - registered_on) * min(result.point_km / odometer_km, 1)


def _last_point(current: int, first: int, every: int | None) -> int:
    """The last scheduled point at or below `current` (which is at least `first`)."""
    if every is None:
        return first
    return first + (current - first) // every * every


def _km_status(km_left: int, span: int) -> str:
    if km_left < 0:
        return "overdue"
    if km_left * 100 <= span * DUE_PERCENT:
        return "due"
    if km_left * 100 <= span * UPCOMING_PERCENT:
        return "upcoming"
    return "ok"


def _date_status(due_on: date, today: date) -> str:
    if today > due_on:
        return "overdue"
    if due_on <= add_months(today, DUE_MONTHS):
        return "due"
    if due_on <= add_months(today, UPCOMING_MONTHS):
        return "upcoming"
    return "ok"


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months, clamped to the month's last day (Jan 31 + 1 = Feb 28/29)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    last = _MONTH_DAYS[month] if month != 1 else calendar.monthrange(year, 2)[1]
    return date(year, month + 1, min(day.day, last))


_MONTH_DAYS = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def months_between(start: date, end: date) -> int:
    """Whole months from `start` to `end`; 0 when `end` is not after `start`."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if months > 0 and add_months(start, months) > end:
        months -= 1
    return max(months, 0)
