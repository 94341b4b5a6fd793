from flask import flash
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField, ValidationError
from wtforms.validators import Length

from ...error_messages import message
from ...forms import strip
from ...i18n import lazy_gettext as _l
from ...models.reviews import MAX_REVIEW_TEXT, STARS
from ...services.reviews import ReviewError


class StarsField(RadioField):
    """One to five stars, as radio buttons; anything else is refused with one message."""

    def __init__(self, label=None, **kwargs):
        kwargs.setdefault("choices", [SelectChoice(star, str(star)) for star in STARS])
        kwargs.setdefault("coerce", int)
        kwargs.setdefault("validate_choice", False)
        super().__init__(label, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None

    def pre_validate(self, form):
        if self.data not in STARS:
            raise ValidationError(_l("Choose from 1 to 5 stars."))


class ReviewForm(FlaskForm):
    overall = StarsField(_l("Overall"))
    quality = StarsField(_l("Quality of work"))
    price_honesty = StarsField(_l("Price honesty"))
    no_pressure = StarsField(_l("No pressure to buy more"))
    on_time = StarsField(_l("On time"))
    text = TextAreaField(
        _l("Your review (optional)"),
        filters=[strip],
        validators=[
            Length(
                max=MAX_REVIEW_TEXT,
                message=_l("At most %(max)d characters.", max=MAX_REVIEW_TEXT),
            )
        ],
    )


def form_error(form, error: ReviewError) -> None:
    """A review service's refusal onto the form field it names, else flashed (for every
    review page's form: the owner's, the shop's and the moderator's)."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, message(error)]
    else:
        flash(message(error), "error")
