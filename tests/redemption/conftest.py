"""Shops with staff, paid vouchers, and a local Stripe server with Connect."""

import re
from dataclasses import dataclass

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import (
    EntryKind,
    EntryStatus,
    LedgerEntry,
    OrderStatus,
    Shop,
    ShopStaff,
    StaffRole,
    User,
    Voucher,
    VoucherStatus,
)
from marketplace.services import ledger

from ..conftest import second_outlet
from ..payments.helpers import add_and_order, deliver_success, order_state, pay

OWNER = "buyer@example.com"
TECH_A = "tech-a@example.com"  # technician at 驰安养车 望京店 (shop a)
TECH_A2 = "tech-a2@example.com"  # technician at another outlet of the same chain
TECH_B = "tech-b@example.com"  # technician at 快修侠 徐汇店 (shop b)


@dataclass
class World:
    a: int
    a2: int
    b: int
    listings: dict


@pytest.fixture
def world(app, shops, make_user) -> World:
    for email in (OWNER, TECH_A, TECH_A2, TECH_B):
        make_user(email, name="王小明" if email == OWNER else "技师")
    with app.app_context():
        a = db.session.get(Shop, shops["a"])
        a2 = second_outlet(a)
        for email, shop_id in ((TECH_A, a.id), (TECH_A2, a2.id), (TECH_B, shops["b"])):
            user = db.session.scalar(select(User).where(User.email == email))
            db.session.add(ShopStaff(shop_id=shop_id, user_id=user.id, role=StaffRole.TECHNICIAN))
        db.session.commit()
        return World(a=a.id, a2=a2.id, b=shops["b"], listings=shops["listings"])


def signed_in(app, email):
    client = app.test_client()
    client.login(email)
    return client


@pytest.fixture
def buyer(app, world):
    return signed_in(app, OWNER)


@pytest.fixture
def tech_a(app, world):
    return signed_in(app, TECH_A)


def buy(app, buyer, base, listing_id, quantity=1) -> list[str]:
    """Pay for `quantity` units through the local Stripe server; returns the voucher codes."""
    number = add_and_order(buyer, listing_id, quantity)
    pay(buyer, base, number)
    assert deliver_success(buyer, base, app, number).status_code == 200
    order, vouchers, _ = order_state(app, number)
    assert order.status is OrderStatus.PAID
    return [v.code for v in sorted(vouchers, key=lambda v: v.id)]


def look_up(client, code, shop=None):
    data = {"code": code}
    if shop is not None:
        data["shop"] = shop
    return client.post("/merchant/redeem", data=data)


def confirm(client, code, odometer="", request_id=None):
    """Look the code up, then submit the confirmation form exactly as the page renders it."""
    page = look_up(client, code).get_data(as_text=True)
    found = re.search(r'name="request_id" type="hidden" value="([0-9a-f]+)"', page)
    assert found, page[:3000]
    shop = re.search(r'name="shop" type="hidden" value="(\d+)"', page).group(1)
    return client.post(
        "/merchant/redeem/confirm",
        data={
            "code": code,
            "shop": shop,
            "request_id": request_id or found.group(1),
            "odometer": odometer,
        },
    )


def voucher(app, code) -> Voucher:
    with app.app_context():
        found = db.session.scalar(select(Voucher).where(Voucher.code == code))
        db.session.expunge_all()
        return found


def assert_ledger_matches_vouchers(app):
    """For every voucher, its entries add up to what its state says the shop is owed."""
    with app.app_context():
        for v in db.session.scalars(select(Voucher)):
            entries = db.session.scalars(
                select(LedgerEntry).where(LedgerEntry.voucher_id == v.id)
            ).all()
            live = sum(e.amount_fen for e in entries if e.status is not EntryStatus.CANCELLED)
            if v.status is VoucherStatus.REDEEMED:
                shop = db.session.get(Shop, v.redemption.shop_id)
                owed = v.price_fen - ledger.commission_for(v.price_fen, shop.commission_bps)
            else:
                owed = 0
            assert live == owed, (
                v.code,
                v.status,
                [(e.kind, e.status, e.amount_fen) for e in entries],
            )
            services = [e for e in entries if e.kind is EntryKind.SERVICE]
            assert all(e.amount_fen == e.gross_fen - e.commission_fen for e in services)
