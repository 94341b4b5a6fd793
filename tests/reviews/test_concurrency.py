"""Parallel reviews on PostgreSQL: one review per voucher, and no count lost in the ratings."""

from ..parallel import in_parallel, on_postgresql
from .conftest import OWNER
from .helpers import GOOD, make_voucher, review_count, summaries

pytestmark = on_postgresql


def _client(app):
    client = app.test_client()
    client.login(OWNER)
    return client


def test_the_same_voucher_reviewed_at_once_makes_one_review(app, owners):
    voucher = make_voucher(app, OWNER, owners["listings"]["oil_a"])
    clients = [_client(app) for _ in range(6)]
    responses = in_parallel(
        [(lambda c=c: c.post(f"/reviews/voucher/{voucher}", data=GOOD)) for c in clients]
    )
    assert all(r.status_code == 302 for r in responses)
    assert review_count(app) == 1
    shop, listing_summary, listing = summaries(app, owners["a"], owners["listings"]["oil_a"])
    assert shop.review_count == listing_summary.review_count == listing.rating_count == 1


def test_reviews_of_one_shop_at_once_are_all_counted(app, owners):
    listing_id = owners["listings"]["oil_a"]
    vouchers = [make_voucher(app, OWNER, listing_id) for _ in range(6)]
    clients = [_client(app) for _ in vouchers]
    stars = ["1", "2", "3", "4", "5", "5"]
    responses = in_parallel(
        [
            (lambda c=c, v=v, s=s: c.post(f"/reviews/voucher/{v}", data={**GOOD, "overall": s}))
            for c, v, s in zip(clients, vouchers, stars, strict=True)
        ]
    )
    assert all(r.status_code == 302 for r in responses)
    shop, listing_summary, listing = summaries(app, owners["a"], listing_id)
    assert review_count(app) == 6
    assert listing_summary.review_count == shop.review_count == listing.rating_count == 6
    assert listing_summary.stars == [1, 1, 1, 1, 2]
