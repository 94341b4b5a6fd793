"""An owner's garage: vehicles, odometer readings and services done."""

import re
from datetime import date

from sqlalchemy import bindparam, delete, func, select, update
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Brand,
    GarageVehicle,
    InsurancePolicy,
    OdometerReading,
    ReadingSource,
    Series,
    ServiceRecord,
    UnlistedCar,
    User,
    Variant,
)
from ..models.vehicles import MAX_ODOMETER_KM, Car
from ..powertrain import WITH_ENGINE, FuelType, Transmission
from . import audit, fitment, vin
from .catalog_names import clean
from .errors import DomainError, error_codes
from .maintenance import EV_EXCLUDED

EARLIEST_REGISTRATION = date(1980, 1, 1)
# a garage car with what its label and the fitment read: every signed-in page shows it, so
# the two statements are built once per process
WITH_CAR = (
    joinedload(GarageVehicle.variant).joinedload(Variant.series).joinedload(Series.brand),
    joinedload(GarageVehicle.unlisted_car),
)
_OWNED = (
    select(GarageVehicle)
    .where(
        GarageVehicle.id == bindparam("vehicle_id"),
        GarageVehicle.owner_id == bindparam("owner_id"),
    )
    .options(*WITH_CAR)
)
_DEFAULT = (
    select(GarageVehicle)
    .where(GarageVehicle.owner_id == bindparam("owner_id"))
    .order_by(GarageVehicle.is_default.desc(), GarageVehicle.id)
    .limit(1)
    .options(*WITH_CAR)
)
_PROVINCES = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼"
_LETTER = "A-HJ-NP-Z"  # plates use no I or O
PLATE_RE = re.compile(
    rf"^[{_PROVINCES}][{_LETTER}]"
    rf"(?:[{_LETTER}0-9]{{4}}[{_LETTER}0-9挂学警]"  # ordinary plate: 5 characters
    rf"|[DFABCEGHJK][{_LETTER}0-9][0-9]{{4}}"  # new-energy small car: D/F… + 5
    rf"|[0-9]{{5}}[DFABCEGHJK])$"  # new-energy large vehicle: 5 digits + D/F…
)


class GarageError(DomainError):
    """A change to the garage that is refused; `code` says why, `field` which input."""

    Code = error_codes(
        "GarageCode",
        "bad_plate plate_taken registered_in_future registered_too_early km_range "
        "reading_in_future reading_before_registration km_below_earlier km_above_later "
        "service_in_future registered_before_model_year no_engine unlisted_brand "
        "unlisted_series unlisted_year unlisted_fuel unlisted_transmission "
        "unlisted_displacement",
    )


def normalize_plate(plate: str | None) -> str | None:
    """Upper-case, without spaces, dots or dashes; None for an empty plate."""
    if plate is None:
        return None
    cleaned = re.sub(r"[\s·.\-]", "", plate).upper()
    return cleaned or None


def valid_plate(plate: str) -> bool:
    return bool(PLATE_RE.match(plate))


def check_registration(registered_on: date | None, today: date, car: Car | None = None) -> None:
    """A registration date that is not in the future, nor before the car could be sold
    (a 2024款 is sold from 2023 on)."""
    if registered_on is None:
        return
    if registered_on > today:
        raise GarageError("registered_in_future", "registered_on")
    if registered_on < EARLIEST_REGISTRATION:
        raise GarageError("registered_too_early", "registered_on")
    if car is not None and car.model_year and registered_on.year < car.model_year - 1:
        raise GarageError(
            "registered_before_model_year",
            "registered_on",
            model_year=car.model_year,
            earliest=car.model_year - 1,
        )


def _check_plate(owner: User, plate: str | None, exclude_id: int | None = None) -> str | None:
    plate = normalize_plate(plate)
    if plate is None:
        return None
    if not valid_plate(plate):
        raise GarageError("bad_plate", "plate")
    clash = select(GarageVehicle.id).where(
        GarageVehicle.owner_id == owner.id, GarageVehicle.plate == plate
    )
    if exclude_id is not None:
        clash = clash.where(GarageVehicle.id != exclude_id)
    if db.session.scalar(clash) is not None:
        raise GarageError("plate_taken", "plate")
    return plate


def vehicles_of(owner: User) -> list[GarageVehicle]:
    return list(
        db.session.scalars(
            select(GarageVehicle)
            .where(GarageVehicle.owner_id == owner.id)
            .order_by(GarageVehicle.is_default.desc(), GarageVehicle.id)
        )
    )


def get_vehicle(owner: User, vehicle_id: int) -> GarageVehicle | None:
    """The owner's vehicle with this id, or None (also for someone else's vehicle)."""
    return db.session.scalar(_OWNED, {"vehicle_id": vehicle_id, "owner_id": owner.id})


def default_vehicle(owner: User) -> GarageVehicle | None:
    return db.session.scalar(_DEFAULT, {"owner_id": owner.id})


def add_vehicle(
    owner: User,
    variant: Variant,
    *,
    today: date,
    plate: str | None = None,
    registered_on: date | None = None,
) -> GarageVehicle:
    """Add a car to the owner's garage; the first one becomes the default."""
    check_registration(registered_on, today, variant)
    return _add(owner, plate=plate, registered_on=registered_on, variant=variant)


def _add(owner: User, *, plate: str | None, registered_on: date | None, **car) -> GarageVehicle:
    plate = _check_plate(owner, plate)
    has_any = db.session.scalar(
        select(func.count()).select_from(GarageVehicle).where(GarageVehicle.owner_id == owner.id)
    )
    vehicle = GarageVehicle(
        owner_id=owner.id, plate=plate, registered_on=registered_on, is_default=not has_any, **car
    )
    db.session.add(vehicle)
    db.session.flush()
    audit.record(
        owner,
        "garage.vehicle_added",
        vehicle,
        variant_id=vehicle.variant_id,
        unlisted=vehicle.unlisted_car.label if vehicle.unlisted_car else None,
    )
    return vehicle


def describe_unlisted(
    *,
    brand: Brand | None,
    brand_name: str,
    series_name: str,
    model_year: int | None,
    fuel_type: str,
    transmission: str | None,
    displacement_cc: int | None,
    today: date,
) -> UnlistedCar:
    """An owner's description of a car the catalog does not list, checked (not saved)."""
    brand_name = brand.name if brand is not None else clean(brand_name)
    if not 1 <= len(brand_name) <= 60:
        raise GarageError("unlisted_brand", "brand_name")
    series_name = clean(series_name)
    if not 1 <= len(series_name) <= 80:
        raise GarageError("unlisted_series", "series_name")
    if model_year is None or not EARLIEST_REGISTRATION.year <= model_year <= today.year + 1:
        raise GarageError(
            "unlisted_year", "model_year", low=EARLIEST_REGISTRATION.year, high=today.year + 1
        )
    if fuel_type not in set(FuelType):
        raise GarageError("unlisted_fuel", "fuel_type")
    if transmission is not None and transmission not in set(Transmission):
        raise GarageError("unlisted_transmission", "transmission")
    if displacement_cc is not None and (
        fuel_type not in WITH_ENGINE or not 600 <= displacement_cc <= 8400
    ):
        raise GarageError("unlisted_displacement", "displacement_cc")
    return UnlistedCar(
        brand_id=brand.id if brand is not None else None,
        brand_name=brand_name,
        series_name=series_name,
        model_year=model_year,
        fuel_type=fuel_type,
        transmission=transmission,
        displacement_cc=displacement_cc,
    )


def add_unlisted_vehicle(
    owner: User,
    car: UnlistedCar,
    *,
    today: date,
    plate: str | None = None,
    registered_on: date | None = None,
    vin_text: str | None = None,
) -> GarageVehicle:
    """Add a car that is not in the catalog (see describe_unlisted) to the garage. The same
    description without a plate again (a double submit) gives the car already there."""
    check_registration(registered_on, today, car)
    checked = checked_vin(vin_text or "", car, today)
    if normalize_plate(plate) is None:
        same = db.session.scalar(
            select(GarageVehicle)
            .join(UnlistedCar, GarageVehicle.unlisted_car_id == UnlistedCar.id)
            .where(
                GarageVehicle.owner_id == owner.id,
                GarageVehicle.plate.is_(None),
                UnlistedCar.brand_name == car.brand_name,
                UnlistedCar.series_name == car.series_name,
                UnlistedCar.model_year == car.model_year,
                UnlistedCar.fuel_type == car.fuel_type,
            )
            .limit(1)
        )
        if same is not None:
            return same
    vehicle = _add(owner, plate=plate, registered_on=registered_on, unlisted_car=car)
    vehicle.vin = checked
    return vehicle


def adopt_selection(owner: User, variant: Variant, *, today: date) -> GarageVehicle:
    """Put a guest's selected variant into the garage, reusing a plate-less entry of it."""
    existing = db.session.scalar(
        select(GarageVehicle).where(
            GarageVehicle.owner_id == owner.id, GarageVehicle.variant_id == variant.id
        )
    )
    return existing or add_vehicle(owner, variant, today=today)


def update_vehicle(
    owner: User,
    vehicle: GarageVehicle,
    *,
    plate: str | None,
    registered_on: date | None,
    today: date,
    vin_text: str | None = None,
    spec: dict | None = None,
) -> None:
    """Change the plate, registration date and (when given) the VIN and what the owner
    knows from the manual and the tyre wall (`spec`: oil_viscosity, oil_capacity, tyre_size);
    an empty value clears it."""
    check_registration(registered_on, today, vehicle.car)
    vehicle.plate = _check_plate(owner, plate, exclude_id=vehicle.id)
    vehicle.registered_on = registered_on
    if vin_text is not None:
        vehicle.vin = checked_vin(vin_text, vehicle.car, today)
    if spec is not None:
        vehicle.oil_viscosity = fitment.viscosity(spec.get("oil_viscosity"))
        vehicle.oil_capacity_dl = fitment.oil_capacity_dl(spec.get("oil_capacity"))
        vehicle.tyre_size = fitment.tyre_size(spec.get("tyre_size"))
    db.session.flush()


def checked_vin(text: str, car: Car, today: date) -> str | None:
    """The VIN, normalised, once it reads as a VIN and agrees with the car's maker and
    model year (VinError otherwise); None for an empty one."""
    if not vin.normalize(text):
        return None
    facts = vin.read_vin(text, today)
    vin.check_against(facts, car.brand_name, car.model_year)
    return facts.vin


def make_default(owner: User, vehicle: GarageVehicle) -> None:
    db.session.execute(
        update(GarageVehicle)
        .where(GarageVehicle.owner_id == owner.id, GarageVehicle.is_default)
        .values(is_default=False)
    )
    db.session.flush()
    vehicle.is_default = True
    db.session.flush()


def remove_vehicle(owner: User, vehicle: GarageVehicle) -> None:
    """Delete the car and its history; another car becomes the default."""
    was_default = vehicle.is_default
    db.session.execute(delete(InsurancePolicy).where(InsurancePolicy.vehicle_id == vehicle.id))
    db.session.delete(vehicle)
    db.session.flush()
    audit.record(owner, "garage.vehicle_removed", None, vehicle_id=vehicle.id)
    if was_default:
        successor = default_vehicle(owner)
        if successor is not None:
            successor.is_default = True
            db.session.flush()


def add_reading(
    vehicle: GarageVehicle,
    *,
    km: int,
    read_on: date,
    today: date,
    source: ReadingSource = ReadingSource.OWNER,
) -> OdometerReading:
    """Record an odometer reading; it must fit between the readings before and after it."""
    if not 0 <= km <= MAX_ODOMETER_KM:
        raise GarageError("km_range", "km")
    if read_on > today:
        raise GarageError("reading_in_future", "read_on")
    if vehicle.registered_on and read_on < vehicle.registered_on:
        raise GarageError("reading_before_registration", "read_on")
    earlier = db.session.scalar(
        select(func.max(OdometerReading.km)).where(
            OdometerReading.vehicle_id == vehicle.id, OdometerReading.read_on <= read_on
        )
    )
    if earlier is not None and km < earlier:
        raise GarageError("km_below_earlier", "km", earlier=earlier)
    later = db.session.scalar(
        select(func.min(OdometerReading.km)).where(
            OdometerReading.vehicle_id == vehicle.id, OdometerReading.read_on > read_on
        )
    )
    if later is not None and km > later:
        raise GarageError("km_above_later", "km", later=later)
    reading = OdometerReading(vehicle=vehicle, km=km, read_on=read_on, source=source)
    db.session.add(reading)
    db.session.flush()
    return reading


def record_service(
    vehicle: GarageVehicle,
    *,
    item: str,
    done_on: date,
    km: int | None,
    today: date,
    source: ReadingSource = ReadingSource.OWNER,
) -> ServiceRecord:
    """Note that a maintenance item was done, so the matcher counts from it."""
    if done_on > today:
        raise GarageError("service_in_future", "done_on")
    if km is not None and not 0 <= km <= MAX_ODOMETER_KM:
        raise GarageError("km_range", "km")
    if item in EV_EXCLUDED and vehicle.car.fuel_type == FuelType.BEV:
        raise GarageError("no_engine", "item", item=item)
    record = ServiceRecord(vehicle=vehicle, item=item, done_on=done_on, km=km, source=source)
    db.session.add(record)
    db.session.flush()
    return record


def most_entered_unlisted(limit: int = 100) -> list[tuple[str, str, int, str, int]]:
    """Cars owners described because the catalog lacks them, the most entered first:
    (brand, series, model year, fuel type, garage cars) — a list to add to the catalog."""
    series = func.lower(func.replace(UnlistedCar.series_name, " ", ""))
    rows = db.session.execute(
        select(
            UnlistedCar.brand_name,
            func.min(UnlistedCar.series_name),
            UnlistedCar.model_year,
            UnlistedCar.fuel_type,
            func.count(),
        )
        .join(GarageVehicle, GarageVehicle.unlisted_car_id == UnlistedCar.id)
        .group_by(UnlistedCar.brand_name, series, UnlistedCar.model_year, UnlistedCar.fuel_type)
        .order_by(func.count().desc(), UnlistedCar.brand_name, series, UnlistedCar.model_year)
        .limit(limit)
    )
    return [tuple(row) for row in rows]
