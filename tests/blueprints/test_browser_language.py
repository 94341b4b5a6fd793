"""A first visit follows the browser's preferred language (Accept-Language) among ours; a
language chosen with the switch or kept on the account wins; anyone else gets zh_CN."""

import pytest

from marketplace.extensions import db
from marketplace.models import User


def lang(client, header=None) -> str:
    headers = {"Accept-Language": header} if header is not None else {}
    page = client.get("/", headers=headers).get_data(as_text=True)
    return page.split('<html lang="', 1)[1].split('"', 1)[0]


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("en-US,en;q=0.9", "en"),
        ("en-GB", "en"),
        ("fr-FR,fr;q=0.9,en;q=0.5,zh-CN;q=0.3", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh-CN"),
        ("zh-Hans-CN", "zh-CN"),
        ("en;q=0.4,zh;q=0.9", "zh-CN"),
        ("fr-FR,de", "zh-CN"),
        ("", "zh-CN"),
        (None, "zh-CN"),
    ],
)
def test_the_browser_language_decides_a_first_visit(client, header, expected):
    assert lang(client, header) == expected


def test_english_browser_reads_english_text(client):
    page = client.get("/", headers={"Accept-Language": "en-US"}).get_data(as_text=True)
    assert "Select your vehicle" in page and "选择车型" not in page


def test_the_switch_wins_over_the_browser(client):
    client.post("/language", data={"lang": "zh_CN"})
    assert lang(client, "en-US") == "zh-CN"
    client.post("/language", data={"lang": "en"})
    assert lang(client, "zh-CN") == "en"


def test_the_account_language_wins_over_the_browser(app, make_user):
    make_user("reader@example.com")
    with app.app_context():
        user = db.session.query(User).filter_by(email="reader@example.com").one()
        user.locale = "zh_CN"
        db.session.commit()
    client = app.test_client()
    client.login("reader@example.com")
    with client.session_transaction() as session:
        session.pop("lang", None)
    assert lang(client, "en-US") == "zh-CN"
