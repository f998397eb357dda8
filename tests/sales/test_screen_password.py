"""Cancel and refund on the back-office screens ask the manager to confirm their password, like the
API's fresh token; a wrong one uses the email's one failed-password budget and writes nothing (issue 13)."""
import pytest
from sqlalchemy import func, select

from tests.conftest import DEMO
from tests.conftest import sign_in as login

MANAGER_EMAIL, MANAGER_PASSWORD = DEMO["MANAGER"]


@pytest.fixture
def submitted_sale(shop, as_seller):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.cable, "quantity": 1}]}).get_json()["result"]
    as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    return sale


@pytest.fixture
def paid_sale(shop, as_seller, as_cashier):
    sale = as_seller.post("/api/v1/sales/", json={"store": shop.dla, "items": [
        {"product": shop.cable, "quantity": 2}]}).get_json()["result"]
    as_seller.post(f"/api/v1/sales/{sale['id']}/submit/")
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": shop.dla, "opening_float": 10000})
    as_cashier.post("/api/v1/payments/", json={"sale": sale["id"], "method": "MOBILE_MONEY",
                                               "amount": int(float(sale["total"])), "operator": "MTN",
                                               "reference": "MP-9"})
    return sale


def _state(app, sale_id):
    from app.core.models import AuditLog
    from app.extensions import db
    from app.sales.models import Refund, Sale

    with app.app_context():
        status = db.session.get(Sale, sale_id).status
        refunds = db.session.execute(select(func.count()).select_from(Refund)).scalar_one()
        audit = db.session.execute(select(func.count()).select_from(AuditLog)).scalar_one()
        db.session.remove()
    return status, refunds, audit


def _cancel(client, sale, password=None):
    data = {"reason": "Client parti"} | ({"password": password} if password is not None else {})
    return client.post(f"/salemodelview/cancel/{sale['id']}", data=data, follow_redirects=True)


def _refund(client, sale, password=None):
    data = {f"quantity-{sale['items'][0]['id']}": "1", "method": "CASH", "reason": "Abîmé"}
    data |= {"password": password} if password is not None else {}
    return client.post(f"/salemodelview/refund/{sale['id']}", data=data, follow_redirects=True)


@pytest.mark.parametrize("password", [None, "", "pas-le-bon"])
def test_a_screen_cancellation_without_the_right_password_is_refused_and_writes_nothing(
        app, client, submitted_sale, password):
    login(client, "MANAGER")
    before = _state(app, submitted_sale["id"])
    html = _cancel(client, submitted_sale, password).get_data(as_text=True)
    assert "Mot de passe incorrect" in html
    assert _state(app, submitted_sale["id"]) == before and before[0] == "PENDING_PAYMENT"


def test_a_screen_cancellation_with_the_managers_password_is_done(app, client, submitted_sale):
    login(client, "MANAGER")
    html = _cancel(client, submitted_sale, MANAGER_PASSWORD).get_data(as_text=True)
    assert "Vente annulée" in html
    assert _state(app, submitted_sale["id"])[0] == "CANCELLED"


@pytest.mark.parametrize("password", [None, "pas-le-bon"])
def test_a_screen_refund_without_the_right_password_is_refused_and_writes_nothing(app, client, paid_sale, password):
    login(client, "MANAGER")
    before = _state(app, paid_sale["id"])
    html = _refund(client, paid_sale, password).get_data(as_text=True)
    assert "Mot de passe incorrect" in html and "Remboursement enregistré" not in html
    assert _state(app, paid_sale["id"]) == before


def test_a_screen_refund_with_the_managers_password_is_done(app, client, paid_sale):
    login(client, "MANAGER")
    before = _state(app, paid_sale["id"])
    html = _refund(client, paid_sale, MANAGER_PASSWORD).get_data(as_text=True)
    assert "Remboursement enregistré" in html
    assert _state(app, paid_sale["id"])[1] == before[1] + 1


def test_wrong_confirmations_use_the_emails_one_failed_password_budget(app, client, submitted_sale):
    login(client, "MANAGER")
    attempts, _window = app.config["TOKEN_FAILED_ATTEMPTS_PER_EMAIL"]
    for _ in range(attempts):
        _cancel(client, submitted_sale, "pas-le-bon")
    # locked: even the right password is refused, on the screen and at the token endpoint
    html = _cancel(client, submitted_sale, MANAGER_PASSWORD).get_data(as_text=True)
    assert "Trop d&#39;essais" in html or "Trop d'essais" in html
    assert _state(app, submitted_sale["id"])[0] == "PENDING_PAYMENT"
    answer = client.post("/api/v1/auth/token/", json={"email": MANAGER_EMAIL, "password": MANAGER_PASSWORD})
    assert answer.status_code == 429
