from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, RadioField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional

from ...forms import choices
from ...i18n import lazy_gettext as _l
from ...labels import CONDITION_NAMES, FUEL_NAMES, TRANSMISSION_NAMES
from ...models.vehicles import MAX_ODOMETER_KM


class MatcherForm(FlaskForm):
    """The matcher's inputs; submitted by GET so the result URL can be shared."""

    class Meta:
        csrf = False

    variant = IntegerField(_l("Vehicle"), validators=[Optional()])
    vehicle = IntegerField(validators=[Optional()])
    fuel = SelectField(
        _l("Fuel type"),
        choices=choices(FUEL_NAMES, blank="—"),
        validators=[Optional()],
    )
    transmission = SelectField(
        _l("Transmission"),
        choices=choices(TRANSMISSION_NAMES, blank="—"),
        validators=[Optional()],
    )
    km = IntegerField(
        _l("Odometer (km)"),
        validators=[
            InputRequired(_l("Please enter the odometer reading in km.")),
            NumberRange(
                min=0,
                max=MAX_ODOMETER_KM,
                message=_l("The odometer reading must be between 0 and 2,000,000 km."),
            ),
        ],
    )
    registered = DateField(_l("First registration date"), validators=[Optional()])
    months = IntegerField(
        _l("Or: age in months"),
        validators=[
            Optional(),
            NumberRange(min=0, max=600, message=_l("The age must be between 0 and 600 months.")),
        ],
    )
    last_km = IntegerField(
        _l("Last 保养 (oil service): at km"),
        validators=[
            Optional(),
            NumberRange(
                min=0,
                max=MAX_ODOMETER_KM,
                message=_l("The odometer reading must be between 0 and 2,000,000 km."),
            ),
        ],
    )
    last_on = DateField(_l("Last 保养: on"), validators=[Optional()])
    last_unknown = BooleanField(_l("I don't know when the last 保养 was"))
    condition = RadioField(
        _l("Driving conditions"), choices=choices(CONDITION_NAMES), default="normal"
    )
