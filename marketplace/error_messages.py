"""What the user reads when a service refuses: one table per domain, keyed by its codes.

`message(error)` is the one way from a domain error to words; a test checks that every
code of every domain has a message here, translated into every language.
"""

from .i18n import lazy_gettext as _l
from .services.accounts import AccountError
from .services.bookings import BookingError
from .services.cart import CartError
from .services.dashboard import LOST_WINDOW_MAX, LOST_WINDOW_MIN, DashboardError
from .services.errors import DomainError
from .services.fitment import FitmentError
from .services.garage import GarageError
from .services.invoices import InvoiceError
from .services.listings import ListingError
from .services.notifications import UnsubscribeError
from .services.orders import OrderError
from .services.redemption import RedemptionError
from .services.reminders import InsuranceError
from .services.reviews import ReviewError
from .services.shops import ShopError
from .services.vin import VinError
from .services.vouchers import VoucherError

NOT_FOUND = _l("The page you asked for does not exist or is not yours.")
REASON_REQUIRED = _l("Please give a reason.")

MESSAGES: dict[type[DomainError], dict[str, object]] = {
    AccountError: {
        "email_taken": _l("An account with this email already exists."),
        "wrong_password": _l("The current password is wrong."),
    },
    CartError: {
        "quantity_range": _l("Choose a quantity from 1 to 10."),
        "sold_out": _l("Sorry, this offer is sold out."),
        "stock": _l("Only %(count)s left."),
        "too_many_lines": _l("Your cart is full: check out or remove something first."),
        "unavailable": _l("A listing in your cart is no longer on sale; it has been removed."),
        "busy": _l("This could not be added."),
    },
    OrderError: {
        "empty": _l("Your cart is empty."),
        "not_found": NOT_FOUND,
        "price_changed": _l("A price changed since you added it: please check the new total."),
        "payment_window_closed": _l("The time to pay this order has run out."),
        "payment_under_way": _l("A payment for this order is already under way."),
        "status_paid": _l("This order is already paid."),
        "status_expired": _l("This order expired unpaid."),
        "status_cancelled": _l("This order was cancelled."),
        **dict.fromkeys(
            (
                "illegal_transition",
                "status_pending_payment",
                "status_partially_refunded",
                "status_refunded",
                "status_completed",
            ),
            _l("This order cannot be paid now."),
        ),
    },
    VoucherError: {
        "not_refundable": _l("This package cannot be refunded once bought."),
        "status_redeemed": _l("This voucher has been used, so it cannot be refunded."),
        "status_refund_requested": _l("This voucher is already being refunded."),
        "status_refunded": _l("This voucher has already been refunded."),
        "status_expired": _l("This voucher has expired."),
        "not_paid": _l("This order has not been paid."),
        "status_issued": _l("This voucher cannot be refunded."),
    },
    RedemptionError: {
        "format": _l("A voucher code is 12 digits: please check what you typed."),
        "check_digit": _l(
            "This code has a typo: its check digit does not match. Please check each digit."
        ),
        "not_found": _l("No voucher with this code can be redeemed at this outlet."),
        "already_redeemed": _l("This voucher has already been redeemed."),
        "refunded": _l("This voucher was refunded and can no longer be used."),
        "expired": _l("This voucher has expired."),
        "stale_form": _l("This page is out of date. Please look the code up again."),
        "odometer_range": _l("That is more than any odometer shows: please check it."),
        "reason_required": REASON_REQUIRED,
        "reason_too_long": _l("At most 200 characters."),
        "already_undone": _l("This redemption has already been undone."),
        "undo_window_passed": _l(
            "A redemption can be undone by the shop within one hour. After that, please ask the "
            "platform's support."
        ),
    },
    ShopError: {
        "licence_length": _l(
            "A business licence number (unified social credit code) has 18 characters; this "
            "one has %(length)s. Copy it from the licence, all 18 characters."
        ),
        "licence_character": _l(
            "A business licence number has only digits and capital letters (never I, O, S, V "
            "or Z), and digits in places 3 to 8: please check what you typed."
        ),
        "licence_check": _l(
            "This business licence number has a typo: its last character (the check "
            "character) does not match the others. Please compare it with the licence."
        ),
        "bad_phone": _l(
            "Please enter a mobile number (11 digits) or a landline such as 010-12345678."
        ),
        "bad_latitude": _l("Latitude must be between -90 and 90."),
        "bad_longitude": _l("Longitude must be between -180 and 180."),
        "chain_taken": _l(
            "This chain brand belongs to another merchant: ask its admin to apply for this outlet."
        ),
        "already_staff": _l("You already work at a shop; one account works at one shop."),
        "already_invited": _l("This email has already been invited to this shop."),
        "cannot_remove_self": _l("You cannot remove yourself."),
        "not_found": NOT_FOUND,
        "reason_required": REASON_REQUIRED,
        "illegal_transition": _l("That decision is not possible for a shop in this state."),
    },
    ListingError: {
        "status_move": _l("A draft can be published; a published listing can be paused."),
        "title_required": _l("Please enter a title."),
        "bad_category": _l("Please choose a category."),
        "price_range": _l("The price must be between ¥0 and ¥1,000,000."),
        "list_price_below_price": _l("The list price cannot be below the price."),
        "validity_range": _l("Validity must be between 1 and 1095 days."),
        "stock_negative": _l("Stock cannot be negative."),
        "bad_item": _l("Unknown maintenance item."),
        "bad_fuel": _l("Unknown fuel type."),
        "unknown_brand": _l("Unknown brand."),
        "unknown_series": _l("Unknown series."),
    },
    ReviewError: {
        "not_found": NOT_FOUND,
        "not_redeemed": _l("You can review a service once the shop has redeemed your voucher."),
        "refunded": _l("This voucher was refunded, so there is nothing to review."),
        "too_late": _l(
            "Reviews can be written up to 30 days after the service; this one has closed."
        ),
        "already_reviewed": _l("You have already reviewed this voucher."),
        "edit_window_closed": _l("A review can be changed for 24 hours after it was written."),
        "hidden": _l("A moderator hid this review, so it cannot be changed."),
        "bad_stars": _l("Choose from 1 to 5 stars."),
        "text_too_long": _l("At most %(max)d characters.", max=1000),
        "reply_required": _l("Please write a reply."),
        "reply_too_long": _l("At most %(max)d characters.", max=1000),
        "reason_required": REASON_REQUIRED,
        "reason_too_long": _l("At most %(max)d characters.", max=500),
        "already_reported": _l("This review has already been reported."),
        "illegal_transition": _l("That decision is not possible for a review in this state."),
        "resubmitted_once": _l(
            "You already changed this review once after a moderator hid it, so it cannot be "
            "changed again."
        ),
    },
    DashboardError: {
        "window_range": _l(
            "The lost-customer window is between %(low)s and %(high)s months.",
            low=LOST_WINDOW_MIN,
            high=LOST_WINDOW_MAX,
        ),
        "message_length": _l("Please write a message of at most 300 characters."),
        "too_soon": _l(
            "This customer already had a message from this shop in the last 30 days. Please "
            "wait before writing again."
        ),
        "daily_cap": _l(
            "This shop has sent as many messages as it may today. Please try tomorrow."
        ),
        "opted_out": _l("This customer does not receive messages from shops."),
        "not_lost": NOT_FOUND,
    },
    FitmentError: {
        "bad_viscosity": _l("An oil viscosity is an SAE grade such as 0W-20, 5W-30 or 10W-40."),
        "bad_tyre_size": _l(
            "A tyre size reads like 225/45 R17: width in mm (125–355), height as a percentage "
            "of the width (25–85), rim in inches (12–24)."
        ),
        "bad_capacity": _l("The oil capacity must be between 1.0 and 15.0 litres (e.g. 4.2)."),
        "does_not_fit": _l(
            "“%(title)s” does not fit your %(vehicle)s. Choose another package, or another "
            "car if you are buying for a different one."
        ),
    },
    GarageError: {
        "bad_plate": _l(
            "This is not a valid mainland China plate number (e.g. 京A12345 or 沪AD12345)."
        ),
        "plate_taken": _l("Another car in your garage already has this plate."),
        "registered_in_future": _l("The registration date cannot be in the future."),
        "registered_too_early": _l("The registration date cannot be before 1980."),
        "km_range": _l("The odometer reading must be between 0 and 2,000,000 km."),
        "reading_in_future": _l("The reading date cannot be in the future."),
        "reading_before_registration": _l(
            "The reading date cannot be before the registration date."
        ),
        "km_below_earlier": _l(
            "%(km)s km is lower than an earlier reading (%(earlier)s km). "
            "An odometer does not go backwards: please check the number."
        ),
        "km_above_later": _l(
            "%(km)s km is higher than a later reading (%(later)s km). Please check the number "
            "and date."
        ),
        "service_in_future": _l("The service date cannot be in the future."),
        "registered_before_model_year": _l(
            "A %(model_year)s model cannot have been registered before %(earliest)s: "
            "please check the date, or the model year of the car."
        ),
        "no_engine": _l(
            "A battery-electric car has no engine: engine oil, filters, spark plugs, timing "
            "belt and fuel filter do not apply to it."
        ),
        "unlisted_brand": _l("Please choose the brand, or type its name (up to 60 characters)."),
        "unlisted_series": _l("Please type the model name (up to 80 characters), e.g. 秦PLUS."),
        "unlisted_year": _l("Please choose a model year from %(low)s to %(high)s."),
        "unlisted_fuel": _l("Please choose the fuel type."),
        "unlisted_transmission": _l("Please choose a transmission from the list."),
        "unlisted_displacement": _l(
            "The engine size must be between 0.6 and 8.4 litres, and a battery-electric car "
            "has none."
        ),
    },
    VinError: {
        "vin_length": _l("A VIN has 17 characters; this one has %(length)s."),
        "vin_character": _l(
            "A VIN has only digits and letters, and never the letters I, O or Q (they look "
            "like 1 and 0)."
        ),
        "vin_check_digit": _l(
            "This VIN's check digit (9th character) does not match: please check for a typo."
        ),
        "vin_year_code": _l("The 10th character of this VIN is not a model-year code."),
        "vin_year_mismatch": _l(
            "This VIN says model year %(vin_year)s, but the car you chose is a %(model_year)s "
            "model."
        ),
        "vin_maker_mismatch": _l("This VIN belongs to another maker than %(brand)s."),
    },
    InsuranceError: {
        "not_found": NOT_FOUND,
        "insurer_required": _l("Please enter the insurer."),
        "insurer_too_long": _l("At most 60 characters."),
        "expiry_past": _l(
            "The policy end date cannot be in the past: enter the renewed policy's date."
        ),
        "expiry_too_far": _l(
            "A car insurance policy runs for a year: the end date can be at most 400 days ahead."
        ),
    },
    UnsubscribeError: {
        "invalid": _l("This unsubscribe link is not valid."),
        "used": _l("This unsubscribe link has already been used."),
    },
    InvoiceError: {
        "not_found": NOT_FOUND,
        "not_paid": _l("An invoice can be requested once the order is paid."),
        "nothing_to_invoice": _l(
            "Everything in this order has been refunded, so there is nothing to invoice."
        ),
        "shop_refunded": _l(
            "Everything bought from this shop in this order has been refunded since the "
            "request, so there is nothing to invoice."
        ),
        "locked": _l(
            "A shop has already issued its invoice for this order, so the invoice details "
            "can no longer be changed."
        ),
        "already_issued": _l("This invoice has already been marked as issued."),
        "bad_title_kind": _l("Please choose a personal or a company invoice."),
        "title_required": _l("Please enter the name to put on the invoice."),
        "title_too_long": _l("At most %(max)d characters.", max=100),
        "tax_id_required": _l(
            "A company invoice needs the company's tax id (unified social credit code)."
        ),
        "bad_tax_id": _l(
            "This is not a valid unified social credit code (18 characters with a check character)."
        ),
        "email_too_long": _l("An email address can have at most 254 characters."),
        "bad_email": _l("This is not a valid email address."),
        "bad_number": _l("An invoice number has 8 to 20 digits (a fully digital invoice has 20)."),
    },
    BookingError: {
        "not_found": NOT_FOUND,
        "bad_time": _l("Please choose one of the times shown."),
        "past": _l("This time has already passed: please choose a later one."),
        "closed_day": _l("The shop is closed that day: please choose another day."),
        "not_a_slot": _l(
            "The shop does not take bookings at that time: choose one of the times shown."
        ),
        "too_far": _l("The shop takes bookings up to %(days)s days ahead."),
        "after_expiry": _l("The voucher expires before that time: please choose an earlier one."),
        "full": _l("Sorry, that time has just been fully booked: please choose another."),
        "voucher_redeemed": _l("This voucher has been used, so it cannot be booked."),
        "voucher_refunded": _l("This voucher has been refunded, so it cannot be booked."),
        "voucher_expired": _l("This voucher has expired, so it cannot be booked."),
        "too_late": _l(
            "It is too late to change or cancel this booking online: please call the shop."
        ),
        "all_units_booked": _l("Every unit of this line already has a time."),
        "order_not_open": _l("This order is no longer waiting for payment."),
        "illegal_move": _l("This booking has changed in the meantime: please look again."),
        "not_started": _l("The booked time has not begun yet."),
        "reason_required": REASON_REQUIRED,
        "reason_too_long": _l("At most %(max)d characters.", max=200),
        "bays_range": _l("Between 1 and %(max)s bays."),
        "days_range": _l("Between 1 and %(max)s days."),
        "change_range": _l("Between 0 and %(max)s hours."),
        "slot_range": _l("A slot lasts %(min)s to %(max)s minutes, in steps of %(step)s minutes."),
        "hours_order": _l("The closing time must be after the opening time."),
        "closed_past": _l("A closed day cannot be in the past."),
        "closed_range": _l(
            "Close at most %(max)s days at a time, the last day not before the first."
        ),
        "closed_has_bookings": _l(
            "There are %(count)s bookings on those days: cancel them first, telling the "
            "owners why, then close the days."
        ),
        "note_too_long": _l("At most %(max)d characters.", max=60),
    },
}


def _table(kind: type[DomainError]) -> dict[str, object]:
    for cls in kind.__mro__:
        if cls in MESSAGES:
            return MESSAGES[cls]
    raise LookupError(f"no messages for {kind.__name__}")


def message_for(kind: type[DomainError], code: str, **values) -> str:
    """The message for `code` of the domain `kind`, with `values` put in."""
    text = str(_table(kind)[kind.Code(code)])
    return text % values if values else text


def message(error: DomainError, **values) -> str:
    """What the user reads for `error`; `values` fill in (or override) its details."""
    values = {**error.details, **values}
    return message_for(
        type(error), error.code, **{k: v for k, v in values.items() if v is not None}
    )
