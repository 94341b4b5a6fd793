"""Translated names for the codes stored in the database."""

from flask import current_app

from .i18n import lazy_gettext as _l
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
from .models.listings import STATUS_MOVES
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


# Every action the code records in the audit log (`audit.record(...)`); a test reads the
# source for them, so a new action without a name here fails it.
AUDIT_ACTION_NAMES = {
    "user.registered": _l("Account created"),
    "user.signed_in": _l("Signed in"),
    "user.password_changed": _l("Password changed"),
    "user.made_admin": _l("Made an admin"),
    "shop.applied": _l("Applied for a shop"),
    "shop.approved": _l("Shop approved"),
    "shop.rejected": _l("Shop application rejected"),
    "shop.suspended": _l("Shop suspended"),
    "shop.reinstated": _l("Shop reinstated"),
    "shop.profile_updated": _l("Shop details changed"),
    "shop.staff_invited": _l("Staff member invited"),
    "shop.staff_joined": _l("Staff member joined"),
    "shop.staff_removed": _l("Staff member removed"),
    "shop.payout_account": _l("Payout account created"),
    "shop.lost_window": _l("Lost-customer window changed"),
    "shop.winback_message": _l("Win-back message sent"),
    "shop.booking_rules": _l("Booking rules changed"),
    "shop.opening_hours": _l("Bookable opening hours changed"),
    "listing.created": _l("Listing created"),
    "listing.updated": _l("Listing changed"),
    "listing.status": _l("Listing put on sale, paused or back to draft"),
    "voucher.redeem": _l("Voucher redeemed"),
    "voucher.redeem_undo": _l("Redemption undone"),
    "voucher.wrong_code": _l("Wrong voucher code typed"),
    "voucher.refund": _l("Voucher refunded by an admin"),
    "payout.paid": _l("Payout paid"),
    "review.reported": _l("Review reported by the shop"),
    "review.approved": _l("Review approved by a moderator"),
    "review.hidden": _l("Review hidden by a moderator"),
    "review.withdrawn": _l("Review withdrawn"),
    "review.resubmitted": _l("Hidden review changed and sent back to moderation"),
    "review.replied": _l("Shop replied to a review"),
    "review.reply_edited": _l("Shop changed its reply to a review"),
    "garage.vehicle_added": _l("Car added to a garage"),
    "garage.vehicle_removed": _l("Car removed from a garage"),
}

# The details an audit entry records, by key; `action:key` names a key one action uses in
# its own sense. A key not named here is shown as it is.
AUDIT_FIELD_NAMES = {
    "role": _l("Role"),
    "reason": _l("Reason"),
    "amount_fen": _l("Amount"),
    "account": _l("Payout account"),
    "shop_id": _l("Shop"),
    "chain": _l("Chain brand"),
    "email": _l("Email"),
    "user_id": _l("User"),
    "owner_id": _l("Car owner"),
    "voucher_id": _l("Voucher"),
    "redemption_id": _l("Redemption"),
    "report_id": _l("Report"),
    "notification_id": _l("Notification"),
    "request_id": _l("Request"),
    "status": _l("Status"),
    "status_from": _l("Status before"),
    "status_to": _l("Status after"),
    "text": _l("Message"),
    "before": _l("Before"),
    "after": _l("After"),
    "variant_id": _l("Catalogue car"),
    "unlisted": _l("Car not in the catalogue"),
    "vehicle_id": _l("Car"),
    "bays": _l("Service bays"),
    "days_ahead": _l("Bookings taken up to (days ahead)"),
    "week": _l("Opening hours"),
    "km": _l("Odometer"),
    "ledger": _l("Shop's earnings"),
    "code": _l("Code typed"),
    "hold_reasons": _l("Held for"),
    "hidden_for": _l("Why it had been hidden"),
    "shop.lost_window:before": _l("Months before"),
    "shop.lost_window:after": _l("Months after"),
    "voucher.wrong_code:reason": _l("What was wrong"),
    "voucher.refund:reason": _l("Reason"),
}

# What an audit entry is about, by model name.
AUDIT_OBJECT_NAMES = {
    "User": _l("User"),
    "Shop": _l("Shop"),
    "Listing": _l("Listing"),
    "Voucher": _l("Voucher"),
    "Review": _l("Review"),
    "Payout": _l("Payout"),
    "GarageVehicle": _l("Car"),
}

# Coded values some details hold.
AUDIT_LEDGER_NAMES = {
    "cancelled": _l("Not paid out yet: cancelled"),
    "reversed": _l("Already paid out: taken back from the next payout"),
}
AUDIT_REASON_NAMES = {"undone": _l("The redemption was undone")}


# The provinces (and their peers) by the first two digits of an administrative region code
# (GB/T 2260), as in places 3–8 of a unified social credit code; 10 is the national level.
PROVINCE_NAMES = {
    "10": _l("National level"),
    "11": _l("Beijing"),
    "12": _l("Tianjin"),
    "13": _l("Hebei"),
    "14": _l("Shanxi"),
    "15": _l("Inner Mongolia"),
    "21": _l("Liaoning"),
    "22": _l("Jilin"),
    "23": _l("Heilongjiang"),
    "31": _l("Shanghai"),
    "32": _l("Jiangsu"),
    "33": _l("Zhejiang"),
    "34": _l("Anhui"),
    "35": _l("Fujian"),
    "36": _l("Jiangxi"),
    "37": _l("Shandong"),
    "41": _l("Henan"),
    "42": _l("Hubei"),
    "43": _l("Hunan"),
    "44": _l("Guangdong"),
    "45": _l("Guangxi"),
    "46": _l("Hainan"),
    "50": _l("Chongqing"),
    "51": _l("Sichuan"),
    "52": _l("Guizhou"),
    "53": _l("Yunnan"),
    "54": _l("Tibet"),
    "61": _l("Shaanxi"),
    "62": _l("Gansu"),
    "63": _l("Qinghai"),
    "64": _l("Ningxia"),
    "65": _l("Xinjiang"),
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
        listing_moves=STATUS_MOVES,
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
