"""rows(): a select of columns on the session's connection, seeing the session's changes."""

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Listing
from marketplace.services.rows import rows


def test_rows_see_what_the_session_has_not_flushed_and_run_in_its_transaction(app, shops):
    listing_id = shops["listings"]["oil_a"]
    price = select(Listing.price_fen).where(Listing.id == listing_id)
    with app.app_context():
        listing = db.session.get(Listing, listing_id)
        before = listing.price_fen
        listing.price_fen = before + 100
        assert rows(price).scalar_one() == before + 100, "flushed first, as autoflush would"
        db.session.rollback()
        assert rows(price).scalar_one() == before, "in the session's transaction"
        with db.session.no_autoflush:
            db.session.get(Listing, listing_id).price_fen = before + 1
            assert rows(price).scalar_one() == before, "no autoflush, no flush"
        db.session.rollback()


def test_rows_refuse_a_write_which_the_unit_of_work_would_not_see(app, shops):
    from sqlalchemy import update

    listing_id = shops["listings"]["oil_a"]
    with app.app_context():
        before = db.session.get(Listing, listing_id).price_fen
        with pytest.raises(TypeError):
            rows(update(Listing).where(Listing.id == listing_id).values(price_fen=1))
        db.session.rollback()
        assert db.session.get(Listing, listing_id).price_fen == before
