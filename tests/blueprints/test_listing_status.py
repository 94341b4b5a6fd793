"""A listing's status moves: a draft is published (never paused), a published one paused, a
paused one published again; the console offers only those buttons."""

import re

from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Listing, ListingStatus


def status(app, listing_id):
    with app.app_context():
        return db.session.scalar(select(Listing.status).where(Listing.id == listing_id))


def buttons(page, listing_id):
    return sorted(re.findall(rf"/merchant/listings/{listing_id}/status/(\w+)", page))


def test_a_draft_offers_publish_only_and_cannot_be_paused(app, shops):
    manager = app.test_client()
    manager.login("manager-b@example.com")
    draft = shops["listings"]["draft_b"]
    page = manager.get(f"/merchant/shops/{shops['b']}").get_data(as_text=True)
    assert buttons(page, draft) == ["active"]
    assert buttons(page, shops["listings"]["oil_b"]) == ["paused"]
    response = manager.post(f"/merchant/listings/{draft}/status/paused")
    assert response.status_code == 302
    assert status(app, draft) is ListingStatus.DRAFT
    page = manager.get(f"/merchant/shops/{shops['b']}").get_data(as_text=True)
    assert "草稿可以上架" in page or "A draft can be published" in page
    manager.post(f"/merchant/listings/{draft}/status/active")
    assert status(app, draft) is ListingStatus.ACTIVE
    manager.post(f"/merchant/listings/{draft}/status/paused")
    assert status(app, draft) is ListingStatus.PAUSED
    page = manager.get(f"/merchant/shops/{shops['b']}").get_data(as_text=True)
    assert buttons(page, draft) == ["active"]
