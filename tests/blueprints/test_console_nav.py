"""Role-aware navigation: where people land after signing in, and which header a page shows
(the shoppers' header, or the console header on /merchant/ and /admin/ pages)."""

import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Shop, ShopStaff, StaffRole, User

from ..conftest import PASSWORD, second_outlet

OWNER = "nav-owner@example.com"
TECH = "nav-tech@example.com"  # technician at 驰安养车 望京店 (shop a)
CHAIN_ADMIN = "manager-a@example.com"  # runs 驰安养车: shop a and, here, its 亦庄店
ADMIN = "admin@example.com"


@pytest.fixture
def people(app, shops, make_user):
    make_user(OWNER, name="王小明")
    make_user(TECH, name="张师傅")
    with app.app_context():
        shop = db.session.get(Shop, shops["a"])
        outlet = second_outlet(shop)
        tech = db.session.scalar(select(User).where(User.email == TECH))
        db.session.add(ShopStaff(shop_id=shop.id, user_id=tech.id, role=StaffRole.TECHNICIAN))
        db.session.commit()
        return {**shops, "a2": outlet.id}


def sign_in(client, email, **extra):
    return client.post("/auth/login", data={"email": email, "password": PASSWORD, **extra})


def header(page: str) -> str:
    found = re.search(r"<header.*?</header>", page, re.S)
    assert found, page[:2000]
    return found.group(0)


def page_of(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


# --- where people land ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "email, landing",
    [
        (TECH, "/merchant/redeem"),
        (CHAIN_ADMIN, "/merchant/redeem"),  # also the manager (staff) of shop a
        ("manager-b@example.com", "/merchant/redeem"),
        ("manager-c@example.com", "/merchant/"),  # shop applied for, not open yet
        (ADMIN, "/admin/"),
        (OWNER, "/"),
    ],
)
def test_sign_in_lands_on_the_persons_first_page(client, people, email, landing):
    response = sign_in(client, email)
    assert response.status_code == 302
    assert response.headers["Location"] == landing
    assert client.get(landing).status_code == 200


def test_a_chain_admin_without_a_staff_row_lands_on_the_merchant_console(app, client, people):
    with app.app_context():
        manager = db.session.scalar(select(User).where(User.email == CHAIN_ADMIN))
        db.session.execute(ShopStaff.__table__.delete().where(ShopStaff.user_id == manager.id))
        db.session.commit()
    assert sign_in(client, CHAIN_ADMIN).headers["Location"] == "/merchant/"


@pytest.mark.parametrize("email", [TECH, ADMIN, OWNER])
def test_a_safe_next_page_wins(client, people, email):
    response = sign_in(client, email, next="/account/orders")
    assert response.headers["Location"] == "/account/orders"


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/x"])
def test_an_unsafe_next_page_gives_the_persons_own_page(client, people, target):
    assert sign_in(client, TECH, next=target).headers["Location"] == "/merchant/redeem"


def test_signed_in_people_visiting_the_sign_in_page_go_to_their_page(client, people):
    sign_in(client, TECH)
    assert client.get("/auth/login").headers["Location"] == "/merchant/redeem"


# --- which header -------------------------------------------------------------------------


def test_the_owner_sees_the_shopper_header_without_console_links(client, people):
    client.login(OWNER)
    top = header(page_of(client, "/"))
    assert "data-current-vehicle" in top and 'href="/cart/"' in top
    assert "data-console-link" not in top and "data-admin-link" not in top
    assert "data-console-header" not in top


def test_console_pages_show_the_console_header_not_the_cart(client, people):
    client.login(TECH)
    for url in (
        "/merchant/redeem",
        "/merchant/",
        f"/merchant/shops/{people['a']}",
        f"/merchant/bookings/shops/{people['a']}",
    ):
        top = header(page_of(client, url))
        assert "data-console-header" in top, url
        assert "data-current-vehicle" not in top and 'href="/cart/"' not in top, url
        assert 'class="site-nav"' in top and 'action="/auth/logout"' in top
        assert "lang-switch" in top


def test_the_technicians_tools_start_with_the_redeem_desk(client, people):
    client.login(TECH)
    top = header(page_of(client, "/merchant/redeem"))
    tools = re.search(r'data-console-nav="shop">(.*?)</nav>', top, re.S).group(1)
    hrefs = re.findall(r'href="([^"]+)"', tools)
    shop = people["a"]
    assert hrefs == [
        "/merchant/redeem",
        f"/merchant/bookings/shops/{shop}",
        f"/merchant/shops/{shop}",
    ]
    assert 'aria-current="page"' in tools.split("</a>")[0], "the desk is the current page"
    assert "data-shop-switcher" not in top, "one outlet: nothing to switch"
    assert "/admin/" not in top


def test_a_manager_also_gets_dashboard_reviews_and_invoices(client, people):
    client.login("manager-b@example.com")
    top = header(page_of(client, "/merchant/redeem"))
    shop = people["b"]
    for href in (
        f"/merchant/shops/{shop}/dashboard",
        f"/merchant/reviews/shops/{shop}",
        f"/merchant/invoices/shops/{shop}",
    ):
        assert f'href="{href}"' in top


def test_a_chain_admin_switches_between_their_outlets_only(client, people):
    client.login(CHAIN_ADMIN)
    a, a2 = people["a"], people["a2"]
    top = header(page_of(client, f"/merchant/shops/{a}/dashboard"))
    switcher = re.search(r"<details[^>]*data-shop-switcher.*?</details>", top, re.S).group(0)
    assert "望京店" in switcher and "亦庄店" in switcher
    assert "徐汇店" not in switcher and "天河店" not in switcher, "other chains' outlets"
    # the same kind of page for the other outlet
    assert f'href="/merchant/shops/{a2}/dashboard"' in switcher
    assert re.search(rf'href="/merchant/shops/{a}/dashboard" aria-current="true"', switcher)
    # the day view keeps its day; a page about no outlet links to the outlet's console page
    day = header(page_of(client, f"/merchant/bookings/shops/{a}?day=2030-01-07"))
    assert f'href="/merchant/bookings/shops/{a2}?day=2030-01-07"' in day
    desk = header(page_of(client, "/merchant/redeem"))
    assert f'href="/merchant/shops/{a2}"' in desk


def test_admin_pages_show_the_admin_sections(client, people):
    client.login(ADMIN)
    top = header(page_of(client, "/admin/shops"))
    assert "data-console-header" in top and "data-current-vehicle" not in top
    sections = re.search(r'data-console-nav="admin">(.*?)</nav>', top, re.S).group(1)
    for href in (
        "/admin/",
        "/admin/shops",
        "/admin/orders",
        "/admin/reviews",
        "/admin/audit",
        "/admin/dashboard",
    ):
        assert f'href="{href}"' in sections
    assert 'href="/admin/shops" aria-current="page"' in sections
    assert 'data-console-nav="shop"' not in top, "the admin works at no shop"


def test_people_with_both_switch_between_shopping_and_the_console(client, people):
    """An owner who is also staff (and an admin) can go from one side to the other."""
    client.login(TECH)
    home = header(page_of(client, "/"))
    assert re.search(r'href="/merchant/redeem"[^>]*data-console-link', home)
    console = header(page_of(client, "/merchant/redeem"))
    assert re.search(r'href="/"[^>]*data-shopping-link', console)
    client.post("/auth/logout")
    client.login(ADMIN)
    assert re.search(r'href="/admin/"[^>]*data-admin-link', header(page_of(client, "/")))
    assert "data-shopping-link" in header(page_of(client, "/admin/"))


def test_a_404_under_admin_keeps_the_shopper_header_for_others(client, people):
    client.login(OWNER)
    response = client.get("/admin/")
    assert response.status_code == 404
    top = header(response.get_data(as_text=True))
    assert "data-console-header" not in top and "/admin/shops" not in top


def test_an_owner_applying_for_a_shop_sees_the_console_header(client, people):
    client.login(OWNER)
    top = header(page_of(client, "/merchant/apply"))
    assert "data-console-header" in top and "data-shopping-link" in top
    assert "data-console-nav" not in top, "no shop yet: no shop tools"
