"""Maintenance rules in the database, and the matcher run for a vehicle."""

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from flask import current_app
from sqlalchemy import delete, select

from ..extensions import db
from ..models import GarageVehicle, MaintenanceRule
from ..models import ServiceRecord as ServiceRecordRow
from ..models.vehicles import Car
from .kept import Kept
from .maintenance import (
    RULES_CSV,
    ItemResult,
    Rule,
    ServiceRecord,
    match_maintenance,
    parse_rules_csv,
    select_rules,
)

_FIELDS = (
    "item",
    "every_km",
    "every_months",
    "first_km",
    "first_months",
    "condition",
    "brand",
    "series",
    "source",
    "source_url",
    "note",
    "market",
    "source_zh",
    "note_zh",
)


@dataclass(frozen=True)
class RulesImport:
    added: int
    replaced: int


def import_rules(rules: list[Rule]) -> RulesImport:
    """Store rules, replacing those with the same key; other rules stay."""
    keys = [rule.key for rule in rules]
    existing = set(
        db.session.scalars(select(MaintenanceRule.key).where(MaintenanceRule.key.in_(keys)))
    )
    db.session.execute(delete(MaintenanceRule).where(MaintenanceRule.key.in_(keys)))
    for rule in rules:
        row = MaintenanceRule(
            key=rule.key,
            fuel_types="|".join(sorted(rule.fuel_types)),
            transmissions="|".join(sorted(rule.transmissions)),
            **{name: getattr(rule, name) for name in _FIELDS},
        )
        db.session.add(row)
    db.session.flush()
    return RulesImport(added=len(rules) - len(existing), replaced=len(existing))


def import_rules_file(path: Path = RULES_CSV) -> RulesImport:
    """Parse and store a rules CSV; a file with any problem stores nothing (RulesFileError)."""
    return import_rules(parse_rules_csv(path.read_text(encoding="utf-8-sig")))


def _codes(value: str) -> frozenset[str]:
    return frozenset(code for code in value.split("|") if code)


# the rules change only when `flask maintenance import-rules` runs: each worker reads them
# once a minute, not on every matcher page (120 rows as objects: 2 ms of the page)
RULES_TTL = 60.0
kept_rules = Kept("maintenance rules", RULES_TTL, (MaintenanceRule,), max_keys=8)


def stored_rules() -> list[Rule]:
    """The rules in the database (Rule is frozen: the kept list is copied, never shared)."""
    return list(kept_rules.get("rules", _read_rules))


def _read_rules() -> tuple[Rule, ...]:
    columns = [
        getattr(MaintenanceRule, name) for name in ("key", "fuel_types", "transmissions", *_FIELDS)
    ]
    return tuple(
        Rule(
            key=key,
            fuel_types=_codes(fuel_types),
            transmissions=_codes(transmissions),
            **dict(zip(_FIELDS, values, strict=True)),
        )
        for key, fuel_types, transmissions, *values in db.session.execute(
            select(*columns).order_by(MaintenanceRule.key)
        )
    )


def history_of(vehicle: GarageVehicle) -> list[ServiceRecord]:
    rows = db.session.scalars(
        select(ServiceRecordRow).where(ServiceRecordRow.vehicle_id == vehicle.id)
    )
    return [ServiceRecord(item=row.item, km=row.km, on=row.done_on) for row in rows]


@dataclass(frozen=True)
class MaintenancePlan:
    rules: dict[str, Rule]
    results: list[ItemResult]


def plan_maintenance(
    *,
    car: Car | None,
    fuel_type: str | None,
    transmission: str | None,
    odometer_km: int,
    today: date,
    registered_on: date | None = None,
    age_months: int | None = None,
    condition: str = "normal",
    history: list[ServiceRecord] | None = None,
) -> MaintenancePlan:
    """Pick the rules that fit the car (series → brand → fuel default) and match them."""
    if car is not None:
        fuel_type, transmission = car.fuel_type, car.transmission
        brand, series = car.brand_name, car.series_name
    else:
        brand = series = None
    rules = select_rules(
        stored_rules(),
        fuel_type=fuel_type,
        transmission=transmission,
        brand=brand,
        series=series,
        condition=condition,
        market=current_app.config.get("MARKETPLACE_MARKET"),
    )
    results = match_maintenance(
        rules,
        odometer_km=odometer_km,
        registered_on=registered_on,
        age_months=age_months,
        today=today,
        history=history or [],
    )
    return MaintenancePlan(rules=rules, results=results)


def due_for(car: Car, vehicle: GarageVehicle | None, today: date) -> list[ItemResult]:
    """Overdue and due items for a garage car with a known odometer reading (else nothing)."""
    if vehicle is None or vehicle.last_reading is None:
        return []
    plan = plan_maintenance(
        car=car,
        fuel_type=None,
        transmission=None,
        odometer_km=vehicle.last_reading.km,
        registered_on=vehicle.registered_on,
        today=today,
        history=history_of(vehicle),
    )
    return [r for r in plan.results if r.status in ("overdue", "due")]
