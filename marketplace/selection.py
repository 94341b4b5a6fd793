"""The vehicle the visitor has selected: in the session for guests, in the garage once signed in."""

from dataclasses import dataclass, field
from functools import cached_property

from flask import g, session
from flask_login import current_user, user_logged_in
from sqlalchemy import bindparam, select
from sqlalchemy.orm import aliased, joinedload

from .console_nav import facts_read, header_facts_columns
from .extensions import db
from .models import Brand, GarageVehicle, Series, UnlistedCar, User, Variant
from .models.vehicles import Car, CarFacts, unlisted_label, variant_label
from .security import MAX_ID
from .services import garage
from .services.fitment import NO_SPEC, Spec
from .timeutil import local_today

GUEST_KEY = "variant_id"
GARAGE_KEY = "garage_vehicle_id"


@dataclass(frozen=True)
class SelectedVehicle:
    """The car chosen: a catalog variant (a guest's pick), or a garage car (listed or not).
    A signed-in owner's garage car comes as values (CarFacts, its id and spec), read with the
    owner; `garage_vehicle` loads it as an object for the pages that read its history."""

    car: Car
    vehicle_id: int | None = None
    spec: Spec = NO_SPEC
    loaded: GarageVehicle | None = field(default=None, compare=False, repr=False)

    @classmethod
    def of(cls, vehicle: GarageVehicle) -> "SelectedVehicle":
        return cls(vehicle.car, vehicle.id, Spec.of(vehicle), vehicle)

    @property
    def label(self) -> str:
        return self.car.label

    @cached_property
    def garage_vehicle(self) -> GarageVehicle | None:
        if self.loaded is not None or self.vehicle_id is None:
            return self.loaded
        return db.session.scalar(_GARAGE_VEHICLE, {"vehicle_id": self.vehicle_id})


_VARIANT = (  # every matcher page and a guest's every page: built once per process
    select(Variant)
    .options(joinedload(Variant.series).joinedload(Series.brand))
    .where(Variant.id == bindparam("variant_id"))
)
_GARAGE_VEHICLE = (
    select(GarageVehicle)
    .where(GarageVehicle.id == bindparam("vehicle_id"))
    .options(*garage.WITH_CAR)
)


def load_variant(variant_id: int | None) -> Variant | None:
    if variant_id is None or not 0 < variant_id <= MAX_ID:
        return None
    return db.session.scalar(_VARIANT, {"variant_id": variant_id})


_PICKED = aliased(GarageVehicle)
# the selected garage car's columns, read with the user (_selected reads them by group)
_VEHICLE = (GarageVehicle.id, GarageVehicle.oil_viscosity, GarageVehicle.tyre_size)
_LISTED = (
    Brand.id,
    Brand.name,
    Series.id,
    Series.name,
    Variant.model_year,
    Variant.fuel_type,
    Variant.transmission,
    Variant.displacement_cc,
    Variant.id,
    Variant.name,
)
_UNLISTED = (
    UnlistedCar.brand_id,
    UnlistedCar.brand_name,
    UnlistedCar.series_name,
    UnlistedCar.model_year,
    UnlistedCar.fuel_type,
    UnlistedCar.transmission,
    UnlistedCar.displacement_cc,
)
_FACTS = header_facts_columns(User.id)
_USER_WITH_CAR = (  # every signed-in request: built once per process
    select(User, *_VEHICLE, *_LISTED, *_UNLISTED, *_FACTS)
    .select_from(User)
    .outerjoin(
        GarageVehicle,
        GarageVehicle.id
        == select(_PICKED.id)
        .where(_PICKED.owner_id == User.id)
        .order_by((_PICKED.id == bindparam("chosen")).desc(), _PICKED.is_default.desc(), _PICKED.id)
        .limit(1)
        .correlate(User)
        .scalar_subquery(),
    )
    .outerjoin(Variant, Variant.id == GarageVehicle.variant_id)
    .outerjoin(Series, Series.id == Variant.series_id)
    .outerjoin(Brand, Brand.id == Series.brand_id)
    .outerjoin(UnlistedCar, UnlistedCar.id == GarageVehicle.unlisted_car_id)
    .where(User.id == bindparam("user_id"))
)


def _groups(row, *groups):
    """`row`'s values cut into one tuple per group of columns, in order."""
    at = 0
    for group in groups:
        yield tuple(row[at : at + len(group)])
        at += len(group)


def _selected(vehicle, listed, unlisted) -> SelectedVehicle | None:
    """The selected garage car from its columns (_VEHICLE, _LISTED, _UNLISTED); None: no car."""
    vehicle_id, oil, tyre = vehicle
    brand_id, brand, series_id, series, year, fuel, gearbox, cc, variant_id, name = listed
    u_brand_id, u_brand, u_series, u_year, u_fuel, u_gearbox, u_cc = unlisted
    if vehicle_id is None:
        return None
    if variant_id is not None:
        car = CarFacts(
            brand_id=brand_id,
            brand_name=brand,
            series_id=series_id,
            series_name=series,
            model_year=year,
            fuel_type=fuel,
            transmission=gearbox,
            displacement_cc=cc,
            variant_id=variant_id,
            label=variant_label(brand, series, name),
        )
    elif u_brand is not None:
        car = CarFacts(
            brand_id=u_brand_id,
            brand_name=u_brand,
            series_id=None,
            series_name=u_series,
            model_year=u_year,
            fuel_type=u_fuel,
            transmission=u_gearbox,
            displacement_cc=u_cc,
            variant_id=None,
            label=unlisted_label(u_brand, u_series, u_year),
        )
    else:
        return None
    return SelectedVehicle(car, vehicle_id, Spec(oil_viscosity=oil, tyre_size=tyre))


def user_with_car(user_id: int) -> tuple[User, SelectedVehicle | None] | None:
    """A user and the garage car they have selected — the one chosen in this session while
    it is still theirs, else their default — in one statement, for the user loader: a
    signed-in page then reads no car of its own (`selected_car_is`), nor its header's facts
    (`console_nav.header_facts`). The car comes as columns, not objects: only the user is
    loaded through the ORM."""
    chosen = session.get(GARAGE_KEY)
    chosen = chosen if isinstance(chosen, int) and 0 < chosen <= MAX_ID else 0
    params = {"user_id": user_id, "chosen": chosen}
    found = db.session.execute(_USER_WITH_CAR, params).one_or_none()
    if found is None:
        return None
    vehicle, listed, unlisted, facts = _groups(found[1:], _VEHICLE, _LISTED, _UNLISTED, _FACTS)
    facts_read(found[0].id, *facts)
    return found[0], _selected(vehicle, listed, unlisted)


def selected_car_is(selected: SelectedVehicle | None) -> None:
    """The signed-in user's selected car for this request, read with them (user_with_car)."""
    g.selected_vehicle = selected


def current_vehicle() -> SelectedVehicle | None:
    """The selected vehicle for this request (looked up once)."""
    signed_in = current_user.is_authenticated  # loading the user reads their car with them
    if "selected_vehicle" in g:
        return g.selected_vehicle
    selected = None
    if signed_in:  # the selection changed since the user was loaded: read it again
        found = user_with_car(current_user.id)
        selected = found[1] if found is not None else None
    else:
        variant = load_variant(session.get(GUEST_KEY))
        if variant is not None:
            selected = SelectedVehicle(variant)
    g.selected_vehicle = selected
    return selected


def select_variant(variant: Variant) -> SelectedVehicle:
    """Make `variant` the selected vehicle; signed-in owners get it in their garage."""
    g.pop("selected_vehicle", None)
    if current_user.is_authenticated:
        vehicle = garage.adopt_selection(current_user, variant, today=local_today())
        session[GARAGE_KEY] = vehicle.id
        return SelectedVehicle.of(vehicle)
    session[GUEST_KEY] = variant.id
    return SelectedVehicle(variant)


def select_garage_vehicle(vehicle: GarageVehicle) -> None:
    g.pop("selected_vehicle", None)
    session[GARAGE_KEY] = vehicle.id


def _adopt_guest_selection(app, user) -> None:
    """On sign-in, the car a guest picked moves into their garage and stays selected."""
    variant = load_variant(session.pop(GUEST_KEY, None))
    if variant is None:
        return
    vehicle = garage.adopt_selection(user, variant, today=local_today())
    db.session.flush()  # its id goes into the session; the sign-in request commits
    session[GARAGE_KEY] = vehicle.id
    g.pop("selected_vehicle", None)


def city_arg(args) -> str | None:
    """The city named in a query string, trimmed, or None."""
    return (args.get("city") or "").strip()[:20] or None


def chosen_city(args) -> str | None:
    """The city named in the query string, kept in the session for the pages that follow;
    else the one kept from before."""
    city = city_arg(args)
    if city:
        session["city"] = city
    return city or session.get("city")


def init_app(app) -> None:
    user_logged_in.connect(_adopt_guest_selection, app)

    @app.context_processor
    def inject_current_vehicle():
        return {"current_vehicle": current_vehicle()}
