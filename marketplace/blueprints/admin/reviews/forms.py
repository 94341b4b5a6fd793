from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import Length

from ....forms import strip
from ....i18n import lazy_gettext as _l
from ....models.reviews import MAX_REASON_TEXT


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
