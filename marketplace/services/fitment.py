"""Does a listing fit a car? Fuel type, brand or series, and — where both sides say —
engine-oil viscosity and tyre size.

`explain()` answers for one loaded listing (cards, the listing page, cart and order lines);
`fits()` is the same rule as an SQL condition (search, the matcher's covers); `check()`
refuses what does not fit (adding to the cart, placing the order).
"""

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from sqlalchemy import and_, exists, literal, or_

from ..models import Listing, ListingFitment
from ..models.vehicles import Car
from .errors import DomainError, error_codes

VISCOSITY = re.compile(r"^(0|5|10|15|20|25)W-?(8|12|16|20|30|40|50|60)$")
TYRE = re.compile(r"^(\d{3})/(\d{2})\s*Z?R\s*(\d{2})$")
MAX_OIL_DL = 150  # 15 litres: more than any passenger car's sump


class FitmentError(DomainError):
    """A specification that cannot be, or a purchase for a car it does not fit."""

    Code = error_codes("FitmentCode", "bad_viscosity bad_tyre_size bad_capacity does_not_fit")


def viscosity(text: str | None, field_name: str = "oil_viscosity") -> str | None:
    """An SAE grade such as 0W-20 (written 0w20, 0W-20 …), normalised; None when empty."""
    value = re.sub(r"\s+", "", text or "").upper()
    if not value:
        return None
    match = VISCOSITY.match(value)
    if match is None:
        raise FitmentError("bad_viscosity", field_name)
    return f"{match.group(1)}W-{match.group(2)}"


def tyre_size(text: str | None, field_name: str = "tyre_size") -> str | None:
    """A tyre size such as 225/45 R17, normalised to "225/45R17"; None when empty."""
    value = re.sub(r"\s+", " ", (text or "").strip().upper())
    if not value:
        return None
    match = TYRE.match(value)
    if match is None:
        raise FitmentError("bad_tyre_size", field_name)
    width, aspect, rim = (int(g) for g in match.groups())
    if not (125 <= width <= 355 and 25 <= aspect <= 85 and 12 <= rim <= 24 and width % 5 == 0):
        raise FitmentError("bad_tyre_size", field_name)
    return f"{width}/{aspect}R{rim}"


def oil_capacity_dl(litres, field_name: str = "oil_capacity") -> int | None:
    """Litres (e.g. 4.2) as whole decilitres; None when empty."""
    if litres in (None, ""):
        return None
    try:
        value = Decimal(str(litres))
    except InvalidOperation:
        raise FitmentError("bad_capacity", field_name) from None
    decilitres = value * 10
    if not value.is_finite() or decilitres != decilitres.to_integral_value():
        raise FitmentError("bad_capacity", field_name)
    if not 10 <= decilitres <= MAX_OIL_DL:
        raise FitmentError("bad_capacity", field_name)
    return int(decilitres)


@dataclass(frozen=True)
class Spec:
    """What the owner knows of the car beyond the catalog (from the manual, the tyre wall)."""

    oil_viscosity: str | None = None
    tyre_size: str | None = None

    @classmethod
    def of(cls, vehicle) -> "Spec":
        if vehicle is None:
            return cls()
        return cls(oil_viscosity=vehicle.oil_viscosity, tyre_size=vehicle.tyre_size)


NO_SPEC = Spec()


@dataclass(frozen=True)
class Fit:
    """The answer for one listing and one car. `reasons` are (code, details) of what does
    not fit; `check_spec` names what the listing states and the car's owner has not said."""

    fits: bool
    all_cars: bool
    reasons: tuple[tuple[str, dict], ...] = ()
    check_spec: tuple[str, ...] = field(default_factory=tuple)


def explain(listing: Listing, car: Car | None, spec: Spec = NO_SPEC) -> Fit:
    """Whether `listing` fits `car`, and why not (its fitments must be loaded)."""
    fuels = listing.fuel_codes
    for_all = listing.fits_all_models and not fuels
    for_all = for_all and not listing.tyre_size and not listing.oil_viscosity
    if car is None:
        return Fit(fits=True, all_cars=for_all)
    models = [(f.brand_id, f.series_id) for f in listing.fitments]
    reasons = []
    if fuels and car.fuel_type not in fuels:
        reasons.append(("fuel", {"fuels": tuple(fuels), "fuel": car.fuel_type}))
    if not listing.fits_all_models and not any(
        (brand is not None and brand == car.brand_id)
        or (series is not None and series == car.series_id)
        for brand, series in models
    ):
        reasons.append(("model", {"names": tuple(f.name for f in listing.fitments)}))
    unknown = []
    for name, label in (("oil_viscosity", "oil"), ("tyre_size", "tyre")):
        offered, needed = getattr(listing, name), getattr(spec, name)
        if offered and needed and offered != needed:
            reasons.append((label, {"offered": offered, "needed": needed}))
        elif offered and not needed:
            unknown.append(label)
    return Fit(
        fits=not reasons, all_cars=for_all, reasons=tuple(reasons), check_spec=tuple(unknown)
    )


def check(listing: Listing, car: Car | None, spec: Spec = NO_SPEC) -> None:
    """Refuse a purchase of `listing` for `car` when it does not fit (FitmentError)."""
    fit = explain(listing, car, spec)
    if not fit.fits:
        raise FitmentError("does_not_fit", "listing_id", vehicle=car.label, title=listing.title)


def fits(car: Car, spec: Spec = NO_SPEC):
    """SQL condition: the listing fits this car (fuel, then brand or series, then the oil
    and tyre size where both sides state them). A car the catalog does not list fits by
    brand only, or listings for all models."""
    if car.fuel_type:
        wrapped = literal("|") + Listing.fit_fuels + literal("|")
        fuel_ok = or_(Listing.fit_fuels == "", wrapped.contains(f"|{car.fuel_type}|"))
    else:
        fuel_ok = Listing.fit_fuels == ""
    named = [
        column == value
        for column, value in (
            (ListingFitment.series_id, car.series_id),
            (ListingFitment.brand_id, car.brand_id),
        )
        if value is not None
    ]
    model_ok = Listing.fits_all_models
    if named:
        model_ok = or_(
            model_ok, exists().where(ListingFitment.listing_id == Listing.id, or_(*named))
        )
    conditions = [fuel_ok, model_ok]
    if spec.oil_viscosity:
        conditions.append(
            or_(Listing.oil_viscosity.is_(None), Listing.oil_viscosity == spec.oil_viscosity)
        )
    if spec.tyre_size:
        conditions.append(or_(Listing.tyre_size.is_(None), Listing.tyre_size == spec.tyre_size))
    return and_(*conditions)
