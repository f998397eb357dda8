"""PostgreSQL or Redis out of reach: a French 503 with Retry-After (never a bare 500, never SQL),
nothing half-written, and the same request goes through once the service is back."""
import pytest
from sqlalchemy import func, select

import config
from app import create_app
from app.extensions import db, limiter
from tests.conftest import DEMO, ApiClient, get_tokens
from tests.outage import DatabaseRelay
from tests.pos.fixtures import make_pos_shop

UNAVAILABLE = "Service momentanément indisponible : rien n'a été enregistré. Réessayez dans un instant."


@pytest.fixture
def relayed(postgres, database_url):
    """A second app on the session database, reached through a relay the test can cut."""
    relay = DatabaseRelay(database_url)

    class Relayed(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = relay.url

    application = create_app(Relayed)
    yield application, relay
    relay.close()
    with application.app_context():
        db.engine.dispose()


def assert_unavailable(answer):
    assert answer.status_code == 503
    assert int(answer.headers["Retry-After"]) >= 5  # the token endpoint's limiter may name a later time
    text = answer.get_data(as_text=True)
    assert "Error" not in text and "SELECT" not in text and "psycopg" not in text


def test_a_payment_during_a_database_outage_is_refused_in_french_then_goes_through_once(app, relayed):
    application, relay = relayed
    shop = make_pos_shop(app)
    client = application.test_client()
    seller = ApiClient(client, get_tokens(client, *DEMO["SALES"])["access"])
    cashier = ApiClient(client, get_tokens(client, *DEMO["CASHIER"])["access"])
    sale = seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.router, "quantity": 1}]}).get_json()["id"]
    assert seller.post(f"/api/v1/sales/{sale}/submit/").status_code == 200
    assert cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0}).status_code == 201
    payment = {"sale": sale, "method": "CASH", "amount": 45000, "tendered": 50000}
    key = {"Idempotency-Key": "till-1-outage-0001"}

    relay.cut()
    answer = cashier.post("/api/v1/payments/", json=payment, headers=key)
    assert_unavailable(answer)
    assert answer.get_json() == {"message": UNAVAILABLE}
    assert_unavailable(client.post("/api/v1/auth/token/", json=dict(zip(("email", "password"), DEMO["CASHIER"]))))

    relay.restore()  # the pool's stale connections are replaced, the cashier sends the same request again
    again = cashier.post("/api/v1/payments/", json=payment, headers=key)
    assert again.status_code == 201, again.get_json()
    assert again.get_json()["result"]["sale_status"] == "PAID"
    assert again.get_json()["result"]["change_given"] == "5000.00"
    from app.cashier.models import Payment

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payment).where(Payment.sale_id == sale)) == 1


def test_pages_during_a_database_outage_say_so_in_french_without_the_layout(app, relayed):
    application, relay = relayed
    client = application.test_client()
    email, password = DEMO["CASHIER"]
    assert client.post("/login/", data={"username": email, "password": password}).status_code == 302

    relay.cut()
    for path in ("/cashier/", "/login/", "/salemodelview/list/"):
        answer = client.get(path)
        assert_unavailable(answer)
        assert UNAVAILABLE in answer.get_data(as_text=True).replace("&#39;", "'")
        assert "Réessayer" in answer.get_data(as_text=True)
    missing = client.get("/nowhere/")  # an error page of its own: drawn without the menu it cannot read
    assert missing.status_code == 404 and "Introuvable." in missing.get_data(as_text=True)

    relay.restore()
    assert client.get("/cashier/").status_code in (200, 302)


def test_an_api_token_is_refused_while_redis_cannot_tell_whether_it_was_revoked(app, as_cashier, monkeypatch):
    assert as_cashier.get("/api/v1/sales/").status_code == 200
    monkeypatch.setitem(app.config, "REDIS_URL", "redis://127.0.0.1:1/0")  # nothing listens there
    answer = as_cashier.get("/api/v1/sales/")
    assert_unavailable(answer)
    assert answer.get_json() == {"message": UNAVAILABLE}
    monkeypatch.undo()
    assert as_cashier.get("/api/v1/sales/").status_code == 200


def test_login_keeps_its_limits_in_memory_while_the_rate_limit_store_is_out_of_reach(app, database_url):
    class LimitsInRedis(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        RATELIMIT_STORAGE_URI = "redis://127.0.0.1:1/0"  # nothing listens there
        AUTH_RATE_LIMITED = True

    application = create_app(LimitsInRedis)
    try:
        client = application.test_client()
        email, password = DEMO["CASHIER"]
        assert client.post("/api/v1/auth/token/", json={"email": email, "password": password}).status_code == 200
        failures = [client.post("/api/v1/auth/token/", json={"email": email, "password": "typo"}).status_code
                    for _ in range(10)]
        assert failures == [401] * 10
        assert client.post("/api/v1/auth/token/", json={"email": email, "password": password}).status_code == 429
    finally:
        with application.app_context():
            db.engine.dispose()
        limiter.init_app(app)  # one limiter serves every app: give the session's its own store back
