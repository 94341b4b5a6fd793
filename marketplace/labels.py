"""Translated names for the codes stored in the database."""

from flask import current_app
from flask_babel import lazy_gettext as _l

ROLE_NAMES = {
    "owner": _l("Car owner"),
    "shop_staff": _l("Shop staff"),
    "admin": _l("Admin"),
}

FUEL_NAMES = {
    "petrol": _l("Petrol"),
    "diesel": _l("Diesel"),
    "hev": _l("Hybrid (HEV)"),
    "phev": _l("Plug-in hybrid (PHEV)"),
    "bev": _l("Battery electric (BEV)"),
}

TRANSMISSION_NAMES = {
    "mt": _l("Manual"),
    "at": _l("Automatic"),
    "cvt": _l("CVT"),
    "dct": _l("Dual-clutch (DCT)"),
    "amt": _l("Automated manual (AMT)"),
    "single_speed": _l("Single-speed"),
}

ASPIRATION_NAMES = {
    "na": _l("Naturally aspirated"),
    "turbo": _l("Turbocharged"),
    "supercharged": _l("Supercharged"),
}

ITEM_NAMES = {
    "engine_oil": _l("Engine oil"),
    "oil_filter": _l("Oil filter"),
    "air_filter": _l("Air filter"),
    "cabin_filter": _l("Cabin air filter"),
    "hepa_filter": _l("HEPA filter"),
    "spark_plugs": _l("Spark plugs"),
    "brake_fluid": _l("Brake fluid"),
    "coolant": _l("Coolant"),
    "transmission_fluid": _l("Transmission fluid"),
    "timing_belt": _l("Timing belt"),
    "fuel_filter": _l("Fuel filter"),
    "tire_rotation": _l("Tire rotation"),
    "brake_inspection": _l("Brake inspection"),
    "brake_caliper_service": _l("Brake caliper service"),
    "battery_check": _l("Battery check"),
}

STATUS_NAMES = {
    "overdue": _l("Overdue"),
    "due": _l("Due now"),
    "upcoming": _l("Coming up"),
    "ok": _l("OK for now"),
    "unknown": _l("Unknown"),
}

CONDITION_NAMES = {
    "normal": _l("Normal driving"),
    "severe": _l("Severe conditions (short trips, dust, heavy traffic, extreme heat or cold)"),
}

CATEGORY_NAMES = {
    "maintenance": _l("Maintenance"),
    "repair": _l("Repair"),
    "cleaning": _l("Cleaning & detailing"),
    "tires": _l("Tires & wheels"),
    "accessories": _l("Accessories & modification"),
}

SHOP_STATUS_NAMES = {
    "applied": _l("Awaiting review"),
    "approved": _l("Approved"),
    "rejected": _l("Rejected"),
    "suspended": _l("Suspended"),
}

STAFF_ROLE_NAMES = {
    "manager": _l("Manager"),
    "technician": _l("Technician"),
}

LISTING_STATUS_NAMES = {
    "draft": _l("Draft"),
    "active": _l("On sale"),
    "paused": _l("Paused"),
}

READING_SOURCE_NAMES = {
    "owner": _l("Owner"),
    "shop": _l("Shop"),
}

ORDER_STATUS_NAMES = {
    "pending_payment": _l("Awaiting payment"),
    "paid": _l("Paid"),
    "partially_refunded": _l("Partly refunded"),
    "refunded": _l("Refunded"),
    "completed": _l("Completed"),
    "expired": _l("Expired unpaid"),
    "cancelled": _l("Cancelled"),
}

VOUCHER_STATUS_NAMES = {
    "issued": _l("Ready to use"),
    "redeemed": _l("Used"),
    "refund_requested": _l("Refund in progress"),
    "refunded": _l("Refunded"),
    "expired": _l("Expired"),
}

REFUND_STATUS_NAMES = {
    "pending": _l("in progress"),
    "succeeded": _l("refunded"),
    "failed": _l("failed"),
}

ORDER_EVENT_NAMES = {
    "placed": _l("Order placed"),
    "payment_started": _l("Payment started"),
    "payment_requires_action": _l("Bank confirmation requested"),
    "payment_failed": _l("Payment failed"),
    "payment_succeeded": _l("Payment confirmed by Stripe"),
    "paid": _l("Paid"),
    "vouchers_issued": _l("Vouchers issued"),
    "refund_requested": _l("Refund requested"),
    "refund_failed": _l("Refund failed"),
    "refunded": _l("Refunded"),
    "voucher_expired": _l("Voucher expired"),
    "expired": _l("Order expired unpaid"),
    "cancelled": _l("Order cancelled"),
    "late_payment": _l("Payment arrived after the order closed"),
    "late_payment_refunded": _l("Late payment refunded"),
    "payment_outcome_unknown": _l("No answer from the payment service: checking with Stripe"),
    "duplicate_payment": _l("A second payment for this order arrived"),
    "duplicate_payment_refunded": _l("Second payment refunded"),
    "voucher_redeemed": _l("Voucher redeemed at the shop"),
    "redemption_undone": _l("Redemption undone"),
    "completed": _l("Order completed"),
    "reopened": _l("Order reopened"),
}

ENTRY_STATE_NAMES = {
    "pending": _l("Pending"),
    "payable": _l("Payable"),
    "processing": _l("Being paid out"),
    "paid": _l("Paid"),
    "cancelled": _l("Cancelled (undone)"),
}


def entry_state(entry, now) -> str:
    """Where a ledger entry stands: pending, payable, processing, paid or cancelled."""
    status = entry.status.value
    if status != "open":
        return status
    if entry.payout_id is not None:
        return "processing"
    return "payable" if entry.available_at <= now else "pending"


SORT_NAMES = {
    "popular": _l("Popularity"),
    "price": _l("Price: low to high"),
    "price_desc": _l("Price: high to low"),
    "rating": _l("Rating"),
    "newest": _l("Newest"),
    "distance": _l("Distance"),
}


class MissingLabel(LookupError):
    """A code with no name in its table (tests/test_labels.py checks every table)."""


def label(code: str, names: dict) -> object:
    """Jinja filter: the translated name of a code. A code without a name is a bug: in
    production the page shows the code and the log says so; in tests it fails."""
    try:
        return names[code]
    except KeyError:
        if current_app.testing or current_app.debug:
            raise MissingLabel(code) from None
        current_app.logger.error("no label for %r", code)
        return code


def init_app(app) -> None:
    app.jinja_env.filters["label"] = label
    app.jinja_env.filters["entry_state"] = entry_state
    app.jinja_env.globals.update(
        role_names=ROLE_NAMES,
        fuel_names=FUEL_NAMES,
        transmission_names=TRANSMISSION_NAMES,
        aspiration_names=ASPIRATION_NAMES,
        item_names=ITEM_NAMES,
        status_names=STATUS_NAMES,
        condition_names=CONDITION_NAMES,
        reading_source_names=READING_SOURCE_NAMES,
        category_names=CATEGORY_NAMES,
        shop_status_names=SHOP_STATUS_NAMES,
        staff_role_names=STAFF_ROLE_NAMES,
        listing_status_names=LISTING_STATUS_NAMES,
        order_status_names=ORDER_STATUS_NAMES,
        voucher_status_names=VOUCHER_STATUS_NAMES,
        refund_status_names=REFUND_STATUS_NAMES,
        order_event_names=ORDER_EVENT_NAMES,
        entry_state_names=ENTRY_STATE_NAMES,
        sort_names=SORT_NAMES,
    )
