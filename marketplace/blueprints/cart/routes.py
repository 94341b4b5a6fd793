from flask import abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, user_logged_in

from ...error_messages import message, message_for
from ...extensions import db
from ...models.types import utcnow
from ...security import parse_id
from ...selection import current_vehicle
from ...services import cart, fitment, orders
from ...services.cart import CartError
from ...services.fitment import FitmentError
from ...services.orders import OrderError
from ...timeutil import local_today
from . import bp
from .forms import AddToCartForm, PlaceOrderForm, QuantityForm

GUEST_CART = "cart"


def _lines():
    if current_user.is_authenticated:
        return cart.user_lines(current_user)
    return cart.guest_lines(session.get(GUEST_CART, {}))


def _merge_guest_cart(app, user) -> None:
    stored = session.pop(GUEST_CART, None)
    if stored:
        cart.merge_guest_cart(user, stored, local_today())


@bp.record_once
def _on_register(state) -> None:
    user_logged_in.connect(_merge_guest_cart, state.app)


@bp.route("/")
def index():
    """The cart: current prices (changes since adding shown), totals, and the order button."""
    lines = _lines()
    unavailable = [line for line in lines if not line.listing.is_public]
    if unavailable:
        for line in unavailable:
            _remove(line)
        flash(message_for(CartError, "unavailable"), "warning")
        lines = [line for line in lines if line not in unavailable]
    total = sum(line.listing.price_fen * line.quantity for line in lines)
    fits = {}
    for line in lines:
        car, spec = orders.car_of(line)
        fits[line.listing_id] = (fitment.explain(line.listing, car, spec), car)
    return render_template(
        "cart/index.html",
        lines=lines,
        fits=fits,
        total=total,
        changes=orders.price_changes(lines),
        form=PlaceOrderForm(expected_total=str(total)),
        quantity_form=QuantityForm(),
    )


def _remove(line) -> None:
    if current_user.is_authenticated:
        db.session.delete(line)
    else:
        stored = dict(session.get(GUEST_CART, {}))
        stored.pop(str(line.listing_id), None)
        session[GUEST_CART] = stored


@bp.route("/add", methods=["POST"])
def add():
    """Add units of a listing for the selected vehicle."""
    form = AddToCartForm()
    listing_id = parse_id(form.listing_id.data)
    listing = cart.buyable_listing(listing_id) if listing_id is not None else None
    if listing is None:
        abort(404)
    if not form.validate_on_submit():
        for error in form.quantity.errors or [_("The form has expired. Please try again.")]:
            flash(error, "error")
        return redirect(url_for("listings.detail", listing_id=listing.id))
    selected = current_vehicle()
    variant_id = selected.car.variant_id if selected else None
    try:
        if selected is not None:  # the cart is for the selected car: what fits it
            fitment.check(listing, selected.car, selected.spec)
        if current_user.is_authenticated:
            with db.session.begin_nested():
                cart.add(
                    current_user,
                    listing,
                    form.quantity.data,
                    variant_id,
                    selected.vehicle_id if selected else None,
                )
        else:
            session[GUEST_CART] = cart.add_to_guest(
                session.get(GUEST_CART, {}), listing, form.quantity.data, variant_id
            )
    except (CartError, FitmentError) as error:
        flash(message(error), "error")
        return redirect(url_for("listings.detail", listing_id=listing.id))
    flash(_("Added to your cart."), "success")
    return redirect(url_for("cart.index"))


@bp.route("/lines/<int:listing_id>", methods=["POST"])
def update(listing_id: int):
    """Change a line's quantity; 0 removes it."""
    line = next((line for line in _lines() if line.listing_id == listing_id), None)
    if line is None:
        abort(404)
    form = QuantityForm()
    if not form.validate_on_submit():
        for error in form.quantity.errors or [_("The form has expired. Please try again.")]:
            flash(error, "error")
        return redirect(url_for("cart.index"))
    try:
        if current_user.is_authenticated:
            with db.session.begin_nested():
                cart.set_quantity(line, form.quantity.data)
        elif form.quantity.data == 0:
            _remove(line)
        else:
            cart.check_quantity(line.listing, form.quantity.data)
            stored = dict(session.get(GUEST_CART, {}))
            stored[str(listing_id)] = {**stored[str(listing_id)], "q": form.quantity.data}
            session[GUEST_CART] = stored
    except CartError as error:
        flash(message(error), "error")
        return redirect(url_for("cart.index"))
    return redirect(url_for("cart.index"))


@bp.route("/checkout", methods=["POST"])
@login_required
def checkout():
    """Place the order at the prices the owner saw; changed prices send them back to look."""
    form = PlaceOrderForm()
    if not form.validate_on_submit():
        flash(_("The form has expired. Please try again."), "error")
        return redirect(url_for("cart.index"))
    lines = cart.user_lines(current_user)
    total = sum(line.listing.price_fen * line.quantity for line in lines)
    if form.expected_total.data != str(total):
        orders.acknowledge_prices(lines)
        flash(_("The total changed since you looked: please check it and order again."), "warning")
        return redirect(url_for("cart.index"))
    config = current_app.config
    try:
        with db.session.begin_nested():
            order = orders.place_order(
                current_user,
                lines,
                currency=config["MARKETPLACE_CURRENCY"],
                pay_minutes=config["ORDER_PAYMENT_MINUTES"],
                now=utcnow(),
            )
    except OrderError as error:
        if error.code == "price_changed":
            orders.acknowledge_prices(cart.user_lines(current_user))
            flash(_("A price changed since you added it: please check the new total."), "warning")
        else:
            flash(_("Your cart is empty."), "warning")
        return redirect(url_for("cart.index"))
    except (CartError, FitmentError) as error:
        flash(message(error), "error")
        return redirect(url_for("cart.index"))
    return redirect(url_for("checkout.pay_page", number=order.number))
