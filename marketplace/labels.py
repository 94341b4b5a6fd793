"""Translated names for the codes stored in the database."""

from flask import current_app
from flask_babel import lazy_gettext as _l

from .models import (
    BookingStatus,
    Category,
    InvoiceStatus,
    InvoiceTitleKind,
    ListingStatus,
    OrderStatus,
    PayMethod,
    ReadingSource,
    RefundStatus,
    Role,
    ShopStatus,
    StaffRole,
    VoucherStatus,
)
from .powertrain import Aspiration, FuelType, Transmission
from .services.listings import Sort
from .services.maintenance import Condition, Item, MatchStatus

ROLE_NAMES = {
    Role.OWNER: _l("Car owner"),
    Role.SHOP_STAFF: _l("Shop staff"),
    Role.ADMIN: _l("Admin"),
}

FUEL_NAMES = {
    FuelType.PETROL: _l("Petrol"),
    FuelType.DIESEL: _l("Diesel"),
    FuelType.HEV: _l("Hybrid (HEV)"),
    FuelType.PHEV: _l("Plug-in hybrid (PHEV)"),
    FuelType.EREV: _l("Range-extended electric (EREV)"),
    FuelType.BEV: _l("Battery electric (BEV)"),
}

TRANSMISSION_NAMES = {
    Transmission.MT: _l("Manual"),
    Transmission.AT: _l("Automatic"),
    Transmission.CVT: _l("CVT"),
    Transmission.DCT: _l("Dual-clutch (DCT)"),
    Transmission.AMT: _l("Automated manual (AMT)"),
    Transmission.SINGLE_SPEED: _l("Single-speed"),
}

ASPIRATION_NAMES = {
    Aspiration.NA: _l("Naturally aspirated"),
    Aspiration.TURBO: _l("Turbocharged"),
    Aspiration.SUPERCHARGED: _l("Supercharged"),
}

ITEM_NAMES = {
    Item.ENGINE_OIL: _l("Engine oil"),
    Item.OIL_FILTER: _l("Oil filter"),
    Item.AIR_FILTER: _l("Air filter"),
    Item.CABIN_FILTER: _l("Cabin air filter"),
    Item.HEPA_FILTER: _l("HEPA filter"),
    Item.SPARK_PLUGS: _l("Spark plugs"),
    Item.BRAKE_FLUID: _l("Brake fluid"),
    Item.COOLANT: _l("Coolant"),
    Item.TRANSMISSION_FLUID: _l("Transmission fluid"),
    Item.REDUCER_OIL: _l("Reduction gear oil (electric drive)"),
    Item.TIMING_BELT: _l("Timing belt"),
    Item.FUEL_FILTER: _l("Fuel filter"),
    Item.TIRE_ROTATION: _l("Tire rotation"),
    Item.BRAKE_INSPECTION: _l("Brake inspection"),
    Item.BRAKE_CALIPER_SERVICE: _l("Brake caliper service"),
    Item.BATTERY_CHECK: _l("Battery check"),
}

STATUS_NAMES = {
    MatchStatus.OVERDUE: _l("Overdue"),
    MatchStatus.DUE: _l("Due within the month"),
    MatchStatus.UPCOMING: _l("Coming up"),
    MatchStatus.OK: _l("OK for now"),
    MatchStatus.UNKNOWN: _l("Unknown"),
}

CONDITION_NAMES = {
    Condition.NORMAL: _l("Normal driving"),
    Condition.SEVERE: _l(
        "Severe conditions (short trips, dust, heavy traffic, extreme heat or cold)"
    ),
}

CATEGORY_NAMES = {
    Category.MAINTENANCE: _l("Maintenance"),
    Category.REPAIR: _l("Repair"),
    Category.CLEANING: _l("Cleaning & detailing"),
    Category.TIRES: _l("Tires & wheels"),
    Category.ACCESSORIES: _l("Accessories & modification"),
}

SHOP_STATUS_NAMES = {
    ShopStatus.APPLIED: _l("Awaiting review"),
    ShopStatus.APPROVED: _l("Approved"),
    ShopStatus.REJECTED: _l("Rejected"),
    ShopStatus.SUSPENDED: _l("Suspended"),
}

STAFF_ROLE_NAMES = {
    StaffRole.MANAGER: _l("Manager"),
    StaffRole.TECHNICIAN: _l("Technician"),
}

LISTING_STATUS_NAMES = {
    ListingStatus.DRAFT: _l("Draft"),
    ListingStatus.ACTIVE: _l("On sale"),
    ListingStatus.PAUSED: _l("Paused"),
}

READING_SOURCE_NAMES = {
    ReadingSource.OWNER: _l("Owner"),
    ReadingSource.SHOP: _l("Shop"),
}

ORDER_STATUS_NAMES = {
    OrderStatus.PENDING_PAYMENT: _l("Awaiting payment"),
    OrderStatus.PAID: _l("Paid"),
    OrderStatus.PARTIALLY_REFUNDED: _l("Partly refunded"),
    OrderStatus.REFUNDED: _l("Refunded"),
    OrderStatus.COMPLETED: _l("Completed"),
    OrderStatus.EXPIRED: _l("Expired unpaid"),
    OrderStatus.CANCELLED: _l("Cancelled"),
}

VOUCHER_STATUS_NAMES = {
    VoucherStatus.ISSUED: _l("Ready to use"),
    VoucherStatus.REDEEMED: _l("Used"),
    VoucherStatus.REFUND_REQUESTED: _l("Refund in progress"),
    VoucherStatus.REFUNDED: _l("Refunded"),
    VoucherStatus.EXPIRED: _l("Expired"),
}

OWNER_REFUND_REASON_NAMES = {
    "changed_mind": _l("I no longer need it"),
    "plans_changed": _l("My plans changed (no time, moving, selling the car)"),
    "bought_by_mistake": _l("Bought by mistake (wrong package, car or shop)"),
    "shop_problem": _l("A problem with the shop (no appointment, refused the service)"),
    "other": _l("Another reason"),
}

PAY_METHOD_NAMES = {
    PayMethod.WECHAT_PAY: _l("WeChat Pay"),
    PayMethod.ALIPAY: _l("Alipay"),
    PayMethod.CARD: _l("Bank card"),
}

REFUND_STATUS_NAMES = {
    RefundStatus.PENDING: _l("in progress"),
    RefundStatus.SUCCEEDED: _l("refunded"),
    RefundStatus.FAILED: _l("failed"),
}

ORDER_EVENT_NAMES = {
    "placed": _l("Order placed"),
    "payment_started": _l("Payment started"),
    "payment_requires_action": _l("Waiting for the payer to confirm"),
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
    "invoice_requested": _l("Invoice requested"),
    "invoice_request_changed": _l("Invoice details changed"),
    "invoice_issued": _l("Invoice issued by the shop"),
    "booking_held": _l("Time chosen for the visit"),
    "booking_made": _l("Visit booked"),
    "booking_moved": _l("Booking changed"),
    "booking_cancelled": _l("Booking cancelled"),
    "booking_cancelled_by_shop": _l("Booking cancelled by the shop"),
    "booking_released": _l("Booking released"),
    "booking_arrived": _l("Arrived at the shop"),
    "booking_no_show": _l("Did not come to the booking"),
}

BOOKING_STATUS_NAMES = {
    BookingStatus.HELD: _l("Time chosen (confirmed once paid)"),
    BookingStatus.BOOKED: _l("Booked"),
    BookingStatus.ARRIVED: _l("Arrived"),
    BookingStatus.SERVED: _l("Served"),
    BookingStatus.NO_SHOW: _l("Did not come"),
    BookingStatus.CANCELLED: _l("Cancelled"),
}

WEEKDAY_NAMES = (
    _l("Monday"),
    _l("Tuesday"),
    _l("Wednesday"),
    _l("Thursday"),
    _l("Friday"),
    _l("Saturday"),
    _l("Sunday"),
)

BOOKING_RELEASE_NAMES = {
    "refunded": _l("the voucher was refunded"),
    "expired": _l("the voucher expired"),
    "passed": _l("the time passed before the order was paid"),
    "order_closed": _l("the order closed unpaid"),
}

INVOICE_STATUS_NAMES = {
    InvoiceStatus.REQUESTED: _l("To be issued"),
    InvoiceStatus.ISSUED: _l("Issued"),
}

INVOICE_TITLE_KIND_NAMES = {
    InvoiceTitleKind.PERSONAL: _l("Personal"),
    InvoiceTitleKind.COMPANY: _l("Company"),
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
    Sort.POPULAR: _l("Popularity"),
    Sort.PRICE: _l("Price: low to high"),
    Sort.PRICE_DESC: _l("Price: high to low"),
    Sort.RATING: _l("Rating"),
    Sort.NEWEST: _l("Newest"),
    Sort.DISTANCE: _l("Distance"),
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
        pay_method_names=PAY_METHOD_NAMES,
        owner_refund_reason_names=OWNER_REFUND_REASON_NAMES,
        order_event_names=ORDER_EVENT_NAMES,
        invoice_status_names=INVOICE_STATUS_NAMES,
        booking_status_names=BOOKING_STATUS_NAMES,
        booking_release_names=BOOKING_RELEASE_NAMES,
        weekday_names=WEEKDAY_NAMES,
        invoice_title_kind_names=INVOICE_TITLE_KIND_NAMES,
        entry_state_names=ENTRY_STATE_NAMES,
        sort_names=SORT_NAMES,
    )
