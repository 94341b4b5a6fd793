"""Which header a page shows, and where a person lands after signing in.

Console pages (`/merchant/...` for anyone signed in, `/admin/...` for admins) show the
console header: the shop staff's tools (the redeem desk first), a chain admin's outlet
switcher, the admin sections. Every other page shows the shopper header (vehicle badge,
cart). Both headers link to the other side for people who have both.

After signing in (without a `next` page to go back to): an admin lands on /admin/, shop
staff on the redeem desk (what a technician at the counter does first and most: scan the
customer's code; today's bookings are the next link), a chain admin or someone whose shop is
not open yet on the merchant console, and an owner on the home page.

Nothing here queries the database for anonymous visitors, and the console's links are
worked out only when a console page renders them.
"""

from dataclasses import dataclass
from functools import cached_property

from flask import g, has_request_context, request, url_for
from flask_login import current_user
from sqlalchemy import bindparam, exists, or_, select

from .extensions import db
from .i18n import lazy_gettext as _l
from .models import Chain, Shop, ShopStaff, User
from .services.notifications import unread_count_query
from .services.rows import rows
from .unit_of_work import pending, writes

# a link to the same page of another outlet keeps these query arguments
KEPT_ARGS = ("day",)


def console_root() -> str | None:
    """ "merchant" or "admin" when the current page is a console page its user may see."""
    root = (request.blueprint or "").split(".")[0]
    if root not in ("merchant", "admin") or not current_user.is_authenticated:
        return None
    if root == "admin" and not current_user.is_admin:
        return None  # a 404 page under /admin/ is an ordinary page
    return root


def header_facts_columns(user_id) -> tuple:
    """The header's facts of a user (`user_id`: a column or a bound parameter): the number of
    unread notifications, and whether they are staff at an outlet (any role, any status) or
    the admin of a chain."""
    return (
        unread_count_query(user_id).scalar_subquery(),
        or_(
            exists().where(ShopStaff.user_id == user_id), exists().where(Chain.admin_id == user_id)
        ),
    )


_HEADER = select(*header_facts_columns(bindparam("user_id")))  # built once per process


def facts_read(user_id: int, unread: int, works_at_a_shop: bool) -> None:
    """The header's facts, read with the user (selection.user_with_car)."""
    if has_request_context():
        g._header_facts = (user_id, writes(db.session), unread, bool(works_at_a_shop))


def header_facts(user: User) -> tuple[int, bool]:
    """What a signed-in page's header shows beyond the user (header_facts_columns): read with
    the user when they were loaded, and read again once after each write of this request (a
    notification read or sent)."""
    session = db.session
    cached = g.get("_header_facts")
    if cached is None or cached[:2] != (user.id, writes(session)) or pending(session):
        unread, found = rows(_HEADER, {"user_id": user.id}).one()  # flushes what is pending
        cached = g._header_facts = (user.id, writes(session), unread, bool(found))
    return cached[2], cached[3]


def works_at_a_shop(user: User) -> bool:
    """Staff at an outlet or the admin of a chain (header_facts)."""
    return user.is_authenticated and header_facts(user)[1]


def staff_home(user: User) -> str | None:
    """The first shop page for the user: the redeem desk for staff of an outlet that
    redeems, else the merchant console for chain admins and shops not open yet; None for
    people without a shop."""
    from .services import redemption
    from .services.shops import staff_membership

    if not works_at_a_shop(user):
        return None
    member = staff_membership(user)
    if member is not None and any(s.id == member.shop_id for s in redemption.redeeming_shops(user)):
        return url_for("merchant.redemption.redeem")
    return url_for("merchant.index")


def landing_for(user: User) -> str:
    """Where the user lands after signing in when no page asked for it: /admin/ for admins,
    their shop's first page for shop people, the home page for owners."""
    if user.is_admin:
        return url_for("admin.index")
    return staff_home(user) or url_for("main.index")


@dataclass(frozen=True)
class Link:
    url: str
    label: str
    current: bool = False
    primary: bool = False


def _link(endpoint: str, label, *, primary: bool = False, **values) -> Link:
    return Link(
        url_for(endpoint, **values),
        str(label),
        current=request.endpoint == endpoint,
        primary=primary,
    )


class ConsoleNav:
    """The console header's links for the current user and page (worked out once each)."""

    def __init__(self, user: User, root: str) -> None:
        self.user = user
        self.root = root

    @cached_property
    def shops(self) -> list[Shop]:
        from .services.shops import visible_shops

        return visible_shops(self.user) if works_at_a_shop(self.user) else []

    @cached_property
    def current_shop(self) -> Shop | None:
        """The outlet the page is about (its URL's shop id), else the user's own one."""
        from .services.shops import staff_membership

        wanted = (request.view_args or {}).get("shop_id")
        by_id = {s.id: s for s in self.shops}
        if wanted in by_id:
            return by_id[wanted]
        member = staff_membership(self.user) if self.shops else None
        if member is not None and member.shop_id in by_id:
            return by_id[member.shop_id]
        return self.shops[0] if len(self.shops) == 1 else None

    @cached_property
    def shop_links(self) -> list[Link]:
        """Redeem desk, today's bookings, the shop, then what managers use."""
        from .services import redemption
        from .services.shops import can_manage, manageable_shops

        if not self.shops:
            return []
        shop = self.current_shop
        at = {"shop_id": shop.id} if shop is not None else {}
        links = []
        if redemption.redeeming_shops(self.user):
            links.append(_link("merchant.redemption.redeem", _l("Redeem vouchers"), primary=True))
        links.append(
            _link("merchant.bookings.day", _l("Today's bookings"), **at)
            if shop
            else _link("merchant.bookings.index", _l("Today's bookings"))
        )
        links.append(
            _link("merchant.shop", _l("Merchant console"), **at)
            if shop
            else _link("merchant.index", _l("Merchant console"))
        )
        manager = can_manage(self.user, shop) if shop else bool(manageable_shops(self.user))
        if manager:
            if shop:
                links.append(_link("merchant.dashboard.shop", _l("Dashboard"), **at))
                links.append(_link("merchant.reviews.shop", _l("Reviews"), **at))
                links.append(_link("merchant.invoices.shop", _l("Invoices"), **at))
            else:
                links.append(_link("merchant.reviews.index", _l("Reviews")))
                links.append(_link("merchant.invoices.index", _l("Invoices")))
        return links

    @cached_property
    def switcher(self) -> list[Link]:
        """For someone with several outlets: each outlet, linked to the same kind of page
        when the page is about one outlet, else to the outlet's console page."""
        if len(self.shops) < 2:
            return []
        view_args = request.view_args or {}
        same_kind = request.endpoint if set(view_args) == {"shop_id"} else None
        kept = {k: v for k, v in request.args.items() if k in KEPT_ARGS}
        current = self.current_shop
        return [
            Link(
                url_for(same_kind, shop_id=s.id, **kept)
                if same_kind
                else url_for("merchant.shop", shop_id=s.id),
                s.display_name,
                current=current is not None and s.id == current.id,
            )
            for s in self.shops
        ]

    @cached_property
    def admin_links(self) -> list[Link]:
        if not self.user.is_admin:
            return []
        return [
            _link("admin.index", _l("Overview")),
            _link("admin.shops", _l("Shops")),
            _link("admin.orders_lookup", _l("Orders")),
            _link("admin.reviews.queue", _l("Review moderation")),
            _link("admin.audit_log", _l("Audit log")),
            _link("admin.dashboard", _l("Platform dashboard")),
        ]

    @cached_property
    def title(self) -> str:
        return str(_l("Admin console") if self.root == "admin" else _l("Merchant console"))


def init_app(app) -> None:
    @app.context_processor
    def inject_header():
        """`console_nav` (None on shopper pages) picks the header in base.html."""
        if not has_request_context():
            return {}
        root = console_root()
        return {
            "console_nav": ConsoleNav(current_user, root) if root else None,
            "staff_home": lambda: staff_home(current_user),
        }
