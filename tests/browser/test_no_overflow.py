"""Every page fits a phone: each GET page of the app, opened by the person who would see it
(anonymous, owner, technician, chain admin, platform admin), does not scroll sideways at
390 px (tables scroll inside their own `.table-scroll` box). The console pages are also
photographed at 390 and 1280 px (test-artifacts/screenshots/test_every_page_fits/).

The pages come from `app.url_map`: every GET endpoint is either in `pages()` (with the person
and the URL to open) or in SKIPPED (with the reason), so a new page cannot be missed silently.
The width is the root element's scrollWidth against its clientWidth (see WIDTHS)."""

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import GarageVehicle, Shop, User, Voucher, VoucherStatus
from marketplace.models.types import utcnow

from ..conftest import COROLLA_CVT, second_outlet
from ..dashboard import helpers as made
from ..reviews.helpers import make_voucher
from .conftest import ADMIN, CHROMIUM, OWNER, OWNER_EN, TECH, VIEWPORTS
from .steps import sign_in

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason=f"{CHROMIUM} not found (Debian package chromium)"
)

MANAGER = "manager-a@example.com"  # runs the chain 驰安养车 (shop a and its second outlet)

SKIPPED = {
    "static": "files, not pages",
    "main.healthz": "a status answer for the load balancer, not a page",
    "checkout.payment_status": "JSON polled by the wallet pages",
    "merchant.redemption.statement": "a CSV download",
    "account.notification_go": "only redirects to the notification's link",
    "account.unsubscribe": "needs the signed token of a reminder email",
    "checkout.payment_return": "only redirects (back from Stripe) to the order or the pay page",
    "checkout.authenticate": "needs a card payment waiting for 3-D Secure at Stripe "
    "(test_card_checkout.py)",
    "checkout.wechat_pay": "needs a wallet payment under way at Stripe (test_wallet_checkout.py)",
    "checkout.alipay": "needs a wallet payment under way at Stripe (test_wallet_checkout.py)",
}

# shopper pages laid out anew for phones, also opened (and photographed) at 1280 px
PHONE_LAYOUTS = {"listings.index", "account.order_list"}
# pages that answer with another page (the one shown is checked)
REDIRECTS = {"merchant.bookings.index": "one outlet: straight to its day"}


def _people(app, journey) -> dict:
    """What the pages need: vouchers, a booking, a redemption, reviews, an invoice request,
    a pending order, a lost customer, a garage car, a second outlet; returns their ids."""
    from marketplace.services import bookings, invoices, reviews

    with app.app_context():
        shop = db.session.get(Shop, journey["shop"])
        outlet = second_outlet(shop)
        owner = db.session.scalar(select(User).where(User.email == OWNER))
        car = GarageVehicle(owner_id=owner.id, variant_id=COROLLA_CVT, is_default=True)
        db.session.add(car)
        db.session.commit()
        ids = {"shop": shop.id, "outlet": outlet.id, "slug": shop.slug, "car": car.id}
    listing = journey["listing"]
    ids["issued"] = make_voucher(
        app, OWNER, listing, status=VoucherStatus.ISSUED, redeemed_ago=None
    )
    ids["to_review"] = make_voucher(app, OWNER, listing)
    reviewed = make_voucher(app, OWNER, listing)
    with app.app_context():
        now = utcnow()
        owner = db.session.scalar(select(User).where(User.email == OWNER))
        issued = db.session.get(Voucher, ids["issued"])
        shop = db.session.get(Shop, ids["shop"])
        slot = bookings.next_free_slot(shop, "maintenance", now)
        booking = bookings.book_voucher(owner, issued, slot.starts_at, now)
        ids["day"] = bookings.local_day(booking.starts_at).isoformat()
        ids["order"] = issued.order.number
        invoices.request_invoice(
            owner,
            issued.order,
            title_kind="personal",
            title="王小明",
            tax_id=None,
            email=None,
            now=now,
        )
        review = reviews.write_review(
            owner,
            db.session.get(Voucher, reviewed),
            reviews.ReviewDraft(5, 5, 4, 5, 4, "师傅很专业，换机油很快，下次还来。"),
            now,
        )
        pending, _ = made.order(OWNER, listing, paid_at=None)
        ids["pending"], ids["pending_line"] = pending.number, pending.lines[0].id
        served = made.redeem(OWNER, listing, now - timedelta(hours=2), staff_email=TECH)
        ids["redemption"] = served.redemption_id
        made.redeem(OWNER_EN, listing, now - timedelta(days=400), staff_email=TECH)
        ids["lost"] = made.user_id(OWNER_EN)
        db.session.commit()
        ids["review"] = review.id
    return ids


def pages(ids: dict, listings: dict) -> dict[str, tuple[str, str]]:
    """endpoint → (who opens it, the path)."""
    shop, outlet = ids["shop"], ids["outlet"]
    return {
        # anyone
        "main.index": ("anonymous", "/"),
        "auth.login": ("anonymous", "/auth/login"),
        "auth.register": ("anonymous", "/auth/register"),
        "cart.index": ("anonymous", "/cart/"),
        "listings.index": ("anonymous", "/listings/?q=保养"),
        "listings.detail": ("anonymous", f"/listings/{listings['oil_a']}"),
        "shops.page": ("anonymous", f"/shops/{ids['slug']}"),
        "vehicles.brands": ("anonymous", "/vehicles/"),
        "vehicles.brand": ("anonymous", "/vehicles/brands/3"),
        "vehicles.series": ("anonymous", "/vehicles/series/526?year=2019"),
        "maintenance.form": ("anonymous", "/maintenance/"),
        "maintenance.result": (
            "anonymous",
            f"/maintenance/result?variant={COROLLA_CVT}&km=42000&months=40",
        ),
        # the owner
        "account.index": ("owner", "/account/"),
        "account.password": ("owner", "/account/password"),
        "account.notification_list": ("owner", "/account/notifications"),
        "account.notification_settings": ("owner", "/account/notifications/settings"),
        "account.order_list": ("owner", "/account/orders"),
        "account.order": ("owner", f"/account/orders/{ids['order']}"),
        "account.invoice": ("owner", f"/account/orders/{ids['order']}/invoice"),
        "account.reviews.mine": ("owner", "/account/reviews"),
        "account.voucher_list": ("owner", "/account/vouchers"),
        "account.voucher_code": ("owner", f"/account/vouchers/{ids['issued']}/code"),
        "account.booking": ("owner", f"/account/vouchers/{ids['issued']}/booking"),
        "account.refund_voucher": ("owner", f"/account/vouchers/{ids['issued']}/refund"),
        "garage.index": ("owner", "/garage/"),
        "garage.vehicle": ("owner", f"/garage/{ids['car']}"),
        "garage.add_unlisted": ("owner", "/garage/unlisted"),
        "checkout.pay_page": ("owner", f"/checkout/{ids['pending']}"),
        "checkout.hold_time": (
            "owner",
            f"/checkout/{ids['pending']}/lines/{ids['pending_line']}/booking",
        ),
        "reviews.write": ("owner", f"/reviews/voucher/{ids['to_review']}"),
        "reviews.edit": ("owner", f"/reviews/{ids['review']}/edit"),
        "merchant.apply": ("owner", "/merchant/apply"),
        # the technician at the counter (shop a)
        "merchant.redemption.redeem": ("tech", "/merchant/redeem"),
        "merchant.redemption.receipt": ("tech", f"/merchant/redemptions/{ids['redemption']}"),
        "merchant.bookings.index": ("tech", "/merchant/bookings"),
        "merchant.bookings.day": ("tech", f"/merchant/bookings/shops/{shop}?day={ids['day']}"),
        "merchant.index": ("tech", "/merchant/"),
        # the chain's admin (manages shop a and its second outlet)
        "merchant.shop": ("manager", f"/merchant/shops/{shop}"),
        "merchant.new_listing": ("manager", f"/merchant/shops/{shop}/listings/new"),
        "merchant.edit_listing": ("manager", f"/merchant/listings/{listings['oil_a']}/edit"),
        "merchant.staff": ("manager", f"/merchant/shops/{shop}/staff"),
        "merchant.bookings.settings": ("manager", f"/merchant/bookings/shops/{shop}/settings"),
        "merchant.dashboard.shop": ("manager", f"/merchant/shops/{shop}/dashboard"),
        "merchant.dashboard.lost": ("manager", f"/merchant/shops/{shop}/lost-customers"),
        "merchant.dashboard.message": (
            "manager",
            f"/merchant/shops/{shop}/lost-customers/{ids['lost']}/message",
        ),
        "merchant.redemption.earnings": ("manager", f"/merchant/shops/{shop}/earnings"),
        "merchant.redemption.redemptions": ("manager", f"/merchant/shops/{shop}/redemptions"),
        "merchant.invoices.index": ("manager", "/merchant/invoices"),
        "merchant.invoices.shop": ("manager", f"/merchant/invoices/shops/{shop}"),
        "merchant.reviews.index": ("manager", "/merchant/reviews"),
        "merchant.reviews.shop": ("manager", f"/merchant/reviews/shops/{shop}"),
        "merchant.reviews.reply": ("manager", f"/merchant/reviews/{ids['review']}/reply"),
        "merchant.reviews.report": ("manager", f"/merchant/reviews/{ids['review']}/report"),
        # the platform admin
        "admin.index": ("admin", "/admin/"),
        "admin.dashboard": ("admin", "/admin/dashboard"),
        "admin.audit_log": ("admin", "/admin/audit"),
        "admin.shops": ("admin", "/admin/shops"),
        "admin.shop": ("admin", f"/admin/shops/{outlet}"),
        "admin.orders_lookup": ("admin", f"/admin/orders?q={ids['order']}"),
        "admin.order_detail": ("admin", f"/admin/orders/{ids['order']}"),
        "admin.reviews.queue": ("admin", "/admin/reviews"),
        "admin.reviews.moderate": ("admin", f"/admin/reviews/{ids['review']}"),
        "admin.unlisted_cars": ("admin", "/admin/unlisted-cars"),
    }


# The page's width and the window's. Not window.innerWidth: a phone browser (is_mobile) zooms
# out to show a page that is too wide, and innerWidth grows with it; the layout viewport
# (the root element's clientWidth) stays at the phone's 390 px.
WIDTHS = "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"

# The widest elements that stick out past the window, for the failure message (those inside
# a box that scrolls sideways on its own do not count: they scroll there).
WIDEST = """() => {
  const limit = document.documentElement.clientWidth;
  const scrolls = (el) => {
    for (let p = el.parentElement; p; p = p.parentElement) {
      const x = getComputedStyle(p).overflowX;
      if (x === 'auto' || x === 'scroll' || x === 'hidden') return true;
    }
    return false;
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    [...el.classList].map((c) => '.' + c).join('');
  return [...document.body.querySelectorAll('*')]
    .filter((el) => el.getBoundingClientRect().right > limit + 0.5 && !scrolls(el))
    .map((el) => name(el) + ' ' + Math.round(el.getBoundingClientRect().right))
    .slice(-3);
}"""


def test_every_page_fits(app, journey, live_server, open_page, viewport, snap):
    """At 390 px every page; at 1280 px the console pages (photographed at both sizes)."""
    base = live_server
    ids = _people(app, journey)
    plan = pages(ids, journey["listings"])
    with app.test_request_context():
        endpoints = {
            rule.endpoint for rule in app.url_map.iter_rules() if "GET" in (rule.methods or ())
        }
    missed = endpoints - plan.keys() - SKIPPED.keys()
    assert not missed, f"new pages: add them to pages() or SKIPPED: {sorted(missed)}"
    gone = (plan.keys() | SKIPPED.keys()) - endpoints
    assert not gone, f"pages that are gone: {sorted(gone)}"
    assert len(plan) >= 60 and len(plan) + len(SKIPPED) == len(endpoints)

    emails = {"owner": OWNER, "tech": TECH, "manager": MANAGER, "admin": ADMIN}
    browsers = {}

    def browser(who):
        if who not in browsers:
            page = open_page()
            if who in emails:
                sign_in(page, base, emails[who])
            browsers[who] = page
        return browsers[who]

    phone = viewport == "phone"
    overflowing, failed = [], []
    for endpoint, (who, path) in plan.items():
        console = endpoint.startswith(("merchant.", "admin."))
        if not (phone or console or endpoint in PHONE_LAYOUTS):
            continue
        page = browser(who)
        response = page.goto(f"{base}{path}")
        landed = urlsplit(page.url).path
        if response is None or response.status != 200:
            failed.append((endpoint, path, response and response.status, page.url))
            continue
        if landed != urlsplit(path).path and endpoint not in REDIRECTS:
            failed.append((endpoint, path, "went to", page.url))
        if console and who != "anonymous":
            assert page.locator("[data-console-header]").count() == 1, endpoint
            assert page.locator("[data-current-vehicle]").count() == 0, endpoint
        scroll, inner = page.evaluate(WIDTHS)
        if scroll > inner:
            overflowing.append((endpoint, path, scroll, page.evaluate(WIDEST)))
        if console or endpoint in PHONE_LAYOUTS:
            snap(endpoint.replace(".", "-"), page)
        if endpoint == "listings.index":  # phones: results first, the filters folded away
            assert page.locator("#category").is_visible() is not phone
            assert page.locator("li.listing-card").first.is_visible()
    assert not failed, "pages that did not open:\n" + "\n".join(map(str, failed))
    assert not overflowing, f"pages wider than {VIEWPORTS[viewport]['viewport']['width']} px:\n" + (
        "\n".join(f"{e} {p}: {w} px  {widest}" for e, p, w, widest in overflowing)
    )
