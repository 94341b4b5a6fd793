import re

from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField
from wtforms.validators import AnyOf, InputRequired, ValidationError

from ...forms import choices
from ...i18n import lazy_gettext as _l
from ...labels import PAY_METHOD_NAMES
from ...models import PayMethod

_TOKEN = re.compile(r"tok_[A-Za-z0-9_]{1,200}")


class PayForm(FlaskForm):
    method = RadioField(
        _l("Pay with"),
        choices=choices(PAY_METHOD_NAMES),
        default=PayMethod.WECHAT_PAY.value,
        validate_choice=False,  # AnyOf says it in the payer's words
        validators=[
            InputRequired(_l("Choose how to pay.")),
            AnyOf([m.value for m in PayMethod], message=_l("Choose how to pay.")),
        ],
    )
    token = HiddenField()

    def validate_token(self, field) -> None:
        if self.method.data == PayMethod.CARD.value and not _TOKEN.fullmatch(field.data or ""):
            raise ValidationError(_l("Enter your card details."))


class CancelForm(FlaskForm):
    pass
