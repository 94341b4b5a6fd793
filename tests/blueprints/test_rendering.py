"""What keeps rendered pages cheap, and what must stay true with it: cards kept per value
(a changed listing shows at once), translations looked up once per request (a language
switched mid-request still shows), a signed-in page's header in one statement, and the
shoppers' header kept per value (its token and way back still each page's own)."""

import re

import pytest
from flask import session
from flask_babel import force_locale, refresh
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.i18n import gettext, ngettext
from marketplace.models import Listing

from ..conftest import COROLLA_CVT, PASSWORD


def _prices(page: str) -> dict[int, str]:
    cards = re.findall(
        r'data-listing-id="(\d+)">.*?<strong class="price">([^<]+)</strong>', page, re.S
    )
    return {int(i): price for i, price in cards}


def _grid(page: str) -> str:
    return re.search(r'<ul class="grid listing-grid">.*?</ul>', page, re.S).group(0)


def test_a_card_is_rendered_once_and_a_changed_listing_shows_at_once(app, client, shops):
    listing_id = shops["listings"]["oil_a"]
    kept = app.extensions["listing_cards"]
    first = client.get("/listings/?city=北京").get_data(as_text=True)
    rendered = kept.cache_info().misses
    again = client.get("/listings/?city=北京").get_data(as_text=True)
    assert _grid(again) == _grid(first) and kept.cache_info().misses == rendered, "kept, reused"
    assert kept.cache_info().hits >= len(_prices(first)) > 0
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        listing.price_fen, listing.list_price_fen = 12_345, 12_345
        db.session.commit()
    changed = client.get("/listings/?city=北京").get_data(as_text=True)
    assert _prices(changed)[listing_id] == "¥123.45" != _prices(first)[listing_id]
    assert kept.cache_info().misses == rendered + 1, "only the changed card is rendered"
    english = client.get("/listings/?city=北京", headers={"Accept-Language": "en"})
    assert "sold" in english.get_data(as_text=True) or "left" in english.get_data(as_text=True)
    assert "已售" not in english.get_data(as_text=True), "kept per language"


def test_a_card_says_whether_it_fits_the_car_selected_now(client, shops):
    listing_id = shops["listings"]["ev_b"]
    before = client.get("/listings/?fits=0").get_data(as_text=True)
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    after = client.get("/listings/?fits=0").get_data(as_text=True)

    def fit_of(page: str) -> str:
        card = re.search(rf'data-listing-id="{listing_id}">(.*?)</li>', page, re.S)
        return re.search(r'data-fit="(\w+)"', card.group(1)).group(1)

    assert fit_of(before) == "yes"  # no car: "for some cars only: select yours to see"
    assert fit_of(after) == "no"


def test_translations_follow_a_language_switched_mid_request(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert gettext("Cart") == "购物车"
        session["lang"] = "en"
        refresh()  # what the language form does before it answers
        assert gettext("Cart") == "Cart"
        with force_locale("zh_CN"):  # a mail in the recipient's language
            assert gettext("Cart") == "购物车"
            assert ngettext("%(num)d month", "%(num)d months", 3) == "3 个月"
        assert gettext("Cart") == "Cart"
        assert ngettext("%(num)d month", "%(num)d months", 1) == "1 month"


def test_template_text_follows_the_language_and_escapes_only_where_the_template_does(app):
    """The templates' _() keeps a text without variables per catalog: a language switched
    mid-request still changes it, "%%" still reads "%", and a text template is not escaped."""
    from flask import render_template_string

    page = "{{ _('Cart') }}|{{ _('%%(n)s left', n='<b>') }}"
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert render_template_string(page).startswith("购物车|")
        session["lang"] = "en"
        refresh()
        assert render_template_string(page) == "Cart|%(n)s left"
        with force_locale("zh_CN"):
            assert render_template_string(page).startswith("购物车|")
        assert render_template_string("{{ _('Cart') }} {{ _('%(x)s', x='<i>') }}") == (
            "Cart &lt;i&gt;"
        )
        plain = "{% autoescape false %}{{ _('Cart') }} {{ _('%(x)s', x='<i>') }}{% endautoescape %}"
        assert render_template_string(plain) == "Cart <i>"


def test_a_day_is_formatted_in_the_readers_language_and_a_moment_is_refused(app):
    from datetime import UTC, date, datetime

    from marketplace.i18n import day_text

    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        assert day_text(date(2026, 12, 7), "long") == "2026年12月7日"
        with force_locale("en"):
            assert day_text(date(2026, 12, 7), "long") == "December 7, 2026"
        with pytest.raises(TypeError):
            day_text(datetime(2026, 12, 7, 20, tzinfo=UTC))


def test_form_messages_come_in_the_readers_language_without_reading_the_catalog_again(app):
    from flask import request

    required = "This field is required."
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        chinese = request.wtforms_translations
        assert chinese.gettext(required) != required
        assert request.wtforms_translations is chinese, "loaded once per language"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        assert request.wtforms_translations.gettext(required) == required


def test_a_signed_in_page_reads_the_header_in_one_statement(
    app, client, shops, make_user, count_queries
):
    from marketplace.models import Notification, NotificationKind, User
    from marketplace.services import listings as listing_service

    email = make_user("owner@example.com")
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.add(Notification(user_id=user.id, kind=NotificationKind.MAINTENANCE_DUE))
        db.session.commit()
    client.get("/listings/")
    for kept in (listing_service.kept_counts, listing_service.kept_pages):
        kept.ttl = -1.0  # every request counts and finds its page: the full set of statements
    try:
        with count_queries() as queries:
            page = client.get("/listings/").get_data(as_text=True)
    finally:
        for kept in (listing_service.kept_counts, listing_service.kept_pages):
            kept.ttl = listing_service.COUNT_TTL
    statements = queries.statements
    header = [s for s in statements if "notifications" in s]
    assert len(header) == 1 and "shop_staff" in header[0] and "chains" in header[0]
    garage = [s for s in statements if "garage_vehicles" in s]
    assert len(garage) == 1 and "variants" in garage[0] and "brands" in garage[0]
    assert "FROM users" in garage[0], "the car comes with the user"
    assert header == garage, "and the header's facts with them"
    assert not [s for s in statements if s.lstrip().startswith("SELECT variants")]
    # the user, car and header facts; the count, the page's ids, its cards and their fitments
    assert len(statements) <= 5, "\n".join(s[:120] for s in statements)
    assert 'data-unread="1"' in page and "卡罗拉" in page and "data-console-link" not in page


def test_the_header_reads_its_facts_again_after_the_request_wrote(
    app, client, make_user, count_queries
):
    """Read with the user when the request began; a page that changes them (here: marks
    every notification read) shows what it changed, read again once for that write however
    often the header is shown after it."""
    from flask import render_template
    from flask_login import current_user

    from marketplace.models import Notification, NotificationKind, User
    from marketplace.models.types import utcnow
    from marketplace.services import notifications

    @app.get("/_t/read-all")
    def read_all():
        before = render_template("base.html")
        notifications.mark_read(current_user, utcnow())
        after = [render_template("base.html") for _ in range(3)]
        return "<hr>".join([before, *after])

    email = make_user("reader@example.com")
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.add(Notification(user_id=user.id, kind=NotificationKind.MAINTENANCE_DUE))
        db.session.commit()
    with count_queries() as queries:
        before, *after = client.get("/_t/read-all").get_data(as_text=True).split("<hr>")
    assert 'data-unread="1"' in _header(before)
    assert all('data-unread="0"' in _header(page) for page in after)
    facts = [s for s in queries.statements if "shop_staff" in s]
    assert len(facts) == 2, "with the user, then once after the write"


def _header(page: str) -> str:
    return re.search(r'<header class="site-header">.*?</header>', page, re.S).group(0)


def _field(html: str, name: str) -> str:
    return re.search(rf'name="{name}" value="([^"]*)"', html).group(1)


def test_the_header_is_kept_per_value_and_its_marks_are_each_page_s_own(app, client, shops):
    """One kept header serves two pages: each gets its own way back, in the language form
    (HTML-escaped) and in the sign-in link (URL-quoted), and this session's CSRF token,
    which the language form then posts."""
    kept = app.extensions["site_header"]
    client.get("/listings/?q=x")
    rendered = kept.cache_info().misses
    one = _header(client.get("/listings/?q=机油&city=上海").get_data(as_text=True))
    two = _header(client.get("/vehicles/").get_data(as_text=True))
    assert kept.cache_info().misses == rendered, "the same header, kept"
    assert _field(one, "next") == "/listings/?q=机油&amp;city=上海"
    assert 'href="/auth/login?next=/listings/?q%3D%E6%9C%BA%E6%B2%B9%26city%3D%E4%B8%8A' in one
    assert _field(two, "next") == "/vehicles/?" and "next=/vehicles/?" in two
    assert "chefu-mark" not in one + two
    token = _field(one, "csrf_token")
    other = app.test_client().get("/listings/?q=x").get_data(as_text=True)
    assert _field(_header(other), "csrf_token") != token, "each session its own token"
    switched = client.post("/language", data={"lang": "en", "next": "/vehicles/"}, csrf=False)
    assert switched.status_code == 400, "no token, no switch"
    switched = client.post(
        "/language", data={"lang": "en", "next": "/vehicles/", "csrf_token": token}, csrf=False
    )
    assert switched.status_code == 302 and switched.location.endswith("/vehicles/")
    english = _header(client.get("/vehicles/").get_data(as_text=True))
    assert ">Cart<" in english and "中文" in english and "购物车" not in english
    login = _header(client.get("/auth/login").get_data(as_text=True))
    assert 'href="/auth/login"' in login, "no way back to the sign-in page itself"


def test_a_kept_header_shows_a_new_notification_name_and_car_at_once(app, client, shops, make_user):
    from marketplace.models import Notification, NotificationKind, User

    email = make_user("header@example.com", name="王先生")
    client.post("/auth/login", data={"email": email, "password": PASSWORD})
    first = _header(client.get("/listings/").get_data(as_text=True))
    assert 'data-unread="0"' in first and "王先生" in first and "未选择车型" in first
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == email))
        db.session.add(Notification(user_id=user.id, kind=NotificationKind.MAINTENANCE_DUE))
        user.display_name = "王师傅"
        db.session.commit()
    client.post("/vehicles/select", data={"variant_id": COROLLA_CVT})
    now = _header(client.get("/listings/").get_data(as_text=True))
    assert 'data-unread="1"' in now and "王师傅" in now and "王先生" not in now
    assert "卡罗拉" in now and "未选择车型" not in now
    assert 'action="/auth/logout"' in now and _field(now, "csrf_token")
    guest = _header(app.test_client().get("/listings/").get_data(as_text=True))
    assert "王师傅" not in guest and "卡罗拉" not in guest, "kept per value, not per page"


def test_no_name_a_user_writes_passes_for_a_mark_of_the_kept_header(app, client, make_user):
    """The marks filled in per request hold NUL, which no stored text can: a name written
    like a mark is shown as written, not replaced by the session's token or the page."""
    from marketplace import site_header

    assert all("\x00" in mark for mark in (site_header.TOKEN, site_header.HERE))
    name = "csrf-token this-page sign-in chefu-mark-csrf-token"
    client.post(
        "/auth/login",
        data={"email": make_user("mark@example.com", name=name), "password": PASSWORD},
    )
    header = _header(client.get("/vehicles/").get_data(as_text=True))
    assert f">{name}</a>" in header and "\x00" not in header
    assert client.get("/vehicles/?q=%00").status_code == 400, "NUL refused at the door"


def test_a_kept_page_reads_its_cards_afresh_and_leaves_out_a_paused_listing(app, client, shops):
    from sqlalchemy import update

    paused, repriced = shops["listings"]["oil_a"], shops["listings"]["filter_a"]
    first = _prices(client.get("/listings/?city=北京").get_data(as_text=True))
    assert paused in first and repriced in first
    with app.app_context():  # as another process would: no flush here drops the kept page
        db.session.execute(update(Listing).where(Listing.id == paused).values(is_public=False))
        db.session.execute(
            update(Listing)
            .where(Listing.id == repriced)
            .values(price_fen=54_321, list_price_fen=54_321)
        )
        db.session.commit()
    now = _prices(client.get("/listings/?city=北京").get_data(as_text=True))
    assert paused not in now and now[repriced] == "¥543.21"
    assert list(now) == [i for i in first if i != paused], "the kept order, afresh values"
