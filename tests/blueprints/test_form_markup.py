"""The shared form macro's markup: accessible attributes only where they mean something."""


def test_a_field_without_hint_or_error_describes_nothing(client):
    page = client.get("/auth/login").get_data(as_text=True)
    assert 'name="email"' in page
    assert 'aria-describedby="None"' not in page


def test_a_field_with_an_error_is_described_by_it(client):
    page = client.post("/auth/login", data={"email": "", "password": ""}).get_data(as_text=True)
    assert 'aria-describedby="email-errors"' in page and 'id="email-errors"' in page
