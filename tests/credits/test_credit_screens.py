"""Back-office screens of customer credit: list, account page, opening, limit, statement."""
import re

import pytest

from app.credits import services as credits
from app.extensions import db
from tests.factories import make_customer, store_by_code, user_by_email


def login(client, email, password):
    assert client.post("/login/", data={"username": email, "password": password}).status_code == 302


def csrf(client, url):
    """The form's token (the tests' config does not check it, the page must still carry one)."""
    found = re.search(r'name="csrf_token"[^>]*value="([^"]*)"', client.get(url).get_data(as_text=True))
    return found.group(1) if found else ""


@pytest.fixture
def customer_id(app):
    with app.app_context():
        customer = make_customer(store_by_code("DLA1"), name="Awa Ngono", phone="+237677001122")
        return customer.id


def test_a_manager_opens_an_account_and_changes_its_limit(client, customer_id):
    login(client, "manager@boutique.cm", "manager123!")
    assert client.get("/credit/list/").status_code == 200
    token = csrf(client, "/credit/ouvrir")
    answer = client.post("/credit/ouvrir", data={"customer": customer_id, "credit_limit": "250000",
                                                 "csrf_token": token})
    assert answer.status_code == 302
    page = client.get(answer.headers["Location"]).get_data(as_text=True)
    assert "Awa Ngono" in page and "250" in page and "Échéancier" in page
    pk = int(answer.headers["Location"].rstrip("/").split("/")[-1])
    answer = client.post(f"/credit/{pk}/modifier", data={"credit_limit": "300000", "is_active": "true",
                                                         "csrf_token": token}, follow_redirects=True)
    assert "Compte mis à jour" in answer.get_data(as_text=True)
    pdf = client.get(f"/credit/{pk}/releve.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"


def test_a_seller_cannot_open_an_account_nor_change_a_limit(app, client, customer_id):
    with app.app_context():
        account = credits.open_account(user_by_email("manager@boutique.cm"), customer_id, "100000")
        pk = account.id
        db.session.remove()
    login(client, "vendeur1@boutique.cm", "vendeur123!")
    token = csrf(client, "/")
    assert client.get("/credit/ouvrir").status_code in (302, 403)
    client.post(f"/credit/{pk}/modifier", data={"credit_limit": "900000", "csrf_token": token})
    with app.app_context():
        from app.credits.models import CustomerAccount

        assert db.session.get(CustomerAccount, pk).credit_limit == 100000


def test_the_list_shows_balance_available_and_overdue_of_the_demo_accounts(client):
    login(client, "manager@boutique.cm", "manager123!")
    page = client.get("/credit/list/").get_data(as_text=True).replace("\u202f", " ").replace("\xa0", " ")
    assert "Ets. Fotso &amp; Fils" in page and "Clarisse Mbida" in page
    assert "120 000" in page and "380 000" in page  # owed and available; 120 000 is overdue too
    assert page.count("120 000") >= 2


def test_a_manager_corrects_an_entry_from_the_account_page(app, client):
    from sqlalchemy import select

    from app.credits.models import CreditLedgerEntry, CustomerAccount
    from app.customers.models import Customer

    with app.app_context():
        account = db.session.execute(select(CustomerAccount).join(Customer).where(
            Customer.name == "Clarisse Mbida")).scalar_one()
        pk, entry_id = account.id, account.entries[0].id
    login(client, "manager@boutique.cm", "manager123!")
    page = client.post(f"/credit/{pk}/ecriture/{entry_id}/corriger", data={"note": "Erreur de report"},
                       follow_redirects=True).get_data(as_text=True)
    assert "Écriture corrigée" in page and "Erreur de report" in page
    with app.app_context():
        rows = db.session.execute(select(CreditLedgerEntry).where(CreditLedgerEntry.account_id == pk)
                                  .order_by(CreditLedgerEntry.id)).scalars().all()
        assert [(r.kind, r.source, r.balance_after) for r in rows] == [
            ("DEBIT", "OPENING", 45000), ("CREDIT", "REVERSAL", 0)]
