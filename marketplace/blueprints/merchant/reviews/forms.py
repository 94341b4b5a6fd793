from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ....forms import strip
from ....i18n import lazy_gettext as _l
from ....models.reviews import MAX_REASON_TEXT, MAX_REPLY_TEXT


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
