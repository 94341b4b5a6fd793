"""The cart: listings an owner means to buy, for a vehicle, before an order exists.

Signed-in owners' lines are rows; a guest's are a plain dict the caller keeps (the session)
and are merged into the rows on sign-in.
"""

from datetime import date

from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload, selectinload

from ..extensions import db
from ..models import CartLine, Listing, Shop, User, Variant
from ..models.orders import MAX_UNITS_PER_LINE
from . import garage
from .errors import DomainError, error_codes

MAX_LINES = 20


class CartError(DomainError):
    """A refused cart change; `code` says why (`available`: what is left of the stock)."""

    Code = error_codes("CartCode", "quantity_range sold_out stock too_many_lines unavailable busy")

    def __init__(self, code: str, available: int | None = None) -> None:
        super().__init__(code, count=available)
        self.available = available


def buyable_listing(listing_id: int) -> Listing | None:
    """The listing if owners can buy it now (active, shop approved), with its shop."""
    return db.session.scalar(
        select(Listing)
        .options(joinedload(Listing.shop).joinedload(Shop.chain))
        .where(Listing.id == listing_id, Listing.is_public)
    )


def check_quantity(listing: Listing, quantity: int) -> None:
    """Refuse a quantity outside 1..MAX_UNITS_PER_LINE or beyond the stock left."""
    if quantity < 1 or quantity > MAX_UNITS_PER_LINE:
        raise CartError("quantity_range")
    if listing.stock is not None and quantity > listing.stock:
        raise CartError("sold_out" if listing.stock == 0 else "stock", listing.stock)


def user_lines(user: User) -> list[CartLine]:
    return list(
        db.session.scalars(
            select(CartLine)
            .options(
                joinedload(CartLine.listing).joinedload(Listing.shop),
                joinedload(CartLine.listing).selectinload(Listing.fitments),
            )
            .where(CartLine.user_id == user.id)
            .order_by(CartLine.id)
        )
    )


def guest_lines(stored: dict) -> list[CartLine]:
    """Transient lines for a guest's stored cart; unknown or withdrawn listings drop out."""
    wanted = {}
    for key, value in stored.items():
        try:
            wanted[int(key)] = (int(value["q"]), int(value["p"]), value.get("v"))
        except (TypeError, ValueError, KeyError):
            continue
    if not wanted:
        return []
    listings = db.session.scalars(
        select(Listing)
        .options(joinedload(Listing.shop), selectinload(Listing.fitments))
        .where(Listing.id.in_(wanted))
    )
    lines = []
    for listing in listings:
        quantity, seen, variant_id = wanted[listing.id]
        line = CartLine(quantity=quantity, price_seen_fen=seen, variant_id=variant_id)
        line.listing_id = listing.id
        line.listing = listing
        lines.append(line)
    return sorted(lines, key=lambda line: list(wanted).index(line.listing_id))


def _line_of(user: User, listing: Listing) -> CartLine | None:
    return db.session.scalar(
        select(CartLine)
        .where(CartLine.user_id == user.id, CartLine.listing_id == listing.id)
        .execution_options(populate_existing=True)
    )


def _add_to_line(
    user: User, listing: Listing, quantity: int, variant_id: int | None, vehicle_id: int | None
) -> bool:
    """Add to the owner's line in one statement if there is one and the sum stays within
    1..MAX_UNITS_PER_LINE and the stock; False otherwise. Parallel adds queue on the row, and
    each sees the sum the one before it left."""
    limit = MAX_UNITS_PER_LINE if listing.stock is None else min(MAX_UNITS_PER_LINE, listing.stock)
    values = {"quantity": CartLine.quantity + quantity, "price_seen_fen": listing.price_fen}
    if variant_id or vehicle_id:
        values.update(variant_id=variant_id, vehicle_id=vehicle_id)
    return (
        db.session.execute(
            update(CartLine)
            .where(
                CartLine.user_id == user.id,
                CartLine.listing_id == listing.id,
                (CartLine.quantity + quantity).between(1, limit),
            )
            .values(**values)
            .execution_options(synchronize_session=False)
        ).rowcount
        == 1
    )


def add(
    user: User,
    listing: Listing,
    quantity: int,
    variant_id: int | None,
    vehicle_id: int | None = None,
) -> CartLine:
    """Add units of a listing (adding to a line already there) for the selected car: its
    catalog variant and, for a garage car, the garage car (the only record of a car the
    catalog does not list).

    Safe to run twice at once (a double click, two tabs): the units are added in the
    database, and a line made by a parallel add at the same moment is added to."""
    for _attempt in range(3):
        if _add_to_line(user, listing, quantity, variant_id, vehicle_id):
            return _line_of(user, listing)
        line = _line_of(user, listing)
        if line is not None:
            check_quantity(listing, line.quantity + quantity)
            continue  # the line shrank after the update looked: try again
        count = db.session.scalar(
            select(func.count(CartLine.id)).where(CartLine.user_id == user.id)
        )
        if count >= MAX_LINES:
            raise CartError("too_many_lines")
        check_quantity(listing, quantity)
        line = CartLine(
            user_id=user.id,
            listing_id=listing.id,
            quantity=quantity,
            price_seen_fen=listing.price_fen,
            variant_id=variant_id,
            vehicle_id=vehicle_id,
        )
        try:
            with db.session.begin_nested():
                db.session.add(line)
            return line
        except IntegrityError:
            continue  # a parallel add made the line first: add to it
    raise CartError("busy")


def add_to_guest(stored: dict, listing: Listing, quantity: int, variant_id: int | None) -> dict:
    """The guest cart with the units added (a new dict for the caller to store)."""
    stored = dict(stored)
    key = str(listing.id)
    current = stored.get(key, {}).get("q", 0) if isinstance(stored.get(key), dict) else 0
    if key not in stored and len(stored) >= MAX_LINES:
        raise CartError("too_many_lines")
    check_quantity(listing, current + quantity)
    stored[key] = {"q": current + quantity, "p": listing.price_fen, "v": variant_id}
    return stored


def set_quantity(line: CartLine, quantity: int) -> None:
    if quantity == 0:
        db.session.delete(line)
    else:
        check_quantity(line.listing, quantity)
        line.quantity = quantity
    db.session.flush()


def merge_guest_cart(user: User, stored: dict, today: date) -> int:
    """Move a guest's lines into the owner's cart on sign-in, each for the garage car of the
    variant it was chosen for (put in the garage if it is not there); returns how many moved."""
    moved = 0
    for line in guest_lines(stored):
        if not line.listing.is_public:
            continue
        variant = db.session.get(Variant, line.variant_id) if line.variant_id else None
        vehicle = garage.adopt_selection(user, variant, today=today) if variant else None
        try:
            add(user, line.listing, line.quantity, line.variant_id, vehicle.id if vehicle else None)
        except CartError:
            continue
        moved += 1
    return moved


def clear(user: User) -> None:
    db.session.execute(delete(CartLine).where(CartLine.user_id == user.id))
