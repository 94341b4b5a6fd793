from datetime import date
from urllib.parse import urlencode

from flask import abort, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from ...security import MAX_ID
from ...selection import chosen_city, current_vehicle, load_variant
from ...services import garage
from ...services import listings as listing_service
from ...services.fitment import Spec
from ...services.garage import EARLIEST_REGISTRATION
from ...services.listings import cheapest_bundles
from ...services.maintenance import ITEMS, STATUSES, Basis, ServiceRecord, point_day
from ...services.maintenance_rules import history_of, plan_maintenance
from ...timeutil import local_today
from . import bp, wording
from .forms import MatcherForm


def _owned_vehicle(vehicle_id: int | None):
    """The signed-in owner's garage vehicle named in the URL; someone else's is a 404."""
    if vehicle_id is None:
        return None
    if not current_user.is_authenticated or not 0 < vehicle_id <= MAX_ID:
        abort(404)
    vehicle = garage.get_vehicle(current_user, vehicle_id)
    if vehicle is None:
        abort(404)
    return vehicle


@bp.route("/")
def form():
    """The matcher form, prefilled from the selected (or named) vehicle and its last reading."""
    vehicle = _owned_vehicle(request.args.get("vehicle", type=int))
    selected = current_vehicle()
    if vehicle is None and selected is not None:
        vehicle = selected.garage_vehicle
    form = MatcherForm(formdata=None)
    car = None
    if vehicle is not None:
        car = vehicle.car
        form.vehicle.data = vehicle.id
        form.registered.data = vehicle.registered_on
        if vehicle.last_reading is not None:
            form.km.data = vehicle.last_reading.km
        oil = [s for s in vehicle.services if s.item == "engine_oil"]
        if oil:  # the garage's history answers "when was the last 保养"
            form.last_km.data, form.last_on.data = oil[-1].km, oil[-1].done_on
    elif selected is not None:
        car = selected.car
    if car is not None:
        form.variant.data = car.variant_id
    return render_template("maintenance/form.html", form=form, car=car, today=local_today())


@bp.route("/result")
def result():
    """What is due, overdue and coming up, and why. The URL carries every input."""
    form = MatcherForm(request.args)
    today = local_today()
    valid = form.validate()
    vehicle = _owned_vehicle(form.vehicle.data)
    car = load_variant(form.variant.data) if form.variant.data is not None else None
    if form.variant.data is not None and car is None:
        form.variant.errors = [
            _("There is no vehicle %(id)s in the catalog.", id=form.variant.data)
        ]
        valid = False
    if car is None and vehicle is not None and form.variant.data is None:
        car = vehicle.car  # the garage car's own: a reminder's link names only the car
    if car is None and not form.fuel.data and not form.variant.errors:
        form.fuel.errors = [_("Choose a vehicle, or at least its fuel type.")]
        valid = False
    registered = form.registered.data
    if registered is None and form.months.data is None and vehicle is not None:
        registered = vehicle.registered_on  # the garage knows when the car was registered
    if registered is not None and registered > today:
        form.registered.errors = [_("The registration date cannot be in the future.")]
        valid = False
    elif registered is not None and registered < EARLIEST_REGISTRATION:
        form.registered.errors = [_("The registration date cannot be before 1980.")]
        valid = False
    answers, answer_errors = _answers(form, request.args.getlist("done"), today)
    valid = valid and not answer_errors
    if not valid:
        return render_template("maintenance/form.html", form=form, car=car, today=today), 400
    plan = plan_maintenance(
        car=car,
        fuel_type=form.fuel.data or None,
        transmission=form.transmission.data or None,
        odometer_km=form.km.data,
        registered_on=registered,
        age_months=form.months.data if registered is None else None,
        condition=form.condition.data or "normal",
        today=today,
        history=[*(history_of(vehicle) if vehicle is not None else []), *answers],
    )
    lower = (
        vehicle.last_reading
        if vehicle is not None
        and vehicle.last_reading is not None
        and form.km.data < vehicle.last_reading.km
        else None
    )
    due_items = [r.item for r in plan.results if r.status in ("overdue", "due")]
    city = chosen_city(request.args)
    spec = Spec.of(vehicle)
    kept = urlencode([(k, v) for k, v in request.args.items(multi=True) if k != "city"])

    def city_url(name: str) -> str:  # a link per city: the page's other arguments quoted once
        return "?" + "&".join(filter(None, [kept, urlencode([("city", name)])]))

    # the packages for one item or all due ones, for this car and city; a dozen per page
    browse = url_for("listings.index") + "?"
    for_car = [
        (name, value)
        for name, value in (
            ("variant", car.variant_id if car else None),
            ("fits", "1" if car and not car.variant_id else None),
            ("city", city),
        )
        if value is not None
    ]

    for_car = urlencode(for_car)

    def offers_url(items: list[str]) -> str:
        return browse + "&".join(filter(None, [urlencode([("item", i) for i in items]), for_car]))

    this_page = urlencode(list(request.args.items(multi=True)))
    rows = wording.lines(
        plan.results,
        today=today,
        offers_url=offers_url,
        done_on=lambda r: point_day(r, form.km.data, registered, today),
        done_url=lambda r, on: _done_url(this_page, r, on),
    )
    groups = [(status, [row for row in rows if row.result.status == status]) for status in STATUSES]

    return render_template(
        "maintenance/result.html",
        form=form,
        car=car,
        vehicle=vehicle,
        groups=[(status, rows) for status, rows in groups if rows],
        count=len(plan.results),
        due_items=due_items,
        city=city,
        cities=listing_service.cities() if due_items else [],
        city_url=city_url,
        # per city: a cover by a shop at the other end of the country helps nobody, and
        # across all 100,000 listings it took a second to work out
        bundles=cheapest_bundles(due_items, car=car, city=city, spec=spec) if city else [],
        spec=spec,
        wording=wording,
        today=today,
        lower_reading=lower,
        unknown=[r for r in plan.results if r.basis == Basis.UNKNOWN_HISTORY],
        oil_answered=any(a.item in OIL_SERVICE for a in answers),
        offers_url=offers_url,
    )


OIL_SERVICE = ("engine_oil", "oil_filter")
"""What "the last 保养" answers: the oil service, which every 保养 includes."""


def _answers(form, done: list[str], today) -> tuple[list[ServiceRecord], list[str]]:
    """The owner's answers as service records: the last 保养 (the oil service items), and
    each one-click "done at …" (`done=item:km:YYYY-MM-DD`, km or date may be empty)."""
    records: list[ServiceRecord] = []
    errors: list[str] = []
    km, on = form.last_km.data, form.last_on.data
    if form.km.data is not None and km is not None and km > form.km.data:
        form.last_km.errors = [_("The last service cannot be at more km than the car has now.")]
        errors.append("last_km")
    if on is not None and on > today:
        form.last_on.errors = [_("The service date cannot be in the future.")]
        errors.append("last_on")
    if not errors and (km is not None or on is not None) and not form.last_unknown.data:
        records += [ServiceRecord(item=item, km=km, on=on) for item in OIL_SERVICE]
    for answer in done[: len(ITEMS)]:
        item, _sep, rest = answer.partition(":")
        raw_km, _sep, raw_on = rest.partition(":")
        try:
            done_km = int(raw_km) if raw_km else None
            done_on = date.fromisoformat(raw_on) if raw_on else None
        except ValueError:
            done_km = done_on = None
        valid = item in ITEMS and (done_km is not None or done_on is not None)
        if not valid or (done_km or 0) > (form.km.data or 0) or (done_on and done_on > today):
            form.last_km.errors = [_("That answer about a past service could not be read.")]
            errors.append("done")
            continue
        records.append(ServiceRecord(item=item, km=done_km, on=done_on))
    return records, errors


def _done_url(this_page: str, result, done_on: date | None) -> str:
    """This result page (its query string `this_page`) with "it was done at the scheduled
    point" (on `done_on`, when known) added as an answer."""
    answer = f"{result.item}:{result.point_km or ''}:{done_on.isoformat() if done_on else ''}"
    return "?" + "&".join(filter(None, [this_page, urlencode([("done", answer)])]))
