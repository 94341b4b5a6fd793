from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, SelectChoice, TextAreaField, ValidationError
from wtforms.validators import DataRequired, Length

from ...forms import strip
from ...models.reviews import MAX_REASON_TEXT, MAX_REPLY_TEXT, MAX_REVIEW_TEXT, STARS


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


class ReplyForm(FlaskForm):
    text = TextAreaField(
        _l("Public reply"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please write a reply.")),
            Length(
                max=MAX_REPLY_TEXT, message=_l("At most %(max)d characters.", max=MAX_REPLY_TEXT)
            ),
        ],
    )


class ReportForm(FlaskForm):
    reason = TextAreaField(
        _l("Why should a moderator look at this review?"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give a reason.")),
            Length(
                max=MAX_REASON_TEXT,
                message=_l("At most %(max)d characters.", max=MAX_REASON_TEXT),
            ),
        ],
    )


class DecisionForm(FlaskForm):
    """Approve (reason optional) or hide (reason required); the author sees the reason."""

    reason = TextAreaField(
        _l("Reason (shown to the author)"),
        filters=[strip],
        validators=[
            Length(
                max=MAX_REASON_TEXT,
                message=_l("At most %(max)d characters.", max=MAX_REASON_TEXT),
            )
        ],
    )
