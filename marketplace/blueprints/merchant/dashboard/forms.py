from flask_wtf import FlaskForm
from wtforms import IntegerField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange

from ....forms import strip
from ....i18n import lazy_gettext as _l
from ....services.dashboard import LOST_WINDOW_MAX, LOST_WINDOW_MIN, WINBACK_MAX_TEXT

WINDOW_MESSAGE = _l(
    "The lost-customer window is between %(low)s and %(high)s months.",
    low=LOST_WINDOW_MIN,
    high=LOST_WINDOW_MAX,
)


class LostWindowForm(FlaskForm):
    """After how many months without a visit a customer counts as lost."""

    months = IntegerField(
        _l("Lost after (months without a visit)"),
        validators=[
            InputRequired(WINDOW_MESSAGE),
            NumberRange(min=LOST_WINDOW_MIN, max=LOST_WINDOW_MAX, message=WINDOW_MESSAGE),
        ],
        render_kw={"inputmode": "numeric", "min": LOST_WINDOW_MIN, "max": LOST_WINDOW_MAX},
    )


class WinBackForm(FlaskForm):
    """A message to a lost customer, delivered by the platform."""

    message = TextAreaField(
        _l("Message"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please write a message.")),
            Length(
                max=WINBACK_MAX_TEXT,
                message=_l("At most %(max)s characters.", max=WINBACK_MAX_TEXT),
            ),
        ],
        render_kw={"rows": 4, "maxlength": WINBACK_MAX_TEXT},
    )
