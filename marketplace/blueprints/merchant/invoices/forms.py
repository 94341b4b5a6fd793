from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import DataRequired, Length

from ....forms import strip
from ....i18n import lazy_gettext as _l


class IssueForm(FlaskForm):
    """The number of the invoice the shop issued; the service checks its digits."""

    number = StringField(
        _l("Invoice number"),
        filters=[strip],
        validators=[
            DataRequired(_l("Please enter the invoice number.")),
            Length(
                max=40,
                message=_l(
                    "An invoice number has 8 to 20 digits (a fully digital invoice has 20)."
                ),
            ),
        ],
    )
