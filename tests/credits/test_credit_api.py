"""Customer credit through the REST API (SPEC §10): accounts, CREDIT payments, repayments,
the ledger and the statement PDF read back as text."""
from datetime import timedelta

import pytest

from app.credits import services as credits
from app.extensions import db
from tests.credits.fixtures import priced_product
from tests.documents.pdf_tools import pdf_text
from tests.factories import make_customer, store_by_code


@pytest.fixture
def ids(app):
    with app.app_context():
        dla = store_by_code("DLA1")
        customer = make_customer(dla, name="Awa Ngono", phone="+237677001122")
        product = priced_product(price="50000")
        values = {"customer": customer.id, "product": product.id, "store": dla.id}
        db.session.remove()
    return values


def _credit_sale(as_seller, ids, quantity=1):
    draft = as_seller.post("/api/v1/sales/", json={"store": ids["store"], "customer": ids["customer"], "items": [
        {"product": ids["product"], "quantity": quantity}]}).get_json()["result"]
    as_seller.post(f"/api/v1/sales/{draft['id']}/submit/")
    return draft["id"]


def test_open_charge_repay_and_read_back(ids, as_manager, as_seller, as_cashier):
    opened = as_manager.post("/api/v1/credit-accounts/", json={"customer": ids["customer"], "credit_limit": 500000})
    assert opened.status_code == 201, opened.get_json()
    account = opened.get_json()["result"]
    assert (account["customer"], account["store"], account["credit_limit"], account["balance"], account["available"],
            account["overdue_amount"], account["installments"]) == (
        ids["customer"], ids["store"], "500000.00", "0.00", "500000.00", "0.00", [])
    again = as_manager.post("/api/v1/credit-accounts/", json={"customer": ids["customer"], "credit_limit": 1})
    assert again.status_code == 409 and again.get_json()["message"]

    sale = _credit_sale(as_seller, ids, quantity=3)  # 150000
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": ids["store"], "opening_float": 0})
    paid = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CREDIT", "amount": 150000,
                                                     "installments": 3})
    assert paid.status_code == 201, paid.get_json()
    assert paid.get_json()["result"]["sale_status"] == "PAID"
    account = as_cashier.get(f"/api/v1/credit-accounts/{account['id']}").get_json()["result"]
    assert (account["balance"], account["available"]) == ("150000.00", "350000.00")
    assert [(i["amount"], i["paid"], i["status"]) for i in account["installments"]] == [
        ("50000.00", "0.00", "PENDING")] * 3

    headers = {"Idempotency-Key": "REPAY-API-1"}
    repaid = as_cashier.post(f"/api/v1/credit-accounts/{account['id']}/repay/",
                             json={"amount": 60000, "method": "CASH"}, headers=headers)
    assert repaid.status_code == 201, repaid.get_json()
    assert repaid.get_json()["balance"] == "90000.00"
    replay = as_cashier.post(f"/api/v1/credit-accounts/{account['id']}/repay/",
                             json={"amount": 60000, "method": "CASH"}, headers=headers)
    assert replay.status_code == 201 and replay.headers.get("Idempotent-Replayed") == "true"
    assert replay.get_json()["id"] == repaid.get_json()["id"]
    reused = as_cashier.post(f"/api/v1/credit-accounts/{account['id']}/repay/",
                             json={"amount": 1000, "method": "CASH"}, headers=headers)
    assert reused.status_code == 422

    account = as_cashier.get(f"/api/v1/credit-accounts/{account['id']}").get_json()["result"]
    assert [i["paid"] for i in account["installments"]] == ["50000.00", "10000.00", "0.00"]
    listed = as_cashier.get("/api/v1/credit-accounts/").get_json()
    row = next(r for r in listed["result"] if r["customer"] == ids["customer"])
    assert (row["balance"], row["available"], row["overdue_amount"]) == ("90000.00", "410000.00", "0.00")

    ledger = as_cashier.get("/api/v1/credit-ledger/").get_json()["result"]
    ours = sorted((r for r in ledger if r["account"] == account["id"]), key=lambda r: r["id"])
    assert [(r["kind"], r["amount"], r["balance_after"], r["sale"]) for r in ours] == [
        ("DEBIT", "150000.00", "150000.00", sale), ("CREDIT", "60000.00", "90000.00", None)]
    assert all(r["created_at"] and r["user"] for r in ours)

    pdf = as_cashier.get(f"/api/v1/credit-accounts/{account['id']}/statement.pdf")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    text = " ".join(pdf_text(pdf.data)).replace("\u202f", " ").replace("\xa0", " ")
    assert "Relevé de compte client" in text and "Awa Ngono" in text
    assert "Solde d'ouverture" in text and "Solde de clôture" in text
    assert "Vente à crédit" in text and "Remboursement" in text
    sale_number = as_cashier.get(f"/api/v1/sales/{sale}").get_json()["result"]["number"]
    assert sale_number in text
    for figure in ("150 000", "60 000", "90 000"):
        assert figure in text, (figure, text)


def test_over_the_limit_is_409_and_the_statement_shows_overdue(app, ids, as_manager, as_seller, as_cashier):
    account = as_manager.post("/api/v1/credit-accounts/", json={"customer": ids["customer"],
                                                               "credit_limit": 80000}).get_json()["result"]
    sale = _credit_sale(as_seller, ids, quantity=2)  # 100000
    as_cashier.post("/api/v1/cash-shifts/open/", json={"store": ids["store"], "opening_float": 0})
    refused = as_cashier.post("/api/v1/payments/", json={"sale": sale, "method": "CREDIT", "amount": 100000})
    assert refused.status_code == 409 and "disponible" in refused.get_json()["message"]
    assert "80" in refused.get_json()["message"]
    with app.app_context():  # a balance carried over, due yesterday in Douala: overdue today
        from app.credits.models import CustomerAccount

        row = db.session.get(CustomerAccount, account["id"])
        yesterday = credits.local_today(row.store) - timedelta(days=1)
        credits.record_opening_balance(None, row, 30000, yesterday, note="Ancien cahier")
    account = as_cashier.get(f"/api/v1/credit-accounts/{account['id']}").get_json()["result"]
    assert (account["overdue_amount"], account["installments"][0]["status"]) == ("30000.00", "OVERDUE")
    text = " ".join(pdf_text(as_manager.get(f"/api/v1/credit-accounts/{account['id']}/statement.pdf").data))
    assert "Échéances en retard" in text and "Ancien cahier" in text and "Total en retard" in text


def test_bad_input(ids, as_manager):
    bad = as_manager.post("/api/v1/credit-accounts/", json={"customer": ids["customer"], "credit_limit": -5})
    assert bad.status_code == 422 and "credit_limit" in bad.get_json()["errors"]
    assert as_manager.post("/api/v1/credit-accounts/", json={"customer": "x", "credit_limit": 5}).status_code == 422
    assert as_manager.post("/api/v1/credit-accounts/", json={"customer": ids["customer"], "limit": 5}).status_code == 400
    assert as_manager.get("/api/v1/credit-accounts/999999/statement.pdf").status_code == 404
    account = as_manager.post("/api/v1/credit-accounts/", json={"customer": ids["customer"],
                                                               "credit_limit": 5000}).get_json()["result"]
    bad_day = as_manager.get(f"/api/v1/credit-accounts/{account['id']}/statement.pdf?date_from=hier")
    assert bad_day.status_code == 422
