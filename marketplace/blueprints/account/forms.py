from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, RadioField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

from ...forms import choices, strip
from ...labels import OWNER_REFUND_REASON_NAMES
from ...models import NotificationKind
from ...services.accounts import PASSWORD_MAX
from ..auth.forms import new_password_field


class PasswordChangeForm(FlaskForm):
    current = PasswordField(
        _l("Current password"),
        validators=[
            DataRequired(_l("Please enter your current password.")),
            Length(max=PASSWORD_MAX, message=_l("The current password is wrong.")),
        ],
    )
    new = new_password_field(_l("New password"))
    confirm = PasswordField(
        _l("Repeat new password"),
        validators=[EqualTo("new", message=_l("The two passwords do not match."))],
    )


class RefundForm(FlaskForm):
    """One button: try a refund Stripe could not make again."""


class RefundRequestForm(FlaskForm):
    """Refund an unused voucher: why, and a confirmation (no refund by a slip of the thumb)."""

    reason = RadioField(
        _l("Why do you want a refund?"),
        choices=choices(OWNER_REFUND_REASON_NAMES),
        validators=[DataRequired(_l("Please choose a reason."))],
    )
    text = TextAreaField(
        _l("Anything to add (optional)"),
        filters=[strip],
        validators=[Length(max=200, message=_l("At most 200 characters."))],
    )
    confirm = BooleanField(
        _l("Yes, refund it: the voucher code stops working and the money goes back to how I paid."),
        validators=[DataRequired(_l("Please tick the box to confirm the refund."))],
    )


class PreferencesForm(FlaskForm):
    """Checkboxes "<kind>:in_app" and "<kind>:email"; unchecked means off."""

    chosen = SelectMultipleField(
        choices=choices(
            {
                f"{kind}:{channel}": f"{kind}:{channel}"
                for kind in NotificationKind.ALL
                for channel in ("in_app", "email")
            }
        ),
        validate_choice=True,
    )
