from flask_wtf import FlaskForm
from wtforms import DateField, DecimalField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...forms import choices, spec_field, strip
from ...i18n import lazy_gettext as _l
from ...labels import FUEL_NAMES, ITEM_NAMES, TRANSMISSION_NAMES
from ...models.vehicles import MAX_ODOMETER_KM
from ...services.maintenance import ITEMS

KM_RANGE = NumberRange(
    min=0,
    max=MAX_ODOMETER_KM,
    message=_l(
        "The odometer reading must be between 0 and %(max)s km.", max=f"{MAX_ODOMETER_KM:,}"
    ),
)


class VehicleForm(FlaskForm):
    plate = StringField(
        _l("Plate number (optional)"),
        filters=[strip],
        validators=[Optional()],
    )
    registered_on = DateField(
        _l("First registration date"),
        validators=[Optional()],
        render_kw={"max": "9999-12-31"},
    )
    vin = StringField(
        _l("VIN (optional, 17 characters)"),
        filters=[strip],
        validators=[Optional(), Length(max=40, message=_l("A VIN has 17 characters."))],
        render_kw={"autocapitalize": "characters", "autocomplete": "off", "spellcheck": "false"},
    )


class VehicleSpecForm(VehicleForm):
    """The details and what the owner knows from the manual and the tyre wall."""

    oil_viscosity = spec_field(
        _l("Recommended engine oil (owner's manual), e.g. 0W-20"), 12, autocomplete="off"
    )
    oil_capacity = spec_field(_l("Engine oil capacity (litres), e.g. 4.2"), 6, inputmode="decimal")
    tyre_size = spec_field(
        _l("Tyre size (on the tyre wall), e.g. 225/45 R17"), 16, autocomplete="off"
    )


class UnlistedCarForm(VehicleForm):
    """A car the catalog does not list, described by its owner (from the registration
    certificate 行驶证 or the manual)."""

    brand_id = SelectField(_l("Brand"), validators=[Optional()])
    brand_name = StringField(
        _l("Or type the brand, if it is not in the list"),
        filters=[strip],
        validators=[Optional(), Length(max=60, message=_l("At most 60 characters."))],
    )
    series_name = StringField(
        _l("Model"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please type the model name, e.g. 秦PLUS.")),
            Length(max=80, message=_l("At most 80 characters.")),
        ],
    )
    model_year = IntegerField(
        _l("Model year"),
        validators=[InputRequired(_l("Please enter the model year, e.g. 2024."))],
    )
    fuel_type = SelectField(
        _l("Fuel type"),
        choices=choices(FUEL_NAMES, blank="—"),
        validators=[DataRequired(_l("Please choose the fuel type."))],
    )
    transmission = SelectField(
        _l("Transmission (optional)"),
        choices=choices(TRANSMISSION_NAMES, blank="—"),
        validators=[Optional()],
    )
    displacement = DecimalField(
        _l("Engine size in litres (combustion engines, optional)"),
        places=1,
        validators=[
            Optional(),
            NumberRange(min=0.6, max=8.4, message=_l("Between 0.6 and 8.4 litres.")),
        ],
    )


class ReadingForm(FlaskForm):
    km = IntegerField(
        _l("Odometer (km)"),
        validators=[InputRequired(_l("Please enter the odometer reading in km.")), KM_RANGE],
    )
    read_on = DateField(_l("Date"), validators=[DataRequired(_l("Please enter a date."))])


class ServiceForm(FlaskForm):
    item = SelectField(_l("Item"), choices=choices({code: ITEM_NAMES[code] for code in ITEMS}))
    done_on = DateField(_l("Date done"), validators=[DataRequired(_l("Please enter a date."))])
    km = IntegerField(_l("Odometer then (km, optional)"), validators=[Optional(), KM_RANGE])


class InsuranceForm(FlaskForm):
    insurer = StringField(
        _l("Insurer"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter the insurer.")),
            Length(max=60, message=_l("At most 60 characters.")),
        ],
    )
    expires_on = DateField(
        _l("Policy ends on"), validators=[DataRequired(_l("Please enter a date."))]
    )
