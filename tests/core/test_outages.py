"""PostgreSQL or Redis out of reach: a French 503 with Retry-After (never a bare 500, never SQL),
nothing half-written, and the same request goes through once the service is back."""
import threading

import psycopg
import pytest
from sqlalchemy import func, select, text

import config
from app import create_app
from app.extensions import db, limiter
from tests.conftest import DEMO, ApiClient, _libpq, get_tokens
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


def test_postgresql_sessions_start_with_the_timeouts(app, postgres):
    names = ("lock_timeout", "statement_timeout", "idle_in_transaction_session_timeout")
    with app.app_context():
        shown = {name: db.session.execute(text(f"SHOW {name}")).scalar() for name in names}
        db.session.remove()
    assert shown == {"lock_timeout": "5s", "statement_timeout": "20s", "idle_in_transaction_session_timeout": "1min"}


@pytest.fixture
def short_lock_wait(postgres, database_url):
    """A second app on the session database that waits at most 300 ms for a row lock."""
    class ShortLockWait(config.TestConfig):
        SQLALCHEMY_DATABASE_URI = database_url
        DB_LOCK_TIMEOUT_MS = 300

    application = create_app(ShortLockWait)
    yield application
    with application.app_context():
        db.engine.dispose()


def while_locked(database_url, table, row_id, request):
    """Send `request()` while another session holds `row_id` of `table` (a script left it locked);
    its answer. Without a lock timeout it would wait for as long as the lock is held."""
    answers = []
    with psycopg.connect(_libpq(database_url)) as script:
        script.execute(f"SELECT id FROM {table} WHERE id = %s FOR UPDATE", (row_id,))
        waiting = threading.Thread(target=lambda: answers.append(request()))
        waiting.start()
        waiting.join(timeout=60)
        assert answers, "the request is still waiting for the lock"
        script.rollback()
    return answers[0]


def test_a_payment_stuck_behind_a_forgotten_lock_gives_up_in_french(app, database_url, short_lock_wait,
                                                                   as_seller, as_cashier):
    shop = make_pos_shop(app)
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.switch, "quantity": 1}]}).get_json()["id"]
    as_seller.post(f"/api/v1/sales/{sale}/submit/")
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 0})
    till = ApiClient(short_lock_wait.test_client(), as_cashier.token)
    payment = {"sale": sale, "method": "CASH", "amount": 15000}

    answer = while_locked(database_url, "sale", sale, lambda: till.post("/api/v1/payments/", json=payment))
    assert_unavailable(answer)
    assert answer.get_json() == {"message": UNAVAILABLE}
    from app.cashier.models import Payment

    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(Payment).where(Payment.sale_id == sale)) == 0
        db.session.remove()
    again = till.post("/api/v1/payments/", json=payment)
    assert again.status_code == 201 and again.get_json()["result"]["sale_status"] == "PAID"


def test_a_generated_write_stuck_behind_a_forgotten_lock_gives_up_in_french(app, database_url, short_lock_wait,
                                                                           as_seller):
    shop = make_pos_shop(app)
    customer = as_seller.post("/api/v1/customers/", json={"name": "Aïcha Nkoulou", "phone": "6 77 12 34 56",
                                                          "store": shop.dla})
    customer_id = customer.get_json()["id"]
    seller = ApiClient(short_lock_wait.test_client(), as_seller.token)
    rename = lambda: seller.put(f"/api/v1/customers/{customer_id}", json={"name": "Aïcha Nkoulou (SARL)"})  # noqa: E731

    answer = while_locked(database_url, "customer", customer_id, rename)
    assert_unavailable(answer)
    assert answer.get_json() == {"message": UNAVAILABLE}
    assert seller.get(f"/api/v1/customers/{customer_id}").get_json()["result"]["name"] == "Aïcha Nkoulou"
    assert rename().status_code == 200
