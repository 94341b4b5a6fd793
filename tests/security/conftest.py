"""Attackers' fixtures: two shops with staff, a buyer with paid vouchers, a second owner."""

import pytest

from ..redemption.conftest import (  # noqa: F401  (fixtures shared with the redemption tests)
    OWNER,
    TECH_A,
    TECH_B,
    World,
    buyer,
    signed_in,
    tech_a,
    world,
)

INTRUDER = "intruder@example.com"  # another car owner, who should see nothing of OWNER's


@pytest.fixture
def intruder(app, request, make_user):
    request.getfixturevalue("world")
    make_user(INTRUDER, name="李四")
    return signed_in(app, INTRUDER)


@pytest.fixture
def tech_b(app, request):
    request.getfixturevalue("world")
    return signed_in(app, TECH_B)


@pytest.fixture
def limits_on(app):
    """The rate limiter on, with small limits (before the app serves its first request)."""
    from marketplace.extensions import limiter

    app.config["RATELIMIT_ENABLED"] = True
    app.config["REDEEM_WRONG_CODE_LIMIT"] = "3 per minute"
    limiter.init_app(app)
    yield
    limiter.reset()
