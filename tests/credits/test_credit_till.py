"""Credit at the till page and on the seller's POS: available and overdue before a CREDIT payment,
the CREDIT payment, "Remboursement crédit" with its 80 mm receipt; the seller sees available credit."""
from datetime import timedelta

import pytest

from app.credits import services as credits
from app.credits.models import CustomerAccount
from app.extensions import db
from tests.credits.fixtures import priced_product
from tests.documents.pdf_tools import pdf_text
from tests.factories import make_customer, make_pending_sale, store_by_code, user_by_email
from tests.pos.fixtures import HX, login


def _plain(text):
    return text.replace("\u202f", " ").replace("\u00a0", " ")


@pytest.fixture
def credit_shop(app):
    with app.app_context():
        dla = store_by_code("DLA1")
        customer = make_customer(dla, name="Awa Ngono", phone="+237677001122")
        account = credits.open_account(user_by_email("manager@boutique.cm"), customer.id, "200000")
        yesterday = credits.local_today(dla) - timedelta(days=1)
        credits.record_opening_balance(None, db.session.get(CustomerAccount, account.id), 15000, yesterday,
                                       note="Ancien cahier")
        product = priced_product(price="60000")
        sale = make_pending_sale(dla, user_by_email("vendeur1@boutique.cm"), [(product, 1)], customer=customer)
        ids = {"store": dla.id, "account": account.id, "sale": sale.id, "customer": customer.id}
        db.session.remove()
    return ids


def test_the_till_shows_credit_takes_a_credit_payment_and_a_repayment(app, client, credit_shop):
    store, sale = credit_shop["store"], credit_shop["sale"]
    login(client, "CASHIER")
    assert client.post(f"/cashier/{store}/shift/open", headers=HX, data={"opening_float": "10000"}).status_code == 200
    detail = _plain(client.get(f"/cashier/{store}/sale/{sale}", headers=HX).get_data(as_text=True))
    assert 'data-testid="credit-panel"' in detail
    assert "185 000" in detail and "15 000" in detail  # available, overdue

    paid = client.post(f"/cashier/credit/{store}/sale/{sale}/pay", headers=HX,
                       data={"amount": "60000", "installments": "3", "idempotency_key": "till-credit-1"})
    assert paid.status_code == 200, paid.get_data(as_text=True)[:500]
    with app.app_context():
        account = db.session.get(CustomerAccount, credit_shop["account"])
        assert account.balance == 75000 and credits.ledger_sum(account.id) == 75000

    over = client.post(f"/cashier/credit/{store}/sale/{sale}/pay", headers=HX,
                       data={"amount": "60000", "idempotency_key": "till-credit-2"})
    assert over.status_code == 409  # the sale is paid: a French alert, nothing charged

    page = client.get(f"/cashier/credit/{store}/?q=Awa")
    assert page.status_code == 200 and "Awa Ngono" in page.get_data(as_text=True)
    chosen = _plain(client.get(f"/cashier/credit/{store}/?account={credit_shop['account']}").get_data(as_text=True))
    assert "75 000" in chosen and 'data-testid="repay-form"' in chosen
    done = client.post(f"/cashier/credit/{store}/account/{credit_shop['account']}/repay",
                       data={"amount": "20000", "method": "CASH", "idempotency_key": "till-repay-1"})
    body = _plain(done.get_data(as_text=True))
    assert done.status_code == 200 and "Remboursement enregistré" in body and "55 000" in body
    with app.app_context():
        repayment_id = db.session.execute(db.select(db.func.max(db.text("id"))).select_from(
            db.table("credit_repayment"))).scalar_one()
    receipt = client.get(f"/cashier/credit/repayment/{repayment_id}/receipt.pdf")
    assert receipt.status_code == 200 and receipt.mimetype == "application/pdf"
    text = " ".join(_plain(" ".join(pdf_text(receipt.data))).split())
    assert "Reçu de remboursement de crédit" in text and "Awa Ngono" in text
    assert "20 000" in text and "55 000" in text and "75 000" in text


def test_the_seller_sees_the_chosen_customer_available_credit(app, client, credit_shop):
    with app.app_context():
        from app.sales import services as sales
        from tests.sales.fixtures import user

        seller = user(user_by_email("vendeur1@boutique.cm").id)
        draft = sales.create_draft(seller, credit_shop["store"], [], customer=credit_shop["customer"])
        draft_id = draft.id
        db.session.remove()
    login(client, "SALES")
    page = _plain(client.get(f"/pos/{credit_shop['store']}/cart/{draft_id}", headers=HX).get_data(as_text=True))
    assert 'data-testid="seller-credit"' in page and "185 000" in page


def test_a_dla1_cashier_does_not_reach_a_yde1_account_at_the_till(app, client):
    with app.app_context():
        customer = make_customer(store_by_code("YDE1"), name="Client de Yaoundé", phone="+237690000001")
        account = credits.open_account(user_by_email("manager@boutique.cm"), customer.id, "100000")
        pk, yde = account.id, store_by_code("YDE1").id
        db.session.remove()
    login(client, "CASHIER")
    dla = None
    with app.app_context():
        dla = store_by_code("DLA1").id
    assert client.get(f"/cashier/credit/{dla}/?account={pk}").status_code == 404
    assert client.get(f"/cashier/credit/{yde}/").status_code == 404
