"""Fixtures for the review tests: two owners with redeemed vouchers, shop managers, an admin."""

import pytest

OWNER = "reviewer@example.com"
OTHER_OWNER = "other-owner@example.com"


@pytest.fixture
def owners(make_user, shops):
    make_user(OWNER, name="王小明")
    make_user(OTHER_OWNER, name="李四")
    return shops


@pytest.fixture
def owner(app, owners):
    client = app.test_client()
    client.login(OWNER)
    return client


@pytest.fixture
def other_owner(app, owners):
    client = app.test_client()
    client.login(OTHER_OWNER)
    return client


@pytest.fixture
def manager_a(app, owners):
    client = app.test_client()
    client.login("manager-a@example.com")
    return client


@pytest.fixture
def manager_b(app, owners):
    client = app.test_client()
    client.login("manager-b@example.com")
    return client


@pytest.fixture
def admin(app, owners):
    client = app.test_client()
    client.login("admin@example.com")
    return client
