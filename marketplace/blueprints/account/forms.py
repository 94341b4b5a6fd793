from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    PasswordField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Email, EqualTo, Length, Optional

from ...forms import choices, strip
from ...i18n import lazy_gettext as _l
from ...labels import INVOICE_TITLE_KIND_NAMES, OWNER_REFUND_REASON_NAMES
from ...models import NotificationKind
from ...models.invoices import MAX_EMAIL, MAX_TITLE
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


class ButtonForm(FlaskForm):
    """A button that only needs its CSRF token (cancel a booking)."""


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


class InvoiceForm(FlaskForm):
    """What goes on the invoice; the service checks the tax id's check character."""

    title_kind = RadioField(
        _l("Invoice for"),
        choices=choices(INVOICE_TITLE_KIND_NAMES),
        default="personal",
        validators=[DataRequired(_l("Please choose a personal or a company invoice."))],
    )
    title = StringField(
        _l("Invoice title (name of the person or company)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter the name to put on the invoice.")),
            Length(max=MAX_TITLE, message=_l("At most %(max)d characters.", max=MAX_TITLE)),
        ],
    )
    tax_id = StringField(
        _l("Tax id (unified social credit code, companies only)"),
        filters=[strip],
        validators=[
            Length(
                max=40,
                message=_l(
                    "This is not a valid unified social credit code (18 characters with a "
                    "check character)."
                ),
            )
        ],
        render_kw={"autocapitalize": "characters", "spellcheck": "false", "maxlength": 40},
    )
    email = EmailField(
        _l("Email for the electronic invoice (optional)"),
        filters=[strip],
        validators=[
            Optional(),
            Length(max=MAX_EMAIL, message=_l("An email address can have at most 254 characters.")),
            Email(_l("This is not a valid email address.")),
        ],
    )
