"""Whether a listing fits the car, in the reader's language (cards, pages, cart lines)."""

from .i18n import gettext as _
from .labels import FUEL_NAMES
from .selection import current_vehicle
from .services.fitment import NO_SPEC, Fit, explain


def _reason(code: str, details: dict) -> str:
    if code == "fuel":
        names = _(", ").join(str(FUEL_NAMES[f]) for f in details["fuels"] if f in FUEL_NAMES)
        return _("only for %(fuels)s", fuels=names)
    if code == "model":
        return _("only for %(models)s", models=_(", ").join(details["names"]))
    if code == "oil":
        return _(
            "%(offered)s oil, your car takes %(needed)s",
            offered=details["offered"],
            needed=details["needed"],
        )
    return _(
        "tyre size %(offered)s, your car has %(needed)s",
        offered=details["offered"],
        needed=details["needed"],
    )


def fit_text(fit: Fit, vehicle: str | None) -> str:
    """ "Fits your 丰田 卡罗拉 …", "Does not fit …: only for 特斯拉", "Fits all cars"."""
    if not fit.fits:
        reasons = _("; ").join(_reason(code, details) for code, details in fit.reasons)
        return _("Does not fit your %(vehicle)s: %(reasons)s", vehicle=vehicle, reasons=reasons)
    if fit.all_cars:
        return _("Fits all cars")
    if vehicle is None:
        return _("For some cars only: select yours to see")
    text = _("Fits your %(vehicle)s", vehicle=vehicle)
    if "oil" in fit.check_spec:
        text += " · " + _("check the oil spec: add your car's recommended oil in the garage")
    if "tyre" in fit.check_spec:
        text += " · " + _("check the tyre size: add yours in the garage")
    return text


def selected_fit(listing) -> Fit:
    """How `listing` fits the visitor's selected car (every listing fits "no car")."""
    selected = current_vehicle()
    if selected is None:
        return explain(listing, None, NO_SPEC)
    return explain(listing, selected.car, selected.spec)


def init_app(app) -> None:
    app.jinja_env.globals.update(fit_text=fit_text, selected_fit=selected_fit)
