import pytest

OWNER = "buyer@example.com"


@pytest.fixture
def buyer(client, make_user, shops):
    """The test client, signed in as a car owner, with the shops and listings in place."""
    make_user(OWNER)
    client.login(OWNER)
    return client
