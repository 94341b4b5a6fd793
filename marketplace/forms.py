"""Pieces shared by the blueprints' forms."""

from collections.abc import Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from wtforms import DecimalField, SelectChoice, StringField, ValidationError
from wtforms.validators import DataRequired, Length

from .i18n import lazy_gettext as _l
from .services.bookings import BookingError


def choices(labels: Mapping[str, object], blank: str | None = None) -> list[SelectChoice]:
    """Select options from a code → label mapping, optionally led by an empty option."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(code, label) for code, label in labels.items()]


def strip(value):
    """A WTForms filter: trim surrounding whitespace from text input."""
    return value.strip() if isinstance(value, str) else value


def spec_field(label, max_length: int, **render_kw) -> StringField:
    """An optional short text the service reads and checks itself (an oil viscosity, a tyre
    size, litres): trimmed, capped in length, refused by the service with its message."""
    return StringField(
        label, filters=[strip], validators=[Length(max=max_length)], render_kw=render_kw or None
    )


class MoneyField(DecimalField):
    """An amount typed in yuan (up to 2 decimals); `.fen` is the integer in minor units."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("places", 2)
        kwargs.setdefault("render_kw", {"inputmode": "decimal"})
        super().__init__(label, validators, **kwargs)

    def pre_validate(self, form):
        if self.data is None:
            return
        if not self.data.is_finite():
            raise ValidationError(_l("Please enter a number."))
        try:
            cents = self.data.quantize(Decimal("0.01"))
        except InvalidOperation:  # more digits than any amount has: the range check refuses it
            return
        if self.data != cents:
            raise ValidationError(_l("At most two decimal places."))

    @property
    def fen(self) -> int | None:
        return None if self.data is None else int((self.data * 100).to_integral_value())

    def set_fen(self, fen: int | None) -> None:
        self.data = None if fen is None else Decimal(fen) / 100


class BookingForm(FlaskForm):
    """A time chosen on a booking page: the start of one of the slots shown (ISO 8601 with
    its offset), for the owner's voucher or for a line of an unpaid order."""

    starts_at = StringField(validators=[DataRequired(_l("Please choose a time."))])

    def moment(self) -> datetime:
        """The chosen start, or BookingError("bad_time") (the service checks the rest)."""
        try:
            moment = datetime.fromisoformat(self.starts_at.data or "")
        except ValueError:
            raise BookingError("bad_time", "starts_at") from None
        if moment.tzinfo is None:
            raise BookingError("bad_time", "starts_at")
        return moment


def day_arg(args) -> date | None:
    """The `day` a booking page was asked to show (YYYY-MM-DD), if it reads as one."""
    try:
        return date.fromisoformat(args.get("day", ""))
    except ValueError:
        return None
