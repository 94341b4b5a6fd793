from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from ...forms import choices, strip
from ...labels import ITEM_NAMES
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
