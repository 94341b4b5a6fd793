"""Review, reply and report text is shown as text, never run."""

from .conftest import OWNER
from .helpers import make_voucher, reviews, write
from .test_eligibility import _slug

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'
ESCAPED = "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;"


def test_html_in_reviews_replies_and_reports_is_escaped(app, owner, manager_a, admin, owners):
    listing_id = owners["listings"]["oil_a"]
    write(owner, make_voucher(app, OWNER, listing_id), text=SCRIPT)
    (review,) = reviews(app)
    assert review.text == SCRIPT, "stored as typed"
    manager_a.post(f"/merchant/reviews/{review.id}/reply", data={"text": SCRIPT})
    manager_a.post(f"/merchant/reviews/{review.id}/report", data={"reason": SCRIPT})
    anonymous = app.test_client()
    pages = {
        "listing": anonymous.get(f"/listings/{listing_id}"),
        "shop": anonymous.get(f"/shops/{_slug(app, owners['a'])}"),
        "mine": owner.get("/account/reviews"),
        "console": manager_a.get(f"/merchant/reviews/shops/{owners['a']}"),
        "queue": admin.get("/admin/reviews"),
        "moderate": admin.get(f"/admin/reviews/{review.id}"),
        "edit": owner.get(f"/reviews/{review.id}/edit"),
    }
    for name, response in pages.items():
        page = response.get_data(as_text=True)
        assert response.status_code == 200, name
        assert "<script>alert" not in page and "<img src=x" not in page, name
        assert "&lt;script&gt;" in page, name
    assert pages["listing"].get_data(as_text=True).count(ESCAPED) == 2  # review and reply
