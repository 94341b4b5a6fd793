from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...error_messages import message
from ...extensions import db
from ...models import Brand, GarageVehicle, Series, Variant
from ...security import safe_next_url
from ...selection import current_vehicle, select_garage_vehicle
from ...services import garage, reminders
from ...services.errors import DomainError
from ...timeutil import local_today
from ..refusals import REFUSED, change_or_refuse
from . import bp
from .forms import (
    InsuranceForm,
    ReadingForm,
    ServiceForm,
    UnlistedCarForm,
    VehicleSpecForm,
)


def _error_message(error: DomainError, km: int | None = None) -> str:
    readings = {
        key: f"{error.details[key]:,}" for key in ("earlier", "later") if key in error.details
    }
    return message(error, km=f"{km or 0:,}", **readings)


def _spec_form(vehicle: GarageVehicle) -> VehicleSpecForm:
    form = VehicleSpecForm(obj=vehicle, formdata=None)
    litres = vehicle.oil_capacity_dl
    form.oil_capacity.data = f"{litres / 10:.1f}" if litres else ""
    return form


def _own_vehicle(vehicle_id: int) -> GarageVehicle:
    """The signed-in owner's vehicle, or 404 (also for someone else's)."""
    vehicle = garage.get_vehicle(current_user, vehicle_id)
    if vehicle is None:
        abort(404)
    return vehicle


@bp.before_request
@login_required
def require_login():
    """The garage belongs to a signed-in owner."""


@bp.route("/")
def index():
    """The owner's cars, the default one first."""
    vehicles = db.session.scalars(
        select(GarageVehicle)
        .where(GarageVehicle.owner_id == current_user.id)
        .options(
            selectinload(GarageVehicle.variant)
            .selectinload(Variant.series)
            .selectinload(Series.brand),
            selectinload(GarageVehicle.readings),
        )
        .order_by(GarageVehicle.is_default.desc(), GarageVehicle.id)
    ).all()
    selected = current_vehicle()
    selected_id = selected.vehicle_id if selected else None
    return render_template("garage/index.html", vehicles=vehicles, selected_id=selected_id)


def _render_vehicle(
    vehicle, vehicle_form=None, reading_form=None, service_form=None, insurance_form=None
):
    today = local_today()
    policy = reminders.policy_of(vehicle)
    return render_template(
        "garage/vehicle.html",
        vehicle=vehicle,
        vehicle_form=vehicle_form or _spec_form(vehicle),
        reading_form=reading_form or ReadingForm(formdata=None, read_on=today),
        service_form=service_form or ServiceForm(formdata=None, done_on=today),
        insurance_form=insurance_form or InsuranceForm(obj=policy, formdata=None),
        policy=policy,
        inspection_on=(
            reminders.next_inspection(vehicle.registered_on, today)
            if vehicle.registered_on
            else None
        ),
        today=today,
    ), 200 if insurance_form is None or not insurance_form.errors else 400


@bp.route("/<int:vehicle_id>")
def vehicle(vehicle_id: int):
    """One car: its details, odometer history and services done."""
    return _render_vehicle(_own_vehicle(vehicle_id))


def _submit(vehicle, form, form_name: str, change, done: str, next_url: str | None = None):
    """Run `change()` for a valid form; refusals go back onto the form (and change nothing).
    Done, the car's page follows, or `next_url` (a page of this site) when given."""
    if form.validate_on_submit():
        try:
            with db.session.begin_nested():
                change()
        except DomainError as error:
            km = form.km.data if "km" in form else None
            getattr(form, error.field).errors.append(_error_message(error, km))
        else:
            flash(done, "success")
            return redirect(next_url or url_for("garage.vehicle", vehicle_id=vehicle.id))
    return _render_vehicle(vehicle, **{form_name: form})


@bp.route("/<int:vehicle_id>/edit", methods=["POST"])
def edit(vehicle_id: int):
    """Change the plate and registration date."""
    vehicle = _own_vehicle(vehicle_id)
    form = VehicleSpecForm()
    return _submit(
        vehicle,
        form,
        "vehicle_form",
        lambda: garage.update_vehicle(
            current_user,
            vehicle,
            plate=form.plate.data,
            registered_on=form.registered_on.data,
            today=local_today(),
            vin_text=form.vin.data or "",
            spec={
                "oil_viscosity": form.oil_viscosity.data,
                "oil_capacity": form.oil_capacity.data,
                "tyre_size": form.tyre_size.data,
            },
        ),
        _("Saved."),
    )


@bp.route("/unlisted", methods=["GET", "POST"])
def add_unlisted():
    """ "My car is not listed": the owner describes the car, and it joins the garage."""
    form = UnlistedCarForm(
        brand_id=request.args.get("brand_id", ""), series_name=request.args.get("series", "")
    )
    brands = db.session.scalars(select(Brand).order_by(Brand.initial, Brand.pinyin)).all()
    form.brand_id.choices = [("", "—"), *((str(b.id), b.name) for b in brands)]
    if form.validate_on_submit():
        brand = db.session.get(Brand, int(form.brand_id.data)) if form.brand_id.data else None
        litres = form.displacement.data
        today = local_today()

        def add():
            car = garage.describe_unlisted(
                brand=brand,
                brand_name=form.brand_name.data or "",
                series_name=form.series_name.data,
                model_year=form.model_year.data,
                fuel_type=form.fuel_type.data,
                transmission=form.transmission.data or None,
                displacement_cc=int(litres * 1000) if litres is not None else None,
                today=today,
            )
            return garage.add_unlisted_vehicle(
                current_user,
                car,
                today=today,
                plate=form.plate.data,
                registered_on=form.registered_on.data,
                vin_text=form.vin.data,
            )

        vehicle = change_or_refuse(
            form, add, fields={"displacement_cc": "displacement"}, field="series_name"
        )
        if vehicle is not REFUSED:
            select_garage_vehicle(vehicle)
            flash(_("Added to your garage: %(vehicle)s", vehicle=vehicle.label), "success")
            return redirect(url_for("garage.vehicle", vehicle_id=vehicle.id))
    status = 400 if form.errors or any(f.errors for f in form) else 200
    return render_template("garage/unlisted.html", form=form, today=local_today()), status


@bp.route("/<int:vehicle_id>/readings", methods=["POST"])
def add_reading(vehicle_id: int):
    """Record an odometer reading."""
    vehicle = _own_vehicle(vehicle_id)
    form = ReadingForm()
    return _submit(
        vehicle,
        form,
        "reading_form",
        lambda: garage.add_reading(
            vehicle, km=form.km.data, read_on=form.read_on.data, today=local_today()
        ),
        _("Reading saved: %(km)s km.", km=f"{form.km.data or 0:,}"),
    )


@bp.route("/<int:vehicle_id>/services", methods=["POST"])
def add_service(vehicle_id: int):
    """Note a maintenance item done elsewhere, so the matcher counts from it."""
    vehicle = _own_vehicle(vehicle_id)
    form = ServiceForm()
    return _submit(
        vehicle,
        form,
        "service_form",
        lambda: garage.record_service(
            vehicle,
            item=form.item.data,
            done_on=form.done_on.data,
            km=form.km.data,
            today=local_today(),
        ),
        _("Service recorded."),
        safe_next_url(request.form.get("next")),
    )


@bp.route("/<int:vehicle_id>/insurance", methods=["POST"])
def insurance(vehicle_id: int):
    """Record the insurer and the policy's end date, for renewal reminders."""
    vehicle = _own_vehicle(vehicle_id)
    form = InsuranceForm()
    if form.validate_on_submit():
        saved = change_or_refuse(
            form,
            lambda: reminders.save_policy(
                current_user,
                vehicle,
                insurer=form.insurer.data,
                expires_on=form.expires_on.data,
                today=local_today(),
            ),
        )
        if saved is not REFUSED:
            flash(_("Insurance saved: we will remind you before it ends."), "success")
            return redirect(url_for("garage.vehicle", vehicle_id=vehicle.id))
    return _render_vehicle(vehicle, insurance_form=form)


@bp.route("/<int:vehicle_id>/select", methods=["POST"])
def select_vehicle(vehicle_id: int):
    """Make this car the selected one for browsing and the matcher."""
    vehicle = _own_vehicle(vehicle_id)
    select_garage_vehicle(vehicle)
    flash(_("Selected: %(vehicle)s", vehicle=vehicle.label), "success")
    return redirect(url_for("garage.index"))


@bp.route("/<int:vehicle_id>/default", methods=["POST"])
def make_default(vehicle_id: int):
    """Make this car the default one."""
    vehicle = _own_vehicle(vehicle_id)
    garage.make_default(current_user, vehicle)
    flash(_("Default car changed."), "success")
    return redirect(url_for("garage.index"))


@bp.route("/<int:vehicle_id>/delete", methods=["POST"])
def delete(vehicle_id: int):
    """Remove the car and its history from the garage."""
    vehicle = _own_vehicle(vehicle_id)
    garage.remove_vehicle(current_user, vehicle)
    flash(_("Car removed from your garage."), "info")
    return redirect(url_for("garage.index"))
