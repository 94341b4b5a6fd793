from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField
from wtforms.validators import InputRequired, Regexp


class PayForm(FlaskForm):
    token = HiddenField(
        validators=[
            InputRequired(_l("Enter your card details.")),
            Regexp(r"^tok_[A-Za-z0-9_]{1,200}$", message=_l("Enter your card details.")),
        ]
    )


class CancelForm(FlaskForm):
    pass
