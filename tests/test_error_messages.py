"""Every domain error code has a message, in every language; a code nobody named fails."""

import pytest
from flask_babel import force_locale

from marketplace import error_messages
from marketplace.error_messages import MESSAGES, message, message_for
from marketplace.services.cart import CartError
from marketplace.services.errors import DomainError


def domains() -> set[type[DomainError]]:
    found, todo = set(), list(DomainError.__subclasses__())
    while todo:
        kind = todo.pop()
        todo.extend(kind.__subclasses__())
        if "Code" in vars(kind):
            found.add(kind)
    return found


def test_every_domain_has_one_table_covering_every_code():
    assert domains() == set(MESSAGES)
    for kind, table in MESSAGES.items():
        assert set(table) == {code.value for code in kind.Code}, kind.__name__


# what the refusals put into their messages
SAMPLE_DETAILS = dict(
    count=3,
    km="1,000",
    earlier="900",
    later="9",
    length=16,
    vin_year=2023,
    model_year=2025,
    earliest=2024,
    brand="大众",
    title="机油保养",
    vehicle="丰田 卡罗拉",
    low=1980,
    high=2027,
    days=14,
    min=15,
    max=480,
    step=15,
)


@pytest.mark.parametrize(
    "kind", sorted(MESSAGES, key=lambda k: k.__name__), ids=lambda k: k.__name__
)
def test_every_message_reads_in_chinese_and_english(app, kind):
    with app.test_request_context():
        for code in kind.Code:
            with force_locale("en"):
                english = message_for(kind, code, **SAMPLE_DETAILS)
            with force_locale("zh_CN"):
                chinese = message_for(kind, code, **SAMPLE_DETAILS)
            assert english and "%(" not in english, (kind.__name__, code)
            assert chinese != english and "%(" not in chinese, (kind.__name__, code, chinese)


def test_an_unnamed_code_fails_where_it_is_raised():
    with pytest.raises(ValueError, match="CartCode"):
        CartError("no_such_reason")


def test_details_fill_the_message(app):
    with app.test_request_context(), force_locale("zh_CN"):
        assert "3" in message(CartError("stock", available=3))
    assert error_messages.NOT_FOUND
