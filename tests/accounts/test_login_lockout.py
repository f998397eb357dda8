"""One failed-login counter per account for the login page and the API (issue 13, SPEC §10)."""
from tests.conftest import DEMO

EMAIL, PASSWORD = DEMO["CASHIER"]


def page_login(client, password, address, email=EMAIL):
    return client.post("/login/", data={"username": email, "password": password},
                       environ_base={"REMOTE_ADDR": address})


def logged_in(response):
    return response.status_code == 302 and "/login/" not in response.headers["Location"]


def test_the_11th_login_on_the_page_is_refused_whatever_the_address(app):
    for i in range(10):
        assert not logged_in(page_login(app.test_client(), "faux", f"10.0.0.{i + 1}"))
    response = page_login(app.test_client(), PASSWORD, "10.0.1.99")
    assert response.status_code == 429 and not logged_in(response)
    assert int(response.headers["Retry-After"]) > 0
    assert "Trop de tentatives pour ce compte" in response.get_data(as_text=True)
    # Another account behind the same addresses is not locked out.
    assert logged_in(page_login(app.test_client(), DEMO["SALES"][1], "10.0.0.1", email=DEMO["SALES"][0]))


def test_the_page_and_the_api_share_the_counter(app, client):
    for i in range(5):
        assert not logged_in(page_login(app.test_client(), "faux", f"10.0.2.{i + 1}"))
    for _ in range(5):
        assert client.post("/api/v1/auth/token/", json={"email": EMAIL.upper(), "password": "x"}).status_code == 401
    assert client.post("/api/v1/auth/token/", json={"email": EMAIL, "password": PASSWORD}).status_code == 429
    assert page_login(app.test_client(), PASSWORD, "10.0.3.1").status_code == 429


def test_failures_on_the_api_lock_the_page(app, client):
    for _ in range(10):
        client.post("/api/v1/auth/token/", json={"email": EMAIL, "password": "x"})
    assert page_login(app.test_client(), PASSWORD, "10.0.4.1").status_code == 429
