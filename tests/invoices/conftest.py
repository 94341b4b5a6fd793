"""Fixtures for the invoice tests: two owners, the managers of the two approved shops."""

import pytest

OWNER = "invoice-owner@example.com"
OTHER_OWNER = "other-invoice-owner@example.com"


@pytest.fixture
def owners(make_user, shops):
    make_user(OWNER, name="王小明")
    make_user(OTHER_OWNER, name="李四")
    return shops


def _signed_in(app, email):
    client = app.test_client()
    client.login(email)
    return client


@pytest.fixture
def owner(app, owners):
    return _signed_in(app, OWNER)


@pytest.fixture
def other_owner(app, owners):
    return _signed_in(app, OTHER_OWNER)


@pytest.fixture
def manager_a(app, owners):
    return _signed_in(app, "manager-a@example.com")


@pytest.fixture
def manager_b(app, owners):
    return _signed_in(app, "manager-b@example.com")
