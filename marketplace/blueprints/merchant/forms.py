import math

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    EmailField,
    FloatField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    Email,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)
from wtforms.widgets import CheckboxInput, ListWidget

from ...forms import MoneyField, choices, spec_field, strip
from ...i18n import lazy_gettext as _l
from ...labels import CATEGORY_NAMES, FUEL_NAMES, ITEM_NAMES, STAFF_ROLE_NAMES
from ...models.listings import MAX_VALIDITY_DAYS
from ...services.maintenance import ITEMS

MAX_YUAN = 1_000_000
MAX_STOCK = 1_000_000  # the database column is a 32-bit integer


def required_text(label, max_length, message):
    return StringField(
        label,
        filters=[strip],
        validators=[
            DataRequired(message),
            Length(max=max_length, message=_l("At most %(max)d characters.", max=max_length)),
        ],
    )


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


def finite(form, field):
    if field.data is not None and not math.isfinite(field.data):
        raise ValidationError(_l("Please enter a number."))


class LocationFields:
    latitude = FloatField(
        _l("Latitude"),
        validators=[
            InputRequired(_l("Please enter the latitude.")),
            finite,
            NumberRange(-90, 90, _l("Latitude must be between -90 and 90.")),
        ],
    )
    longitude = FloatField(
        _l("Longitude"),
        validators=[
            InputRequired(_l("Please enter the longitude.")),
            finite,
            NumberRange(-180, 180, _l("Longitude must be between -180 and 180.")),
        ],
    )


class ShopProfileForm(FlaskForm, LocationFields):
    SERVICE_FIELDS = ("address", "district", "opening_hours", "phone", "latitude", "longitude")

    address = required_text(_l("Address"), 200, _l("Please enter the address."))
    district = required_text(_l("District"), 20, _l("Please enter the district."))
    opening_hours = required_text(_l("Opening hours"), 100, _l("Please enter the opening hours."))
    phone = required_text(_l("Phone"), 20, _l("Please enter a phone number."))


class ShopApplicationForm(ShopProfileForm):
    SERVICE_FIELDS = (
        *ShopProfileForm.SERVICE_FIELDS,
        "chain_name",
        "name",
        "city",
        "licence_number",
    )

    chain_name = required_text(
        _l("Chain brand"), 60, _l("Please enter the chain brand (a new one, or yours).")
    )
    name = required_text(_l("Outlet name"), 60, _l("Please enter the outlet name."))
    city = required_text(_l("City"), 20, _l("Please enter the city."))
    licence_number = required_text(  # up to 18 characters and any spaces typed between
        _l("Business licence number (unified social credit code)"),
        40,
        _l("Please enter the business licence number."),
    )


class ListingForm(FlaskForm):
    title = required_text(_l("Title"), 80, _l("Please enter a title."))
    category = SelectField(_l("Category"), choices=choices(CATEGORY_NAMES))
    description = TextAreaField(
        _l("Description (plain text)"),
        validators=[Length(max=4000, message=_l("At most %(max)d characters.", max=4000))],
    )
    price = MoneyField(
        _l("Price (yuan)"),
        validators=[
            InputRequired(_l("Please enter the price.")),
            NumberRange(0, MAX_YUAN, _l("The price must be between ¥0 and ¥1,000,000.")),
        ],
    )
    list_price = MoneyField(
        _l("List price (yuan, before discount)"),
        validators=[
            InputRequired(_l("Please enter the list price.")),
            NumberRange(0, MAX_YUAN, _l("The price must be between ¥0 and ¥1,000,000.")),
        ],
    )
    validity_days = IntegerField(
        _l("Voucher valid for (days)"),
        default=90,
        validators=[
            InputRequired(_l("Please enter how many days the voucher is valid.")),
            NumberRange(
                1,
                MAX_VALIDITY_DAYS,
                _l("Validity must be between 1 and %(max)d days.", max=MAX_VALIDITY_DAYS),
            ),
        ],
    )
    stock = IntegerField(
        _l("Stock (leave empty for unlimited)"),
        validators=[
            Optional(),
            NumberRange(min=0, message=_l("Stock cannot be negative.")),
            NumberRange(
                max=MAX_STOCK, message=_l("Stock can be at most %(max)s.", max=f"{MAX_STOCK:,}")
            ),
        ],
    )
    items = MultiCheckboxField(
        _l("Maintenance items covered"), choices=choices({c: ITEM_NAMES[c] for c in ITEMS})
    )
    fit_fuels = MultiCheckboxField(
        _l("Only for fuel types (none: all)"), choices=choices(FUEL_NAMES)
    )
    fit_brands = StringField(
        _l("Only for brands (names, comma-separated; empty: all)"),
        filters=[strip],
        validators=[Length(max=300)],
    )
    fit_series = StringField(
        _l("Only for series (names, comma-separated; empty: all)"),
        filters=[strip],
        validators=[Length(max=300)],
    )
    oil_viscosity = spec_field(
        _l("Engine oil viscosity (if the package includes oil), e.g. 0W-20"), 12
    )
    oil_spec = spec_field(_l("Oil specification or approval, e.g. API SP, ACEA C3, VW 508.00"), 60)
    oil_capacity = spec_field(_l("Oil included (litres), e.g. 4.5"), 6, inputmode="decimal")
    tyre_size = spec_field(_l("Tyre size (for tyre packages), e.g. 225/45 R17"), 16)
    refund_any_time = BooleanField(_l("Refund any time while unused"), default=True)
    refund_on_expiry = BooleanField(_l("Refund automatically on expiry"), default=True)
    chain_redeemable = BooleanField(_l("Any outlet of the chain may redeem it"))


class InviteForm(FlaskForm):
    email = EmailField(
        _l("Email"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter your email address.")),
            Length(max=254, message=_l("An email address can have at most 254 characters.")),
            Email(_l("This is not a valid email address.")),
        ],
    )
    role = SelectField(_l("Role"), choices=choices(STAFF_ROLE_NAMES))
