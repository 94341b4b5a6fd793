"""The shop's booking forms. They check only what a browser may send wrongly (a missing or
malformed number, date or time); the ranges and the order of times are the service's to
refuse, with its messages."""

from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FieldList,
    Form,
    FormField,
    IntegerField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from ....forms import strip
from ....i18n import lazy_gettext as _l
from ....labels import CATEGORY_NAMES
from ....models import Category
from ....models.bookings import (
    MAX_BAYS,
    MAX_CHANGE_HOURS,
    MAX_DAYS_AHEAD,
    MAX_SLOT_MINUTES,
    MIN_SLOT_MINUTES,
)
from ....services.bookings import MAX_NOTE, MAX_REASON, SLOT_STEP_MINUTES

TIME_FORMATS = ["%H:%M", "%H:%M:%S"]  # browsers send seconds when the input has a step
BAD_TIME = _l("Please enter a time such as 08:30.")
BAD_DATE = _l("Please enter a date such as 2026-10-01.")
WHOLE_NUMBER = _l("Please enter a whole number.")


def _time(label):
    return TimeField(
        label, format=TIME_FORMATS, validators=[Optional()], invalid_value_message=BAD_TIME
    )


class DayForm(Form):
    """One weekday's row: open or not, and from when to when."""

    open = BooleanField(_l("Open"))
    opens = _time(_l("Opens"))
    closes = _time(_l("Closes"))

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if ok and self.open.data:
            for clock in (self.opens, self.closes):
                if clock.data is None:
                    clock.errors.append(_l("Please enter the opening and closing times."))
                    ok = False
        return ok

    @property
    def hours(self):
        return (self.opens.data, self.closes.data) if self.open.data else None


def _whole(label, *, required: bool, **render_kw):
    first = InputRequired(WHOLE_NUMBER) if required else Optional()
    return IntegerField(label, validators=[first], render_kw={"inputmode": "numeric", **render_kw})


def _slot(category: Category):
    return _whole(
        CATEGORY_NAMES[category],
        required=False,
        min=MIN_SLOT_MINUTES,
        max=MAX_SLOT_MINUTES,
        step=SLOT_STEP_MINUTES,
    )


class SettingsForm(FlaskForm):
    """The weekly opening hours and the booking rules, saved together."""

    days = FieldList(FormField(DayForm), min_entries=7, max_entries=7)
    bays = _whole(_l("Bays (cars served at the same time)"), required=True, min=1, max=MAX_BAYS)
    days_ahead = _whole(
        _l("Owners may book up to this many days ahead"), required=True, min=1, max=MAX_DAYS_AHEAD
    )
    change_hours = _whole(
        _l("Owners may change or cancel until this many hours before the start"),
        required=True,
        min=0,
        max=MAX_CHANGE_HOURS,
    )
    slot_maintenance = _slot(Category.MAINTENANCE)
    slot_repair = _slot(Category.REPAIR)
    slot_cleaning = _slot(Category.CLEANING)
    slot_tires = _slot(Category.TIRES)
    slot_accessories = _slot(Category.ACCESSORIES)

    def slot_field(self, category: Category):
        return self[f"slot_{category}"]

    @property
    def week(self) -> dict:
        return {weekday: row.form.hours for weekday, row in enumerate(self.days)}

    @property
    def slot_minutes(self) -> dict[str, int]:
        return {
            str(c): self.slot_field(c).data for c in Category if self.slot_field(c).data is not None
        }


class ClosedDaysForm(FlaskForm):
    """Close the shop one day, or from the first day to the last (a holiday)."""

    first = DateField(
        _l("First day"),
        validators=[InputRequired(_l("Please choose the first day."))],
        invalid_value_message=BAD_DATE,
    )
    last = DateField(
        _l("Last day (optional)"), validators=[Optional()], invalid_value_message=BAD_DATE
    )
    note = StringField(
        _l("Note (shown to owners, e.g. Spring Festival)"),
        filters=[strip],
        render_kw={"maxlength": MAX_NOTE},
    )


class CancelForm(FlaskForm):
    """The shop cancels a booking; the owner is told why."""

    reason = TextAreaField(
        _l("Reason (the owner sees it)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give a reason.")),
            Length(max=MAX_REASON, message=_l("At most %(max)d characters.", max=MAX_REASON)),
        ],
    )
