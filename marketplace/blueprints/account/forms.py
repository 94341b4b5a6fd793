from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectMultipleField
from wtforms.validators import DataRequired, EqualTo, Length

from ...forms import choices
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
    """One button: refund this unused voucher."""


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
