import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from ....forms import strip
from ....i18n import lazy_gettext as _l
from ....models.vehicles import MAX_ODOMETER_KM


def _shop_id(value):
    """The outlet chosen (checked against the user's outlets by the view), or None."""
    return int(value) if str(value or "").isdigit() else None


class CodeForm(FlaskForm):
    """Look a voucher up by the code the customer shows."""

    shop = SelectField(_l("Outlet"), coerce=_shop_id, validate_choice=False)
    code = StringField(
        _l("Voucher code"),
        filters=[strip],
        validators=[DataRequired(_l("Please enter the voucher code.")), Length(max=40)],
        render_kw={
            "inputmode": "numeric",
            "autocomplete": "off",
            "autofocus": True,
            "placeholder": "1234 5678 9012",
        },
    )


def _odometer(form, field):
    text = (field.data or "").replace(",", "").replace(" ", "")
    if not text:
        field.km = None
        return
    if re.fullmatch(r"-\d+", text):
        raise ValidationError(_l("The odometer reading cannot be negative."))
    if not text.isascii() or not text.isdigit():
        raise ValidationError(_l("Enter the odometer in whole kilometres, for example 35200."))
    if int(text) > MAX_ODOMETER_KM:
        raise ValidationError(_l("That is more than any odometer shows: please check it."))
    field.km = int(text)


class RedeemForm(FlaskForm):
    """Confirm the redemption, with the odometer reading if the staff member took it."""

    shop = HiddenField()
    code = HiddenField(validators=[DataRequired()])
    request_id = HiddenField(validators=[DataRequired(), Length(max=64)])
    odometer = StringField(
        _l("Odometer (km)"),
        filters=[strip],
        validators=[Optional(), Length(max=12), _odometer],
        render_kw={"inputmode": "numeric", "autocomplete": "off"},
    )


class UndoForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for the undo"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give a reason.")),
            Length(max=200, message=_l("At most 200 characters.")),
        ],
        render_kw={"rows": 2},
    )


class PayoutAccountForm(FlaskForm):
    """One button: create the shop's Stripe Connect account."""
