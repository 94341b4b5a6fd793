"""Stored Bayesian ratings per shop and listing, their distributions, sorting and filters."""

import re

import pytest
from sqlalchemy import select

from marketplace.extensions import db
from marketplace.models import Listing
from marketplace.services.reviews import bayesian_score

from .conftest import OWNER
from .helpers import make_voucher, review_form, review_ids, reviews, summaries, write
from .test_eligibility import _slug


def test_bayesian_score():
    prior_mean, weight = 4000, 5  # the documented defaults: five imagined 4-star reviews
    assert bayesian_score(0, 0, prior_mean, weight) == 0
    one_five = bayesian_score(1, 5, prior_mean, weight)
    hundred_48 = bayesian_score(100, 480, prior_mean, weight)
    assert one_five == 4167 and hundred_48 == 4762
    assert one_five < hundred_48, "one 5-star review does not outrank a hundred 4.8s"
    assert bayesian_score(3, 3, prior_mean, weight) == 2875  # 3 one-star reviews
    assert bayesian_score(2, 10, prior_mean, 0) == 5000  # no prior: the plain mean


def _rate(app, client, listing_id, *stars, text="好"):
    for n in stars:
        write(
            client, make_voucher(app, OWNER, listing_id), overall=str(n), quality=str(n), text=text
        )


def test_aggregates_follow_every_change_including_hiding(app, owner, admin, owners):
    listing_id, other_listing = owners["listings"]["oil_a"], owners["listings"]["wash_a"]
    _rate(app, owner, listing_id, 5, 4, 2)
    _rate(app, owner, other_listing, 3)

    shop, listing_summary, listing = summaries(app, owners["a"], listing_id)
    assert listing_summary.review_count == 3 and listing_summary.overall_sum == 11
    assert listing_summary.stars == [0, 1, 0, 1, 1]
    assert listing_summary.dimensions["quality"] == [0, 1, 0, 1, 1]
    assert listing_summary.dimensions["price_honesty"] == [0, 0, 0, 3, 0]
    assert listing_summary.score == bayesian_score(3, 11, 4000, 5) == 3875
    assert (listing.rating_score, listing.rating_count) == (3875, 3)
    assert shop.review_count == 4 and shop.stars == [0, 1, 1, 1, 1]
    assert shop.score == bayesian_score(4, 14, 4000, 5)

    two_star = next(r for r in reviews(app) if r.overall == 2)
    admin.post(f"/admin/reviews/{two_star.id}", data={"decision": "hide", "reason": "刷差评"})
    shop, listing_summary, listing = summaries(app, owners["a"], listing_id)
    assert listing_summary.review_count == 2 and listing_summary.stars == [0, 0, 0, 1, 1]
    assert listing.rating_score == bayesian_score(2, 9, 4000, 5) == 4143
    assert listing.rating_count == 2
    assert shop.review_count == 3 and shop.stars == [0, 0, 1, 1, 1]

    page = app.test_client().get(f"/shops/{_slug(app, owners['a'])}").get_data(as_text=True)
    assert 'data-review-count="3"' in page
    assert f'data-score="{shop.score}"' in page
    assert shop.score == bayesian_score(3, 12, 4000, 5) == 4000  # 5, 4 and 3 stars left
    assert '<strong class="price big">★ 4.0</strong>' in page
    for star, count in zip((1, 2, 3, 4, 5), shop.stars, strict=True):
        assert re.search(rf'<tr data-star="{star}">.*?value="{count}"></meter>', page, re.S), star
    # quality: 5, 4 and 3 stars → 4.0; price honesty all 4
    assert '<dd data-dimension="quality">★ 4.0</dd>' in page
    assert '<dd data-dimension="price_honesty">★ 4.0</dd>' in page


def test_edit_of_stars_updates_the_aggregates(app, owner, owners):
    listing_id = owners["listings"]["oil_a"]
    _rate(app, owner, listing_id, 5)
    (review,) = reviews(app)
    owner.post(f"/reviews/{review.id}/edit", data=review_form(overall="1"))
    _, listing_summary, listing = summaries(app, owners["a"], listing_id)
    assert listing_summary.stars == [1, 0, 0, 0, 0]
    assert listing.rating_score == bayesian_score(1, 1, 4000, 5)


def test_the_prior_is_a_setting(app, owner, owners):
    app.config.update(REVIEW_PRIOR_MEAN="3.0", REVIEW_PRIOR_WEIGHT=10)
    _rate(app, owner, owners["listings"]["oil_a"], 5)
    assert summaries(app, owners["a"], owners["listings"]["oil_a"])[2].rating_score == round(
        (10 * 3000 + 5000) / 11
    )


def test_refresh_ratings_command_recomputes_with_a_new_prior(app, owner, owners):
    listing_id = owners["listings"]["oil_a"]
    _rate(app, owner, listing_id, 5, 5)
    app.config.update(REVIEW_PRIOR_MEAN="3.5", REVIEW_PRIOR_WEIGHT=2)
    result = app.test_cli_runner().invoke(args=["reviews", "refresh-ratings"])
    assert result.exit_code == 0, result.output
    assert "1 shops, 1 listings" in result.output
    shop, _, listing = summaries(app, owners["a"], listing_id)
    assert listing.rating_score == bayesian_score(2, 10, 3500, 2) == 4250
    assert shop.score == 4250


def test_browse_sorts_by_the_bayesian_rating(app, owner, client, owners):
    listings = owners["listings"]
    _rate(app, owner, listings["filter_a"], 5)  # one 5-star review
    _rate(app, owner, listings["big_a"], 5, 5, 5, 5, 4, 5, 5, 5)  # a long, near-perfect record
    _rate(app, owner, listings["wash_a"], 2, 3)
    page = client.get("/listings/", query_string={"sort": "rating", "city": "北京"})
    found = [int(x) for x in re.findall(r'data-listing-id="(\d+)"', page.get_data(as_text=True))]
    assert found[:3] == [listings["big_a"], listings["filter_a"], listings["wash_a"]]
    with app.app_context():
        scores = dict(db.session.execute(select(Listing.id, Listing.rating_score)).all())
    assert scores[listings["big_a"]] > scores[listings["filter_a"]] > scores[listings["wash_a"]]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({}, ["five_text", "five_bare", "one_text", "three_text"]),
        ({"stars": "5"}, ["five_text", "five_bare"]),
        ({"stars": "1"}, ["one_text"]),
        ({"text": "1"}, ["five_text", "one_text", "three_text"]),
        ({"stars": "5", "text": "1"}, ["five_text"]),
        ({"stars": "2"}, []),
        ({"stars": "9"}, ["five_text", "five_bare", "one_text", "three_text"]),
        ({"stars": "x", "page": "x"}, ["five_text", "five_bare", "one_text", "three_text"]),
    ],
)
def test_owners_filter_a_shops_reviews(app, owner, client, owners, query, expected):
    listing_id = owners["listings"]["oil_a"]
    written = {}
    for key, stars, text in (
        ("three_text", "3", "一般"),
        ("one_text", "1", "很差"),
        ("five_bare", "5", ""),
        ("five_text", "5", "很好"),
    ):
        write(owner, make_voucher(app, OWNER, listing_id), overall=stars, text=text)
        written[key] = reviews(app)[-1].id
    response = client.get(f"/shops/{_slug(app, owners['a'])}", query_string=query)
    assert response.status_code == 200
    assert review_ids(response.get_data(as_text=True)) == [written[k] for k in expected]


def test_pages_do_not_aggregate_or_query_per_review(app, owner, client, owners, count_queries):
    listing_id = owners["listings"]["oil_a"]
    slug = _slug(app, owners["a"])
    _rate(app, owner, listing_id, 4)
    client.get(f"/listings/{listing_id}")
    with count_queries() as one_listing:
        client.get(f"/listings/{listing_id}")
    with count_queries() as one_shop:
        client.get(f"/shops/{slug}")
    _rate(app, owner, listing_id, 5, 3, 2, 5, 1)
    with count_queries() as many_listing:
        page = client.get(f"/listings/{listing_id}").get_data(as_text=True)
    with count_queries() as many_shop:
        client.get(f"/shops/{slug}")
    assert len(review_ids(page)) == 6
    assert len(one_listing) == len(many_listing), many_listing.statements
    assert len(one_shop) == len(many_shop), many_shop.statements
    assert len(many_listing) <= 12, many_listing.statements  # 4: the shop's hours, bookings
    for statement in many_listing.statements + many_shop.statements:
        assert "sum(" not in statement.lower() and "count(" not in statement.lower(), statement


def test_vouchers_page_query_count_does_not_grow(app, owner, owners, count_queries):
    listing_id = owners["listings"]["oil_a"]
    write(owner, make_voucher(app, OWNER, listing_id))
    owner.get("/account/vouchers")
    with count_queries() as few:
        owner.get("/account/vouchers")
    for _ in range(4):
        write(owner, make_voucher(app, OWNER, listing_id))
    make_voucher(app, OWNER, listing_id)
    with count_queries() as many:
        page = owner.get("/account/vouchers").get_data(as_text=True)
    assert 'data-reviews-awaited="1"' in page
    assert len(few) == len(many), many.statements
