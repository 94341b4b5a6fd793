from flask_wtf import FlaskForm
from wtforms import TextAreaField
from wtforms.validators import DataRequired, Length

from ...forms import strip
from ...i18n import lazy_gettext as _l


class ReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown to the merchant)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give a reason.")),
            Length(max=500, message=_l("At most %(max)d characters.", max=500)),
        ],
    )


class RefundReasonForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason (shown to the owner)"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please give a reason.")),
            Length(max=500, message=_l("At most %(max)d characters.", max=500)),
        ],
    )
