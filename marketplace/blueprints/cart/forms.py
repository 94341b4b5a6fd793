from flask_wtf import FlaskForm
from wtforms import HiddenField, IntegerField
from wtforms.validators import InputRequired, NumberRange

from ...i18n import lazy_gettext as _l
from ...models.orders import MAX_UNITS_PER_LINE

QUANTITY_MESSAGE = _l("Choose a quantity from 1 to %(max)s.", max=MAX_UNITS_PER_LINE)


class AddToCartForm(FlaskForm):
    listing_id = HiddenField(validators=[InputRequired()])
    quantity = IntegerField(
        _l("Quantity"),
        default=1,
        validators=[
            InputRequired(QUANTITY_MESSAGE),
            NumberRange(1, MAX_UNITS_PER_LINE, QUANTITY_MESSAGE),
        ],
        render_kw={"inputmode": "numeric", "min": 1, "max": MAX_UNITS_PER_LINE},
    )


class QuantityForm(FlaskForm):
    quantity = IntegerField(
        _l("Quantity"),
        validators=[
            InputRequired(QUANTITY_MESSAGE),
            NumberRange(0, MAX_UNITS_PER_LINE, QUANTITY_MESSAGE),
        ],
    )


class PlaceOrderForm(FlaskForm):
    expected_total = HiddenField()
