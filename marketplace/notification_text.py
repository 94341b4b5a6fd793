"""What a notification says, worded in the reader's language when it is shown or emailed."""

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import format_date, format_datetime, format_decimal
from flask_babel import gettext as _

from .i18n import appointment, money
from .i18n import lazy_gettext as _l
from .labels import ITEM_NAMES
from .models import Notification, NotificationKind

KIND_NAMES = {
    NotificationKind.MAINTENANCE_DUE: _l("Maintenance due"),
    NotificationKind.INSURANCE_RENEWAL: _l("Insurance renewal"),
    NotificationKind.INSPECTION_DUE: _l("Annual inspection"),
    NotificationKind.VOUCHER_EXPIRING: _l("Vouchers about to expire"),
    NotificationKind.SHOP_MESSAGE: _l("Messages from shops"),
    NotificationKind.INVOICE_ISSUED: _l("Invoices issued"),
    NotificationKind.BOOKING: _l("Bookings made, changed or cancelled by the shop"),
    NotificationKind.BOOKING_REMINDER: _l("Booking reminders, the day before"),
}


@dataclass(frozen=True)
class Text:
    title: str
    body: str
    action: str

    def email_body(self, link: str, unsubscribe_url: str) -> str:
        return "\n\n".join(
            [
                self.body,
                f"{self.action}: {link}",
                "—",
                _(
                    "You receive this email because of your reminder settings. To stop "
                    "emails of this kind, open: %(url)s",
                    url=unsubscribe_url,
                ),
            ]
        )


def _day(value: str) -> str:
    return format_date(date.fromisoformat(value), "long")


def describe(n: Notification) -> Text:
    """Title, body and call to action of a notification, in the current language."""
    d = n.data or {}
    if n.kind == NotificationKind.MAINTENANCE_DUE:
        items = "、".join(str(ITEM_NAMES.get(i, i)) for i in d.get("items", []))
        if d.get("basis") == "average":
            basis = _(
                "estimated from your last reading of %(last)s km on %(on)s plus %(rate)s km a "
                "day, your average over %(count)s readings",
                last=format_decimal(d["last_km"]),
                on=_day(d["last_on"]),
                rate=format_decimal(d["km_per_day"]),
                count=d["readings"],
            )
        else:
            basis = _(
                "estimated from your only reading of %(last)s km on %(on)s plus %(rate)s km a "
                "day, a typical figure (add another reading for your own average)",
                last=format_decimal(d["last_km"]),
                on=_day(d["last_on"]),
                rate=format_decimal(d["km_per_day"]),
            )
        return Text(
            _("Maintenance due for %(vehicle)s", vehicle=d.get("vehicle", "")),
            _(
                "Due now: %(items)s. Your car is at about %(km)s km (%(basis)s).",
                items=items,
                km=format_decimal(d.get("estimated_km", 0)),
                basis=basis,
            ),
            _("See what is due and the offers that cover it"),
        )
    if n.kind == NotificationKind.INSURANCE_RENEWAL:
        return Text(
            _("Insurance renewal for %(vehicle)s", vehicle=d.get("vehicle", "")),
            _(
                "Your policy with %(insurer)s ends on %(date)s, in %(days)s days. Renew it in "
                "time: driving uninsured is not allowed.",
                insurer=d.get("insurer", ""),
                date=_day(d["expires_on"]),
                days=d.get("days_left", 0),
            ),
            _("Update the policy once renewed"),
        )
    if n.kind == NotificationKind.INSPECTION_DUE:
        return Text(
            _("Annual inspection for %(vehicle)s", vehicle=d.get("vehicle", "")),
            _(
                "The car's inspection is due by %(date)s (in %(days)s days); it can be done in "
                "the three months before.",
                date=_day(d["due_on"]),
                days=d.get("days_left", 0),
            ),
            _("See the car"),
        )
    if n.kind == NotificationKind.VOUCHER_EXPIRING:
        return Text(
            _("Voucher expiring soon: %(title)s", title=d.get("title", "")),
            _(
                "Your voucher for %(title)s at %(shop)s expires on %(time)s. Use it before then.",
                title=d.get("title", ""),
                shop=d.get("shop", ""),
                time=format_datetime(datetime.fromisoformat(d["expires_at"]), "short"),
            ),
            _("See my vouchers"),
        )
    if n.kind == NotificationKind.SHOP_MESSAGE:
        return Text(
            _("A message from %(shop)s", shop=d.get("shop", "")),
            d.get("message", ""),
            _("Visit the shop"),
        )
    if n.kind == NotificationKind.INVOICE_ISSUED:
        return Text(
            _("Invoice issued by %(shop)s", shop=d.get("shop", "")),
            _(
                "%(shop)s has issued the invoice for order %(order)s: number %(number)s, "
                "amount %(amount)s.",
                shop=d.get("shop", ""),
                order=d.get("order", ""),
                number=d.get("number", ""),
                amount=money(d.get("amount_fen", 0), d.get("currency")),
            ),
            _("See the order"),
        )
    if n.kind == NotificationKind.BOOKING:
        return _booking_text(d)
    if n.kind == NotificationKind.BOOKING_REMINDER:
        return Text(
            _("Tomorrow at %(shop)s", shop=d.get("shop", "")),
            _(
                "Your booking for %(title)s is on %(time)s at %(shop)s, %(address)s. If you "
                "cannot come, change or cancel it, or call %(phone)s.",
                title=d.get("title", ""),
                time=_moment(d["starts_at"]),
                shop=d.get("shop", ""),
                address=d.get("address", ""),
                phone=d.get("phone", ""),
            ),
            _("See or change the booking"),
        )
    return Text(n.kind, "", _("Open"))


def _moment(value: str) -> str:
    return appointment(datetime.fromisoformat(value))


def _booking_text(d: dict) -> Text:
    what, title, shop = d.get("what"), d.get("title", ""), d.get("shop", "")
    when = _moment(d["starts_at"])
    if what == "cancelled_by_shop":
        return Text(
            _("%(shop)s cancelled your booking", shop=shop),
            _(
                "Your booking for %(title)s on %(time)s was cancelled by the shop: %(reason)s. "
                "The voucher is still yours; book another time.",
                title=title,
                time=when,
                reason=d.get("reason", ""),
            ),
            _("Book another time"),
        )
    if what == "moved":
        headline = _("Booking changed: %(title)s", title=title)
    else:
        headline = _("Booked: %(title)s", title=title)
    return Text(
        headline,
        _(
            "You are expected at %(shop)s on %(time)s. Show the voucher's code at the counter.",
            shop=shop,
            time=when,
        ),
        _("See or change the booking"),
    )
